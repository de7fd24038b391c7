// The write path on the master, replication channels, the slave's RPC
// apply with the strict sequence check, and the replication quorum
// (fastcfs-protocol.md §3.2-§3.6, §4.8; review C29-C36).
#include <algorithm>

#include "model/fastcfs/server.h"
#include "base/assert.h"

namespace replsim::fastcfs {

// ---- replication channels (§3.4) ----------------------------------------------

void FastcfsServer::channels_tick(Context& ctx) {
  const TimePoint now = ctx.local_now();
  const FastcfsOptions& o = config_.options;
  for (uint32_t p : cluster()) {
    if (p == me_) continue;
    // Read afresh for each channel: a connect or close changes the table.
    for (uint32_t i = 0; i < channels_to(p).size(); ++i) {
      const Channel& c = channels_to(p)[i];
      switch (c.stage) {
        case ChannelStage::kNone:
          if (now >= c.next_connect) connect_channel(ctx, p, i);
          break;
        case ChannelStage::kConnecting:
          // Before the TCP connect succeeds sf_nio's connect timeout applies;
          // after it (WAITING_JOIN_RESP) the task's idle timeout, as for any
          // request waiting for its answer.
          if (!c.connected && now - c.last_sent > o.connect_timeout) {
            close_channel(ctx, p, i, "connect timeout");
          } else if (c.connected && now - c.expect_since > o.network_timeout) {
            close_channel(ctx, p, i, "network timeout");
          }
          break;
        case ChannelStage::kSyncing: {
          // sf_nio's idle timeout: no answer for network_timeout closes the
          // channel; an idle channel sends an active test at half of it.
          const bool expecting = c.test_outstanding || !c.outstanding.empty();
          if (expecting && now - c.expect_since > o.network_timeout) {
            close_channel(ctx, p, i, "network timeout");
          } else if (!expecting && now - c.last_sent >= o.network_timeout / 2) {
            Channel& tested = channel_to_change(p, i);
            tested.test_outstanding = true;
            tested.expect_since = now;
            tested.last_sent = now;
            ctx.send(tested.connection, make_message(ChannelTest{false}));
          }
          break;
        }
      }
    }
  }
}

void FastcfsServer::connect_channel(Context& ctx, uint32_t p, uint32_t i) {
  Channel& c = channel_to_change(p, i);
  REPLSIM_ASSERT(c.stage == ChannelStage::kNone, "a channel connects from INITED only");
  c.stage = ChannelStage::kConnecting;
  ++c.version;
  c.connection = ctx.connect(node(p));
  c.connected = false;
  c.last_sent = ctx.local_now();
  // replication_processor.c calc_next_connect_time, before each attempt: the
  // wait runs from this attempt's start, and a channel that closes after it
  // synced (no failed connect) connects again at the next 1 s tick.
  c.next_connect = ctx.local_now() + Duration::s(int64_t{1} << std::min<uint32_t>(c.connect_failures, 5));
  ctx.send(c.connection, make_message(JoinServerReq{i}));
}

void FastcfsServer::close_channel(Context& ctx, uint32_t p, uint32_t i, const char* why) {
  if (channels_to(p)[i].stage == ChannelStage::kNone) return;
  Channel& c = channel_to_change(p, i);
  // replica_task_finish_cleanup demotes the peer for a channel in SYNCING
  // or in WAITING_JOIN_RESP (connected, the join unanswered), which the
  // model's CONNECTING covers once `connected` is set.
  const bool was_joined = c.stage == ChannelStage::kSyncing || (c.stage == ChannelStage::kConnecting && c.connected);
  // replication_processor_connect_done counts a connect that failed, not a
  // close after the connect succeeded.
  if (c.stage == ChannelStage::kConnecting && !c.connected) ++c.connect_failures;
  ctx.note_built("channel_closed", [&] {
    return nlohmann::json{{"peer", "s" + std::to_string(p + 1)}, {"channel", i}, {"why", why}};
  });
  FlatMap<uint64_t, OutstandingRpc> lost;
  lost.swap(c.outstanding);
  if (c.connection.valid()) ctx.close(c.connection);
  c.connection = ConnectionId{};
  c.stage = ChannelStage::kNone;
  ++c.version;
  c.test_outstanding = false;
  // Queued RPCs are discarded: each counts as a failed RPC for its write.
  for (const auto& [rpc, out] : lost) resolve_rpc(ctx, out.dg, out.dv, false);
  if (!was_joined) return;
  // replica_task_finish_cleanup -> cluster_topology_offline_slave_data_servers:
  // every group the peer shares with me, not only those on this channel.
  for (uint32_t g : my_dgs()) {
    // T9: I am this DG's master and the slave was ACTIVE: report it (the
    // local view changes only at the next fan-out or push, review T9). The
    // master pointer alone decides (cluster_topology_offline_slave_data_servers).
    if (master_of(g) == me_ && !halted_ && view(g, p).status == DsStatus::kActive) {
      offline_slave(ctx, g, p, Transition::kT9, false);
    }
    // T10: my own channel to my DG's master closed.
    if (master_of(g) == p && my_group(g).status == DsStatus::kActive) {
      set_my_status(ctx, g, DsStatus::kOffline, Transition::kT10, true);
      queue_recovery(ctx, g, Duration::s(1));
    }
  }
}

void FastcfsServer::on_join_server(Context& ctx, const Inbound& in, const JoinServerReq& m) {
  if (m.channel >= channels_to(in.from.index).size()) return;  // a peer configured otherwise (EINVAL)
  inbound_[{in.from.index, in.connection.value}] = ctx.local_now();
  REPLSIM_ASSERT(std::count_if(inbound_.begin(), inbound_.end(),
                               [&](const auto& entry) { return entry.first.first == in.from.index; }) <= 4096,
                 "joined connections of one peer over the bound");
  ctx.send(in.connection, make_message(JoinServerResp{m.channel}));
}

// Traffic on a peer's joined replication connection resets its idle clock
// (close_idle_server_tasks); false when the connection did not join or
// was closed.
bool FastcfsServer::touch_inbound(Context& ctx, uint32_t peer, ConnectionId connection) {
  const auto joined = inbound_.find({peer, connection.value});
  if (joined == inbound_.end()) return false;
  joined->second = ctx.local_now();
  return true;
}

void FastcfsServer::on_join_server_resp(Context& ctx, const Inbound& in, const JoinServerResp& m) {
  if (m.channel >= channels_to(in.from.index).size()) return;
  if (const Channel& seen = channels_to(in.from.index)[m.channel];
      seen.connection != in.connection || seen.stage != ChannelStage::kConnecting) {
    return;
  }
  Channel& c = channel_to_change(in.from.index, m.channel);
  c.stage = ChannelStage::kSyncing;
  ++c.version;
  c.connected = true;  // an answer proves the connect, whichever event came first
  c.connect_failures = 0;
  c.last_sent = ctx.local_now();
}

void FastcfsServer::on_channel_test(Context& ctx, const Inbound& in, const ChannelTest& m) {
  const uint32_t p = in.from.index;
  if (in.connection == push_.connection || (p < n() && in.connection == peer(p).push_connection)) {
    return on_push_test(ctx, in, m);
  }
  if (!m.response) {
    touch_inbound(ctx, p, in.connection);
    return ctx.send(in.connection, make_message(ChannelTest{true}));
  }
  for (uint32_t i = 0; i < channels_to(p).size(); ++i) {
    const Channel& c = channels_to(p)[i];
    if (c.connection == in.connection && c.stage == ChannelStage::kSyncing && c.test_outstanding) {
      channel_to_change(p, i).test_outstanding = false;
    }
  }
}

// ---- client requests (§3.1, §3.2, §3.8) ---------------------------------------------

void FastcfsServer::on_get_master(Context& ctx, const Inbound& in, const GetMasterReq& m) {
  // A DG of another server group: "data_group_id not exist" (ENOENT).
  if (!holds_dg(m.dg)) return ctx.send(in.connection, make_message(GetMasterResp{m.seq, Err::kNotFound, 0}));
  if (!master_of(m.dg)) return ctx.send(in.connection, make_message(GetMasterResp{m.seq, Err::kNoServer, 0}));
  ctx.send(in.connection, make_message(GetMasterResp{m.seq, Err::kOk, *master_of(m.dg)}));
}

void FastcfsServer::on_client_read(Context& ctx, const Inbound& in, const ClientReadReq& m) {
  const uint32_t g = data_group_of(m.key, dg_count());
  if (!holds_dg(g)) return ctx.send(in.connection, make_message(ClientResp{m.seq, Err::kNotFound, 0}));
  // Served by any server whose own DS is ACTIVE: no master or version check.
  const Group& group = my_group(g);
  if (group.status != DsStatus::kActive) return ctx.send(in.connection, make_message(ClientResp{m.seq, Err::kNotActive, 0}));
  const auto it = group.data.find(m.key);
  ctx.send(in.connection, make_message(ClientResp{m.seq, Err::kOk, it == group.data.end() ? 0 : it->second}));
}

void FastcfsServer::on_client_write(Context& ctx, const Inbound& in, const ClientWriteReq& m) {
  const uint32_t g = data_group_of(m.key, dg_count());
  const auto reply = [&](Err err) { ctx.send(in.connection, make_message(ClientResp{m.seq, err, 0})); };
  if (!holds_dg(g)) return reply(Err::kNotFound);
  const Group& group = my_group(g);  // read only: the refusals change nothing
  // faststore's order: the channel's idempotency record first
  // (service_update_prepare_and_check -> sf_server_update_prepare_and_check:
  // a request still in progress is answered EAGAIN, a finished one its
  // result), then du_handler_parse_check's is_master, another master's
  // request metadata and the majority, and master_swapping last, at the
  // data queue (du_push_to_data_queue).
  if (in_progress(group, m.req_id)) return reply(Err::kAgain);
  if (const auto done = group.results.find(m.req_id); done != group.results.end()) return reply(done->second);
  if (master_of(g) != me_ || !view(g, me_).is_master) return reply(Err::kNotMaster);
  // A retry carrying a req_id another master replicated (slave-side metadata).
  if (const auto seen = group.idempotency.find(m.req_id); seen != group.idempotency.end()) {
    return reply(seen->second <= group.confirmed_dv ? Err::kOk : Err::kAgain);
  }
  if (group.need_majority && !majority(active_count(g))) return reply(Err::kAgain);
  if (group.master_swapping) return reply(Err::kNotActive);
  if (group.queue.size() >= 4096) return reply(Err::kAgain);  // bounded queue
  my_group_to_change(g).queue.push_back(PendingWrite{in.connection, m.seq, m.req_id, m.key, m.value});
  start_next_write(ctx, g);
}

// A request admitted and not yet answered: in the data thread or queued for it.
bool FastcfsServer::in_progress(const Group& group, uint64_t req_id) {
  if (group.in_flight && group.in_flight->write.req_id == req_id) return true;
  return std::any_of(group.queue.begin(), group.queue.end(), [&](const PendingWrite& w) { return w.req_id == req_id; });
}

// ---- the master's data thread: one update at a time per DG (§3.3) --------------------

void FastcfsServer::start_next_write(Context& ctx, uint32_t g) {
  if (const Group& seen = my_group(g); seen.in_flight || seen.queue.empty()) return;
  Group& group = my_group_to_change(g);
  if (!acts_as_master(g)) {
    // The data thread checks is_master alone (data_thread.c deal_one_operation).
    while (!group.queue.empty()) {
      ctx.send(group.queue.front().client, make_message(ClientResp{group.queue.front().seq, Err::kNotMaster, 0}));
      group.queue.pop_front();
    }
    return;
  }
  InFlight f;
  f.write = group.queue.front();
  group.queue.pop_front();
  f.dv = ++group.current_dv;  // DV assigned at local completion
  f.started = ctx.local_now();
  group.data[f.write.key] = f.write.value;
  group.in_flight = f;
  const BinlogRecord record{f.dv, 'w', 'C', f.write.key, f.write.value};
  const auto write_binlog = [&] {
    if (group.in_flight->binlog_written) return;
    group.in_flight->binlog_written = true;
    append_binlog(ctx, g, record);
  };
  if (!config_.options.failover) write_binlog();
  const TimePoint now = ctx.local_now();
  for (uint32_t s : cluster()) {
    if (s == me_) continue;
    const DsStatus status = view(g, s).status;
    const bool online = status == DsStatus::kOnline;
    if (online) {
      // The fetch must see it: append before the RPC (M4: after the wait).
      if (!has("M4")) write_binlog();
      if (has("M2")) continue;  // M2: ONLINE slaves only get the binlog record
    } else if (status != DsStatus::kActive) {
      continue;
    }
    if (channel_for(s, g).stage != ChannelStage::kSyncing) {
      if (status == DsStatus::kActive) offline_slave(ctx, g, s, Transition::kT9, true);
      continue;
    }
    Channel& c = channel_to_change(s, channel_index_for(s, g));
    const uint64_t rpc = next_seq();
    if (c.outstanding.empty() && !c.test_outstanding) c.expect_since = now;
    c.outstanding[rpc] = OutstandingRpc{g, f.dv};
    c.last_sent = now;
    ++group.in_flight->waiting;
    ctx.send(c.connection, make_message(RpcCallReq{rpc, g, f.dv, f.write.req_id, f.write.key, f.write.value}));
  }
  if (group.in_flight->waiting == 0) finish_fanout(ctx, g);
}

void FastcfsServer::resolve_rpc(Context& ctx, uint32_t g, uint64_t dv, bool success) {
  if (const Group& seen = my_group(g); !seen.in_flight || seen.in_flight->dv != dv || seen.in_flight->waiting == 0) return;
  Group& group = my_group_to_change(g);
  --group.in_flight->waiting;
  if (success) ++group.in_flight->successes;
  if (group.in_flight->waiting == 0) finish_fanout(ctx, g);
}

void FastcfsServer::finish_fanout(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  InFlight& f = *group.in_flight;
  if (!f.binlog_written) {
    f.binlog_written = true;
    append_binlog(ctx, g, BinlogRecord{f.dv, 'w', 'C', f.write.key, f.write.value});
  }
  if (group.need_majority) {
    if (majority(f.successes + 1)) {
      group.confirmed_dv = std::max(group.confirmed_dv, f.dv);
      persist_confirmed(ctx, g);
      return complete_write(ctx, g, Err::kOk);
    }
    // replication_quorum_add: a DV already confirmed (slaves' reports got
    // there first) is finished; once my term is over nothing will confirm
    // it, so EAGAIN, not queued and nothing rolled back (the write stays in
    // my binlog and data for recovery's consistency check to judge).
    if (f.dv <= group.confirmed_dv) return complete_write(ctx, g, Err::kOk);
    if (!group.is_my_term) return complete_write(ctx, g, Err::kAgain);
    // Wait in the quorum list until confirmed >= DV (blocks this DG).
    f.in_quorum_wait = true;
    group.quorum_waiting.push_back(f.dv);
    return;
  }
  group.confirmed_dv = std::max(group.confirmed_dv, f.dv);
  complete_write(ctx, g, Err::kOk);
}

void FastcfsServer::complete_write(Context& ctx, uint32_t g, Err err) {
  Group& group = my_group_to_change(g);
  REPLSIM_ASSERT(group.in_flight.has_value(), "completing the write in flight");
  const InFlight f = *group.in_flight;
  group.in_flight.reset();
  std::erase(group.quorum_waiting, f.dv);
  // M7: a retriable error was cached as the final idempotent answer.
  if (!retriable(err) || has("M7")) group.results[f.write.req_id] = err;
  if (group.results.size() > 100'000) group.results.erase(group.results.begin());  // bounded (600 s retention)
  if (err == Err::kOk) {
    ctx.note("ack", {{"dg", g + 1}, {"dv", f.dv}, {"key", f.write.key}, {"value", f.write.value},
                     {"released", f.released_by_cleanup ? "cleanup" : "normal"},
                     {"in_flight_ns", (ctx.local_now() - f.started).count_ns()}});
  }
  ctx.send(f.write.client, make_message(ClientResp{f.write.seq, err, 0}));
  start_next_write(ctx, g);
  // A former master recovers once its last write has resolved.
  if (!acts_as_master(g) && master_of(g) && *master_of(g) != me_) queue_recovery(ctx, g, Duration::zero());
}

void FastcfsServer::offline_slave(Context& ctx, uint32_t g, uint32_t slave, Transition t, bool local) {
  if (view(g, slave).status != DsStatus::kActive) return;
  count(ctx, t, g);
  if (local || is_leader()) view_to_change(g, slave).status = DsStatus::kOffline;
  if (is_leader()) {
    notify_change(g, slave, true);
    for (uint32_t f : cluster()) pump_push(ctx, f);
  } else if (leader_) {
    report_to_leader(ctx, ReportDsStatusReq{me_, slave, g, DsStatus::kOffline});
  }
}

// ---- the slave: RPC apply (§3.4, §2.4 step 6, C26, C32) ---------------------------------

void FastcfsServer::on_rpc(Context& ctx, const Inbound& in, const RpcCallReq& m) {
  const uint32_t p = in.from.index;
  const auto answer = [&](Err err) { ctx.send(in.connection, make_message(RpcCallResp{m.rpc, err})); };
  const bool joined = touch_inbound(ctx, p, in.connection);
  if (!holds_dg(m.dg) || !joined) return answer(Err::kNotActive);
  const Group& group = my_group(m.dg);
  if (group.status == DsStatus::kOnline) {
    if (!group.recovery.in_progress) return answer(Err::kNotActive);
    if (group.recovery.until_version != 0 && m.dv <= group.recovery.until_version) return answer(Err::kOk);
    if (group.held.size() >= 4096) return answer(Err::kBusy);
    // Held until the slave leaves ONLINE.
    my_group_to_change(m.dg).held.push_back(HeldRpc{p, in.connection, m});
    return;
  }
  if (group.status != DsStatus::kActive) return answer(Err::kNotActive);
  answer(apply_rpc(ctx, m.dg, m));
}

Err FastcfsServer::apply_rpc(Context& ctx, uint32_t g, const RpcCallReq& m) {
  const uint64_t rpc_last_version = my_group(g).rpc_last_version;
  if (m.dv == 0) return Err::kInvalid;
  if (m.dv <= rpc_last_version) return Err::kOk;  // a duplicate
  if (m.dv != rpc_last_version + 1 && !has("M25")) {
    ctx.note("sequence_refused", {{"dg", g + 1}, {"dv", m.dv}, {"rpc_last", rpc_last_version}});
    return Err::kInvalid;
  }
  Group& group = my_group_to_change(g);
  group.rpc_last_version = m.dv;
  if (m.req_id != 0) group.idempotency[m.req_id] = m.dv;
  if (group.idempotency.size() > 100'000) group.idempotency.erase(group.idempotency.begin());
  // M10: a failed local apply is skipped instead of terminating the process.
  if (has("M10") && ctx.random_percent(1)) {
    ctx.note("apply_skipped", {{"dg", g + 1}, {"dv", m.dv}});
    return Err::kOk;
  }
  if (!group.binlog.empty() && m.dv <= group.binlog.back().dv) {
    violation(ctx, "S7", "g" + std::to_string(g + 1) + " slave applies DV " + std::to_string(m.dv) +
                             " below its binlog end " + std::to_string(group.binlog.back().dv));
    return Err::kInvalid;
  }
  group.data[m.key] = m.value;
  append_binlog(ctx, g, BinlogRecord{m.dv, 'w', 'c', m.key, m.value});
  group.current_dv = group.confirmed_dv = m.dv;
  return Err::kOk;
}

// Held RPCs after the slave left ONLINE (C26b: DV <= until_version is
// answered success without applying, even after a failed round).
void FastcfsServer::release_held(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  std::vector<HeldRpc> held;
  held.swap(group.held);
  for (const HeldRpc& h : held) {
    if (!touch_inbound(ctx, h.from, h.connection)) continue;  // the channel closed meanwhile: nobody to answer
    Err err = Err::kNotActive;
    if (group.recovery.until_version != 0 && h.rpc.dv <= group.recovery.until_version) err = Err::kOk;
    else if (group.status == DsStatus::kActive) err = apply_rpc(ctx, g, h.rpc);
    ctx.send(h.connection, make_message(RpcCallResp{h.rpc.rpc, err}));
  }
}

void FastcfsServer::on_rpc_resp(Context& ctx, const Inbound& in, const RpcCallResp& m) {
  const uint32_t p = in.from.index;
  for (uint32_t i = 0; i < channels_to(p).size(); ++i) {
    const Channel& seen = channels_to(p)[i];
    if (seen.connection != in.connection || seen.stage != ChannelStage::kSyncing) continue;
    if (!seen.outstanding.contains(m.rpc)) return;
    Channel& c = channel_to_change(p, i);
    const auto it = c.outstanding.find(m.rpc);
    const OutstandingRpc out = it->second;
    c.outstanding.erase(it);
    c.expect_since = ctx.local_now();
    if (m.err == Err::kOk) return resolve_rpc(ctx, out.dg, out.dv, true);
    resolve_rpc(ctx, out.dg, out.dv, false);
    // Any RPC error closes the connection (M11: it stayed open).
    if (!has("M11")) close_channel(ctx, p, i, "rpc error");
    else if (view(out.dg, p).status == DsStatus::kActive) ctx.note("rpc_failed_channel_kept", {{"dg", out.dg + 1}});
    return;
  }
}

// ---- replication quorum (§3.6, C33-C36) ---------------------------------------------

// Per DG over its replica count (server_func.c calc_my_data_groups_quorum_vars);
// every DG I hold has r() replicas.
bool FastcfsServer::majority(uint32_t successes) const { return successes == r() || successes > r() / 2; }

bool FastcfsServer::need_majority_mode() const {
  return r() > 1 && config_.options.replication_quorum != ReplicationQuorum::kAny;
}

bool FastcfsServer::need_detect_mode() const {
  const ReplicationQuorum q = config_.options.replication_quorum;
  return r() % 2 == 0 && (q == ReplicationQuorum::kSmart || q == ReplicationQuorum::kAuto);
}

uint32_t FastcfsServer::active_count(uint32_t g) const {
  uint32_t count = 1;
  for (uint32_t s : cluster()) count += (s != me_ && view(g, s).status == DsStatus::kActive) ? 1 : 0;
  return count;
}

// deal_version_change: the highest DV held by a majority (the master plus
// majority-1 slaves, by their reported confirmed DVs).
void FastcfsServer::on_confirmed_report(Context& ctx, uint32_t g) {
  const Group& group = my_group(g);  // read only until the confirmed DV moves
  if (!group.need_majority) return;
  std::vector<uint64_t> dvs;
  for (uint32_t s : cluster()) {
    const uint64_t c = view(g, s).confirmed_dv;
    if (s != me_ && c > group.confirmed_dv && c <= group.current_dv) dvs.push_back(c);
  }
  const uint32_t need = r() / 2 + 1;  // CLUSTER_SERVER_ARRAY.count / 2 + 1, = R here
  if (dvs.size() + 1 < need) return;
  std::sort(dvs.begin(), dvs.end());
  const uint64_t confirmed = dvs[dvs.size() + 1 - need];
  if (confirmed <= group.confirmed_dv) return;
  my_group_to_change(g).confirmed_dv = confirmed;
  persist_confirmed(ctx, g);
  release_quorum_waiters(ctx, g);
}

void FastcfsServer::release_quorum_waiters(Context& ctx, uint32_t g) {
  const Group& group = my_group(g);
  if (group.in_flight && group.in_flight->in_quorum_wait && group.in_flight->dv <= group.confirmed_dv) {
    complete_write(ctx, g, Err::kOk);
  }
}

// The detect and cleanup chains (smart mode), one pass per relationship loop.
void FastcfsServer::quorum_passes(Context& ctx) {
  if (!need_detect_mode()) return;
  for (uint32_t g : my_dgs()) {
    if (!acts_as_master(g)) continue;
    const bool majority_active = majority(active_count(g));
    if (majority_active && my_group(g).detect_chain.empty() && my_group(g).need_majority) continue;
    Group& group = my_group_to_change(g);
    if (majority_active) {
      group.detect_chain.clear();
      if (!group.need_majority) {
        group.need_majority = true;
        ctx.note("quorum_majority", {{"dg", g + 1}});
      }
      continue;
    }
    for (uint32_t s : cluster()) {
      if (s == me_ || view(g, s).status == DsStatus::kActive) continue;
      if (++group.detect_chain[s] > config_.options.deactive_on_failures && group.need_majority) {
        group.need_majority = false;  // degrade to "any"
        group.cleanup_passes = 4;
        ctx.note("quorum_degraded", {{"dg", g + 1}});
      }
    }
    // deal_quorum_cleanup_chain drops its entry, doing nothing, once the
    // group is back in majority mode.
    if (group.need_majority) group.cleanup_passes = 0;
    if (group.cleanup_passes > 0) {
      --group.cleanup_passes;
      unlink_confirmed(ctx, g);  // deal_quorum_cleanup_chain, each pass
      if (group.in_flight && group.in_flight->in_quorum_wait) {
        group.confirmed_dv = group.current_dv;
        group.in_flight->released_by_cleanup = true;
        complete_write(ctx, g, Err::kOk);  // released with success
      }
    }
  }
}

// replication_quorum_end_master_term (C33): a term that ends with every DV
// confirmed leaves no confirmed file behind; only with writes waiting in the
// quorum list does the unconfirmed tail roll back (rollback_binlogs, which
// deletes the file after). Otherwise the file stays, as in faststore.
void FastcfsServer::end_master_term(Context& ctx, uint32_t g, uint32_t new_master) {
  Group& group = my_group_to_change(g);
  if (!need_majority_mode() || !group.need_majority) return;
  if (group.confirmed_dv >= group.current_dv) return unlink_confirmed(ctx, g);
  if (!group.in_flight || !group.in_flight->in_quorum_wait) return;
  ctx.note("end_term_rollback", {{"dg", g + 1}, {"confirmed", group.confirmed_dv}, {"current", group.current_dv},
                                 {"new_master", "s" + std::to_string(new_master + 1)}});
  complete_write(ctx, g, Err::kAgain);
  rollback_to(ctx, g, group.confirmed_dv, nullptr);
  unlink_confirmed(ctx, g);
}

// binlog_rollback: DVs above `confirmed` go; their keys get the master's
// current bytes when known, else the value this server had at `confirmed`.
void FastcfsServer::rollback_to(Context& ctx, uint32_t g, uint64_t confirmed,
                                const std::map<uint64_t, uint64_t>* master_data) {
  Group& group = my_group_to_change(g);
  std::set<uint64_t> keys;
  for (const BinlogRecord& r : group.binlog) {
    if (r.dv > confirmed && r.op == 'w') keys.insert(r.key);
  }
  for (uint64_t key : keys) {
    std::optional<uint64_t> value;
    if (master_data != nullptr) {
      if (const auto it = master_data->find(key); it != master_data->end()) value = it->second;
    } else {
      for (const BinlogRecord& r : group.binlog) {
        if (r.dv <= confirmed && r.op == 'w' && r.key == key) value = r.value;
      }
    }
    if (value) group.data[key] = *value;
    else group.data.erase(key);
  }
  ++group.rollbacks;
  truncate_binlog_after(ctx, g, confirmed);
  const uint64_t last = group.binlog.empty() ? 0 : group.binlog.back().dv;
  if (has("M21") && last != confirmed) {
    halted_ = true;  // the old strict check: rollback fails, the process terminates
    ctx.note("halted", {{"reason", "rollback: binlog ends below the confirmed DV (M21)"}});
    return;
  }
  group.current_dv = last;
  group.confirmed_dv = std::min(group.confirmed_dv, last);
  group.rpc_last_version = last;
  // The confirmed file is the master's: the end-of-term and startup paths
  // delete it after their rollback, a slave's restore leaves it alone
  // (data_recovery.c calls binlog_rollback, not rollback_binlogs).
}

}  // namespace replsim::fastcfs
