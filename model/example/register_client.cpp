#include "model/example/register_client.h"

#include "model/example/register_messages.h"
#include "sim/assert.h"

namespace replsim::example {
namespace {
constexpr TimerKey kThinkTimer{1, 0};
constexpr TimerKey kTimeoutTimer{2, 0};
constexpr uint64_t kValueStride = 1'000'000'000;
}  // namespace

void RegisterClient::on_start(Context& ctx, const DiskImage&) {
  ctx.set_timer(kThinkTimer, options_.first_op_after + options_.think_time);
}

void RegisterClient::issue(Context& ctx) {
  REPLSIM_ASSERT(!outstanding_.has_value(), "one operation at a time");
  if (next_op_ > options_.ops_max || ctx.local_now() >= options_.stop_at) return;
  Outstanding op;
  op.op = next_op_++;
  op.is_write = ctx.random_below(100) >= options_.read_percent;
  op.key = ctx.random_below(options_.keys);
  REPLSIM_ASSERT(op.op < kValueStride, "op numbers would collide across clients");
  op.value = op.is_write ? (client_index_ + 1) * kValueStride + op.op : 0;
  if (op.is_write) ctx.send(options_.primary, make_message(ClientWrite{op.op, op.key, op.value}));
  else ctx.send(options_.primary, make_message(ClientRead{op.op, op.key}));
  ctx.note("invoke", {{"process", client_index_}, {"op", op.op}, {"f", op.is_write ? "write" : "read"},
                      {"key", op.key}, {"value", op.value}});
  outstanding_ = op;
  ctx.set_timer(kTimeoutTimer, options_.timeout);
}

void RegisterClient::finish(Context& ctx, const char* type, uint64_t value) {
  REPLSIM_ASSERT(outstanding_.has_value(), "finishing nothing");
  ctx.note("complete", {{"process", client_index_}, {"op", outstanding_->op}, {"f", outstanding_->is_write ? "write" : "read"},
                        {"key", outstanding_->key}, {"type", type}, {"value", value}});
  outstanding_.reset();
  ctx.cancel_timer(kTimeoutTimer);
  ctx.set_timer(kThinkTimer, options_.think_time);
}

void RegisterClient::on_message(Context& ctx, NodeId, const Message& message) {
  const auto* reply = message.as<ClientReply>();
  if (reply == nullptr || !outstanding_ || reply->op != outstanding_->op) return;  // late or duplicate
  finish(ctx, "ok", reply->value);
}

void RegisterClient::on_timer(Context& ctx, TimerKey key) {
  if (key == kThinkTimer) {
    issue(ctx);
  } else if (key == kTimeoutTimer && outstanding_) {
    finish(ctx, "info", 0);  // may or may not have taken effect
  }
}

void RegisterClient::hash_into(Hasher& h) const {
  h.add(client_index_).add(next_op_).add(outstanding_.has_value());
  if (outstanding_) h.add(outstanding_->op).add(outstanding_->is_write).add(outstanding_->key).add(outstanding_->value);
}

nlohmann::json RegisterClient::describe() const {
  return {{"ops_issued", ops_issued()}, {"outstanding", outstanding_.has_value()}};
}

}  // namespace replsim::example
