#include "model/fastcfs/client.h"

#include <algorithm>

#include "model/fastcfs/messages.h"
#include "base/assert.h"

namespace replsim::fastcfs {
namespace {
constexpr TimerKey kAttemptTimer{3, 0};  // request timeout or backoff before a retry
}  // namespace

FastcfsClient::FastcfsClient(uint32_t client_index, FastcfsClientOptions options)
    : client_index_(client_index),
      options_(options),
      workload_(client_index, options.workload),
      masters_(options.data_groups),
      connections_(options.servers) {
  REPLSIM_ASSERT(options_.servers > 0 && options_.data_groups > 0, "a cluster to talk to");
}

IndexRange FastcfsClient::members(uint32_t dg) const {
  return members_of_dg(dg, ClusterConfig{options_.servers, options_.data_groups, options_.replicas, {}});
}

void FastcfsClient::on_start(Context& ctx, const DiskImage&) {
  next_server_ = client_index_ % options_.servers;
  workload_.start(ctx);
}

void FastcfsClient::issue(Context& ctx, const kit::WorkloadOp& w) {
  REPLSIM_ASSERT(!op_.has_value(), "one operation at a time");
  REPLSIM_ASSERT(w.op < (uint64_t{1} << 40), "op numbers fit the request id");
  Op op;
  op.op = w.op;
  op.is_write = w.is_write;
  op.key = w.key;
  op.value = w.value;
  op.dg = data_group_of(op.key, options_.data_groups);
  op.req_id = (uint64_t{client_index_ + 1} << 48) | (op.op << 8);
  op.backoff = options_.backoff_min;
  op_ = op;
  attempt(ctx);
}

void FastcfsClient::attempt(Context& ctx) {
  Op& op = *op_;
  ++op.attempts;
  op.seq = ++seq_;
  const bool any_server = !op.is_write && options_.read_rule != ReadRule::kMaster;
  if (any_server) {
    // GET_READABLE_SERVER: an ACTIVE replica; the model asks a member at
    // random and lets it refuse when its DS is not ACTIVE.
    const IndexRange group = members(op.dg);
    const auto s = group.first + static_cast<uint32_t>(ctx.random_below(group.size()));
    send(ctx, s, make_message(ClientReadReq{op.seq, op.key}));
  } else if (const std::optional<uint32_t> master = masters_[op.dg]) {
    op.resolving = false;
    if (op.is_write) {
      // fs_client.c keeps the request id across retries and reconnects to
      // the same master (the server deduplicates them); a slice write to
      // another master takes a fresh one (do_slice_write).
      if (op.req_master && *op.req_master != *master) {
        op.req_id = (op.req_id & ~uint64_t{0xff}) | ((op.req_id + 1) & 0xff);
      }
      op.req_master = *master;
      send(ctx, *master, make_message(ClientWriteReq{op.seq, op.req_id, op.key, op.value}));
    }
    else send(ctx, *master, make_message(ClientReadReq{op.seq, op.key}));
  } else {
    op.resolving = true;
    const IndexRange group = members(op.dg);
    send(ctx, group.first + next_server_ % group.size(), make_message(GetMasterReq{op.seq, op.dg}));
    next_server_ = (next_server_ + 1) % options_.servers;
  }
  ctx.set_timer(kAttemptTimer, options_.request_timeout);
}

// The request goes on the connection to `server`, opened when there is none.
void FastcfsClient::send(Context& ctx, uint32_t server, MessagePtr request) {
  REPLSIM_ASSERT(server < options_.servers, "a request to a server");
  if (!connections_[server].valid()) connections_[server] = ctx.connect(NodeId{server});
  ctx.send(connections_[server], std::move(request));
  op_->server = server;
}

void FastcfsClient::drop_connection(Context& ctx, uint32_t server) {
  if (connections_[server].valid()) ctx.close(connections_[server]);
  connections_[server] = ConnectionId{};
}

void FastcfsClient::on_connection(Context& ctx, const ConnectionEvent& event) {
  if (event.kind != ConnectionEvent::Kind::kClosed) return;
  const uint32_t server = event.peer.index;
  if (server >= options_.servers || connections_[server] != event.connection) return;
  connections_[server] = ConnectionId{};
  if (!op_ || op_->seq == 0 || op_->server != server) return;
  ctx.cancel_timer(kAttemptTimer);
  retry(ctx, true);  // the server's process is gone, or the connection broke
}

void FastcfsClient::retry(Context& ctx, bool forget_master) {
  Op& op = *op_;
  if (forget_master) masters_[op.dg].reset();
  op.seq = 0;  // answers to the abandoned request are ignored
  ctx.set_timer(kAttemptTimer, op.backoff);
  op.backoff = std::min(op.backoff * 2, options_.backoff_max);
}

void FastcfsClient::finish(Context& ctx, uint64_t value) {
  REPLSIM_ASSERT(op_.has_value(), "finishing nothing");
  op_.reset();
  ctx.cancel_timer(kAttemptTimer);
  workload_.complete(ctx, OperationPhase::kOk, value);
}

void FastcfsClient::on_message(Context& ctx, NodeId, ConnectionId, const Message& message) {
  if (!op_ || op_->seq == 0) return;
  if (const auto* m = message.as<GetMasterResp>()) {
    if (m->seq != op_->seq || !op_->resolving) return;
    ctx.cancel_timer(kAttemptTimer);
    if (m->err != Err::kOk) return retry(ctx, false);
    masters_[op_->dg] = m->master;
    return attempt(ctx);
  }
  if (const auto* m = message.as<ClientResp>()) {
    if (m->seq != op_->seq || op_->resolving) return;
    ctx.cancel_timer(kAttemptTimer);
    if (m->err == Err::kOk) return finish(ctx, m->value);
    return retry(ctx, true);  // every error the servers answer here is retriable
  }
}

void FastcfsClient::on_timer(Context& ctx, TimerKey key) {
  if (workload_.owns(key)) {
    const kit::ClosedLoopWorkload::Tick tick = workload_.on_timer(ctx, key);
    if (tick == kit::ClosedLoopWorkload::Tick::kIssue) return issue(ctx, *workload_.outstanding());
    if (tick == kit::ClosedLoopWorkload::Tick::kTimedOut) {  // indeterminate: stop pursuing it
      op_.reset();
      ctx.cancel_timer(kAttemptTimer);
    }
    return;
  }
  if (!op_) return;
  if (key == kAttemptTimer) {
    if (op_->seq != 0) {  // no answer: the master may be gone, and the connection is given up
      drop_connection(ctx, op_->server);
      return retry(ctx, true);
    }
    return attempt(ctx);                         // the backoff ended
  }
}

void FastcfsClient::hash_into(Hasher& h) const {
  workload_.hash_into(h);
  h.add(client_index_).add(seq_).add(next_server_).add(op_.has_value());
  for (const auto& m : masters_) h.add(m ? *m + 1 : 0);
  for (const ConnectionId& c : connections_) h.add(c.value);
  if (op_) h.add(op_->op).add(op_->is_write).add(op_->key).add(op_->value).add(op_->req_id).add(op_->seq);
}


}  // namespace replsim::fastcfs
