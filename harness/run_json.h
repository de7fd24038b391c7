// A run as run.json: the verdicts, the faults as applied, the report
// sections (reports::analyse_run over the run's operations, faults and
// status timeline), the anomaly in words, the protocol's vocabulary, the
// final state (docs/REPORTS.md documents every key).
#pragma once

#include <nlohmann/json.hpp>

#include "harness/runner.h"

namespace replsim::harness {

// The report sections of run.json (reports::analyse_run over the run's
// operations, faults and timeline), with "timeline" itself; without the
// list of operations when `list_operations` is false (campaigns).
nlohmann::json analyse(const Scenario& scenario, const ScenarioRun& run, bool list_operations = true);

// {"summary", "checks": [{"name", "meaning", "violations"}], "linearizability"}.
nlohmann::json explain_anomaly(const ScenarioRun& run);

nlohmann::json scenario_run_to_json(const Scenario& scenario, uint64_t seed, const ScenarioRun& run);

}  // namespace replsim::harness
