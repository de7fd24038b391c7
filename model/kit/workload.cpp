#include "model/kit/workload.h"

#include "base/assert.h"

namespace replsim::kit {
namespace {
constexpr TimerKey kThinkTimer{ClosedLoopWorkload::kThinkTimerKind, 0};
constexpr TimerKey kTimeoutTimer{ClosedLoopWorkload::kTimeoutTimerKind, 0};
}  // namespace

ClosedLoopWorkload::ClosedLoopWorkload(uint32_t client_index, WorkloadOptions options)
    : client_index_(client_index), options_(options) {
  REPLSIM_ASSERT(options_.keys > 0, "a workload needs keys");
  REPLSIM_ASSERT(options_.read_percent <= 100, "a percentage");
}

void ClosedLoopWorkload::start(Context& ctx) { ctx.set_timer(kThinkTimer, options_.first_op_after + options_.think_time); }

void ClosedLoopWorkload::issue(Context& ctx) {
  REPLSIM_ASSERT(!outstanding_.has_value(), "one operation at a time");
  WorkloadOp op;
  op.op = next_op_++;
  REPLSIM_ASSERT(op.op < kValueStride, "op numbers would collide across clients");
  op.is_write = !ctx.random_percent(options_.read_percent);
  op.key = ctx.random_below(options_.keys);
  op.value = op.is_write ? (client_index_ + 1) * kValueStride + op.op : 0;
  outstanding_ = op;
  report(ctx, OperationPhase::kInvoke, op.value);
  ctx.set_timer(kTimeoutTimer, options_.timeout);
}

ClosedLoopWorkload::Tick ClosedLoopWorkload::on_timer(Context& ctx, TimerKey key) {
  REPLSIM_ASSERT(owns(key), "a timer of the workload");
  if (key == kThinkTimer) {
    if (next_op_ > options_.ops_max || ctx.local_now() >= options_.stop_at) return Tick::kNothing;
    issue(ctx);
    return Tick::kIssue;
  }
  if (!outstanding_) return Tick::kNothing;
  report(ctx, OperationPhase::kInfo, 0);  // may or may not have taken effect
  outstanding_.reset();
  ctx.set_timer(kThinkTimer, options_.think_time);
  return Tick::kTimedOut;
}

void ClosedLoopWorkload::complete(Context& ctx, OperationPhase phase, uint64_t value) {
  REPLSIM_ASSERT(outstanding_.has_value(), "completing nothing");
  REPLSIM_ASSERT(phase == OperationPhase::kOk || phase == OperationPhase::kFail, "an answer is ok or fail");
  report(ctx, phase, value);
  outstanding_.reset();
  ctx.cancel_timer(kTimeoutTimer);
  ctx.set_timer(kThinkTimer, options_.think_time);
}

void ClosedLoopWorkload::report(Context& ctx, OperationPhase phase, uint64_t value) const {
  OperationEvent e;
  e.process = client_index_;
  e.op = outstanding_->op;
  e.f = outstanding_->is_write ? "write" : "read";
  e.key = std::to_string(outstanding_->key);
  if (value != 0) e.value = static_cast<int64_t>(value);
  e.phase = phase;
  ctx.operation(std::move(e));
}

void ClosedLoopWorkload::hash_into(Hasher& h) const {
  h.add(client_index_).add(next_op_).add(outstanding_.has_value());
  if (outstanding_) h.add(outstanding_->op).add(outstanding_->is_write).add(outstanding_->key).add(outstanding_->value);
}

nlohmann::json ClosedLoopWorkload::describe() const {
  return {{"ops_issued", ops_issued()}, {"outstanding", outstanding_.has_value()}};
}

}  // namespace replsim::kit
