// Data-group master election on the leader, set_master, the node-local
// reaction to a master change, and the resume-master swap
// (fastcfs-protocol.md §1.5, §1.6; review C8-C17).
#include <algorithm>

#include "model/fastcfs/server.h"
#include "base/assert.h"

namespace replsim::fastcfs {
namespace {

constexpr TimerKey kElectionTimer{7, 0};
constexpr TimerKey kSwapTimer{6, 0};
constexpr Duration kFreshPingMax = Duration::s(35);
constexpr Duration kWaitOnline = Duration::s(30);
constexpr Duration kWaitOffline = Duration::s(5);
constexpr Duration kBestActiveWait = Duration::s(15);
constexpr Duration kBestOnlineWait = Duration::s(90);

}  // namespace

// The DV the leader goes by: its own DS's live value, the others' as the
// last ping or push reported them (§1.5.2: "the leader's copy").
uint64_t FastcfsServer::known_dv(uint32_t g, uint32_t s) const {
  if (s != me_) return view(g, s).current_dv;
  const Group& group = my_group(g);
  return group.startup_rollback_done ? group.current_dv : group.confirmed_dv;
}

void FastcfsServer::queue_election(Context& ctx, uint32_t dg, bool delayed) {
  if (!is_leader()) return;
  if (delayed) {
    // Taken up by the next leader check (~1 s).
    if (!election(dg).in_delay_queue) election_to_change(dg).in_delay_queue = true;
    return;
  }
  if (election(dg).in_queue) return;
  ClusterView& known = cluster_view_.write();
  known.elections[dg].in_queue = true;
  known.election_queue.push_back(dg);
  ctx.set_timer(kElectionTimer, Duration::zero());
}

// The election thread: pops DGs (flags cleared before selecting, L3), and
// the leader check re-queues the delay queue.
void FastcfsServer::run_elections(Context& ctx) {
  if (!is_leader()) return;
  for (uint32_t g : my_dgs()) {
    if (!election(g).in_delay_queue) continue;
    GroupElection& e = election_to_change(g);
    e.in_delay_queue = false;
    if (!master_of(g) || e.reselect) queue_election(ctx, g, false);
  }
}

// master_election_select_master (§1.5.2, C14) for the queued DGs.
void FastcfsServer::on_timer_elections(Context& ctx) {
  size_t budget = cluster_view_->election_queue.size();  // one pass; re-queued DGs wait for the next
  while (budget-- > 0 && !cluster_view_->election_queue.empty() && is_leader()) {
    Fifo<uint32_t>& queue = cluster_view_.write().election_queue;
    const uint32_t g = queue.front();
    queue.pop_front();
    GroupElection& e = election_to_change(g);
    e.in_queue = false;
    if (master_of(g)) {
      const uint32_t m = *master_of(g);
      bool behind = false;
      for (uint32_t s : cluster()) behind |= known_dv(g, s) > known_dv(g, m);
      const bool reselect = e.reselect;
      e.reselect = false;
      if (!(reselect && behind)) continue;
      set_master(ctx, g, m, std::nullopt, "reselect");
    }
    const TimePoint now = ctx.local_now();
    if (e.start == TimePoint()) {
      e.start = now;
      peer_to_change(me_).last_ping = now + Duration::s(1);
    }
    uint32_t chosen = 0;
    const Err err = select_master(ctx, g, chosen);
    if (err == Err::kOk) {
      e.start = TimePoint();
      set_master(ctx, g, std::nullopt, chosen, "election");
    } else if (err == Err::kAgain) {
      e.in_delay_queue = true;
    } else {
      ctx.note("election_dropped", {{"dg", g + 1}, {"error", to_string(err)}});  // C13 / M14
    }
  }
}

// select_master (§1.5.2 with the review's C8 time reference).
Err FastcfsServer::select_master(Context& ctx, uint32_t g, uint32_t& chosen) {
  const TimePoint now = ctx.local_now();
  GroupElection& e = election_to_change(g);  // the caller changed the election already
  if (!config_.options.failover) {
    chosen = preset_master(g, config_);
    return peer(chosen).status == ServerStatus::kActive ? Err::kOk : Err::kAgain;
  }
  const auto reference = [&](uint32_t s) {
    const TimePoint changed = peer(s).status_changed;
    return changed > TimePoint() ? std::min(changed, e.start) : e.start;
  };
  uint32_t active = 0, waiting = 0;
  for (uint32_t s : cluster()) {
    const Peer& p = peer(s);
    if (p.status == ServerStatus::kActive) {
      if (p.last_ping >= e.start) ++active;
      else if (now - p.last_ping <= kFreshPingMax) ++waiting;
      else {
        e.start = TimePoint();
        return Err::kAgain;
      }
    } else {
      const Duration timeout = p.status == ServerStatus::kOnline ? kWaitOnline : kWaitOffline;
      if (now - reference(s) < timeout) ++waiting;
    }
  }
  if (active == 0 && has("M14")) return Err::kNotFound;
  if (active == 0 || waiting > 0) return Err::kAgain;
  // Ascending by (current_dv, server status, is_preseted, is_master); last is best.
  std::vector<uint32_t> order(cluster().begin(), cluster().end());  // the DG's data_server_array
  const auto key = [&](uint32_t s) {
    return std::make_tuple(known_dv(g, s), static_cast<int>(peer(s).status), s == preset_master(g, config_),
                           view(g, s).is_master);
  };
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  const uint32_t last = order.back();
  Duration timeout = kBestActiveWait;
  if (peer(last).status == ServerStatus::kActive) {
    if (last == preset_master(g, config_) || active == r()) {
      chosen = last;
      return Err::kOk;
    }
  } else if (peer(last).status == ServerStatus::kOnline) {
    timeout = kBestOnlineWait;
  }
  if (now - reference(last) < timeout) return Err::kAgain;
  // Q3: the highest DV among ACTIVE servers, walking the configuration
  // order downward from the best DS's slot to the DG's first server.
  std::optional<uint64_t> maxdv;
  for (int64_t s = last; s >= int64_t{cluster_.first} && !maxdv; --s) {
    if (peer(static_cast<uint32_t>(s)).status == ServerStatus::kActive) maxdv = known_dv(g, static_cast<uint32_t>(s));
  }
  if (!maxdv) return Err::kAgain;
  if (*maxdv < known_dv(g, last)) {
    if (config_.options.master_policy_strict) return Err::kAgain;
    if (now - reference(last) < config_.options.master_policy_timeout) return Err::kAgain;
  }
  std::vector<uint32_t> cands;
  for (uint32_t s : cluster()) {
    if (peer(s).status == ServerStatus::kActive && known_dv(g, s) >= *maxdv) cands.push_back(s);
  }
  if (cands.empty()) return Err::kNotFound;
  if (cands.size() == r()) {
    chosen = last;
    return Err::kOk;
  }
  chosen = cands[(g - my_dgs_.first) % cands.size()];  // hash_code % active_count
  return peer(chosen).status == ServerStatus::kActive ? Err::kOk : Err::kAgain;
}

// master_election_set_master (§1.5.3, C16/C17).
void FastcfsServer::set_master(Context& ctx, uint32_t g, std::optional<uint32_t> old_master,
                               std::optional<uint32_t> new_master, const char* reason) {
  REPLSIM_ASSERT(is_leader(), "only the leader sets masters");
  if (new_master && peer(*new_master).status != ServerStatus::kActive) return;
  if (master_of(g) != old_master) return;
  if (old_master) view_to_change(g, *old_master).is_master = false;
  if (new_master) view_to_change(g, *new_master).is_master = true;
  master_to_change(g) = new_master;
  ctx.note("master_set", {{"dg", g + 1},
                          {"reason", reason},
                          {"old", old_master ? nlohmann::json("s" + std::to_string(*old_master + 1)) : nlohmann::json(nullptr)},
                          {"new", new_master ? nlohmann::json("s" + std::to_string(*new_master + 1)) : nlohmann::json(nullptr)},
                          {"dvs", [&] {
                             nlohmann::json dvs = nlohmann::json::array();
                             for (uint32_t s : cluster()) dvs.push_back(known_dv(g, s));
                             return dvs;
                           }()}});
  // T11: every other ACTIVE DS goes OFFLINE (M24 keeps them ACTIVE).
  for (uint32_t s : cluster()) {
    if (new_master == s || view(g, s).status != DsStatus::kActive || has("M24")) continue;
    if (s == me_) {  // the leader's own DS is its self view too
      set_my_status(ctx, g, DsStatus::kOffline, Transition::kT11, false);
      notify_change(g, s, true);
      continue;
    }
    view_to_change(g, s).status = DsStatus::kOffline;
    count(ctx, Transition::kT11, g);
    notify_change(g, s, true);
  }
  if (old_master) notify_change(g, *old_master, true);
  if (new_master) notify_change(g, *new_master, true);
  on_master_change(ctx, g, old_master, new_master);
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

void FastcfsServer::unset_all_masters(Context& ctx) {
  for (uint32_t g : my_dgs()) {
    if (master_of(g)) set_master(ctx, g, master_of(g), std::nullopt, "new leader");
    // 1-replica DGs at once, the others through the delay queue (~1 s).
    queue_election(ctx, g, r() > 1);
  }
}

// cluster_relationship_on_master_change (§1.6), on every node.
void FastcfsServer::on_master_change(Context& ctx, uint32_t g, std::optional<uint32_t> old_master,
                                     std::optional<uint32_t> new_master) {
  Group& group = my_group_to_change(g);
  if (new_master == me_) {
    abandon_recovery(ctx, g);
    group.is_my_term = true;
    group.need_majority = need_majority_mode() || need_detect_mode();
    group.detect_chain.clear();
    group.cleanup_passes = 0;
    if (need_detect_mode()) {
      for (uint32_t s : cluster()) {
        if (s != me_) group.detect_chain[s] = 0;
      }
    }
    // master_swapping stays: faststore clears it only when the role leaves
    // me, so a master swapped out and elected again still refuses writes.
    ctx.note("master", {{"dg", g + 1}, {"dv", group.current_dv}});
    ctx.protocol_event({ProtocolEvent::Kind::kBecomes, "master", g + 1});
    if (group.status != DsStatus::kActive) set_my_status(ctx, g, DsStatus::kActive, Transition::kT15, true);
    else report_my_status(ctx, g);
    start_next_write(ctx, g);
  } else {
    if (old_master == me_ || group.old_master == me_) {
      group.master_swapping = false;
      if (new_master && group.is_my_term) {
        group.is_my_term = false;
        end_master_term(ctx, g, *new_master);
      }
    }
    if (old_master == me_) {
      ctx.note("master_lost", {{"dg", g + 1}, {"dv", group.current_dv}});
      if (group.status == DsStatus::kActive) set_my_status(ctx, g, DsStatus::kOffline, Transition::kT16, true);
      // Queued updates fail at the data thread's is_master check; the one in
      // flight finishes (C7).
      while (!group.queue.empty()) {
        const PendingWrite w = group.queue.front();
        group.queue.pop_front();
        ctx.send(w.client, make_message(ClientResp{w.seq, Err::kNotMaster, 0}));
      }
    }
  }
  if (new_master) group.old_master = new_master;
  if (new_master && *new_master != me_) queue_recovery(ctx, g, Duration::zero());
}

// ---- reselect and the resume-master swap (§1.5.1, §1.5.5) ----------------------

// cluster_deal_reselect_master: only the leader (EINVAL otherwise), and
// only for a sender whose DS it holds as master (EPERM otherwise: a master
// the leader is swapping out has lost the flag already).
void FastcfsServer::on_reselect(Context& ctx, const Inbound& in, const ReselectMasterReq& m) {
  const auto answer = [&](Err err) { ctx.send(in.connection, make_message(ReselectMasterResp{err})); };
  if (!is_leader()) return answer(Err::kInvalid);
  if (!holds_dg(m.dg) || !in_cluster(m.server)) return answer(Err::kNotFound);
  if (!view(m.dg, m.server).is_master) {
    ctx.note("reselect_refused", {{"dg", m.dg + 1}, {"server", "s" + std::to_string(m.server + 1)}});
    return answer(Err::kPermission);
  }
  trigger_reselect(ctx, m.dg);
  answer(Err::kOk);
}

// cluster_relationship_trigger_reselect_master; a master that leads asks
// itself without the check.
void FastcfsServer::trigger_reselect(Context& ctx, uint32_t g) {
  REPLSIM_ASSERT(is_leader() && holds_dg(g), "only the leader elects masters, for its own server group");
  election_to_change(g).reselect = true;
  queue_election(ctx, g, false);
}

void FastcfsServer::maybe_resume_master(Context& ctx, uint32_t g, uint32_t s) {
  if (!is_leader() || swap_ || s != preset_master(g, config_) || !master_of(g) || *master_of(g) == s) return;
  if (peer(s).status != ServerStatus::kActive) return;
  swap_ = Swap{g, *master_of(g), s, 0, 0, 1, 0};
  view_to_change(g, swap_->old_master).is_master = false;  // in the leader's memory only
  ctx.note("resume_master", {{"dg", g + 1}, {"old", "s" + std::to_string(swap_->old_master + 1)},
                             {"new", "s" + std::to_string(s + 1)}});
  if (has("M15")) {  // no UNSET, no drain: straight to the DV comparison
    swap_->phase = 4;
    ctx.set_timer(kSwapTimer, Duration::zero());
    return;
  }
  swap_->seq = next_seq();
  if (swap_->old_master == me_) {
    my_group_to_change(g).master_swapping = true;
    swap_->phase = 2;
    swap_->seq = 0;
    ctx.set_timer(kSwapTimer, Duration::ms(10));
    return;
  }
  send_swap_request(ctx, swap_->old_master, make_message(UnsetMasterReq{swap_->seq, g, leader_key_}));
}

// Each request of the swap is a call (cluster_unset_master,
// cluster_get_ds_status: a connection per call, 3 s to answer).
void FastcfsServer::send_swap_request(Context& ctx, uint32_t target, MessagePtr request) {
  call(ctx, target, std::move(request));
  ctx.set_timer(kSwapTimer, kShortCallTimeout);
}

void FastcfsServer::swap_step(Context& ctx) {
  if (!swap_ || !is_leader()) return;
  if (swap_->seq != 0) return swap_rollback(ctx);  // the request timed out
  const uint32_t target = swap_->phase == 4 ? swap_->new_master : swap_->old_master;
  if (target == me_) {
    const Group& group = my_group(swap_->dg);
    DsStatusResp local{0, Err::kOk, view(swap_->dg, me_).is_master, group.status,
                       static_cast<uint64_t>(group.queue.size() + (group.in_flight ? 1 : 0)), group.current_dv};
    return on_ds_status_resp(ctx, local);
  }
  swap_->seq = next_seq();
  send_swap_request(ctx, target, make_message(GetDsStatusReq{swap_->seq, swap_->dg}));
}

void FastcfsServer::on_ds_status_resp(Context& ctx, const DsStatusResp& m) {
  if (!swap_ || !is_leader() || m.seq != swap_->seq) return;
  swap_->seq = 0;
  ctx.cancel_timer(kSwapTimer);
  if (m.err != Err::kOk) return swap_rollback(ctx);
  static constexpr int64_t kPollMs[] = {10, 20, 40, 80, 160};
  switch (swap_->phase) {
    case 1:  // UNSET acknowledged: start polling the old master's dealing count
      swap_->phase = 2;
      ctx.set_timer(kSwapTimer, Duration::ms(kPollMs[0]));
      return;
    case 2:
      swap_->old_dv = m.data_version;
      if (m.dealing_count == 0) {
        swap_->phase = 3;
        ctx.set_timer(kSwapTimer, Duration::ms(10));
        return;
      }
      if (++swap_->polls >= 5) return swap_rollback(ctx);
      ctx.set_timer(kSwapTimer, Duration::ms(kPollMs[swap_->polls]));
      return;
    case 3:
      if (m.dealing_count != 0) return swap_rollback(ctx);
      swap_->old_dv = m.data_version;
      swap_->phase = 4;
      ctx.set_timer(kSwapTimer, Duration::zero());
      return;
    case 4: {
      const uint64_t old_dv = has("M15") ? view(swap_->dg, swap_->old_master).current_dv : swap_->old_dv;
      const bool equal = has("M15") ? m.data_version >= old_dv : m.data_version == old_dv;
      if (!equal || master_of(swap_->dg) != swap_->old_master) return swap_rollback(ctx);
      const Swap done = *swap_;
      swap_.reset();
      set_master(ctx, done.dg, done.old_master, done.new_master, "resume");
      if (master_of(done.dg) == done.new_master) return;
      // master_election_set_master refused (the candidate's server is no
      // longer ACTIVE) and the old master still holds the role:
      // cluster_resume_master rolls back (unset_master_rollback), which
      // gives the old master its is_master back. Until stop 32 the model
      // only noted the failure, and the old master stayed master without
      // is_master, pushed as none.
      REPLSIM_ASSERT(master_of(done.dg) == done.old_master, "set_master refuses only a candidate that is not ACTIVE");
      swap_ = done;
      return swap_rollback(ctx);
    }
    default: REPLSIM_ASSERT(false, "swap phase in range");
  }
}

// unset_master_rollback: when the old master still holds the role, it
// keeps it and the candidate, if ACTIVE, is demoted so it recovers and
// retries (T17), the leader's own DS as any other's (set_ds_status_ex on
// it queues its recovery). Until stop 31 the model demoted the candidate
// even when the old master had lost the role meanwhile, and never the
// leader's own DS (found by a helper's audit).
void FastcfsServer::swap_rollback(Context& ctx) {
  const Swap s = *swap_;
  swap_.reset();
  ctx.cancel_timer(kSwapTimer);
  ctx.note("resume_master_failed", {{"dg", s.dg + 1}});
  if (master_of(s.dg) != s.old_master) return;
  view_to_change(s.dg, s.old_master).is_master = true;
  notify_change(s.dg, s.old_master, true);
  if (view(s.dg, s.new_master).status == DsStatus::kActive) {
    if (s.new_master == me_) {
      set_my_status(ctx, s.dg, DsStatus::kOffline, Transition::kT17, false);
    } else {
      view_to_change(s.dg, s.new_master).status = DsStatus::kOffline;
      count(ctx, Transition::kT17, s.dg);
    }
    notify_change(s.dg, s.new_master, true);
  }
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

void FastcfsServer::on_unset_master(Context& ctx, const Inbound& in, const UnsetMasterReq& m) {
  if (leader_ != in.from.index || !holds_dg(m.dg) || master_of(m.dg) != me_) {
    return ctx.send(in.connection, make_message(DsStatusResp{m.seq, Err::kInvalid, false, DsStatus::kInit, 0, 0}));
  }
  Group& group = my_group_to_change(m.dg);
  group.master_swapping = true;  // new updates get NOT_ACTIVE; in-flight ones finish
  ctx.send(in.connection, make_message(DsStatusResp{m.seq, Err::kOk, true, group.status,
                                           static_cast<uint64_t>(group.queue.size() + (group.in_flight ? 1 : 0)),
                                           group.current_dv}));
}

void FastcfsServer::on_get_ds_status(Context& ctx, const Inbound& in, const GetDsStatusReq& m) {
  if (!holds_dg(m.dg)) return;
  const Group& group = my_group(m.dg);
  ctx.send(in.connection, make_message(DsStatusResp{m.seq, Err::kOk, master_of(m.dg) == me_, group.status,
                                           static_cast<uint64_t>(group.queue.size() + (group.in_flight ? 1 : 0)),
                                           group.current_dv}));
}

}  // namespace replsim::fastcfs
