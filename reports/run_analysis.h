// What a run's report says beyond its verdicts: each operation with its
// latency and phase, latency percentiles per operation type and phase,
// throughput, unavailability windows, fault windows, and the figures a
// campaign compares across seeds. Computed once, from the run's operations,
// its applied faults and its status timeline, and stored in run.json, so the
// HTML and Markdown renderers only read.
//
// Phases (derived from the trace, never from the scenario's intent):
//   startup   from 0 until the cluster is first healthy;
//   failover  an unavailability window: from the loss of a master (nobody
//             holds the role, or its holder is down) to the first write
//             acknowledged after the role is served again;
//   recovery  the cluster is not healthy (a replica not in its healthy
//             status, or a role unheld), outside failovers;
//   steady    the rest.
// An operation belongs to the phase of the instant it was invoked.
//
// Availability as the clients saw it (availability.client_view), whatever
// the roles said: per group, the stalls (checker/stalls.h) of writes and of
// reads a second or longer; their union is the time a kind of operation was
// unavailable somewhere.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checker/history.h"

namespace replsim::reports {

struct RunInputs {
  int64_t duration_ns = 0;
  std::vector<checker::Operation> operations;  // paired, in invocation order
  nlohmann::json faults;                       // as applied, each with "at_ns"
  nlohmann::json timeline;                     // TimelineRecorder::to_json, plus "healthy_status"
  // List every operation in the result ("operations"); campaigns that keep
  // only the summary figures skip it: a JSON object per operation is most of
  // the analysis's cost.
  bool list_operations = true;
  // When clients offered operations, and the group each key belongs to:
  // the client view of availability judges each group alone.
  int64_t workload_from_ns = 0;
  int64_t workload_to_ns = 0;
  std::function<uint32_t(const std::string& key)> group_of_key = [](const std::string&) { return 1u; };
};

// {"operations", "phases", "fault_windows", "latency", "throughput",
//  "availability", "summary"}; docs/REPORTS.md has the schema.
nlohmann::json analyse_run(const RunInputs& inputs);

// Nearest-rank percentile (0 < p <= 100) of `sorted` (ascending, non-empty).
double percentile(const std::vector<double>& sorted, double p);

// {"count", "p50", "p90", "p99", "p99.9", "max", "mean"} of `values` (any
// order); {"count": 0} when empty.
nlohmann::json distribution(std::vector<double> values);

}  // namespace replsim::reports
