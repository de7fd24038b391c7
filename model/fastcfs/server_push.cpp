// The push connection, both ends (docs/FASTCFS_MODEL.md, "Connections").
//
// Follower (cluster_relationship.c, server_push_handler_run and
// check_make_connection): one handler per leader generation, started when
// the leader becomes a different server (not when the same leader is lost
// and found again). It connects, joins with server_push set, activates
// (ACTIVATE_SERVER, a ping's body) and then only receives the leader's
// pushes and active tests, answering each. Any failure closes the
// connection and the handler tries again a second later; a connection with
// nothing received for the network timeout closes too.
//
// Leader (cluster_handler.c, cluster_deal_join_leader,
// cluster_deal_active_server, cluster_task_finish_cleanup;
// cluster_topology.c, the notify context's sender): one push connection per
// follower; a second join is refused (EEXIST) while the first is open, even
// across a step-down and re-election (the connections outlive a term and
// close only when idle); the end of the joined one deactivates the follower,
// which offlines its DSs only if the follower was still ACTIVE and I still
// lead; pushes and active tests go out only while I lead and the follower is
// ACTIVE, one at a time.
#include <algorithm>

#include "base/assert.h"
#include "model/fastcfs/server.h"

namespace replsim::fastcfs {
namespace {

constexpr TimerKey kPushTimer{8, 0};
constexpr size_t kPushEntriesMax = 64;  // entries per PUSH_DS_STATUS packet

}  // namespace

// ---- follower: the push handler ---------------------------------------------------

// A leader different from the generation's: the old handler ends (its
// connection closes) and a new one starts, unless the new leader is me.
void FastcfsServer::push_generation(Context& ctx, uint32_t leader) {
  if (push_.leader == leader) return;
  close_push_link(ctx);
  push_.leader = leader;
  ctx.cancel_timer(kPushTimer);
  if (leader != me_) ctx.set_timer(kPushTimer, Duration::zero());
}

void FastcfsServer::close_push_link(Context& ctx) {
  if (push_.connection.valid()) ctx.close(push_.connection);
  push_.connection = ConnectionId{};
  push_.stage = PushStage::kClosed;
  push_.seq = 0;
}

// The handler's loop. An active link is checked once a second (the
// receive's 1 s timeout); a join waits for its answer until its deadline.
void FastcfsServer::push_handler_step(Context& ctx) {
  REPLSIM_ASSERT(push_.leader && *push_.leader != me_, "a push handler runs for another server's generation");
  const TimePoint now = ctx.local_now();
  if (push_.connection.valid()) {
    if (push_.stage == PushStage::kJoining) {
      // check_make_connection failed: the handler sleeps a second.
      ctx.note("push_connection_closed", {{"why", "join not answered"}});
      close_push_link(ctx);
      return ctx.set_timer(kPushTimer, Duration::s(1));
    }
    REPLSIM_ASSERT(push_.stage == PushStage::kActive, "an open link is joining or active");
    ctx.set_timer(kPushTimer, Duration::s(1));
    if (now - push_.last_heard <= config_.options.network_timeout) return;
    // A made connection that failed is made again at once, without a sleep.
    ctx.note("push_connection_closed", {{"why", "nothing received"}});
    close_push_link(ctx);
  }
  push_.connection = ctx.connect(node(*push_.leader));
  push_.stage = PushStage::kJoining;
  push_.seq = next_seq();
  push_.last_heard = now;
  ctx.send(push_.connection, make_message(JoinLeaderReq{push_.seq, true}));
  // check_make_connection waits min(network_timeout, connect_timeout).
  ctx.set_timer(kPushTimer, std::min(config_.options.network_timeout, config_.options.connect_timeout));
}

// The answer to the link's join. The activation that follows is only sent
// (proto_ping_leader_ex: "do NOT need response"), and the link is made.
void FastcfsServer::on_push_link_answer(Context& ctx, Err err) {
  REPLSIM_ASSERT(push_.connection.valid() && push_.stage == PushStage::kJoining, "an answer to the push link's join");
  push_.last_heard = ctx.local_now();
  if (err != Err::kOk) {
    ctx.note("push_connection_closed", {{"why", std::string("refused: ") + to_string(err)}});
    close_push_link(ctx);
    return ctx.set_timer(kPushTimer, Duration::s(1));  // check_make_connection failed: sleep(1)
  }
  push_.stage = PushStage::kActive;
  push_.seq = 0;
  ctx.send(push_.connection, make_message(PingLeaderReq{next_seq(), leader_version_, true, ping_entries(true)}));
  ctx.set_timer(kPushTimer, Duration::s(1));
}

// The link closed under the handler: a made one is made again at once, a
// join in progress failed (sleep(1)).
void FastcfsServer::push_link_closed(Context& ctx, const char* why) {
  REPLSIM_ASSERT(push_.connection.valid(), "the push link was open");
  ctx.note_built("push_connection_closed", [&] { return nlohmann::json{{"why", why}}; });
  const bool made = push_.stage == PushStage::kActive;
  push_.connection = ConnectionId{};  // already closed
  close_push_link(ctx);
  ctx.set_timer(kPushTimer, made ? Duration::zero() : Duration::s(1));
}

// Pushes are applied whoever I think the leader is now: the handler belongs
// to its generation (cluster_process_leader_push checks nothing else).
void FastcfsServer::on_push(Context& ctx, const Inbound& in, const PushDsStatusReq& m) {
  if (in.connection != push_.connection) return;
  push_.last_heard = ctx.local_now();
  cluster_version_ = m.cluster_version;
  for (const DsEntry& e : m.entries) apply_push_entry(ctx, e);
  ctx.send(in.connection, make_message(PushDsStatusResp{m.seq}));
}

// ---- leader: the follower's push connection -------------------------------------------

void FastcfsServer::on_push_join(Context& ctx, const Inbound& in, const JoinLeaderReq& m) {
  REPLSIM_ASSERT(m.push, "a push connection's join");
  const uint32_t s = in.from.index;
  if (!is_leader()) return ctx.send(in.connection, make_message(JoinLeaderResp{m.seq, Err::kNotLeader, 0}));
  if (peer(s).push_connection.valid()) return ctx.send(in.connection, make_message(JoinLeaderResp{m.seq, Err::kExists, 0}));
  if (peer(s).status == ServerStatus::kActive) {
    ctx.note("server_offline", {{"server", "s" + std::to_string(s + 1)}, {"why", "joined while ACTIVE"}});
    set_server_status(ctx, s, ServerStatus::kOffline);
  }
  const TimePoint now = ctx.local_now();
  Peer& p = peer_to_change(s);
  p.push_connection = in.connection;
  p.push_heard = now;
  p.push_sent = now;
  p.push_seq = 0;
  p.push_pending.clear();
  // cluster_topology_sync_all_data_servers: every DS goes to the new link.
  for (uint32_t g : my_dgs()) {
    for (uint32_t t : cluster()) p.push_pending.insert({g, t});
  }
  ctx.send(in.connection, make_message(JoinLeaderResp{m.seq, Err::kOk, leader_version_}));
}

void FastcfsServer::on_activate(Context& ctx, const Inbound& in, const PingLeaderReq& m) {
  REPLSIM_ASSERT(m.activate, "an activation");
  const uint32_t s = in.from.index;
  // cluster_deal_task turns need_response off for ACTIVATE_SERVER: a refusal
  // (not this follower's joined push task, not leader, another
  // leader_version) ends the task unanswered, and cluster_task_finish_cleanup
  // releases it at once; success answers nothing either.
  const bool joined = in.connection == peer(s).push_connection;
  if (!joined || !is_leader() || m.leader_version != leader_version_) {
    ctx.note("activation_refused", {{"server", "s" + std::to_string(s + 1)}});
    ctx.close(in.connection);
    if (joined) push_task_closed(ctx, s, "activation refused");
    return;
  }
  Peer& p = peer_to_change(s);
  p.push_heard = ctx.local_now();
  p.last_ping = ctx.local_now();
  apply_ping_entries(ctx, s, m.entries);
  activate_server(ctx, s);
  for (uint32_t f : cluster()) pump_push(ctx, f);
}

// The notify context's sender: one packet in flight; pending DS changes
// first, an active test when the link was quiet for half the network timeout.
void FastcfsServer::pump_push(Context& ctx, uint32_t f) {
  const Peer& seen = peer(f);
  if (f == me_ || !is_leader() || seen.push_seq != 0 || seen.status != ServerStatus::kActive ||
      !seen.push_connection.valid()) {
    return;
  }
  const TimePoint now = ctx.local_now();
  if (seen.push_pending.empty() && now - seen.push_sent < config_.options.network_timeout / 2) return;
  Peer& p = peer_to_change(f);
  if (p.push_pending.empty()) {
    p.push_seq = next_seq();
    p.push_sent = now;
    ctx.send(p.push_connection, make_message(ChannelTest{false}));
    return;
  }
  PushDsStatusReq push;
  push.cluster_version = cluster_version_;
  push.leader_version = leader_version_;
  while (!p.push_pending.empty() && push.entries.size() < kPushEntriesMax) {
    const auto [dg, server] = *p.push_pending.begin();
    p.push_pending.erase(p.push_pending.begin());
    // is_master as the leader holds it (cluster_topology.c packs
    // ds->is_master): false for the old master while a swap runs, which
    // cleared it in the leader's memory only (cluster_relationship.c
    // cluster_resume_master). Until stop 32 the model packed whether the
    // DS held the role in master_, so followers never saw that window.
    DsView v = view(dg, server);
    // cluster_topology.c packs each DS's DVs as they are at the send: my
    // own DS is the live one, which the leader check copies into my view
    // only once a second (until stop 31 a new leader pushed its own DVs as
    // its view held them since it last led, or 0, found by a helper tracing
    // fuzz-every-family seed 774: a follower then elected itself over a
    // server whose acked DVs it never saw).
    if (server == me_) {
      v.current_dv = my_group(dg).current_dv;
      v.confirmed_dv = my_group(dg).confirmed_dv;
    }
    push.entries.push_back(DsEntry{dg, server, v});
  }
  push.seq = p.push_seq = next_seq();
  p.push_sent = now;
  ctx.send(p.push_connection, make_message(std::move(push)));
}

void FastcfsServer::on_push_resp(Context& ctx, const Inbound& in, const PushDsStatusResp& m) {
  if (in.connection != peer(in.from.index).push_connection) return;
  Peer& p = peer_to_change(in.from.index);
  p.push_heard = ctx.local_now();  // any receive resets sf_nio's idle clock
  if (!is_leader() || p.push_seq != m.seq) return;
  p.push_seq = 0;
  pump_push(ctx, in.from.index);
}

// An active test on a push connection: the follower answers it, the leader
// counts the answer as traffic.
void FastcfsServer::on_push_test(Context& ctx, const Inbound& in, const ChannelTest& m) {
  if (!m.response) {
    if (in.connection == push_.connection) push_.last_heard = ctx.local_now();
    return ctx.send(in.connection, make_message(ChannelTest{true}));
  }
  if (in.connection != peer(in.from.index).push_connection) return;
  Peer& p = peer_to_change(in.from.index);
  p.push_heard = ctx.local_now();
  if (!is_leader()) return;
  p.push_seq = 0;
  pump_push(ctx, in.from.index);
}

// sf_nio's idle timeout on the leader's side of each push connection: a
// read or a write resets it (sf_client_sock_read, sf_client_sock_write), so
// an unanswered push or active test closes it network_timeout after the send.
void FastcfsServer::check_push_idle(Context& ctx) {
  const TimePoint now = ctx.local_now();
  for (uint32_t s : cluster()) {
    const Peer& p = peer(s);  // read only: push_task_closed changes it
    if (s == me_ || !p.push_connection.valid()) continue;
    if (now - std::max(p.push_heard, p.push_sent) <= config_.options.network_timeout) continue;
    ctx.close(p.push_connection);
    push_task_closed(ctx, s, "push connection idle timeout");
  }
}

// sf_nio's idle timeout on the other joined tasks of my end (sf_nio.c
// sf_client_sock_read: a task idle for network_timeout after a request is
// closed when its recv-timeout callback says so): a peer's joined
// replication connection (replica_handler.c replica_recv_timeout_callback,
// REPLICATION_SERVER) and a follower's joined ping connection
// (cluster_handler.c cluster_recv_timeout_callback, RELATIONSHIP). Their
// cleanups do nothing more: the other end learns from the close.
void FastcfsServer::close_idle_server_tasks(Context& ctx) {
  const TimePoint now = ctx.local_now();
  const Duration idle_max = config_.options.network_timeout;
  erase_if(inbound_, [&](const auto& entry) {
    if (now - entry.second <= idle_max) return false;
    ctx.close(ConnectionId{entry.first.second});
    return true;
  });
  erase_if(ping_tasks_, [&](const auto& entry) {
    if (now - entry.second.last_io <= idle_max) return false;
    ctx.close(ConnectionId{entry.first});
    return true;
  });
}

// cluster_task_finish_cleanup for the follower's joined push connection.
void FastcfsServer::push_task_closed(Context& ctx, uint32_t s, const char* why) {
  Peer& p = peer_to_change(s);
  REPLSIM_ASSERT(p.push_connection.valid(), "the joined push connection ended");
  p.push_connection = ConnectionId{};
  p.push_seq = 0;
  p.push_pending.clear();
  deactivate_server(ctx, s, why);
}

}  // namespace replsim::fastcfs
