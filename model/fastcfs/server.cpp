#include "model/fastcfs/server.h"

#include <algorithm>
#include <charconv>
#include <concepts>
#include <optional>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <utility>

#include "base/assert.h"

namespace replsim::fastcfs {
namespace {

constexpr TimerKey kTickTimer{1, 0};
constexpr const char* kClusterInfoFile = "data_group.info";
// The file's mtime, which faststore reads as the last shutdown time
// (get_server_group_info_file_mtime) and refreshes without rewriting the
// file: a record of its own here, so a refresh leaves the contents alone.
constexpr const char* kClusterInfoMtimeFile = "data_group.info.mtime";

std::string group_file(uint32_t dg) { return "replica/g" + std::to_string(dg + 1) + ".log"; }
// The data group whose file group_file names `file`, if it names one.
std::optional<uint32_t> group_of_file(std::string_view file) {
  constexpr std::string_view kPrefix = "replica/g";
  constexpr std::string_view kSuffix = ".log";
  if (!file.starts_with(kPrefix) || !file.ends_with(kSuffix)) return std::nullopt;
  const std::string_view digits = file.substr(kPrefix.size(), file.size() - kPrefix.size() - kSuffix.size());
  uint32_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || number == 0) return std::nullopt;
  if (group_file(number - 1) != file) return std::nullopt;  // "replica/g01.log" names no group
  return number - 1;
}
std::string confirmed_file(uint32_t dg) { return "replica/g" + std::to_string(dg + 1) + ".confirmed"; }

}  // namespace

FastcfsServer::FastcfsServer(uint32_t index, ClusterConfig config) : me_(index), config_(std::move(config)) {
  REPLSIM_ASSERT(me_ < config_.servers, "server index within the cluster");
  cluster_ = servers_of_group(server_group_of_server(me_, config_), config_);
  my_dgs_ = dgs_of_group(server_group_of_server(me_, config_), config_);
  // M23: the leader deactivates a silent follower before the follower can
  // fence itself (network_timeout below leader_lost_timeout).
  if (has("M23")) config_.options.network_timeout = config_.options.leader_lost_timeout / 2;
  peers_.write().rows.resize(n());
  ClusterView& known = cluster_view_.write();
  known.ds.assign(dg_count(), std::vector<DsView>(n()));
  known.master.assign(dg_count(), std::nullopt);
  known.elections.resize(dg_count());
  groups_.resize(dg_count());
  last_reported_.assign(dg_count(), {UINT64_MAX, UINT64_MAX});
  // Replication channels only within my server group (my own row unused).
  channels_.write().rows.resize(size_t{r()} * config_.options.replica_channels_between_two_servers);
}

bool FastcfsServer::acts_as_master(uint32_t dg) const {
  return master_of(dg) == me_ && view(dg, me_).is_master && !halted_;
}

bool FastcfsServer::takes_writes(uint32_t dg) const { return acts_as_master(dg) && !my_group(dg).master_swapping; }

bool FastcfsServer::holds(uint32_t dg, uint64_t dv, uint64_t key) const {
  const auto& log = my_group(dg).binlog;
  const auto it = std::lower_bound(log.begin(), log.end(), dv, [](const BinlogRecord& r, uint64_t v) { return r.dv < v; });
  return it != log.end() && it->dv == dv && it->op == 'w' && it->key == key;
}

bool FastcfsServer::writes_pending(uint32_t dg) const {
  return my_group(dg).in_flight.has_value() || !my_group(dg).queue.empty();
}

// ---- start and restart (§1.2, T1) ------------------------------------------

void FastcfsServer::on_start(Context& ctx, const DiskImage& disk) {
  up_time_ns_ = local_ns(ctx);
  boot_from_disk(ctx, disk);
  for (uint32_t g : my_dgs()) {
    const Group& group = my_group(g);
    view_to_change(g, me_).status = group.status;
    view_to_change(g, me_).current_dv = group.current_dv;
    view_to_change(g, me_).confirmed_dv = group.confirmed_dv;
    ctx.note("ds_status", {{"dg", g + 1}, {"status", to_string(group.status)}, {"transition", "start"}});
  }
  ctx.set_timer(kTickTimer, Duration::s(1));
  // Replication channels to every peer of my server group open at start
  // (§3.4; replication_common.c init_replication_common_array).
  for (uint32_t p : cluster()) {
    for (uint32_t i = 0; p != me_ && i < channels_to(p).size(); ++i) connect_channel(ctx, p, i);
  }
  relation_ = Relation::kIdle;
  relationship_step(ctx);
}

void FastcfsServer::boot_from_disk(Context& ctx, const DiskImage& disk) {
  const std::vector<DiskRecord>& info = disk.records(kClusterInfoFile);
  const bool restarted = !info.empty() && info.back().intact();
  if (restarted) {
    // "cv leader_hint", then per data group of my server group and per
    // server of it "status dv" (server_group_info.c keeps every DS of
    // CLUSTER_DATA_GROUP_ARRAY, not only mine).
    const std::vector<uint64_t> v = record_numbers(info.back().bytes);
    REPLSIM_ASSERT(v.size() == 2 + 2 * my_dgs_.size() * r(), "data_group.info has a status and a DV per DS");
    cluster_version_ = v[0];
    leader_hint_ = v[1] != 0;
    // Its own fsync may not have landed before a power loss: then the
    // mtime is the one before, or the epoch's if there is none.
    const std::vector<DiskRecord>& mtime = disk.records(kClusterInfoMtimeFile);
    if (!mtime.empty() && mtime.back().intact()) last_shutdown_ns_ = static_cast<int64_t>(record_numbers(mtime.back().bytes).at(0));
    for (uint32_t g : my_dgs()) {
      for (uint32_t s : cluster()) {
        const size_t at = 2 + 2 * ((g - my_dgs_.first) * r() + (s - cluster_.first));
        // T1 (fs_downgrade_data_server_status): INIT and OFFLINE keep;
        // REBUILDING -> INIT; the rest -> OFFLINE.
        const auto saved = static_cast<DsStatus>(v[at]);
        DsStatus status = saved;
        if (saved == DsStatus::kRebuilding) status = DsStatus::kInit;
        else if (saved != DsStatus::kInit && saved != DsStatus::kOffline) status = DsStatus::kOffline;
        if (s != me_) {
          // Another server's DS as I last knew it: the election ranks by it.
          view_to_change(g, s).status = status;
          view_to_change(g, s).current_dv = v[at + 1];
          continue;
        }
        my_group_to_change(g).status = status;  // my own DV comes from my binlog below
        if (status != saved) count(ctx, Transition::kT1, g);
      }
    }
  }
  for (uint32_t g : my_dgs()) {
    Group& group = my_group_to_change(g);
    const std::vector<DiskRecord>& records = disk.records(group_file(g));
    uint64_t kept = 0;
    for (const DiskRecord& r : records) {
      if (!r.intact()) break;  // a torn or corrupt tail: trust the intact prefix
      const std::string& b = r.bytes;
      const std::vector<uint64_t> v = record_numbers(std::string_view(b).substr(std::min<size_t>(2, b.size())));
      if (b[0] == 'B') {
        REPLSIM_ASSERT(v.size() == 5, "a binlog record has dv op source key value");
        const BinlogRecord rec{v[0], static_cast<char>(v[1]), static_cast<char>(v[2]), v[3], v[4]};
        if (!group.binlog.empty() && rec.dv <= group.binlog.back().dv) {
          violation(ctx, "binlog_order", "restart found DV " + std::to_string(rec.dv) + " after " +
                                             std::to_string(group.binlog.back().dv));
        }
        group.binlog.push_back(rec);
        group.binlog_pos.push_back(kept);
        if (rec.op == 'w') group.data[rec.key] = rec.value;
      } else if (b[0] == 'S') {
        group.data[v.at(0)] = v.at(1);
      } else if (b[0] == 'X') {
        group.data.erase(v.at(0));
      } else if (b[0] == 'Z') {
        group.data.clear();
      }
      ++kept;
    }
    if (kept < records.size()) {
      ctx.note_built("log_truncated",
                     [&] { return nlohmann::json{{"dg", g + 1}, {"kept", kept}, {"found", records.size()}}; });
      ctx.disk_truncate(group_file(g), kept);
    }
    group.file_records = kept;
    group.current_dv = group.binlog.empty() ? 0 : group.binlog.back().dv;
    group.confirmed_dv = group.current_dv;
    group.rpc_last_version = group.current_dv;
    // Startup rollback (§4.8): in majority mode, DVs above the persisted
    // confirmed DV are rolled back before this server reports or recovers.
    const std::vector<DiskRecord>& confirmed = disk.records(confirmed_file(g));
    // A missing file, or one holding 0, means nothing to roll back
    // (replication_quorum.c init_context); after a rollback it goes.
    if (need_majority_mode() && !confirmed.empty() && confirmed.back().intact()) {
      const uint64_t c = record_numbers(confirmed.back().bytes).at(0);
      if (c > 0 && c < group.current_dv) {
        ctx.note("startup_rollback", {{"dg", g + 1}, {"confirmed", c}, {"current", group.current_dv}});
        rollback_to(ctx, g, c, nullptr);
        unlink_confirmed(ctx, g);
      }
    }
  }
  if (!restarted) ctx.note("first_boot", {});
  // server_group_info_init: what was loaded counts as written.
  info_synced_cv_ = cluster_version_;
}

// server_group_info_sync_to_file, each second once a leader is known and a
// heartbeat seen: the file is rewritten when the CV moved since its last
// write, else its mtime is refreshed every 60 s. A status or hint that
// changed without the CV moving reaches the disk with the next CV change.
void FastcfsServer::sync_cluster_info(Context& ctx) {
  if (!leader_ || last_heartbeat_ns_ <= 0) return;
  if (cluster_version_ != info_synced_cv_) return persist_cluster_info(ctx);
  if (ctx.local_now() - info_synced_at_ < Duration::s(60)) return;
  ctx.disk_replace(kClusterInfoMtimeFile, std::to_string(local_ns(ctx)));
  ctx.disk_fsync(kClusterInfoMtimeFile);
  info_synced_at_ = ctx.local_now();
}

void FastcfsServer::persist_cluster_info(Context& ctx) {
  std::string text = std::to_string(cluster_version_) + " " + std::to_string(leader_hint_ ? 1 : 0);
  for (uint32_t g : my_dgs()) {
    for (uint32_t s : cluster()) {
      const DsStatus status = s == me_ ? my_group(g).status : view(g, s).status;
      const uint64_t dv = s == me_ ? my_group(g).current_dv : view(g, s).current_dv;
      text += " " + std::to_string(static_cast<int>(status)) + " " + std::to_string(dv);
    }
  }
  ctx.disk_replace(kClusterInfoFile, text);
  ctx.disk_fsync(kClusterInfoFile);
  ctx.disk_replace(kClusterInfoMtimeFile, std::to_string(local_ns(ctx)));
  ctx.disk_fsync(kClusterInfoMtimeFile);
  info_synced_cv_ = cluster_version_;
  info_synced_at_ = ctx.local_now();
}

void FastcfsServer::persist_confirmed(Context& ctx, uint32_t dg) {
  if (!need_majority_mode()) return;
  ctx.disk_replace(confirmed_file(dg), std::to_string(my_group(dg).confirmed_dv));
  ctx.disk_fsync(confirmed_file(dg));
}

// replication_quorum_unlink_confirmed_files: no fsync of the directory, so
// a power loss may bring the file back, as it may in faststore.
void FastcfsServer::unlink_confirmed(Context& ctx, uint32_t dg) {
  REPLSIM_ASSERT(holds_dg(dg), "a data group of mine");
  ctx.disk_truncate(confirmed_file(dg), 0);
}

// The replica binlog's writer orders records by version
// (sf_binlog_writer_init_by_version_ex in replica_binlog.c): one whose
// version is below the next one expected is logged as an error and dropped
// (sf_binlog_writer.c deal_record_by_version, "too small"). The model
// asserted here until stop 30, when the mutation table's PCT search under
// M15 reached it from finish_fanout.
void FastcfsServer::append_binlog(Context& ctx, uint32_t dg, BinlogRecord record) {
  if (const Group& seen = my_group(dg); !seen.binlog.empty() && record.dv <= seen.binlog.back().dv) {
    ctx.note("binlog_record_dropped",
             {{"dg", dg + 1}, {"dv", record.dv}, {"binlog_last", seen.binlog.back().dv}, {"why", "version too small"}});
    return;
  }
  Group& group = my_group_to_change(dg);
  const std::string file = group_file(dg);
  ctx.disk_append(file, "B " + std::to_string(record.dv) + " " + std::to_string(static_cast<int>(record.op)) + " " +
                            std::to_string(static_cast<int>(record.source)) + " " + std::to_string(record.key) + " " +
                            std::to_string(record.value));
  group.binlog_pos.push_back(group.file_records++);
  group.binlog.push_back(record);
  if (config_.options.binlog_call_fsync) {
    if (group.fsync_in_flight) {
      group.fsync_again = true;
    } else {
      group.fsync_in_flight = true;
      ctx.disk_fsync(file);
    }
  }
}

void FastcfsServer::write_data(Context& ctx, uint32_t dg, uint64_t key, uint64_t value) {
  Group& group = my_group_to_change(dg);
  group.data[key] = value;
  ctx.disk_append(group_file(dg), "S " + std::to_string(key) + " " + std::to_string(value));
  ++group.file_records;
}

// Drops binlog records with DV > `dv` from memory and file, then rewrites
// the data map after them ('Z' + one 'S' per key) so a restart rebuilds the
// same bytes.
void FastcfsServer::truncate_binlog_after(Context& ctx, uint32_t dg, uint64_t dv) {
  const std::vector<BinlogRecord>& binlog = my_group(dg).binlog;
  size_t keep = 0;
  while (keep < binlog.size() && binlog[keep].dv <= dv) ++keep;
  if (keep == binlog.size()) return;
  Group& group = my_group_to_change(dg);
  const uint64_t position = group.binlog_pos[keep];
  group.binlog.resize(keep);
  group.binlog_pos.resize(keep);
  ctx.disk_truncate(group_file(dg), position);
  group.file_records = position;
  rewrite_group_file(ctx, dg);
}

void FastcfsServer::rewrite_group_file(Context& ctx, uint32_t dg) {
  const std::string file = group_file(dg);
  Group& group = my_group_to_change(dg);
  ctx.disk_append(file, "Z");
  ++group.file_records;
  for (const auto& [key, value] : group.data) {
    ctx.disk_append(file, "S " + std::to_string(key) + " " + std::to_string(value));
    ++group.file_records;
  }
  ctx.disk_fsync(file);
}

// ---- status bookkeeping ------------------------------------------------------

void FastcfsServer::count(Context& ctx, Transition t, uint32_t dg) {
  const auto i = static_cast<size_t>(t);
  REPLSIM_ASSERT(i >= 1 && i <= kTransitionCount, "transition id in range");
  ++cluster_view_.write().transitions[i];
  ctx.note("transition", {{"t", "T" + std::to_string(i)}, {"dg", dg + 1}});
}

// A self transition (swap_report_ds_status, §2.2): local CAS, then a
// report to the leader, and a forced re-report in the next ping.
void FastcfsServer::set_my_status(Context& ctx, uint32_t dg, DsStatus status, Transition t, bool report) {
  const DsStatus before = my_group(dg).status;
  if (before == status) return;
  Group& group = my_group_to_change(dg);
  group.status = status;
  view_to_change(dg, me_).status = status;
  count(ctx, t, dg);
  ctx.note("ds_status", {{"dg", dg + 1},
                         {"from", to_string(before)},
                         {"status", to_string(status)},
                         {"transition", "T" + std::to_string(static_cast<int>(t))},
                         {"dv", group.current_dv}});
  ctx.protocol_event({ProtocolEvent::Kind::kEnters, to_string(status), dg + 1});
  if (before == DsStatus::kOnline) release_held(ctx, dg);
  // cluster_relationship_on_status_change runs for the leader's own DS as
  // for any: turned ACTIVE in a group preset to it, the leader takes the
  // master role back (cluster_resume_master). Until stop 31 the model ran it
  // only for the others' DSs (found by a helper's audit).
  if (status == DsStatus::kActive && config_.options.resume_master_role) maybe_resume_master(ctx, dg, me_);
  if (report) report_my_status(ctx, dg);
  // §2.5: a DS back at INIT/OFFLINE with a master elsewhere recovers.
  if ((status == DsStatus::kInit || status == DsStatus::kOffline) && master_of(dg) && *master_of(dg) != me_) {
    queue_recovery(ctx, dg, Duration::s(1));
  }
}

void FastcfsServer::report_my_status(Context& ctx, uint32_t dg) {
  last_reported_[dg] = {UINT64_MAX, UINT64_MAX};  // re-report in the next ping
  if (!leader_) return;
  if (*leader_ == me_) {
    // leader_apply_ds brings my view of my DS's DVs up to date too.
    // cluster_relationship_report_ds_status on the leader notifies, changed
    // or not, and the notify thread sends at once (ioevent_notify_thread).
    leader_apply_ds(ctx, dg, me_, my_group(dg).status, false);
    notify_change(dg, me_, false);
    for (uint32_t f : cluster()) pump_push(ctx, f);
    return;
  }
  report_to_leader(ctx, ReportDsStatusReq{me_, me_, dg, my_group(dg).status});
}

void FastcfsServer::violation(Context& ctx, const std::string& invariant, const std::string& text) {
  ctx.note("violation", {{"invariant", invariant}, {"text", text}});
}

// ---- dispatch ----------------------------------------------------------------

void FastcfsServer::on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& m) {
  if (halted_) return;
  const Inbound in{from, connection};
  answered_call(ctx, connection, m);  // an answer on a call's own connection ends the call
  if (const auto* x = m.as<RpcCallReq>()) return on_rpc(ctx, in, *x);
  if (const auto* x = m.as<RpcCallResp>()) return on_rpc_resp(ctx, in, *x);
  if (const auto* x = m.as<ClientWriteReq>()) return on_client_write(ctx, in, *x);
  if (const auto* x = m.as<ClientReadReq>()) return on_client_read(ctx, in, *x);
  if (const auto* x = m.as<GetMasterReq>()) return on_get_master(ctx, in, *x);
  if (const auto* x = m.as<PingLeaderReq>()) return on_ping_leader(ctx, in, *x);
  if (const auto* x = m.as<PingLeaderResp>()) return on_ping_leader_resp(ctx, in, *x);
  if (const auto* x = m.as<PushDsStatusReq>()) return on_push(ctx, in, *x);
  if (const auto* x = m.as<PushDsStatusResp>()) return on_push_resp(ctx, in, *x);
  if (const auto* x = m.as<ReportDsStatusReq>()) return on_report(ctx, in, *x);
  if (const auto* x = m.as<ReportDsStatusResp>()) return on_report_resp(ctx, *x);
  if (const auto* x = m.as<ChannelTest>()) return on_channel_test(ctx, in, *x);  // a channel's or a push connection's
  if (const auto* x = m.as<FetchBinlogReq>()) return on_fetch(ctx, in, *x);
  if (const auto* x = m.as<FetchBinlogResp>()) return on_fetch_resp(ctx, in, *x);
  if (const auto* x = m.as<ActiveConfirmReq>()) return on_active_confirm(ctx, in, *x);
  if (const auto* x = m.as<ActiveConfirmResp>()) return on_active_confirm_resp(ctx, *x);
  if (const auto* x = m.as<JoinServerReq>()) return on_join_server(ctx, in, *x);
  if (const auto* x = m.as<JoinServerResp>()) return on_join_server_resp(ctx, in, *x);
  if (const auto* x = m.as<GetServerStatusReq>()) return on_get_server_status(ctx, in, *x);
  if (const auto* x = m.as<GetServerStatusResp>()) return on_get_server_status_resp(ctx, in, *x);
  if (const auto* x = m.as<NextLeaderReq>()) return on_next_leader(ctx, in, *x);
  if (const auto* x = m.as<NextLeaderResp>()) return on_next_leader_resp(ctx, in, *x);
  if (const auto* x = m.as<JoinLeaderReq>()) return on_join_leader(ctx, in, *x);
  if (const auto* x = m.as<JoinLeaderResp>()) return on_join_leader_resp(ctx, in, *x);
  if (const auto* x = m.as<ReselectMasterReq>()) return on_reselect(ctx, in, *x);
  if (m.as<ReselectMasterResp>() != nullptr) return;  // the call ended above; nothing waits on its result
  if (const auto* x = m.as<UnsetMasterReq>()) return on_unset_master(ctx, in, *x);
  if (const auto* x = m.as<GetDsStatusReq>()) return on_get_ds_status(ctx, in, *x);
  if (const auto* x = m.as<DsStatusResp>()) return on_ds_status_resp(ctx, *x);
  REPLSIM_ASSERT(false, "a message type the FastCFS server does not know");
}

// A call's connection closed before its answer (the peer's process gone,
// its host reset, TCP gave up). Each conversation fails the way FastCFS
// fails it when its connection breaks.
void FastcfsServer::on_call_failed(Context& ctx, uint32_t p, const Message& o) {
  if (const auto* x = o.as<GetServerStatusReq>()) {
    if (is_leader() && peer(p).probe_seq == x->seq) {
      Peer& probed = peer_to_change(p);
      probed.probe_seq = 0;
      probed.probe_ok = false;
    } else if (relation_ == Relation::kQuery && x->seq == selection_->seq && !selection_->answers[p]) {
      if (--selection_.write().awaiting == 0) {
        ctx.cancel_timer(TimerKey{3, 0});
        on_status_answers_complete(ctx);
      }
    }
    return;
  }
  if (const auto* x = o.as<NextLeaderReq>()) {  // connection failures are tolerated, not counted
    const bool waiting = (relation_ == Relation::kPreSet && x->phase == 1) || (relation_ == Relation::kCommit && x->phase == 2);
    if (waiting && x->seq == selection_->seq && --selection_.write().awaiting == 0) {
      ctx.cancel_timer(TimerKey{3, 0});
      on_notify_complete(ctx);
    }
    return;
  }
  if (const auto* x = o.as<ReportDsStatusReq>()) return on_report_resp(ctx, ReportDsStatusResp{x->seq, x->dg});
  if (const auto* x = o.as<FetchBinlogReq>()) {
    if (holds_dg(x->dg) && my_group(x->dg).recovery.seq == x->seq) recovery_failed(ctx, x->dg, "master connection closed");
    return;
  }
  if (const auto* x = o.as<ActiveConfirmReq>()) {
    if (holds_dg(x->dg) && my_group(x->dg).recovery.seq == x->seq) recovery_failed(ctx, x->dg, "master connection closed");
    return;
  }
  if (const auto* x = o.as<UnsetMasterReq>()) {
    if (swap_ && swap_->seq == x->seq) swap_rollback(ctx);
    return;
  }
  if (const auto* x = o.as<GetDsStatusReq>()) {
    if (swap_ && swap_->seq == x->seq) swap_rollback(ctx);
    return;
  }
  // The master's request failed: faststore logs it and nothing retries.
  if (o.as<ReselectMasterReq>() != nullptr) return;
  REPLSIM_ASSERT(false, "a call of a kind the server does not make");
}

void FastcfsServer::on_timer(Context& ctx, TimerKey key) {
  if (halted_) return;
  switch (key.kind) {
    case 1: return tick(ctx);
    case 2: return relationship_step(ctx);
    case 3: return relation_deadline(ctx);
    case 4: return recovery_timer(ctx, static_cast<uint32_t>(key.argument));
    case 5: return recovery_failed(ctx, static_cast<uint32_t>(key.argument), "no answer from the master");
    case 6: return swap_step(ctx);
    case 7: return on_timer_elections(ctx);
    case 8: return push_handler_step(ctx);
    case 9: return call_timed_out(ctx, key.argument);
    default: REPLSIM_ASSERT(false, "a timer kind the FastCFS server does not know");
  }
}

void FastcfsServer::on_disk(Context& ctx, const DiskCompletion& done) {
  if (halted_) return;
  const std::optional<uint32_t> dg = done.kind == DiskOpKind::kFsync ? group_of_file(done.file) : std::nullopt;
  if (dg && *dg < groups_.size() && my_group(*dg).fsync_in_flight) {
    Group& group = my_group_to_change(*dg);
    group.fsync_in_flight = false;
    if (std::exchange(group.fsync_again, false)) {
      group.fsync_in_flight = true;
      ctx.disk_fsync(done.file);
    }
  }
  if (done.status != DiskStatus::kOk) {
    // FastCFS's binlog writer and storage engine terminate the process on
    // write errors (sf_terminate_myself); a dead process answers nothing.
    halted_ = true;
    ctx.note("halted", {{"reason", std::string("disk ") + to_string(done.kind) + " failed: " + to_string(done.status)},
                        {"file", done.file}});
  }
}

// The relationship thread's 1 s housekeeping, the leader check and the
// data_group.info sync (§5).
void FastcfsServer::tick(Context& ctx) {
  ctx.set_timer(kTickTimer, Duration::s(1));
  channels_tick(ctx);
  // A silent follower's push connection closes after network_timeout, leader
  // or not (sf_nio's idle timeout), and deactivates it (M23 sets the timeout
  // below leader_lost_timeout).
  check_push_idle(ctx);
  close_idle_server_tasks(ctx);
  if (is_leader()) leader_check(ctx);
  if (leader_) quorum_passes(ctx);
  sync_cluster_info(ctx);
}

// ---- state as a value --------------------------------------------------------

namespace {

// put() folds values into a fingerprint by their kind, so each hash_into
// below is one list of fields that reads against its struct's members (the
// ones the defaulted operator== compares). Containers and optionals add
// their size or presence first: without it, [a, b] + [] and [a] + [b]
// would hash alike. Nothing here allocates; it runs for every explored state.
template <typename T>
concept SelfHashing = requires(const T& v, Hasher& h) { v.hash_into(h); };

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsPair : std::false_type {};
template <typename A, typename B>
struct IsPair<std::pair<A, B>> : std::true_type {};

template <typename T>
void put_one(Hasher& h, const T& v) {
  if constexpr (SelfHashing<T>) {
    v.hash_into(h);
  } else if constexpr (std::is_same_v<T, bool>) {
    h.add(v);
  } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
    h.add(static_cast<uint64_t>(v));
  } else if constexpr (std::is_same_v<T, TimePoint>) {
    h.add(v.ns_since_origin());
  } else if constexpr (std::is_same_v<T, Duration>) {
    h.add(v.count_ns());
  } else if constexpr (std::is_same_v<T, ConnectionId>) {
    h.add(v.value);
  } else if constexpr (std::is_same_v<T, IndexRange>) {
    h.add(v.first).add(v.last);
  } else if constexpr (std::is_same_v<T, std::string>) {
    h.add(std::string_view(v));
  } else if constexpr (std::is_same_v<T, KeptMessage>) {
    // KeptMessage compares by content, and equal messages have equal
    // fingerprints (the type's name and its hash_into), never the pointer.
    h.add(v.message != nullptr);
    if (v.message) h.add(v.message->fingerprint());
  } else if constexpr (IsOptional<T>::value) {
    h.add(v.has_value());
    if (v) put_one(h, *v);
  } else if constexpr (IsPair<T>::value) {
    put_one(h, v.first);
    put_one(h, v.second);
  } else {
    static_assert(std::ranges::sized_range<T>, "put() knows no way to hash this type");
    h.add(static_cast<uint64_t>(std::ranges::size(v)));
    for (const auto& item : v) put_one(h, item);
  }
}

template <typename... Ts>
void put(Hasher& h, const Ts&... values) {
  (put_one(h, values), ...);
}

}  // namespace

void FastcfsServer::PendingWrite::hash_into(Hasher& h) const { put(h, client, seq, req_id, key, value); }

void FastcfsServer::InFlight::hash_into(Hasher& h) const {
  put(h, write, dv, waiting, successes, binlog_written, in_quorum_wait, released_by_cleanup, started);
}

void FastcfsServer::HeldRpc::hash_into(Hasher& h) const { put(h, from, connection, rpc); }

void FastcfsServer::Recovery::hash_into(Hasher& h) const {
  put(h, step, in_progress, previous, online_round, round_start, seq, tries, consecutive_failures);
  put(h, until_version, repl_version, fetch_after, fetched);
}

void FastcfsServer::Group::hash_into(Hasher& h) const {
  put(h, status, binlog, data, current_dv, confirmed_dv, rpc_last_version, old_master);
  put(h, is_my_term, master_swapping, need_majority, startup_rollback_done);
  put(h, queue, in_flight, quorum_waiting, detect_chain, cleanup_passes, idempotency, results, held);
  put(h, recovery, rollbacks, reports, report_seq);
  put(h, file_records, binlog_pos, fsync_in_flight, fsync_again);
}

void FastcfsServer::OutstandingRpc::hash_into(Hasher& h) const { put(h, dg, dv); }

void FastcfsServer::Channel::hash_into(Hasher& h) const {
  put(h, stage, version, connection, next_connect, connect_failures, connected, last_sent, test_outstanding, expect_since, outstanding);
}

void FastcfsServer::ClusterView::hash_into(Hasher& h) const { put(h, ds, master, elections, election_queue, transitions); }

void FastcfsServer::PeerTable::hash_into(Hasher& h) const { put(h, rows); }

void FastcfsServer::ChannelTable::hash_into(Hasher& h) const { put(h, rows); }

void FastcfsServer::Peer::hash_into(Hasher& h) const {
  put(h, status, last_ping, status_changed, push_heard, push_sent, joined, leader_flag, inactive);
  put(h, probe_seq, probe_sent, probe_ok, push_pending, push_seq, push_connection);
}

void FastcfsServer::GroupElection::hash_into(Hasher& h) const { put(h, start, in_queue, in_delay_queue, reselect); }

void FastcfsServer::Swap::hash_into(Hasher& h) const { put(h, dg, old_master, new_master, polls, seq, phase, old_dv); }

void FastcfsServer::PushLink::hash_into(Hasher& h) const { put(h, leader, connection, stage, seq, last_heard); }

void FastcfsServer::Selection::hash_into(Hasher& h) const {
  put(h, start, backoff, seq, answers, awaiting, successes, aborted);
}

void FastcfsServer::OpenCall::hash_into(Hasher& h) const { put(h, peer, request); }
void FastcfsServer::PingTask::hash_into(Hasher& h) const { put(h, peer, last_io); }

// Every member operator== compares, in declaration order, except config_:
// every server of a world is built from the same ClusterConfig (system.cpp;
// M23's adjustment applies to all alike), so it cannot tell two states of
// one run apart and hashing its option set per state would be wasted work.
// me_ and the layout derived from it (cluster_, my_dgs_) are hashed.
void FastcfsServer::hash_into(Hasher& h) const {
  put(h, me_, cluster_, my_dgs_, seq_, up_time_ns_, last_shutdown_ns_, halted_);
  put(h, leader_, next_leader_, cluster_version_, leader_version_, leader_key_, leader_hint_);
  put(h, last_heartbeat_ns_, info_synced_cv_, info_synced_at_);
  put(h, relation_, selection_, relation_seq_, ping_connection_, push_, ping_start_, ping_failures_);
  put(h, peers_, swap_);
  put(h, cluster_view_, groups_, last_reported_);
  put(h, channels_, inbound_, ping_tasks_, calls_);
}

nlohmann::json FastcfsServer::describe() const {
  nlohmann::json j;
  j["leader"] = leader_ ? nlohmann::json("s" + std::to_string(*leader_ + 1)) : nlohmann::json(nullptr);
  j["cv"] = cluster_version_;
  j["halted"] = halted_;
  nlohmann::json groups = nlohmann::json::array();
  for (uint32_t g : my_dgs()) {
    groups.push_back({{"dg", g + 1},
                      {"status", to_string(my_group(g).status)},
                      {"master", master_of(g) ? nlohmann::json("s" + std::to_string(*master_of(g) + 1)) : nlohmann::json(nullptr)},
                      {"is_master", view(g, me_).is_master},
                      {"master_swapping", my_group(g).master_swapping},
                      {"old_master", my_group(g).old_master ? nlohmann::json("s" + std::to_string(*my_group(g).old_master + 1))
                                                           : nlohmann::json(nullptr)},
                      {"current_dv", my_group(g).current_dv},
                      {"confirmed_dv", my_group(g).confirmed_dv},
                      {"binlog", my_group(g).binlog.size()},
                      {"writes_queued", my_group(g).queue.size() + (my_group(g).in_flight ? 1 : 0)},
                      {"recovery", my_group(g).recovery.in_progress ? "running" : "idle"},
                      {"view", [&] {
                         nlohmann::json v = nlohmann::json::object();
                         for (uint32_t s : cluster()) {
                           v["s" + std::to_string(s + 1)] = std::string(to_string(view(g, s).status)) +
                                                             (view(g, s).is_master ? "*" : "");
                         }
                         return v;
                       }()}});
  }
  j["groups"] = groups;
  return j;
}

}  // namespace replsim::fastcfs
