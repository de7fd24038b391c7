// What the scenario runner needs from a protocol, beyond its actors: how to
// build the world a scenario describes, resolve role selectors, recognise
// protocol events that trigger faults, collect the clients' history, and
// judge the protocol-specific checks. One adapter per protocol name.
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "reports/timeline.h"
#include "sim/scenario.h"
#include "sim/world.h"

namespace replsim::cli {

// A check's answer. Undecided (a search out of budget) is its own verdict:
// never a pass, never a failure of the protocol.
enum class CheckVerdict : uint8_t { kPass, kFail, kUndecided };
const char* to_string(CheckVerdict verdict);  // "pass", "fail", "undecided"

struct CheckOutcome {
  std::string name;
  CheckVerdict verdict = CheckVerdict::kPass;
  // One sentence per violation; for an undecided check, why it is undecided.
  std::vector<std::string> details;
  // Acknowledged writes the violations concern, as (key, value) in the
  // history's text: the report shows those clients' operations.
  std::vector<std::pair<std::string, std::string>> writes;
};

// Protocol-specific state a run accumulates step by step (invariants
// evaluated as the run goes, transition coverage). One per run.
class RunMonitor {
 public:
  virtual ~RunMonitor() = default;
  virtual void observe(const World& world, const StepRecord& step) = 0;
  // Called once when the run ends, before the checks are judged.
  virtual void finish(const World& world) = 0;
  // What run.json shows of it.
  virtual nlohmann::json to_json() const = 0;
};

class ProtocolAdapter {
 public:
  virtual ~ProtocolAdapter() = default;

  virtual World make_world(const Scenario& scenario, uint64_t seed) const = 0;
  // All servers, in name order (s1 .. sN).
  virtual std::vector<NodeId> servers(const World& world) const = 0;
  // The node a role names right now, or nothing (no master at the moment).
  virtual std::optional<NodeId> resolve_role(const World& world, const NodeSelector& selector, Chooser& chooser,
                                             Rng& stream) const = 0;
  // Whether the step just taken is the protocol event `trigger` waits for.
  virtual bool triggered(const World& world, const StepRecord& step, const FaultTrigger& trigger) const = 0;
  // Appends the clients' invocations and completions found in `step`.
  virtual void collect_history(const World& world, const StepRecord& step,
                               std::vector<checker::HistoryEvent>& history) const = 0;
  // The linearizability model of the clients' operations ("register", ...).
  virtual std::string history_model() const = 0;
  // The run's monitor, or nullptr when the protocol judges only the end.
  virtual std::unique_ptr<RunMonitor> make_monitor(const Scenario& scenario) const = 0;
  // Protocol-specific checks (no_lost_acked_writes, replicas_agree,
  // single_master, invariants), judged on the finished run.
  virtual CheckOutcome check(const World& world, const std::vector<checker::HistoryEvent>& history,
                             const RunMonitor* monitor, const std::string& name) const = 0;
  // The cluster is settled: every server up and caught up, one master.
  // Settled implies role_view(...).healthy (the runner relies on it).
  virtual bool converged(const World& world) const = 0;
  // Why it is not settled, in one phrase, for the report (may be empty).
  virtual std::string convergence_gap(const World& world) const = 0;
  // What the report's status timeline shows now: each replica's status, who
  // holds each role, which nodes are down. Cheap: the runner asks after
  // every step with notes.
  virtual reports::RoleView role_view(const Scenario& scenario, const World& world) const = 0;
  // Whether a server's note can come with a change of what role_view shows.
  // The runner asks role_view only after such notes, starts and faults: a
  // view per acknowledged write would cost a tenth of a fuzz campaign. Debug
  // builds check that the other steps leave the view as it was.
  virtual bool may_change_view(const Note& note) const = 0;
  // The status of a replica that is caught up and serving ("ACTIVE").
  virtual std::string healthy_status() const = 0;
};

// The scenario's workload as closed-loop client options, for any client
// options struct with these fields: each client waits clients/rate between
// its operations, so together they offer about `rate` operations per second.
template <typename ClientOptions>
void apply_workload(const Scenario& s, ClientOptions& client) {
  client.keys = s.workload.keys;
  client.read_percent = static_cast<uint64_t>(std::llround(s.workload.read * 100));
  client.timeout = s.workload.timeout;
  client.think_time = s.workload.rate > 0
                          ? Duration::ns(static_cast<int64_t>(1e9 * s.workload.clients / s.workload.rate))
                          : s.duration;
  client.first_op_after = s.workload.start;
  client.stop_at = TimePoint::origin() + s.workload.stop.value_or(s.duration);
}

// Appends the invocations and completions of the clients' "invoke" and
// "complete" notes ({process, op, f, key, value, type}) found in `step`.
void collect_client_notes(const StepRecord& step, std::vector<checker::HistoryEvent>& history);

// The adapter for a protocol named in a scenario; nullptr when the protocol
// is known to the loader but cannot run yet.
std::unique_ptr<ProtocolAdapter> make_adapter(const std::string& protocol);

}  // namespace replsim::cli
