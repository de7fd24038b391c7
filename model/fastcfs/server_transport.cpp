// The server's connections, as faststore keeps them (docs/FASTCFS_MODEL.md,
// "Connections"): a call per short request (server/cluster_relationship.c's
// status queries, notify, reports; the swap's requests; recovery's fetches
// in recovery/binlog_fetch.c and data_recovery.c), a follower's ping and
// push connections to the leader (cluster_ping_leader,
// server_push_handler_run), and the replication channels
// (server_replication.cpp). TCP delivers each message once and in order, or
// closes the connection: nothing here retransmits.
#include <algorithm>

#include "base/assert.h"
#include "model/fastcfs/server.h"

namespace replsim::fastcfs {

namespace {
constexpr uint32_t kCallTimer = 9;  // argument: the call's connection
TimerKey call_key(ConnectionId connection) { return TimerKey{kCallTimer, connection.value}; }
}  // namespace

// One request on a connection of its own, closed once answered. As
// faststore's blocking calls do (fc_server_make_connection with
// connect_timeout, then fs_send_and_recv_response with network_timeout, in
// cluster_relationship.c, binlog_fetch.c, data_recovery.c), the call fails
// when the connect takes longer than connect_timeout or the answer longer
// than answer_timeout, and when its connection closes before the answer.
void FastcfsServer::call(Context& ctx, uint32_t peer, MessagePtr request) {
  REPLSIM_ASSERT(peer != me_ && in_cluster(peer), "a call to another server of my server group");
  const ConnectionId connection = ctx.connect(node(peer));
  ctx.send(connection, request);
  calls_[connection.value] = OpenCall{peer, KeptMessage{std::move(request)}};
  ctx.set_timer(call_key(connection), config_.options.connect_timeout);
  REPLSIM_ASSERT(calls_.size() <= 4096, "calls in flight over the bound");
}

// How long a call waits for its answer once connected: the short calls'
// 3 s, the others the configured network_timeout (CLUSTER_NETWORK_TIMEOUT
// for reports and notifies, REPLICA_NETWORK_TIMEOUT for recovery's fetches
// and confirmations; the model has one network_timeout for both).
Duration FastcfsServer::answer_timeout(const Message& request) const {
  const bool short_call = request.as<GetServerStatusReq>() != nullptr || request.as<GetDsStatusReq>() != nullptr ||
                          request.as<UnsetMasterReq>() != nullptr;
  return short_call ? kShortCallTimeout : config_.options.network_timeout;
}

// The call's deadline passed: faststore closes the connection (a connect
// still unanswered is abandoned, its request never sent) and the call fails.
void FastcfsServer::call_timed_out(Context& ctx, uint64_t connection) {
  const auto it = calls_.find(connection);
  REPLSIM_ASSERT(it != calls_.end(), "a call's timer is cancelled when the call ends");
  const OpenCall failed = it->second;
  calls_.erase(it);
  ctx.close(ConnectionId{connection});
  on_call_failed(ctx, failed.peer, *failed.request.message);
}

// REPORT_DS_STATUS is synchronous in faststore: report_ds_status_to_leader
// (cluster_relationship.c) sends and waits for the answer in the thread that
// changed the status, so one DG's reports reach the leader in the order they
// were made. Here they wait in the DG's queue, one call at a time. Where
// faststore's thread would block on a slow leader, a newer report about the
// same DS replaces the one not yet sent (the queue holds at most one per DS).
void FastcfsServer::report_to_leader(Context& ctx, const ReportDsStatusReq& report) {
  REPLSIM_ASSERT(holds_dg(report.dg) && in_cluster(report.ds_server), "a report about a DS of my server group");
  Group& group = my_group_to_change(report.dg);
  const size_t first_unsent = group.report_seq != 0 ? 1 : 0;
  const auto same_ds = std::find_if(group.reports.begin() + static_cast<std::ptrdiff_t>(first_unsent),
                                    group.reports.end(),
                                    [&](const ReportDsStatusReq& r) { return r.ds_server == report.ds_server; });
  if (same_ds != group.reports.end()) *same_ds = report;
  else group.reports.push_back(report);
  REPLSIM_ASSERT(group.reports.size() <= r() + 1, "one queued report per DS and one in flight");
  if (group.report_seq == 0) send_next_report(ctx, report.dg);
}

// No leader, or I lead now: the reports have nobody to go to (faststore's
// fails with ENOENT); my own status goes again with the next ping.
void FastcfsServer::send_next_report(Context& ctx, uint32_t dg) {
  Group& group = my_group_to_change(dg);
  group.report_seq = 0;
  if (!leader_ || is_leader()) group.reports.clear();
  if (group.reports.empty()) return;
  ReportDsStatusReq& head = group.reports.front();
  head.seq = next_seq();
  group.report_seq = head.seq;
  call(ctx, *leader_, make_message(head));
}

// Answered or failed (the call's connection closed): the next report goes.
void FastcfsServer::on_report_resp(Context& ctx, const ReportDsStatusResp& m) {
  if (!holds_dg(m.dg) || m.seq == 0 || my_group(m.dg).report_seq != m.seq) return;
  REPLSIM_ASSERT(!my_group(m.dg).reports.empty(), "the report in flight is queued");
  my_group_to_change(m.dg).reports.pop_front();
  send_next_report(ctx, m.dg);
}

// Joins and pings go over the ping connection, opened when needed.
void FastcfsServer::send_to_leader(Context& ctx, MessagePtr message) {
  REPLSIM_ASSERT(leader_ && !is_leader(), "only a follower talks to the leader");
  if (!ping_connection_.valid()) ping_connection_ = ctx.connect(node(*leader_));
  ctx.send(ping_connection_, std::move(message));
}

// A new leader, no leader, or a failed ping: the ping connection closes
// (faststore reconnects and joins again on its next loop). The push
// connection belongs to the leader's generation (server_push.cpp).
void FastcfsServer::close_ping_connection(Context& ctx) {
  if (ping_connection_.valid()) ctx.close(ping_connection_);
  ping_connection_ = ConnectionId{};
}

// The answer to one of my calls: the call's connection closes.
bool FastcfsServer::answered_call(Context& ctx, ConnectionId connection, const Message&) {
  const auto it = calls_.find(connection.value);
  if (it == calls_.end()) return false;
  calls_.erase(it);
  ctx.cancel_timer(call_key(connection));
  ctx.close(connection);
  return true;
}

void FastcfsServer::on_connection(Context& ctx, const ConnectionEvent& event) {
  if (halted_) return;
  if (event.kind == ConnectionEvent::Kind::kEstablished) return connection_established(ctx, event);
  if (event.kind == ConnectionEvent::Kind::kClosed) connection_closed(ctx, event);
}

// replication_processor.c on_connect_success: a channel's connect that
// succeeded clears its failures. The world draws the SYN-ACK's delay apart
// from the data's, so the join's answer may come first (the channel is then
// SYNCING and was marked connected by it).
void FastcfsServer::connection_established(Context& ctx, const ConnectionEvent& event) {
  // A call's connect succeeded: from here its answer timeout runs.
  if (const auto call_it = calls_.find(event.connection.value); call_it != calls_.end()) {
    return ctx.set_timer(call_key(event.connection), answer_timeout(*call_it->second.request.message));
  }
  const uint32_t p = event.peer.index;
  if (p >= n() || p == me_) return;
  for (uint32_t i = 0; i < channels_to(p).size(); ++i) {
    if (channels_to(p)[i].connection != event.connection) continue;
    Channel& c = channel_to_change(p, i);
    REPLSIM_ASSERT(c.stage != ChannelStage::kNone, "a closed channel keeps no connection");
    c.connected = true;
    c.connect_failures = 0;
    // WAITING_JOIN_RESP: the join's answer is awaited from here.
    if (c.stage == ChannelStage::kConnecting) c.expect_since = ctx.local_now();
  }
}

// A connection of mine closed before I closed it: the peer's process died
// or closed it, its host reset it, or TCP gave up. Whatever waited on it fails.
void FastcfsServer::connection_closed(Context& ctx, const ConnectionEvent& event) {
  const uint64_t id = event.connection.value;
  const uint32_t p = event.peer.index;
  if (const auto call_it = calls_.find(id); call_it != calls_.end()) {
    const OpenCall failed = call_it->second;
    calls_.erase(call_it);
    ctx.cancel_timer(call_key(event.connection));
    return on_call_failed(ctx, failed.peer, *failed.request.message);
  }
  ping_tasks_.erase(id);
  if (p >= n()) return;  // a client's connection
  for (uint32_t i = 0; i < channels_to(p).size(); ++i) {
    if (channels_to(p)[i].connection == event.connection) {
      channel_to_change(p, i).connection = ConnectionId{};  // already closed
      return close_channel(ctx, p, i, to_string(event.reason));
    }
  }
  inbound_.erase({p, event.connection.value});
  if (event.connection == push_.connection) return push_link_closed(ctx, to_string(event.reason));
  if (event.connection == ping_connection_) {
    ping_connection_ = ConnectionId{};
    const bool waiting = relation_ == Relation::kJoining || relation_ == Relation::kPinging;
    if (waiting && ctx.timer_pending(TimerKey{3, 0})) {
      ctx.cancel_timer(TimerKey{3, 0});
      on_ping_failed(ctx);
    }
    return;
  }
  if (peer(p).push_connection == event.connection) push_task_closed(ctx, p, "push connection closed");
}

}  // namespace replsim::fastcfs
