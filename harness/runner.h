// Running one scenario with one seed, for any registered protocol: faults at
// their times or on the protocol's events (roles resolved when they fire),
// the clients' history from their typed operations, the checks, and the
// verdict against the scenario's expectation.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/copy_on_write.h"
#include "checker/history.h"
#include "harness/protocol.h"
#include "harness/scenario.h"
#include "harness/timeline.h"
#include "sim/fault.h"
#include "sim/trace.h"

namespace replsim::harness {

// A scenario's fault as it fell due: applied to concrete nodes, or skipped.
// Kept as the fault itself, not its JSON: a search fires thousands of
// faults and reads none of them back.
struct AppliedFault {
  TimePoint at;
  std::string source;          // JSON path of the fault in the scenario
  std::optional<Fault> fault;  // as applied, with concrete nodes; unset when skipped
  std::string skipped_type;    // a skipped fault's type, as the scenario gave it
  std::string skipped;         // why it was skipped
  // The fault's family as scenario files spell it ("crash", "disk_fault").
  std::string type() const;
  // As reports give it: {"type", its nodes by name and parameters, "at"},
  // or {"type", "skipped": why, "at"}.
  nlohmann::json to_json(const std::vector<std::string>& node_names) const;
};

struct ScenarioRun {
  explicit ScenarioRun(World w) : world(std::move(w)) {}
  World world;
  const Protocol* protocol = nullptr;
  MonitorHandle monitor;
  // Shared by the copies of a run that the explorer makes, until one grows.
  SharedVector<checker::HistoryEvent> history;
  SharedVector<AppliedFault> faults;
  std::vector<CheckOutcome> checks;
  std::vector<std::string> warnings;
  std::optional<TimePoint> last_fault_at;
  std::optional<TimePoint> converged_at;  // first settled instant after the last fault
  std::string convergence_gap;            // why the cluster was not settled at the end, if it was not
  // When the latest fault window that outlasts its firing ends (a disk
  // fault's duration); other faults end with a fault of their own (restart,
  // heal, resume).
  std::optional<TimePoint> fault_effects_until;
  // The stretches [from, to) that began after converged_at and after every
  // fault window ended, in which the status timeline looked unhealthy again
  // with no new fault (a delayed effect of an earlier one, a flapping
  // protocol): reported, not judged.
  std::vector<std::pair<TimePoint, TimePoint>> relapses;
  TimelineRecorder timeline;              // replica statuses and roles over time
  // Each non-linearizable key: {"key", "explanation", "ops": [ids of the
  // operations that could not be placed], "linearization": [ids of the
  // longest linearizable prefix]}; ids index pair_operations(history).
  std::vector<nlohmann::json> linearizability_anomalies;
  // Per failed check, the ids of the operations its violations concern
  // (pair_operations(history) order), for checks that name writes.
  std::map<std::string, std::vector<size_t>> check_operations;
  // Messages and notes of the anomaly's window (message_window below).
  nlohmann::json messages;
  std::string verdict = "pass";  // pass | fail (a check failed) | undecided (none failed, one undecided)
  std::string expected_check;    // the scenario's expect.check, for the exit code
  bool as_expected = true;
};

// A window of virtual time whose messages, notes and faults a run records
// for the report's message-sequence diagram (at most `events_max`).
// Between servers everything is kept; a client's messages only while one of
// its operations in `clients` is open (the rest is background load).
struct MessageWindow {
  struct ClientFocus {
    std::string node;
    int64_t from_ns = 0;
    int64_t to_ns = 0;
  };
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  std::vector<ClientFocus> clients;
  size_t events_max = 200;
};

// Runs the scenario to its end, or, when it has a schedule, replays the
// schedule's path and judges the run where the path ends.
ScenarioRun run_scenario(const Scenario& scenario, uint64_t seed, TraceWriter* trace = nullptr,
                         const MessageWindow* window = nullptr);

class Runner;

// A run a driver steps itself (the explorer): copyable, so a search
// branches it, and judged whenever the driver asks, by the same code that
// judges run_scenario's runs. The scenario must outlive it.
class RunInProgress {
 public:
  RunInProgress(const Scenario& scenario, uint64_t seed);
  RunInProgress(const RunInProgress& other);
  RunInProgress& operator=(const RunInProgress&) = delete;
  RunInProgress(RunInProgress&&) noexcept;
  RunInProgress& operator=(RunInProgress&&) noexcept;
  ~RunInProgress();

  // The simulator's own choices for every event due before `before`, the
  // scenario's faults firing as they fall due (in `run`, a schedule's
  // prefix replays the same way); returns the steps taken.
  uint64_t run_sampled_before(TimePoint before);
  // The same through the first step that is the protocol event `trigger`
  // (a status entered, a role taken); the steps taken, or nothing when the
  // scenario ended first.
  std::optional<uint64_t> run_sampled_until(const FaultTrigger& trigger);
  // Delivers the next event; false when none is pending. The scenario's
  // own faults never fire here: the driver fires faults. With a footprint,
  // records into it what the step touched, the monitor's and the runner's
  // reads of the world after it included.
  bool step(Chooser& chooser, StepFootprint* footprint = nullptr);
  // Fires `fault` now, recorded as the run's fault from `fault.path`.
  void fire(const FaultSpec& fault, Chooser& chooser);
  const ScenarioRun& run() const;
  // World::unshare on this run's world (the self-check's copies).
  void unshare_world();
  // World::drop_stale_events on this run's world: the run goes on as it
  // would have (an explorer keeps its states smaller).
  size_t drop_stale_events();
  // From now on, the world drops the data of the notes the protocol
  // declares no one reads (NoteDeclaration::data_read): a model checker
  // keeps no trace, and its checks read the rest.
  void drop_unread_note_data();
  // The run as it stands, finished and judged; this one goes on unchanged.
  ScenarioRun judged() const;

 private:
  std::unique_ptr<Runner> runner_;
};

// The registered protocol a loaded scenario names.
const Protocol& protocol_of(const Scenario& scenario);

// Appends the history events of a step's typed client operations.
void collect_history(const StepRecord& step, std::vector<checker::HistoryEvent>& history);

// The window a message-sequence diagram of this run's anomaly should show:
// the operations that could not be linearized, or else the first invariant
// violation, with a second before; nothing when the run passed or ran long
// schedules (more than `faults_max` faults: not a shrunk counterexample).
std::optional<MessageWindow> anomaly_window(const ScenarioRun& run, size_t faults_max = 12);

// Exit code per the format: 0 as expected; 3 when that cannot be told
// because a check it needs is undecided; 1 otherwise.
int exit_code(const ScenarioRun& run);

// The names of the checks that failed, in the scenario's order: what "the
// same failure" means for fuzz replays and the shrinker.
std::vector<std::string> failed_checks(const ScenarioRun& run);
// failed_checks, with the kind of each failure: a check's broken rules
// ("invariants (S4)", an element each) or the liveness failure's reason
// ("converges_within (g#: s# does not act as master)", numbers left out).
// So a shrunk run that fails for the same reason matches, and one that
// breaks another rule, or merely left a node down, does not.
std::vector<std::string> failure_signature(const ScenarioRun& run);

}  // namespace replsim::harness
