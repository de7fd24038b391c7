// What a protocol gives the platform: its vocabulary as data, and three
// functions (build the world for a scenario and seed, name the nodes that
// hold a role, make the run's monitor). Everything else the platform does
// itself: the history comes from the clients' typed operations, fault
// triggers from the servers' typed protocol events, the server list from the
// node names; the monitor's defaults cover the role view, whether the
// cluster has settled, and the protocol's own checks.
//
// A protocol is one folder under model/ with an adapter file that declares
// this and registers it (harness/registry.h). The runner, the fuzzer, the
// shrinker, the explorer and the reports drive any protocol through it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checker/history.h"
#include "harness/scenario.h"
#include "harness/timeline.h"
#include "sim/world.h"

namespace replsim::harness {

// A role a node can hold: written `name` in scenario files, or `name:gK`
// when the role is held per group.
struct RoleDeclaration {
  std::string name;            // "leader", "master"
  bool per_group = false;      // "master:g2"
  // Writes to a group go through this role's holder: while nobody serves it,
  // the group is unavailable (the reports' failover windows and phases).
  bool serves_writes = false;
  std::string description;
  // A node announces when it becomes this role (a ProtocolEvent), so faults
  // can be triggered on it ("when": {"becomes": ROLE}).
  bool announced = false;
};

// A replica status: one group's replica on one node.
struct StatusDeclaration {
  std::string name;         // "UP_TO_DATE"
  std::string colour;       // "#2e7d32" for the reports; empty: a default palette
  std::string description;
};

// A check of the protocol's own, beside the platform's `linearizable` and
// `converges_within`.
struct CheckDeclaration {
  std::string name;
  std::string meaning;  // what its failure means, in one sentence a reader without the spec can follow
  // The check judges the run's final state as a settled cluster's (a
  // write held by the final master): on a run a path cut short (an
  // explorer's state, a schedule's replay) before the cluster settled it
  // is undecided, never failed, since recovery may still restore it.
  bool judges_settled_end = false;
  // Its verdict reads when the clients' operations were invoked or
  // completed, not only their order in the history: the explorer then keeps
  // the times in a state's key (two states merge only when their verdicts
  // ahead are the same).
  bool reads_operation_times = false;
};

// A note kind the protocol's servers emit. Quiet notes never come with a
// change of the role view, so the runner need not recompute it after them
// (Debug builds check that); every kind must be declared. A kind whose data
// no monitor or check reads says so (`data_read` false): a model checker's
// worlds then keep its kind alone, and its hot call sites skip building
// the data (Context::note_built). Traces and reports keep all data.
struct NoteDeclaration {
  std::string kind;
  bool quiet = false;
  bool data_read = true;
};

struct Vocabulary {
  std::string protocol;     // as scenario files name it: "raft"
  std::string description;  // one paragraph
  std::string group_word = "group";  // what cluster.data_groups counts here: "data group", "partition", "shard"
  std::vector<RoleDeclaration> roles;
  std::vector<StatusDeclaration> statuses;  // in the order the reports list them
  std::string healthy_status;               // caught up and serving; empty without statuses
  std::vector<CheckDeclaration> checks;
  std::string history_model = "register";   // the checker's model of the clients' operations
  std::vector<NoteDeclaration> notes;

  const RoleDeclaration* role(std::string_view name) const;
  const StatusDeclaration* status(std::string_view name) const;
  const CheckDeclaration* check(std::string_view name) const;
  const NoteDeclaration* note(std::string_view kind) const;
};

// run.json's "vocabulary": what the reports draw with.
nlohmann::json vocabulary_to_json(const Vocabulary& vocabulary);

// The checks every protocol has: `linearizable` (the clients' history),
// `converges_within` (the cluster settles after the last fault) and
// `writes_progress_within` (no healthy-looking group stalls).
const std::vector<CheckDeclaration>& platform_checks();
// A check's declaration, platform's or protocol's (the loader lets through
// declared checks only).
const CheckDeclaration& declaration_of(const Vocabulary& vocabulary, const std::string& check);
// What a failed check means, platform's or protocol's.
std::string meaning_of(const Vocabulary& vocabulary, const std::string& check);

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
  // The protocol's own names for the rules that broke (an invariant's
  // number, say), sorted, each once: failure_signature tells two failures
  // of one check apart by them.
  std::vector<std::string> rules;
};

// What a run accumulates step by step (invariants evaluated as the run
// goes, coverage) and how it reads the world. One per run. Every function
// has a default, so a protocol without invariants returns the base class.
class RunMonitor {
 public:
  virtual ~RunMonitor() = default;
  // After every step (a server's invariants).
  virtual void observe(const World& world, const StepRecord& step);
  // Once, when the run ends, before the checks are judged.
  virtual void finish(const World& world);
  // One of the protocol's declared checks on the finished run; the outcome's
  // details are its violations (its verdict is set by the runner).
  // Default: a protocol that declares no checks is never asked.
  virtual CheckOutcome check(const std::string& name, const World& world,
                             const std::vector<checker::HistoryEvent>& history) const;
  // What the report's status timeline shows now: each replica's status, who
  // holds each role, which nodes are down. Default: a lane per server, "up"
  // or "down", no roles; healthy when every server is up. Asked after every
  // step that may change it (not after quiet notes), so keep it cheap.
  virtual RoleView role_view(const World& world) const;
  // Why the cluster has not settled (every server up and caught up, each
  // role held), or nothing when it has. Settled implies role_view().healthy.
  // Default: the first server that is down.
  virtual std::optional<std::string> unsettled(const World& world) const;
  // What run.json shows of it (violations, coverage).
  virtual nlohmann::json to_json() const;
  // A copy, for a search that branches a run. The base class copies
  // itself; a subclass derives from MonitorOf (or overrides this), and a
  // subclass that does neither fails an assertion on its first copy.
  virtual std::unique_ptr<RunMonitor> clone() const;
  // Folds in what observe() accumulated that decides a later verdict, so a
  // search merges two runs only when their monitors agree. Default: nothing
  // (a monitor that keeps no state).
  virtual void hash_into(Hasher& h) const;
};

// The base of a protocol's monitor: clone() is its copy constructor.
template <class Derived>
class MonitorOf : public RunMonitor {
 public:
  std::unique_ptr<RunMonitor> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// A run's monitor, copied with the run.
class MonitorHandle {
 public:
  MonitorHandle() = default;
  MonitorHandle(std::unique_ptr<RunMonitor> monitor) : monitor_(std::move(monitor)) {}  // NOLINT: converts
  MonitorHandle(const MonitorHandle& o) : monitor_(o.monitor_ ? o.monitor_->clone() : nullptr) {}
  MonitorHandle& operator=(const MonitorHandle& o) {
    if (this != &o) monitor_ = o.monitor_ ? o.monitor_->clone() : nullptr;
    return *this;
  }
  MonitorHandle(MonitorHandle&&) noexcept = default;
  MonitorHandle& operator=(MonitorHandle&&) noexcept = default;
  RunMonitor* operator->() const { return monitor_.get(); }
  RunMonitor& operator*() const { return *monitor_; }
  bool operator==(std::nullptr_t) const { return monitor_ == nullptr; }

 private:
  std::unique_ptr<RunMonitor> monitor_;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual const Vocabulary& vocabulary() const = 0;

  // The world `scenario` describes, for `seed`: servers s1..sN (node
  // indexes 0..N-1), then clients c1..cM.
  virtual World make_world(const Scenario& scenario, uint64_t seed) const = 0;
  // The nodes that hold `role` (declared) of `group` (1-based; 0 for a role
  // without groups) right now, in node order; empty when nobody does. A
  // fault aimed at the role picks one of them on the world's fault stream.
  virtual std::vector<NodeId> role_holders(const World& world, const std::string& role, uint32_t group) const = 0;
  // The run's monitor; never null (the base class has every default).
  virtual std::unique_ptr<RunMonitor> make_monitor(const Scenario& scenario) const = 0;

  // Refuses, with an InputError naming the JSON path, a scenario this
  // protocol cannot run: bad protocol.options, a cluster shape it does not
  // model. The loader calls it, so `validate` refuses what `run` would.
  virtual void check_scenario(const Scenario& scenario) const;

  // Sets of servers this protocol treats alike in `scenario`: renaming the
  // servers within a set maps every run to a run, so a search may merge a
  // state with its images (`replsim explore --symmetry`). A protocol that
  // declares any must hash every node id its actors, messages and monitor
  // hold with Hasher::add_node (containers ordered by node as sets), and
  // put none in a timer's argument; `--symmetry count` measures whether
  // the declaration holds on a scenario. Default: none, as for a protocol
  // that breaks ties by node id or gives one server a part of its own.
  virtual std::vector<std::vector<NodeId>> interchangeable_servers(const Scenario& scenario) const;

  // The group (1-based) the clients' operations on `key` (the history's
  // text) go to: the stall check and the report's client view judge each
  // group alone. Default: one group.
  virtual uint32_t group_of_key(const Scenario& scenario, const std::string& key) const;
};

// The servers s1..sN of a world a protocol built for a scenario, in order.
std::vector<NodeId> servers_of(const World& world);

}  // namespace replsim::harness
