// Engine benchmarks (Release build). Prints one `figure <name> <value> <unit>`
// line per figure so figures can be compared across commits.
//
// Wall-clock time is read here, outside every simulation, only to turn
// simulated work into a rate.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "bench/token_ring_actor.h"
#include "model/example/demo.h"
#include "harness/runner.h"
#include "model/protocols.h"
#include "sim/world.h"

namespace {

using namespace replsim;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

World make_token_world(uint32_t nodes, uint64_t seed) {
  WorldConfig config;
  config.seed = seed;
  for (uint32_t i = 1; i <= nodes; ++i) config.node_names.push_back("n" + std::to_string(i));
  config.link.latency = Distribution::uniform(Duration::us(100), Duration::ms(1));
  const uint32_t tokens_per_node = 4;
  return World(config, [=](NodeId) { return std::make_unique<bench::TokenActor>(nodes, tokens_per_node); });
}

// Best of three runs: the machine is shared, and the slowest runs measure
// the neighbours rather than the engine.
void bench_tokens(uint32_t nodes, uint64_t events) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    World world = make_token_world(nodes, 42 + static_cast<uint64_t>(run));
    RandomChooser chooser;
    const auto start = Clock::now();
    uint64_t steps = 0;
    while (steps < events && world.step(chooser) != nullptr) ++steps;
    best = std::max(best, static_cast<double>(steps) / seconds_since(start));
  }
  fmt::print("figure engine_events_per_s_{}_nodes {:.0f} events/s\n", nodes, best);
  std::fflush(stdout);
}

void bench_world_copy(uint32_t nodes) {
  World world = make_token_world(nodes, 7);
  RandomChooser chooser;
  for (int i = 0; i < 10'000; ++i) world.step(chooser);
  const int copies = 2'000;
  uint64_t sink = 0;
  const auto start = Clock::now();
  for (int i = 0; i < copies; ++i) {
    World copy = world;
    sink += copy.pending_event_count();
  }
  const double elapsed = seconds_since(start);
  fmt::print("figure world_copy_{}_nodes {:.2f} us\n", nodes, elapsed * 1e6 / copies);
  const auto fp_start = Clock::now();
  for (int i = 0; i < copies; ++i) sink += world.fingerprint();
  fmt::print("figure world_fingerprint_{}_nodes {:.2f} us\n", nodes, seconds_since(fp_start) * 1e6 / copies);
  if (sink == 42) std::puts("");  // keeps the loops from being optimised away
}

// The demo through the harness, as `replsim demo` runs it (checks included).
void bench_register_demo() {
  register_builtin_protocols();
  const harness::Scenario scenario = harness::parse_scenario(example::demo_scenario(1, true, false), "demo");
  const int runs = 20;
  uint64_t steps = 0;
  const auto start = Clock::now();
  for (int seed = 1; seed <= runs; ++seed) {
    const harness::ScenarioRun run = harness::run_scenario(scenario, static_cast<uint64_t>(seed));
    steps += run.world.stats().steps;
  }
  const double elapsed = seconds_since(start);
  fmt::print("figure register_demo_events_per_s {:.0f} events/s\n", static_cast<double>(steps) / elapsed);
  fmt::print("figure register_demo_sim_speedup {:.0f} x\n", runs * 30.0 / elapsed);
}

}  // namespace

int main() {
  bench_tokens(3, 3'000'000);
  bench_tokens(10, 3'000'000);
  bench_tokens(100, 3'000'000);
  bench_world_copy(3);
  bench_world_copy(100);
  bench_register_demo();
  return 0;
}
