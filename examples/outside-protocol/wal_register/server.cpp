#include "wal_register/server.h"

#include <algorithm>

#include "base/assert.h"

namespace wal_register {

using replsim::ConnectionId;
using replsim::Context;
using replsim::DiskCompletion;
using replsim::DiskOpKind;
using replsim::DiskStatus;
using replsim::Message;
using replsim::NodeId;
using replsim::TimerKey;

namespace {
constexpr TimerKey kGroupCommitTimer{1, 0};
}  // namespace

const char* to_string(ServerStatus status) {
  switch (status) {
    case ServerStatus::kRecovering: return "RECOVERING";
    case ServerStatus::kServing: return "SERVING";
    case ServerStatus::kHalted: return "HALTED";
  }
  return "?";
}

void Server::on_start(Context& ctx, const replsim::DiskImage& disk) {
  const std::vector<replsim::DiskRecord>& records = disk.records(kLogFile);
  log_ = decode_log(records);
  if (log_.size() < records.size()) {
    // A torn or corrupt tail: cut it off, so new writes follow the intact prefix.
    ctx.note("log_truncated", {{"kept", log_.size()}, {"found", records.size()}});
    ctx.disk_truncate(kLogFile, log_.size());
  }
  for (const LogEntry& e : log_) last_op_[e.client_node] = std::max(last_op_[e.client_node], e.op);
  ctx.set_timer(kGroupCommitTimer, options_.fsync_interval);
  if (log_.empty()) return enter(ctx, ServerStatus::kServing);
  // What survived a crash may sit only in the OS cache: make it durable
  // before a client can read it.
  enter(ctx, ServerStatus::kRecovering);
  request_fsync(ctx);
}

void Server::enter(Context& ctx, ServerStatus status) {
  status_ = status;
  // The note tells the platform the status timeline changed; the protocol
  // events let scenario faults wait for a status or the role.
  ctx.note("status", {{"status", to_string(status)}});
  ctx.protocol_event({replsim::ProtocolEvent::Kind::kEnters, to_string(status), 1});
  if (status == ServerStatus::kServing) ctx.protocol_event({replsim::ProtocolEvent::Kind::kBecomes, "server", 0});
}

void Server::on_message(Context& ctx, NodeId from, ConnectionId, const Message& message) {
  // Recovering or halted: no answer, and the client's operation times out.
  if (status_ != ServerStatus::kServing) return;
  if (const auto* write = message.as<WriteRequest>()) return on_write(ctx, from, *write);
  if (const auto* read = message.as<ReadRequest>()) {
    const auto it = store_.find(read->key);
    ctx.send(from, replsim::make_message(Reply{read->op, it == store_.end() ? 0 : it->second}));
  }
}

void Server::on_write(Context& ctx, NodeId from, const WriteRequest& write) {
  uint64_t& last = last_op_[from.index];
  if (write.op <= last) return;  // a duplicated datagram of a write taken already
  last = write.op;
  const LogEntry entry{from.index, write.op, write.key, write.value};
  log_.push_back(entry);
  const uint64_t version = log_.size();
  waiting_[version] = Waiting{from, write.op};
  appends_[ctx.disk_append(kLogFile, encode_entry(entry))] = version;
}

void Server::on_timer(Context& ctx, TimerKey key) {
  REPLSIM_ASSERT(key == kGroupCommitTimer, "the server's only timer is the group commit");
  if (status_ == ServerStatus::kHalted) return;
  // One fsync for everything appended since the last one; a failed fsync
  // is retried here too.
  if (fsyncs_.empty() && synced_ < log_.size()) request_fsync(ctx);
  ctx.set_timer(kGroupCommitTimer, options_.fsync_interval);
}

void Server::request_fsync(Context& ctx) { fsyncs_[ctx.disk_fsync(kLogFile)] = log_.size(); }

void Server::on_disk(Context& ctx, const DiskCompletion& completion) {
  if (status_ == ServerStatus::kHalted) return;
  if (completion.kind == DiskOpKind::kAppend) return on_append(ctx, completion);
  if (completion.kind == DiskOpKind::kFsync) return on_fsync(ctx, completion);
  REPLSIM_ASSERT(completion.kind == DiskOpKind::kTruncate, "the server appends, fsyncs and truncates, nothing else");
  if (completion.status != DiskStatus::kOk) enter(ctx, ServerStatus::kHalted);
}

void Server::on_append(Context& ctx, const DiskCompletion& completion) {
  const auto it = appends_.find(completion.id);
  REPLSIM_ASSERT(it != appends_.end(), "the completion of an append the server requested");
  const uint64_t version = it->second;
  appends_.erase(it);
  // A full disk or an I/O error: the log's content is unknown from here on.
  if (completion.status != DiskStatus::kOk) return enter(ctx, ServerStatus::kHalted);
  // The bug: acknowledged while the write is only in the OS cache.
  if (options_.ack_before_fsync) apply_through(ctx, version);
}

void Server::on_fsync(Context& ctx, const DiskCompletion& completion) {
  const auto it = fsyncs_.find(completion.id);
  REPLSIM_ASSERT(it != fsyncs_.end(), "the completion of an fsync the server requested");
  const uint64_t covers = it->second;
  fsyncs_.erase(it);
  // A failed fsync leaves the data unsynced: the next group commit tries again.
  if (completion.status != DiskStatus::kOk) return;
  synced_ = std::max(synced_, covers);
  REPLSIM_ASSERT(synced_ <= log_.size(), "synced past the end of the log");
  if (status_ == ServerStatus::kRecovering) {
    REPLSIM_ASSERT(synced_ == log_.size(), "a recovering server takes no writes, so its fsync covers the whole log");
    enter(ctx, ServerStatus::kServing);
  }
  apply_through(ctx, synced_);
}

void Server::apply_through(Context& ctx, uint64_t version) {
  REPLSIM_ASSERT(version <= log_.size(), "applying past the end of the log");
  while (applied_ < version) {
    const LogEntry& e = log_[applied_];
    ++applied_;
    store_[e.key] = e.value;
    const auto it = waiting_.find(applied_);
    if (it == waiting_.end()) continue;  // recovered from disk: its client stopped waiting
    ctx.send(it->second.client, replsim::make_message(Reply{it->second.op, e.value}));
    waiting_.erase(it);
  }
}

nlohmann::json Server::describe() const {
  return {{"status", to_string(status_)}, {"log", log_.size()},          {"synced", synced_},
          {"applied", applied_},          {"waiting", waiting_.size()}};
}

void Server::hash_into(replsim::Hasher& h) const {
  h.add(static_cast<uint64_t>(status_)).add(synced_).add(applied_);
  for (const LogEntry& e : log_) h.add(e.client_node).add(e.op).add(e.key).add(e.value);
  for (const auto& [id, version] : appends_) h.add(id.value).add(version);
  for (const auto& [id, covers] : fsyncs_) h.add(id.value).add(covers);
  for (const auto& [version, w] : waiting_) h.add(version).add(w.client.index).add(w.op);
  for (const auto& [key, value] : store_) h.add(key).add(value);
  for (const auto& [client, op] : last_op_) h.add(client).add(op);
}

}  // namespace wal_register
