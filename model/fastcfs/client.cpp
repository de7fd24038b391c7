#include "model/fastcfs/client.h"

#include <algorithm>

#include "model/fastcfs/messages.h"
#include "model/fastcfs/server.h"
#include "sim/assert.h"

namespace replsim::fastcfs {
namespace {
constexpr TimerKey kThinkTimer{1, 0};
constexpr TimerKey kOpTimeoutTimer{2, 0};
constexpr TimerKey kAttemptTimer{3, 0};  // request timeout or backoff before a retry
constexpr uint64_t kValueStride = 1'000'000'000;
}  // namespace

FastcfsClient::FastcfsClient(uint32_t client_index, FastcfsClientOptions options)
    : client_index_(client_index), options_(options), masters_(options.data_groups) {
  REPLSIM_ASSERT(options_.servers > 0 && options_.data_groups > 0 && options_.keys > 0, "a workload to run");
}

void FastcfsClient::on_start(Context& ctx, const DiskImage&) {
  next_server_ = client_index_ % options_.servers;
  ctx.set_timer(kThinkTimer, options_.first_op_after + options_.think_time);
}

void FastcfsClient::issue(Context& ctx) {
  REPLSIM_ASSERT(!op_.has_value(), "one operation at a time");
  if (next_op_ > options_.ops_max || ctx.local_now() >= options_.stop_at) return;
  Op op;
  op.op = next_op_++;
  REPLSIM_ASSERT(op.op < kValueStride / 256, "op numbers would collide across clients");
  op.is_write = ctx.random_below(100) >= options_.read_percent;
  op.key = ctx.random_below(options_.keys);
  op.dg = data_group_of(op.key, options_.data_groups);
  op.value = op.is_write ? (client_index_ + 1) * kValueStride + op.op : 0;
  op.req_id = (uint64_t{client_index_ + 1} << 48) | (op.op << 8);
  op.backoff = options_.backoff_min;
  ctx.note("invoke", {{"process", client_index_}, {"op", op.op}, {"f", op.is_write ? "write" : "read"},
                      {"key", op.key}, {"value", op.value}});
  op_ = op;
  ctx.set_timer(kOpTimeoutTimer, options_.timeout);
  attempt(ctx);
}

void FastcfsClient::attempt(Context& ctx) {
  Op& op = *op_;
  ++op.attempts;
  op.seq = ++seq_;
  const bool any_server = !op.is_write && options_.read_rule != ReadRule::kMaster;
  if (any_server) {
    // GET_READABLE_SERVER: an ACTIVE replica; the model asks a server at random
    // and lets it refuse when its DS is not ACTIVE.
    const auto s = static_cast<uint32_t>(ctx.random_below(options_.servers));
    ctx.send(NodeId{s}, make_message(ClientReadReq{op.seq, op.key}));
  } else if (const std::optional<uint32_t> master = masters_[op.dg]) {
    op.resolving = false;
    if (op.is_write) ctx.send(NodeId{*master}, make_message(ClientWriteReq{op.seq, op.req_id, op.key, op.value}));
    else ctx.send(NodeId{*master}, make_message(ClientReadReq{op.seq, op.key}));
  } else {
    op.resolving = true;
    ctx.send(NodeId{next_server_}, make_message(GetMasterReq{op.seq, op.dg}));
    next_server_ = (next_server_ + 1) % options_.servers;
  }
  ctx.set_timer(kAttemptTimer, options_.request_timeout);
}

void FastcfsClient::retry(Context& ctx, bool forget_master) {
  Op& op = *op_;
  if (forget_master && masters_[op.dg]) {
    masters_[op.dg].reset();
    if (op.is_write) op.req_id = (op.req_id & ~uint64_t{0xff}) | ((op.req_id + 1) & 0xff);  // fresh id
  }
  op.seq = 0;  // answers to the abandoned request are ignored
  ctx.set_timer(kAttemptTimer, op.backoff);
  op.backoff = std::min(op.backoff * 2, options_.backoff_max);
}

void FastcfsClient::finish(Context& ctx, const char* type, uint64_t value) {
  REPLSIM_ASSERT(op_.has_value(), "finishing nothing");
  ctx.note("complete", {{"process", client_index_}, {"op", op_->op}, {"f", op_->is_write ? "write" : "read"},
                        {"key", op_->key}, {"type", type}, {"value", value}});
  op_.reset();
  ctx.cancel_timer(kOpTimeoutTimer);
  ctx.cancel_timer(kAttemptTimer);
  ctx.set_timer(kThinkTimer, options_.think_time);
}

void FastcfsClient::on_message(Context& ctx, NodeId, const Message& message) {
  if (!op_ || op_->seq == 0) return;
  if (const auto* refused = message.as<ConnectionRefused>()) {
    const Message& o = *refused->original;
    const auto* w = o.as<ClientWriteReq>();
    const auto* r = o.as<ClientReadReq>();
    const auto* g = o.as<GetMasterReq>();
    const uint64_t seq = w ? w->seq : r ? r->seq : g ? g->seq : 0;
    if (seq != op_->seq) return;
    ctx.cancel_timer(kAttemptTimer);
    return retry(ctx, true);  // the server's process is gone
  }
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
    if (m->err == Err::kOk) return finish(ctx, "ok", m->value);
    return retry(ctx, true);  // every error the servers answer here is retriable
  }
}

void FastcfsClient::on_timer(Context& ctx, TimerKey key) {
  if (key == kThinkTimer) return issue(ctx);
  if (!op_) return;
  if (key == kOpTimeoutTimer) return finish(ctx, "info", 0);  // may or may not have taken effect
  if (key == kAttemptTimer) {
    if (op_->seq != 0) return retry(ctx, true);  // no answer: the master may be gone
    return attempt(ctx);                         // the backoff ended
  }
}

void FastcfsClient::hash_into(Hasher& h) const {
  h.add(client_index_).add(next_op_).add(seq_).add(next_server_).add(op_.has_value());
  for (const auto& m : masters_) h.add(m ? *m + 1 : 0);
  if (op_) h.add(op_->op).add(op_->is_write).add(op_->key).add(op_->value).add(op_->req_id).add(op_->seq);
}

nlohmann::json FastcfsClient::describe() const {
  return {{"ops_issued", ops_issued()}, {"outstanding", op_.has_value()}};
}

}  // namespace replsim::fastcfs
