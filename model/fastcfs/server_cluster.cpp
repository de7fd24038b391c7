// Leader election, follower join and ping, applying the leader's pushes, and the leader's
// self-check (fastcfs-protocol.md §1.3, §1.4; review C1-C7).
#include <algorithm>

#include "model/fastcfs/server.h"
#include "base/assert.h"

namespace replsim::fastcfs {
namespace {

constexpr TimerKey kRelationTimer{2, 0};
constexpr TimerKey kDeadlineTimer{3, 0};
// Simplification: how long the model's election waits for the NEXT_LEADER
// answers. faststore's notify_next_leader calls each server in turn, each
// call bounded by connect_timeout and CLUSTER_NETWORK_TIMEOUT.
constexpr Duration kNotifyWait = Duration::s(3);
constexpr int64_t kAlignNs = 60'000'000'000;         // up_time / downtime alignment

int64_t align_down(int64_t ns) { return ns - ((ns % kAlignNs) + kAlignNs) % kAlignNs; }

// cluster_cmp_server_status (§1.4.2): < 0 when a ranks below b.
int compare_candidates(const ServerStatusRecord& a, const ServerStatusRecord& b) {
  if (a.is_leader != b.is_leader) return a.is_leader ? 1 : -1;
  if (a.cluster_version != b.cluster_version) return a.cluster_version < b.cluster_version ? -1 : 1;
  const int64_t hb = a.last_heartbeat_ns - b.last_heartbeat_ns;
  if (hb > 3'000'000'000 || hb < -3'000'000'000) return hb < 0 ? -1 : 1;
  if (a.leader_hint != b.leader_hint) return a.leader_hint ? 1 : -1;
  const int64_t up_a = align_down(a.up_time_ns), up_b = align_down(b.up_time_ns);
  if (up_a != up_b) return up_a > up_b ? -1 : 1;  // earlier start wins
  const int64_t down_a = align_down(a.up_time_ns - a.last_shutdown_ns);
  const int64_t down_b = align_down(b.up_time_ns - b.last_shutdown_ns);
  if (down_a != down_b) return down_a > down_b ? -1 : 1;  // shorter downtime wins
  return a.server < b.server ? -1 : (a.server > b.server ? 1 : 0);
}

}  // namespace

bool FastcfsServer::quorum_ok(uint32_t count) const {
  const ElectionQuorum q = config_.options.election_quorum;
  // Over CLUSTER_SERVER_ARRAY: my server group, not every server.
  if (q == ElectionQuorum::kAny || (q == ElectionQuorum::kAuto && r() % 2 == 0)) return count > 0;
  return count == r() || count > r() / 2;
}

ServerStatusRecord FastcfsServer::my_status_record() const {
  ServerStatusRecord r;
  r.server = me_;
  r.up_time_ns = up_time_ns_;
  r.cluster_version = cluster_version_;
  r.last_heartbeat_ns = last_heartbeat_ns_;
  r.last_shutdown_ns = last_shutdown_ns_;
  // M6: the persisted hint was reported as leadership.
  r.is_leader = has("M6") ? leader_hint_ : is_leader();
  r.leader_hint = leader_hint_;
  return r;
}

void FastcfsServer::after(Context& ctx, Duration delay) { ctx.set_timer(kRelationTimer, delay); }

// ---- the relationship loop (§1.4.1) -----------------------------------------

void FastcfsServer::relationship_step(Context& ctx) {
  if (!leader_) {
    if (relation_ == Relation::kBackoff) return query_statuses(ctx);
    if (relation_ == Relation::kIdle) return start_selection(ctx);
    return;  // a query or notify is in progress
  }
  if (is_leader()) return;  // leader_check runs on the tick
  if (relation_ == Relation::kIdle || relation_ == Relation::kBackoff) return send_join(ctx);
  if (relation_ == Relation::kPinging) return send_ping(ctx);
}

void FastcfsServer::start_selection(Context& ctx) {
  Selection& selection = selection_.write();
  selection = Selection{};
  selection.start = ctx.local_now();
  query_statuses(ctx);
}

void FastcfsServer::query_statuses(Context& ctx) {
  relation_ = Relation::kQuery;
  Selection& selection = selection_.write();
  selection.seq = next_seq();
  selection.answers.assign(n(), std::nullopt);
  selection.answers[me_] = my_status_record();
  selection.awaiting = r() - 1;
  for (uint32_t s : cluster()) {
    if (s != me_) call(ctx, s, make_message(GetServerStatusReq{selection.seq, false}));
  }
  if (selection.awaiting == 0) return on_status_answers_complete(ctx);
  ctx.set_timer(kDeadlineTimer, kShortCallTimeout);
}

void FastcfsServer::on_get_server_status(Context& ctx, const Inbound& in, const GetServerStatusReq& m) {
  // A leader asked by another self-declared leader steps down too (d293609);
  // M6 restores the old one-sided step-down.
  ctx.send(in.connection, make_message(GetServerStatusResp{m.seq, my_status_record()}));
  if (m.sender_is_leader && is_leader() && !has("M6")) step_down(ctx, "another leader probed me");
}

void FastcfsServer::on_get_server_status_resp(Context& ctx, const Inbound& in, const GetServerStatusResp& m) {
  const uint32_t s = in.from.index;
  if (is_leader() && peer(s).probe_seq == m.seq) {  // brain-split probe (§1.4.7)
    Peer& probed = peer_to_change(s);
    probed.probe_seq = 0;
    probed.probe_ok = true;
    if (m.status.is_leader) return step_down(ctx, "two leaders: a probed server is leader too");
    if (peer(s).status == ServerStatus::kOffline) set_server_status(ctx, s, ServerStatus::kOnline);
    return;
  }
  if (relation_ != Relation::kQuery || m.seq != selection_->seq || selection_->answers[s]) return;
  selection_.write().answers[s] = m.status;
  if (--selection_.write().awaiting == 0) {
    ctx.cancel_timer(kDeadlineTimer);
    on_status_answers_complete(ctx);
  }
}

// cluster_select_leader after one round of answers (§1.4.3, review C3/C4).
void FastcfsServer::on_status_answers_complete(Context& ctx) {
  if (leader_) return;
  uint32_t answered = 0;
  const ServerStatusRecord* cand = nullptr;
  for (const auto& a : selection_->answers) {
    if (!a) continue;
    ++answered;
    if (cand == nullptr || compare_candidates(*cand, *a) < 0) cand = &*a;
  }
  REPLSIM_ASSERT(cand != nullptr, "a server always answers itself");
  const TimePoint now = ctx.local_now();
  if (!quorum_ok(answered)) {
    relation_ = Relation::kBackoff;
    return after(ctx, Duration::s(1));
  }
  bool done = answered == r() || (answered >= 2 && cand->is_leader) ||
              selection_->start.ns_since_origin() - cand->last_heartbeat_ns <=
                  (config_.options.leader_lost_timeout + Duration::s(1)).count_ns();
  if (has("M19") && cand->leader_hint) done = true;
  if (!done) {
    const bool long_down = cand->up_time_ns - cand->last_shutdown_ns > config_.options.max_shutdown_duration.count_ns() &&
                           cand->last_heartbeat_ns == 0;
    const Duration waited = now - selection_->start;
    if (!long_down && waited > config_.options.max_wait_time) {
      done = true;
    } else {
      // cluster_select_leader: while time remains, the backoff capped by
      // it; once none remains, 1 s (the next round breaks), or the full
      // backoff for a candidate too long down (force_sleep).
      const Duration remaining = config_.options.max_wait_time - waited;
      Duration sleep = std::min(selection_->backoff, remaining);
      if (remaining <= Duration::zero()) sleep = long_down ? selection_->backoff : Duration::s(1);
      selection_.write().backoff = std::min(selection_->backoff * 2, Duration::s(32));
      relation_ = Relation::kBackoff;
      return after(ctx, sleep);
    }
  }
  if (cand->server == me_) return start_notify(ctx, 1);
  if (cand->is_leader) {
    relation_ = Relation::kIdle;
    return set_leader(ctx, cand->server);
  }
  // ENOENT: wait for the candidate's notify; retry after 1..10 s.
  relation_ = Relation::kIdle;
  after(ctx, Duration::s(1 + static_cast<int64_t>(ctx.random_below(10))));
}

// notify_next_leader (§1.4.3, C5): phase 1 PRE_SET, phase 2 COMMIT.
void FastcfsServer::start_notify(Context& ctx, uint8_t phase) {
  relation_ = phase == 1 ? Relation::kPreSet : Relation::kCommit;
  Selection& selection = selection_.write();
  selection.seq = next_seq();
  selection.successes = 1;
  selection.aborted = false;
  selection.awaiting = r() - 1;
  if (phase == 1) {
    if (next_leader_ && *next_leader_ != me_) {
      next_leader_.reset();
      selection.aborted = true;
      return on_notify_complete(ctx);
    }
    next_leader_ = me_;
  } else {
    next_leader_.reset();
    set_leader(ctx, me_);  // commits to itself first: leader locally before the others
    relation_ = Relation::kCommit;
  }
  for (uint32_t s : cluster()) {
    if (s != me_) call(ctx, s, make_message(NextLeaderReq{selection.seq, phase, me_}));
  }
  if (selection.awaiting == 0) return on_notify_complete(ctx);
  ctx.set_timer(kDeadlineTimer, kNotifyWait);
}

void FastcfsServer::on_next_leader(Context& ctx, const Inbound& in, const NextLeaderReq& m) {
  const uint32_t sender = in.from.index;
  REPLSIM_ASSERT(in_cluster(sender), "a candidate of my server group");
  Err err = Err::kOk;
  if (is_leader()) {
    step_down(ctx, "a candidate notified me");
    err = Err::kExists;
  } else if (m.phase == 1) {
    if (!next_leader_) next_leader_ = sender;
    else if (*next_leader_ != sender) {
      next_leader_.reset();
      err = Err::kExists;
    }
  } else {
    if (next_leader_ == sender) {
      next_leader_.reset();
      set_leader(ctx, sender);
    } else {
      next_leader_.reset();
      err = Err::kBusy;
    }
  }
  ctx.send(in.connection, make_message(NextLeaderResp{m.seq, m.phase, err}));
}

void FastcfsServer::on_next_leader_resp(Context& ctx, const Inbound&, const NextLeaderResp& m) {
  const bool waiting = (relation_ == Relation::kPreSet && m.phase == 1) || (relation_ == Relation::kCommit && m.phase == 2);
  if (!waiting || m.seq != selection_->seq) return;
  if (m.err == Err::kOk) ++selection_.write().successes;
  else selection_.write().aborted = true;
  if (--selection_.write().awaiting == 0 || selection_->aborted) {
    ctx.cancel_timer(kDeadlineTimer);
    on_notify_complete(ctx);
  }
}

void FastcfsServer::on_notify_complete(Context& ctx) {
  const bool ok = !selection_->aborted && quorum_ok(selection_->successes);
  if (relation_ == Relation::kPreSet) {
    if (ok) return start_notify(ctx, 2);
    relation_ = Relation::kIdle;  // retry later; peers may keep my id as next_leader
    return after(ctx, Duration::s(1 + static_cast<int64_t>(ctx.random_below(10))));
  }
  relation_ = Relation::kIdle;
  if (!ok) step_down(ctx, "phase 2 of the leader notify failed");
}

void FastcfsServer::relation_deadline(Context& ctx) {
  switch (relation_) {
    case Relation::kQuery: return on_status_answers_complete(ctx);
    case Relation::kPreSet:
    case Relation::kCommit: return on_notify_complete(ctx);
    case Relation::kJoining:
    case Relation::kPinging:
      // A ping without an answer in time: faststore closes the connection
      // and reconnects on its next attempt.
      if (ping_connection_.valid()) ctx.close(ping_connection_);
      ping_connection_ = ConnectionId{};
      return on_ping_failed(ctx);
    default: return;
  }
}

// ---- set / unset leader (§1.4.4, §1.4.8) ---------------------------------------

void FastcfsServer::set_leader(Context& ctx, uint32_t leader) {
  if (leader_ == leader) return;
  if (is_leader()) unset_leader(ctx, "another server became leader");
  close_ping_connection(ctx);
  push_generation(ctx, leader);
  leader_ = leader;
  for (uint32_t s : cluster()) {
    Peer& p = peer_to_change(s);
    p.leader_flag = s == leader || (has("M13") && p.leader_flag);
  }
  ping_start_ = ctx.local_now();
  ping_failures_ = 0;
  ctx.note("leader", {{"leader", "s" + std::to_string(leader + 1)}});
  if (leader == me_) ctx.protocol_event({ProtocolEvent::Kind::kBecomes, "leader", 0});
  if (leader != me_) {
    leader_hint_ = false;
    relation_ = Relation::kIdle;
    after(ctx, Duration::zero());
    return;
  }
  relation_ = Relation::kIdle;
  ctx.cancel_timer(kRelationTimer);
  leader_hint_ = true;
  raise_cluster_version();
  leader_version_ = cluster_version_;
  leader_key_ = ctx.random_nonce() + 1;
  const TimePoint now = ctx.local_now();
  for (uint32_t s : cluster()) {
    Peer& p = peer_to_change(s);
    p.joined = false;
    p.push_pending.clear();
    p.push_seq = 0;
    p.probe_seq = 0;
    p.probe_ok = true;
    p.inactive = s != me_;
    // A push connection kept from my last term keeps its idle clock.
    if (!p.push_connection.valid()) {
      p.push_heard = now;
      p.push_sent = now;
    }
    set_server_status(ctx, s, s == me_ ? ServerStatus::kActive : ServerStatus::kOffline);
  }
  peer_to_change(me_).last_ping = now + Duration::s(1);
  // T13: every ACTIVE DS goes OFFLINE in the new leader's view.
  for (uint32_t g : my_dgs()) {
    election_to_change(g) = GroupElection{};
    for (uint32_t s : cluster()) {
      if (view(g, s).status != DsStatus::kActive) continue;
      if (has("M8") && master_of(g) == s) continue;  // M8: keep an ACTIVE master
      if (s == me_) {
        // My own DS can be ACTIVE here only if a recovery round finished
        // after the old leader was lost (review C7: rounds run on).
        set_my_status(ctx, g, DsStatus::kOffline, Transition::kT13, false);
        continue;
      }
      view_to_change(g, s).status = DsStatus::kOffline;
      count(ctx, Transition::kT13, g);
    }
  }
  if (has("M8")) {
    // The pre-V1.2.0 leader kept a master whose DS looked ACTIVE; only DGs
    // without one are elected.
    for (uint32_t g : my_dgs()) {
      if (!master_of(g) || view(g, *master_of(g)).status != DsStatus::kActive) queue_election(ctx, g, true);
    }
    return;
  }
  unset_all_masters(ctx);
}

void FastcfsServer::unset_leader(Context& ctx, const char* why) {
  if (!leader_) return;
  const bool was_leader = is_leader();
  ctx.note_built("leader_lost",
                 [&] { return nlohmann::json{{"leader", "s" + std::to_string(*leader_ + 1)}, {"why", why}}; });
  leader_.reset();
  close_ping_connection(ctx);
  // unset_all_data_groups: raw CAS, no hooks, no reports (T14).
  for (uint32_t g : my_dgs()) {
    master_to_change(g).reset();
    for (uint32_t s : cluster()) {
      view_to_change(g, s).is_master = false;
      if (view(g, s).status == DsStatus::kActive && s != me_) view_to_change(g, s).status = DsStatus::kOffline;
    }
    if (my_group(g).status == DsStatus::kActive) {
      my_group_to_change(g).status = DsStatus::kOffline;
      view_to_change(g, me_).status = DsStatus::kOffline;
      count(ctx, Transition::kT14, g);
      ctx.note("ds_status", {{"dg", g + 1}, {"from", "ACTIVE"}, {"status", "OFFLINE"}, {"transition", "T14"},
                             {"dv", my_group(g).current_dv}});
      ctx.protocol_event({ProtocolEvent::Kind::kEnters, "OFFLINE", g + 1});
    }
  }
  if (was_leader) {
    // cluster_unset_leader clears my is_leader flag, the persisted hint.
    leader_hint_ = false;
    cluster_view_.write().election_queue.clear();
    swap_.reset();
    ctx.cancel_timer(TimerKey{6, 0});
    // The push connections stay open (cluster_unset_leader leaves the notify
    // contexts' tasks): they end only when idle for network_timeout, and a
    // follower that finds me leader again keeps its silent one (F1).
    for (Peer& p : peers_.write().rows) {
      p.push_pending.clear();
      p.push_seq = 0;
    }
  }
  relation_ = Relation::kIdle;
  ctx.cancel_timer(kDeadlineTimer);
  after(ctx, Duration::zero());
}

void FastcfsServer::step_down(Context& ctx, const char* why) {
  if (is_leader()) unset_leader(ctx, why);
}

// ---- follower: join and ping (§1.4.5, §1.4.6, C7) -------------------------------

namespace {
Duration attempt_timeout(const FastcfsOptions& o, Duration since_start) {
  return std::min(o.network_timeout, std::max(Duration::s(2), o.leader_lost_timeout - since_start));
}
}  // namespace

void FastcfsServer::send_join(Context& ctx) {
  REPLSIM_ASSERT(leader_ && !is_leader(), "only a follower joins");
  relation_ = Relation::kJoining;
  relation_seq_ = next_seq();
  send_to_leader(ctx, make_message(JoinLeaderReq{relation_seq_, false}));
  ctx.set_timer(kDeadlineTimer, attempt_timeout(config_.options, ctx.local_now() - ping_start_));
}

std::vector<DsEntry> FastcfsServer::ping_entries(bool all) {
  std::vector<DsEntry> entries;
  for (uint32_t g : my_dgs()) {
    const Group& group = my_group(g);
    // Until the startup rollback is done, current is reported as confirmed.
    const uint64_t current = group.startup_rollback_done ? group.current_dv : group.confirmed_dv;
    const std::pair<uint64_t, uint64_t> now{current, group.confirmed_dv};
    if (!all && now == last_reported_[g]) continue;
    last_reported_[g] = now;
    entries.push_back(DsEntry{g, me_, DsView{group.status, acts_as_master(g), current, group.confirmed_dv}});
  }
  return entries;
}

void FastcfsServer::send_ping(Context& ctx) {
  REPLSIM_ASSERT(leader_ && !is_leader(), "only a follower pings");
  relation_ = Relation::kPinging;
  relation_seq_ = next_seq();
  send_to_leader(ctx, make_message(PingLeaderReq{relation_seq_, leader_version_, false, ping_entries(false)}));
  ctx.set_timer(kDeadlineTimer, attempt_timeout(config_.options, ctx.local_now() - ping_start_));
}

void FastcfsServer::on_join_leader_resp(Context& ctx, const Inbound& in, const JoinLeaderResp& m) {
  if (m.err == Err::kOk) leader_version_ = m.leader_version;  // proto_join_leader keeps it per leader
  if (in.connection == push_.connection && m.seq == push_.seq) return on_push_link_answer(ctx, m.err);
  if (relation_ != Relation::kJoining || m.seq != relation_seq_ || in.connection != ping_connection_) return;
  ctx.cancel_timer(kDeadlineTimer);
  if (m.err != Err::kOk) return on_ping_failed(ctx);
  send_ping(ctx);
}

void FastcfsServer::on_ping_leader_resp(Context& ctx, const Inbound& in, const PingLeaderResp& m) {
  if (in.connection == push_.connection && m.seq == push_.seq) return on_push_link_answer(ctx, m.err);
  if (relation_ != Relation::kPinging || m.seq != relation_seq_ || in.connection != ping_connection_) return;
  ctx.cancel_timer(kDeadlineTimer);
  if (m.err == Err::kLeaderVersionInconsistent) {
    // A new generation of the same leader: join again, reporting every DS.
    last_reported_.assign(last_reported_.size(), {UINT64_MAX, UINT64_MAX});
  }
  if (m.err != Err::kOk) return on_ping_failed(ctx);
  last_heartbeat_ns_ = local_ns(ctx);
  ping_start_ = ctx.local_now();
  ping_failures_ = 0;
  relation_ = Relation::kPinging;
  after(ctx, Duration::s(1));
}

void FastcfsServer::on_ping_failed(Context& ctx) {
  if (!leader_ || is_leader()) return;
  ++ping_failures_;
  if (ctx.local_now() - ping_start_ > config_.options.leader_lost_timeout && ping_failures_ > 1) {
    ping_failures_ = 0;
    return unset_leader(ctx, "leader lost: no answer to pings");
  }
  // A failed ping closes its connection: the next attempt connects and joins.
  close_ping_connection(ctx);
  relation_ = Relation::kIdle;
  after(ctx, Duration::s(1));
}

// ---- leader: joins, pings, reports (§1.4.5, §1.4.6, §2.2) -------------------------

void FastcfsServer::on_join_leader(Context& ctx, const Inbound& in, const JoinLeaderReq& m) {
  if (m.push) return on_push_join(ctx, in, m);
  const uint32_t s = in.from.index;
  // Only my server group's servers know me (cluster_deal_join_leader refuses others).
  REPLSIM_ASSERT(in_cluster(s) && s != me_, "a join from a peer of my server group");
  if (!is_leader()) return ctx.send(in.connection, make_message(JoinLeaderResp{m.seq, Err::kNotLeader, 0}));
  // A follower that joins while ACTIVE lost me and found me again: it goes
  // OFFLINE (its DSs keep their status) until its push connection activates
  // it anew.
  if (peer(s).status == ServerStatus::kActive) {
    ctx.note("server_offline", {{"server", "s" + std::to_string(s + 1)}, {"why", "joined while ACTIVE"}});
    set_server_status(ctx, s, ServerStatus::kOffline);
  }
  ping_tasks_[in.connection.value] = PingTask{s, ctx.local_now()};
  REPLSIM_ASSERT(ping_tasks_.size() <= 4096, "joined ping connections over the bound");
  ctx.send(in.connection, make_message(JoinLeaderResp{m.seq, Err::kOk, leader_version_}));
}

// A ping is accepted from any joined follower, ACTIVE or not
// (process_ping_leader_req checks the leader version only); on a connection
// that did not join, proto_deal_ping_leader refuses it ("please join first").
void FastcfsServer::on_ping_leader(Context& ctx, const Inbound& in, const PingLeaderReq& m) {
  if (m.activate) return on_activate(ctx, in, m);
  const uint32_t s = in.from.index;
  REPLSIM_ASSERT(in_cluster(s) && s != me_, "a ping from a peer of my server group");
  const auto joined = ping_tasks_.find(in.connection.value);
  if (joined == ping_tasks_.end()) return ctx.send(in.connection, make_message(PingLeaderResp{m.seq, Err::kInvalid}));
  REPLSIM_ASSERT(joined->second.peer == s, "a ping connection joined by its sender");
  joined->second.last_io = ctx.local_now();
  if (!is_leader()) return ctx.send(in.connection, make_message(PingLeaderResp{m.seq, Err::kNotLeader}));
  if (m.leader_version != leader_version_) {
    return ctx.send(in.connection, make_message(PingLeaderResp{m.seq, Err::kLeaderVersionInconsistent}));
  }
  peer_to_change(s).last_ping = ctx.local_now();
  apply_ping_entries(ctx, s, m.entries);
  ctx.send(in.connection, make_message(PingLeaderResp{m.seq, Err::kOk}));
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

// process_ping_leader_req: an entry that changes nothing notifies nobody
// (cluster_relationship_set_ds_status_and_dv returns no change flags), one
// that does is pushed to every ACTIVE follower but the pinging one
// (set_ds_status_and_dv, notify_self false), and the cluster version rises
// once a ping, if any entry changed.
void FastcfsServer::apply_ping_entries(Context& ctx, uint32_t s, const std::vector<DsEntry>& entries) {
  uint32_t changes = 0;
  for (const DsEntry& e : entries) {
    REPLSIM_ASSERT(e.server == s && holds_dg(e.dg), "a ping reports the sender's own DSs");
    const bool current_changed = view(e.dg, s).current_dv != e.view.current_dv;
    const bool confirmed_changed = view(e.dg, s).confirmed_dv != e.view.confirmed_dv;
    if (current_changed || confirmed_changed) {
      DsView& v = view_to_change(e.dg, s);
      v.current_dv = e.view.current_dv;
      v.confirmed_dv = e.view.confirmed_dv;
    }
    // T18: applied without a transition guard (Q5).
    const bool status_changed = leader_apply_ds(ctx, e.dg, s, e.view.status, true);
    if (!status_changed && !current_changed && !confirmed_changed) continue;
    ++changes;
    notify_change(e.dg, s, false);
    if (confirmed_changed && acts_as_master(e.dg)) on_confirmed_report(ctx, e.dg);
  }
  if (changes > 0) raise_cluster_version();
}

// cluster_deal_report_ds_status: a report that changes the status is pushed
// (to the DS's own server too when its master reported it) and raises the
// cluster version; one that changes nothing does neither.
void FastcfsServer::on_report(Context& ctx, const Inbound& in, const ReportDsStatusReq& m) {
  ctx.send(in.connection, make_message(ReportDsStatusResp{m.seq, m.dg}));
  if (!is_leader() || !holds_dg(m.dg) || !in_cluster(m.ds_server)) return;
  const DsStatus status_known = view(m.dg, m.ds_server).status;
  // The owner's report is applied unconditionally; a master's report about
  // its slave only from a reporter whose DS is_master in the leader's memory
  // (EPERM otherwise: false for the old master while a swap runs; until
  // stop 32 the model asked master_, which a swap leaves alone), only from
  // ACTIVE, only to OFFLINE. Both set the status only: the owner's DVs come
  // with its next ping, where a confirmed DV change reaches the master's
  // quorum.
  const bool by_owner = m.reporter == m.ds_server;
  const bool reporter_is_master = in_cluster(m.reporter) && view(m.dg, m.reporter).is_master;
  if (!by_owner && (!reporter_is_master || m.status != DsStatus::kOffline || status_known != DsStatus::kActive)) {
    return;
  }
  if (!leader_apply_ds(ctx, m.dg, m.ds_server, m.status, false)) return;
  notify_change(m.dg, m.ds_server, !by_owner);
  raise_cluster_version();
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

// A change of the leader's view of one DS's status; returns whether it
// changed. The caller notifies: faststore's callers choose whom
// (notify_self) and whether the cluster version rises. A change a ping
// carried is T18, counted here; reports were counted by whoever made them.
bool FastcfsServer::leader_apply_ds(Context& ctx, uint32_t dg, uint32_t server, DsStatus status, bool from_ping) {
  const DsStatus before = view(dg, server).status;
  if (server == me_) {
    const uint64_t current = my_group(dg).current_dv, confirmed = my_group(dg).confirmed_dv;
    if (view(dg, me_).current_dv != current || view(dg, me_).confirmed_dv != confirmed) {
      DsView& mine = view_to_change(dg, me_);
      mine.current_dv = current;
      mine.confirmed_dv = confirmed;
    }
    // The leader's view of its own DS is its own status: a master's report
    // that the leader's DS is OFFLINE demotes it (T9 applied to itself).
    if (status != my_group(dg).status) {
      REPLSIM_ASSERT(status == DsStatus::kOffline && my_group(dg).status == DsStatus::kActive,
                     "only a master's report changes the leader's own DS through its view");
      set_my_status(ctx, dg, status, Transition::kT9, false);
    }
  }
  if (view(dg, server).status != status) view_to_change(dg, server).status = status;
  if (before == status) return false;
  if (from_ping && server != me_) count(ctx, Transition::kT18, dg);
  if (status == DsStatus::kActive && config_.options.resume_master_role) maybe_resume_master(ctx, dg, server);
  // No election here: faststore queues one only for a new leader, a server's
  // (de)activation, a reselect and an EAGAIN retry (master_election.c,
  // cluster_topology.c), never on a DS status change.
  return true;
}

// Only the leader raises it; followers take the leader's in each push. A
// follower's CV can fall (a push from a new leader that ranked first by
// is_leader) and data_group.info is written at any CV other than its last
// write's (server_group_info_sync_to_file), as faststore does.
void FastcfsServer::raise_cluster_version() {
  REPLSIM_ASSERT(is_leader(), "only the leader raises the cluster version");
  ++cluster_version_;
}

// cluster_topology_data_server_chg_notify: queues the DS for every ACTIVE
// follower's push (once until sent), skipping the DS's own server unless
// notify_self. It leaves the cluster version alone: only a leader taking
// office, a ping or a report that changed something raises it.
void FastcfsServer::notify_change(uint32_t dg, uint32_t server, bool notify_self) {
  REPLSIM_ASSERT(is_leader(), "only the leader pushes DS changes");
  for (uint32_t f : cluster()) {
    if (f == me_ || (f == server && !notify_self) || peer(f).status != ServerStatus::kActive) continue;
    // M13 (before 661ba94): servers whose is_leader flag is set were skipped
    // as if each were myself, so a former leader with a stale flag heard no
    // change (cluster_topology_data_server_chg_notify skips only myself).
    if (has("M13") && peer(f).leader_flag) continue;
    peer_to_change(f).push_pending.insert({dg, server});
  }
}

// ---- follower: applying pushes (§1.4.5, cluster_process_push_entry) ----------------

void FastcfsServer::apply_push_entry(Context& ctx, const DsEntry& e) {
  REPLSIM_ASSERT(holds_dg(e.dg) && in_cluster(e.server), "a push entry names a DS of my server group");
  const uint32_t g = e.dg;
  if (e.server == me_) {
    // Only ACTIVE -> OFFLINE is accepted for myself, and only when not master (T8).
    if (e.view.status == DsStatus::kOffline && !e.view.is_master && my_group(g).status == DsStatus::kActive) {
      set_my_status(ctx, g, DsStatus::kOffline, Transition::kT8, false);
    }
  } else {
    const DsView& seen = view(g, e.server);
    const bool confirmed_changed = seen.confirmed_dv != e.view.confirmed_dv;
    if (seen.status != e.view.status || seen.current_dv != e.view.current_dv || confirmed_changed) {
      DsView& v = view_to_change(g, e.server);
      v.status = e.view.status;
      v.current_dv = e.view.current_dv;
      v.confirmed_dv = e.view.confirmed_dv;
    }
    if (confirmed_changed && acts_as_master(g)) on_confirmed_report(ctx, g);
  }
  // The change is read against the DS's own flag, not the group's master
  // pointer: they differ on a server whose swap, as leader, cleared the old
  // master's flag, and there a push clearing it again changes nothing.
  if (view(g, e.server).is_master == e.view.is_master) return;
  view_to_change(g, e.server).is_master = e.view.is_master;
  const std::optional<uint32_t> old = master_of(g);
  if (e.view.is_master) {
    if (old == e.server) return;  // on_master_change(ds, ds) returns at once
    if (old) view_to_change(g, *old).is_master = false;
    master_to_change(g) = e.server;
    on_master_change(ctx, g, old, e.server);
  } else if (old == e.server) {
    master_to_change(g).reset();
    on_master_change(ctx, g, e.server, std::nullopt);
  }
}

// ---- leader: self-check and server status (§1.3, §1.4.7) ----------------------------

void FastcfsServer::set_server_status(Context& ctx, uint32_t server, ServerStatus status) {
  if (peer(server).status == status) return;
  Peer& p = peer_to_change(server);
  p.status = status;
  p.status_changed = ctx.local_now();
}

void FastcfsServer::activate_server(Context& ctx, uint32_t s) {
  Peer& p = peer_to_change(s);
  p.joined = true;
  p.inactive = false;
  set_server_status(ctx, s, ServerStatus::kActive);
  // Its push connection's join queued every DS already.
  for (uint32_t g : my_dgs()) {
    if (!master_of(g)) queue_election(ctx, g, false);
  }
  ctx.note("server_active", {{"server", "s" + std::to_string(s + 1)}});
}

// cluster_topology_deactivate_server: only an ACTIVE server's DSs go
// offline (a server that rejoined meanwhile is OFFLINE already and keeps
// its DSs, master included), and only while I lead: an ex-leader (its push
// task idled out after a step-down) swaps the server's status and stops.
void FastcfsServer::deactivate_server(Context& ctx, uint32_t s, const char* why) {
  if (peer(s).status != ServerStatus::kActive) return;
  if (!is_leader()) return set_server_status(ctx, s, ServerStatus::kOffline);
  ctx.note("server_deactivated", {{"server", "s" + std::to_string(s + 1)}, {"why", why}});
  set_server_status(ctx, s, ServerStatus::kOffline);
  Peer& p = peer_to_change(s);
  p.joined = false;
  p.inactive = true;
  p.probe_ok = true;
  p.probe_seq = 0;
  for (uint32_t g : my_dgs()) {
    const DsStatus from = view(g, s).status;
    DsStatus to = from;
    if (from == DsStatus::kRebuilding) to = DsStatus::kInit;
    else if (from == DsStatus::kActive || from == DsStatus::kRecovering || from == DsStatus::kOnline) {
      to = DsStatus::kOffline;
    }
    if (to != from) {
      view_to_change(g, s).status = to;
      count(ctx, Transition::kT12, g);
      notify_change(g, s, true);
    }
    // cluster_topology_offline_data_server_ex unsets the master and queues
    // an election only for a DS whose is_master is set: not for the old
    // master while a swap runs, which cleared it (until stop 32 the model
    // asked master_, which a swap leaves alone).
    if (view(g, s).is_master) {
      set_master(ctx, g, s, std::nullopt, "server deactivated");
      if (!master_of(g)) queue_election(ctx, g, false);
    }
  }
  // The notify thread sends at once (cluster_topology_data_server_chg_notify
  // wakes it), not at the next check.
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

void FastcfsServer::leader_check(Context& ctx) {
  const TimePoint now = ctx.local_now();
  // Brain-split probes of inactive servers, each second.
  uint32_t unreachable = 0;
  for (uint32_t s : cluster()) {
    if (s == me_ || !peer(s).inactive) continue;
    const bool timed_out = peer(s).probe_seq != 0 && now - peer(s).probe_sent >= kShortCallTimeout;
    if (timed_out || peer(s).probe_seq == 0) {  // else a probe is out: nothing changes
      Peer& p = peer_to_change(s);
      if (timed_out) p.probe_ok = false;
      p.probe_seq = next_seq();
      p.probe_sent = now;
      call(ctx, s, make_message(GetServerStatusReq{p.probe_seq, true}));
    }
    if (!peer(s).probe_ok) ++unreachable;
  }
  uint32_t alive = r() - unreachable;
  if (has("M18")) {  // only joined servers count as alive
    alive = 1;
    for (uint32_t s : cluster()) alive += (s != me_ && peer(s).status == ServerStatus::kActive) ? 1 : 0;
  }
  if (!quorum_ok(alive)) return step_down(ctx, "lost the election quorum");
  // A check that passed is the leader's heartbeat (cluster_thread_entrance
  // sets CLUSTER_LAST_HEARTBEAT_TIME after leader_check returns 0).
  last_heartbeat_ns_ = local_ns(ctx);
  // My own DS DV changes reach the followers through pushes.
  for (uint32_t g : my_dgs()) {
    if (view(g, me_).current_dv != my_group(g).current_dv || view(g, me_).confirmed_dv != my_group(g).confirmed_dv) {
      DsView& v = view_to_change(g, me_);
      v.current_dv = my_group(g).current_dv;
      v.confirmed_dv = my_group(g).confirmed_dv;
      notify_change(g, me_, false);
    }
  }
  run_elections(ctx);
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

}  // namespace replsim::fastcfs
