// Running one scenario with one seed: faults at their times or on their
// protocol events (roles resolved when they fire), the clients' history, the
// checks, and the verdict against the scenario's expectation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "cli/protocol_adapter.h"
#include "sim/scenario.h"
#include "sim/trace.h"

namespace replsim::cli {

struct AppliedFault {
  TimePoint at;
  std::string source;  // JSON path of the fault in the scenario
  nlohmann::json fault;  // as applied, with concrete nodes; or {"skipped": reason}
};

struct ScenarioRun {
  explicit ScenarioRun(World w) : world(std::move(w)) {}
  World world;
  std::unique_ptr<RunMonitor> monitor;  // nullptr when the protocol has none
  std::vector<checker::HistoryEvent> history;
  std::vector<AppliedFault> faults;
  std::vector<CheckOutcome> checks;
  std::vector<std::string> warnings;
  std::optional<TimePoint> last_fault_at;
  std::optional<TimePoint> converged_at;  // first settled instant after the last fault
  std::string convergence_gap;            // why the cluster was not settled at the end, if it was not
  bool undecided = false;                 // the linearizability check ran out of budget
  std::string verdict = "pass";
  bool as_expected = true;
};

ScenarioRun run_scenario(const Scenario& scenario, uint64_t seed, const ProtocolAdapter& adapter,
                         TraceWriter* trace = nullptr);

// Exit code per the format: 0 as expected, 1 not, 3 undecided.
int exit_code(const ScenarioRun& run);

// The names of the checks that failed, in the scenario's order: what "the
// same failure" means for fuzz replays and the shrinker.
std::vector<std::string> failed_checks(const ScenarioRun& run);
// failed_checks, with the kind of liveness failure: "converges_within (g#:
// s# does not act as master)". Numbers are left out, so a shrunk run that
// fails for the same reason matches, and one that merely left a node down
// does not.
std::vector<std::string> failure_signature(const ScenarioRun& run);

nlohmann::json scenario_run_to_json(const Scenario& scenario, uint64_t seed, const ScenarioRun& run);

}  // namespace replsim::cli
