// The FastCFS model's speed (Release, one core): a 3-server, 1-data-group
// cluster with 100 operations per second and no faults, simulated for 600 s
// of virtual time, with and without the invariant monitor watching every
// step. Prints `figure <name> <value> <unit>`; best of three runs, because the
// CI machine is shared.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "model/fastcfs/system.h"
#include "sim/choice.h"

namespace {

using namespace replsim;

struct Measure {
  double events_per_s = 0;
  double speedup = 0;  // simulated seconds per wall second
};

Measure measure(bool with_monitor) {
  fastcfs::FastcfsSystemConfig config;
  config.cluster.servers = 3;
  config.cluster.data_groups = 1;
  config.clients = 3;
  config.client.workload.keys = 5;
  config.client.workload.think_time = Duration::ms(30);  // 3 clients x 1/30 ms = 100 ops/s
  config.client.workload.first_op_after = Duration::s(1);
  const Duration simulated = Duration::s(600);
  Measure best;
  for (int attempt = 0; attempt < 3; ++attempt) {
    World world = fastcfs::make_fastcfs_world(config, 1);
    fastcfs::FastcfsMonitor monitor(config.cluster);
    RandomChooser chooser;
    const auto start = std::chrono::steady_clock::now();
    const uint64_t steps = with_monitor
                               ? world.run_until(TimePoint::origin() + simulated, chooser,
                                                 [&](const StepRecord& step) { monitor.observe(world, step); })
                               : world.run_until(TimePoint::origin() + simulated, chooser);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!fastcfs::fastcfs_converged(world) || !monitor.violations().empty()) {
      fmt::print(stderr, "fastcfs_bench: the fault-free cluster did not stay healthy\n");
      std::exit(1);
    }
    best.events_per_s = std::max(best.events_per_s, static_cast<double>(steps) / wall);
    best.speedup = std::max(best.speedup, simulated.seconds() / wall);
  }
  return best;
}

}  // namespace

int main() {
  const Measure bare = measure(false);
  const Measure watched = measure(true);
  fmt::print("figure fastcfs_events_per_s {:.0f} events/s\n", bare.events_per_s);
  fmt::print("figure fastcfs_sim_seconds_per_wall_second {:.0f} x\n", bare.speedup);
  fmt::print("figure fastcfs_events_per_s_with_monitor {:.0f} events/s\n", watched.events_per_s);
  fmt::print("figure fastcfs_sim_seconds_per_wall_second_with_monitor {:.0f} x\n", watched.speedup);
  return 0;
}
