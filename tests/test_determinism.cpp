#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "model/example/register_run.h"

using namespace replsim;
using namespace replsim::example;

namespace {

RegisterRun demo_run(uint64_t seed, bool with_faults, std::ostream* trace_out = nullptr) {
  RegisterSystemConfig config;
  config.client.think_time = Duration::ms(5);
  std::vector<ScheduledFault> faults;
  if (with_faults) faults = register_demo_faults(make_register_world(config, seed));
  std::unique_ptr<TraceWriter> writer;
  if (trace_out != nullptr) writer = std::make_unique<TraceWriter>(*trace_out);
  return run_register(config, seed, Duration::s(27), Duration::s(30), faults, writer.get());
}

}  // namespace

TEST_CASE("the same seed twice gives the same trace hash and a byte-identical trace") {
  std::ostringstream first_trace;
  std::ostringstream second_trace;
  const RegisterRun first = demo_run(3, true, &first_trace);
  const RegisterRun second = demo_run(3, true, &second_trace);
  CHECK(first.world.trace_hash() == second.world.trace_hash());
  CHECK(first.world.stats().steps == second.world.stats().steps);
  CHECK(first_trace.str().size() > 1'000'000);
  CHECK(first_trace.str() == second_trace.str());
  CHECK(first.world.fingerprint() == second.world.fingerprint());
}

TEST_CASE("different seeds give different traces") {
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 5; ++seed) hashes.insert(demo_run(seed, true).world.trace_hash());
  CHECK(hashes.size() == 5);
}

TEST_CASE("adding faults does not change the workload's draws") {
  // Each client draws (read or write, key) from its own stream, one pair per
  // operation; faults change timing, never which operations are drawn.
  const RegisterRun calm = demo_run(4, false);
  const RegisterRun stormy = demo_run(4, true);
  CHECK(calm.world.trace_hash() != stormy.world.trace_hash());
  std::map<std::pair<uint32_t, uint64_t>, std::pair<bool, uint64_t>> drawn;
  for (const RegisterOp& op : calm.history.ops()) drawn[{op.process, op.op}] = {op.is_write, op.key};
  size_t compared = 0;
  for (const RegisterOp& op : stormy.history.ops()) {
    const auto it = drawn.find({op.process, op.op});
    if (it == drawn.end()) continue;
    CHECK(it->second == std::make_pair(op.is_write, op.key));
    ++compared;
  }
  CHECK(compared > 1000);
}
