// The example register as a runnable system: world construction and the
// checks that judge a run.
#pragma once

#include <string>
#include <vector>

#include "model/example/register_client.h"
#include "model/example/register_server.h"
#include "sim/world.h"

namespace replsim::example {

struct RegisterSystemConfig {
  uint32_t backups = 2;
  uint32_t clients = 2;
  kit::WorkloadOptions workload;
  RegisterOptions server;
  LinkConfig link;
  DiskConfig disk;
  TcpConfig tcp;
};

// Servers are s1 (the primary) .. s{backups+1}; clients c1 .. c{clients}.
World make_register_world(const RegisterSystemConfig& config, uint64_t seed);
std::vector<NodeId> register_servers(const World& world);

// One client operation as the client saw it.
struct RegisterOp {
  uint32_t process = 0;
  uint64_t op = 0;
  bool is_write = false;
  uint64_t key = 0;
  uint64_t value = 0;        // written value, or the value a read returned
  TimePoint invoked;
  TimePoint completed;
  std::string outcome = "pending";  // ok | info | pending
};

// Checks a finished run. Each violation is one sentence naming the check.
//  - acked_write_durable: every acknowledged write is in the primary's
//    durable log;
//  - replicas_agree: no two servers' durable logs hold different entries at
//    the same version;
//  - read_of_written_value: every value a read returned was written to that
//    key by a write invoked before the read completed.
std::vector<std::string> check_register_run(const World& world, const std::vector<RegisterOp>& ops);
// Liveness: every server is up, not halted, and holds the primary's whole
// log on its disk.
bool register_converged(const World& world);

}  // namespace replsim::example
