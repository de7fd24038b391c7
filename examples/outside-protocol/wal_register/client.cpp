#include "wal_register/client.h"

#include "base/assert.h"
#include "wal_register/messages.h"

namespace wal_register {

void Client::on_start(replsim::Context& ctx, const replsim::DiskImage&) { workload_.start(ctx); }

void Client::on_message(replsim::Context& ctx, replsim::NodeId, replsim::ConnectionId, const replsim::Message& message) {
  const auto* reply = message.as<Reply>();
  const auto& outstanding = workload_.outstanding();
  // A reply to an operation that already timed out is too late to count.
  if (reply == nullptr || !outstanding || reply->op != outstanding->op) return;
  workload_.complete(ctx, replsim::OperationPhase::kOk, reply->value);
}

void Client::on_timer(replsim::Context& ctx, replsim::TimerKey key) {
  REPLSIM_ASSERT(workload_.owns(key), "the client's only timers are its workload's");
  if (workload_.on_timer(ctx, key) != replsim::kit::ClosedLoopWorkload::Tick::kIssue) return;
  const replsim::kit::WorkloadOp& op = *workload_.outstanding();
  if (op.is_write) ctx.send(server_, replsim::make_message(WriteRequest{op.op, op.key, op.value}));
  else ctx.send(server_, replsim::make_message(ReadRequest{op.op, op.key}));
}

}  // namespace wal_register
