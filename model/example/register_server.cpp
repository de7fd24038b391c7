#include "model/example/register_server.h"

#include <algorithm>

#include "model/example/register_messages.h"
#include "base/assert.h"

namespace replsim::example {
namespace {
constexpr TimerKey kRetransmitTimer{1, 0};
constexpr TimerKey kFsyncRetryTimer{2, 0};
}  // namespace

RegisterServer::RegisterServer(NodeId primary, std::vector<NodeId> backups, RegisterOptions options)
    : primary_(primary), backups_(std::move(backups)), options_(options), acked_(backups_.size(), 0) {}

void RegisterServer::on_start(Context& ctx, const DiskImage& disk) {
  const std::vector<DiskRecord>& records = disk.records(kLogFile);
  log_ = recover_log(records);
  if (log_.size() < records.size()) {
    ctx.note("log_truncated", {{"kept", log_.size()}, {"found", records.size()}});
    ctx.disk_truncate(kLogFile, log_.size());
  }
  appended_version_ = log_.size();
  // What survived a crash may sit only in the OS cache: make it durable
  // before counting on it.
  const bool skips_fsync = is_primary(ctx) && options_.primary_skips_fsync;
  if (!log_.empty() && !skips_fsync) request_fsync(ctx);
  if (is_primary(ctx)) {
    serving_from_version_ = log_.size();
    ctx.set_timer(kRetransmitTimer, options_.retransmit_interval);
    // The primary is the leader and the master of the one group from its start.
    ctx.protocol_event({ProtocolEvent::Kind::kBecomes, "leader", 0});
    ctx.protocol_event({ProtocolEvent::Kind::kBecomes, "master", 1});
  }
  ctx.note("recovered", {{"log", log_.size()}});
}

uint64_t RegisterServer::replicable_version() const {
  return options_.primary_skips_fsync ? appended_version_ : synced_version_;
}

void RegisterServer::halt(Context& ctx, const char* reason) {
  halted_ = true;
  ctx.cancel_timer(kRetransmitTimer);
  ctx.cancel_timer(kFsyncRetryTimer);
  ctx.note("halted", {{"reason", reason}});
}

void RegisterServer::request_fsync(Context& ctx) {
  fsync_covers_[ctx.disk_fsync(kLogFile)] = log_.size();
}

void RegisterServer::replicate(Context& ctx, size_t backup, uint64_t from_version, uint64_t to_version) {
  REPLSIM_ASSERT(from_version >= 1 && to_version <= log_.size(), "replicating outside the log");
  for (uint64_t v = from_version; v <= to_version; ++v) {
    const LogEntry& e = log_[v - 1];
    ctx.send(backups_[backup], make_message(Replicate{e.version, e.key, e.value}));
  }
}

void RegisterServer::advance_commit(Context& ctx) {
  uint64_t quorum = replicable_version();
  for (uint64_t acked : acked_) quorum = std::min(quorum, acked);
  quorum = std::min<uint64_t>(quorum, log_.size());
  while (commit_version_ < quorum) {
    ++commit_version_;
    const LogEntry& e = log_[commit_version_ - 1];
    store_[e.key] = e.value;
    const auto it = waiting_.find(commit_version_);
    if (it != waiting_.end()) {
      ctx.send(it->second.client, make_message(ClientReply{it->second.op, e.value}));
      waiting_.erase(it);
    }
  }
}

void RegisterServer::on_client_write(Context& ctx, NodeId from, uint64_t op, uint64_t key, uint64_t value) {
  const auto last = last_op_.find(from.index);
  if (last != last_op_.end() && last->second.op == op) {
    // A retry of a write we already logged: answer when it commits.
    const uint64_t version = last->second.version;
    if (version <= commit_version_) ctx.send(from, make_message(ClientReply{op, value}));
    else waiting_[version] = Waiting{from, op};
    return;
  }
  const LogEntry entry{log_.size() + 1, key, value};
  log_.push_back(entry);
  last_op_[from.index] = LastOp{op, entry.version};
  waiting_[entry.version] = Waiting{from, op};
  append_versions_[ctx.disk_append(kLogFile, encode_entry(entry))] = entry.version;
  if (!options_.primary_skips_fsync) request_fsync(ctx);
}

void RegisterServer::on_replicate(Context& ctx, NodeId from, const LogEntry& entry) {
  if (entry.version == log_.size() + 1) {
    log_.push_back(entry);
    append_versions_[ctx.disk_append(kLogFile, encode_entry(entry))] = entry.version;
    request_fsync(ctx);
    return;
  }
  // A duplicate or a gap: tell the primary where our durable log ends, so it
  // resends from there.
  ctx.send(from, make_message(ReplicateAck{synced_version_}));
}

void RegisterServer::on_message(Context& ctx, NodeId from, ConnectionId, const Message& message) {
  if (halted_) return;
  if (const auto* write = message.as<ClientWrite>()) {
    if (is_primary(ctx)) on_client_write(ctx, from, write->op, write->key, write->value);
  } else if (const auto* read = message.as<ClientRead>()) {
    if (!is_primary(ctx) || commit_version_ < serving_from_version_) return;  // the client times out
    const auto it = store_.find(read->key);
    ctx.send(from, make_message(ClientReply{read->op, it == store_.end() ? 0 : it->second}));
  } else if (const auto* replicate_msg = message.as<Replicate>()) {
    if (!is_primary(ctx)) on_replicate(ctx, from, {replicate_msg->version, replicate_msg->key, replicate_msg->value});
  } else if (const auto* ack = message.as<ReplicateAck>()) {
    if (!is_primary(ctx)) return;
    for (size_t b = 0; b < backups_.size(); ++b) {
      if (backups_[b] == from) acked_[b] = ack->synced_version;
    }
    advance_commit(ctx);
  }
}

void RegisterServer::on_timer(Context& ctx, TimerKey key) {
  if (halted_) return;
  if (key == kFsyncRetryTimer) {
    request_fsync(ctx);
    return;
  }
  REPLSIM_ASSERT(key == kRetransmitTimer && is_primary(ctx), "unknown timer");
  const uint64_t limit = replicable_version();
  for (size_t b = 0; b < backups_.size(); ++b) {
    if (acked_[b] < limit) {
      replicate(ctx, b, acked_[b] + 1, std::min(limit, acked_[b] + options_.retransmit_batch_max));
    }
  }
  ctx.set_timer(kRetransmitTimer, options_.retransmit_interval);
}

void RegisterServer::on_disk(Context& ctx, const DiskCompletion& completion) {
  if (halted_) return;
  if (completion.kind == DiskOpKind::kTruncate) {
    if (completion.status != DiskStatus::kOk) halt(ctx, to_string(completion.status));
    return;
  }
  if (completion.kind == DiskOpKind::kAppend) {
    const auto it = append_versions_.find(completion.id);
    REPLSIM_ASSERT(it != append_versions_.end(), "completion of an append never requested");
    const uint64_t version = it->second;
    append_versions_.erase(it);
    if (completion.status != DiskStatus::kOk) return halt(ctx, to_string(completion.status));
    appended_version_ = std::max(appended_version_, version);
    if (is_primary(ctx) && options_.primary_skips_fsync) {
      for (size_t b = 0; b < backups_.size(); ++b) replicate(ctx, b, version, version);
    }
    return;
  }
  if (completion.kind != DiskOpKind::kFsync) return;
  const auto it = fsync_covers_.find(completion.id);
  REPLSIM_ASSERT(it != fsync_covers_.end(), "completion of an fsync never requested");
  const uint64_t covers = it->second;
  fsync_covers_.erase(it);
  if (completion.status != DiskStatus::kOk) {
    // The data stays undurable; try again shortly rather than acknowledge it.
    ctx.set_timer(kFsyncRetryTimer, options_.fsync_retry_interval);
    return;
  }
  const uint64_t before = synced_version_;
  synced_version_ = std::max(synced_version_, std::min<uint64_t>(covers, log_.size()));
  REPLSIM_ASSERT(synced_version_ <= log_.size(), "synced past the log");
  if (!is_primary(ctx)) {
    ctx.send(primary_, make_message(ReplicateAck{synced_version_}));
    return;
  }
  if (!options_.primary_skips_fsync && synced_version_ > before) {
    for (size_t b = 0; b < backups_.size(); ++b) replicate(ctx, b, before + 1, synced_version_);
  }
  advance_commit(ctx);
}

void RegisterServer::hash_into(Hasher& h) const {
  h.add_node(primary_.index).add(halted_).add(appended_version_).add(synced_version_).add(commit_version_);
  h.add(serving_from_version_);
  hash_log(h, log_);
  for (const auto& [op, version] : append_versions_) h.add_disk_op(op.value).add(version);
  for (const auto& [op, covers] : fsync_covers_) h.add_disk_op(op.value).add(covers);
  // Per backup, as a set: renaming the backups reorders them.
  REPLSIM_ASSERT(acked_.size() == backups_.size(), "a durable length per backup");
  UnorderedHash acked;
  for (size_t b = 0; b < backups_.size(); ++b) acked.add(h.part().add_node(backups_[b].index).add(acked_[b]).value());
  h.add(acked.value());
  for (const auto& [key, value] : store_) h.add(key).add(value);
  for (const auto& [version, w] : waiting_) h.add(version).add_node(w.client.index).add(w.op);
  for (const auto& [client, last] : last_op_) h.add_node(client).add(last.op).add(last.version);
}

nlohmann::json RegisterServer::describe() const {
  return {{"log", log_.size()},
          {"synced", synced_version_},
          {"commit", commit_version_},
          {"halted", halted_},
          {"waiting", waiting_.size()}};
}

}  // namespace replsim::example
