// A client of the WAL register: the platform kit's closed-loop workload
// (one operation at a time, each reported to the history the checks read),
// each operation sent to the server as a datagram.
#pragma once

#include "model/kit/workload.h"
#include "sim/actor.h"

namespace wal_register {

class Client final : public replsim::ActorOf<Client> {
 public:
  Client(uint32_t client_index, replsim::NodeId server, replsim::kit::WorkloadOptions workload)
      : server_(server), workload_(client_index, workload) {}

  void on_start(replsim::Context& ctx, const replsim::DiskImage& disk) override;
  void on_message(replsim::Context& ctx, replsim::NodeId from, replsim::ConnectionId connection,
                  const replsim::Message& message) override;
  void on_timer(replsim::Context& ctx, replsim::TimerKey key) override;
  void on_disk(replsim::Context&, const replsim::DiskCompletion&) override {}
  nlohmann::json describe() const override { return workload_.describe(); }

  bool operator==(const Client&) const = default;
  void hash_into(replsim::Hasher& h) const { workload_.hash_into(h.add(server_.index)); }

 private:
  replsim::NodeId server_;
  replsim::kit::ClosedLoopWorkload workload_;
};

}  // namespace wal_register
