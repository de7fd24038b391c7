#include "model/example/register_client.h"

#include "base/assert.h"
#include "model/example/register_messages.h"

namespace replsim::example {

void RegisterClient::on_start(Context& ctx, const DiskImage&) { workload_.start(ctx); }

void RegisterClient::on_message(Context& ctx, NodeId, ConnectionId, const Message& message) {
  const auto* reply = message.as<ClientReply>();
  const auto& op = workload_.outstanding();
  if (reply == nullptr || !op || reply->op != op->op) return;  // late or duplicate
  workload_.complete(ctx, OperationPhase::kOk, reply->value);
}

void RegisterClient::on_timer(Context& ctx, TimerKey key) {
  REPLSIM_ASSERT(workload_.owns(key), "the client's only timers are its workload's");
  if (workload_.on_timer(ctx, key) != kit::ClosedLoopWorkload::Tick::kIssue) return;
  const kit::WorkloadOp& op = *workload_.outstanding();
  if (op.is_write) ctx.send(primary_, make_message(ClientWrite{op.op, op.key, op.value}));
  else ctx.send(primary_, make_message(ClientRead{op.op, op.key}));
}

}  // namespace replsim::example
