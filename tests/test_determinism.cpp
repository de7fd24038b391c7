#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "model/example/demo.h"
#include "harness/runner.h"

using namespace replsim;
using namespace replsim::harness;

namespace {

ScenarioRun demo_run(uint64_t seed, bool with_faults, std::ostream* trace_out = nullptr) {
  const Scenario s = parse_scenario(example::demo_scenario(seed, with_faults, false), "demo");
  std::unique_ptr<TraceWriter> writer;
  if (trace_out != nullptr) writer = std::make_unique<TraceWriter>(*trace_out);
  return run_scenario(s, seed, writer.get());
}

}  // namespace

TEST_CASE("the same seed twice gives the same trace hash and a byte-identical trace") {
  std::ostringstream first_trace;
  std::ostringstream second_trace;
  const ScenarioRun first = demo_run(3, true, &first_trace);
  const ScenarioRun second = demo_run(3, true, &second_trace);
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
  const ScenarioRun calm = demo_run(4, false);
  const ScenarioRun stormy = demo_run(4, true);
  CHECK(calm.world.trace_hash() != stormy.world.trace_hash());
  const auto invocations = [](const ScenarioRun& run) {
    std::map<std::string, std::pair<std::string, std::string>> drawn;  // "c1 op 7" -> (f, key)
    for (const checker::HistoryEvent& e : run.history) {
      if (e.type == checker::EventType::kInvoke) drawn[e.where] = {e.f, e.key};
    }
    return drawn;
  };
  const auto calm_ops = invocations(calm);
  size_t compared = 0;
  for (const auto& [where, op] : invocations(stormy)) {
    const auto it = calm_ops.find(where);
    if (it == calm_ops.end()) continue;
    CHECK(it->second == op);
    ++compared;
  }
  CHECK(compared > 1000);
}
