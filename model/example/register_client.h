// A client of the example register: the kit's closed-loop workload, each
// operation sent to the primary, its answer taken from the primary's reply.
#pragma once

#include "model/kit/workload.h"
#include "sim/actor.h"

namespace replsim::example {

class RegisterClient final : public ActorOf<RegisterClient> {
 public:
  RegisterClient(uint32_t client_index, NodeId primary, kit::WorkloadOptions workload)
      : primary_(primary), workload_(client_index, workload) {}

  void on_start(Context& ctx, const DiskImage& disk) override;
  void on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& message) override;
  void on_timer(Context& ctx, TimerKey key) override;
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return workload_.describe(); }

  bool operator==(const RegisterClient&) const = default;
  void hash_into(Hasher& h) const { workload_.hash_into(h.add_node(primary_.index)); }

  uint64_t ops_issued() const { return workload_.ops_issued(); }

 private:
  NodeId primary_;
  kit::ClosedLoopWorkload workload_;
};

}  // namespace replsim::example
