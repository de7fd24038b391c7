// Running the example register: a fault schedule, the run loop, the verdict.
#pragma once

#include <functional>
#include <vector>

#include "model/example/register_system.h"
#include "sim/trace.h"

namespace replsim::example {

struct ScheduledFault {
  TimePoint at;
  Fault fault;
};

struct RegisterRun {
  World world;
  RegisterHistory history;
  std::vector<std::string> violations;
  // Liveness: after the run every server is up and holds the primary's whole
  // log on its disk.
  bool converged = false;
};

// Clients stop issuing at `clients_stop`; the run continues to `duration` so
// the system can settle before it is judged.
// `on_step`, when given, sees every step with the world it happened in.
RegisterRun run_register(const RegisterSystemConfig& config, uint64_t seed, Duration clients_stop, Duration duration,
                         const std::vector<ScheduledFault>& faults, TraceWriter* trace = nullptr,
                         const std::function<void(const World&, const StepRecord&)>& on_step = {});

// The demo's schedule over 30 s: a backup crash and restart, a one-way
// partition, a backup power loss, a pause, clock skew, a slow disk, a lossy
// and duplicating network, fsync errors, silent corruption, an isolated
// backup and a primary restart.
std::vector<ScheduledFault> register_demo_faults(const World& world);

}  // namespace replsim::example
