// Scenario files, version 1 (../shared/design/SCENARIO_FORMAT.md), read into
// values the run layer acts on. Everything a run needs is in the file, so a
// file plus a seed reproduces a run.
//
// The loader checks everything it can without running: types, ranges, units,
// node and group names against the cluster's size, and everything the
// protocol declares (harness/protocol.h): its roles in selectors, its
// statuses and roles in triggers, its checks, its options and cluster shape.
// Errors are InputError naming the file, the JSON Pointer path, what was
// expected and what was found, with a "did you mean" for misspelt keys and
// values; unknown keys are errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json_input.h"
#include "sim/choice.h"
#include "sim/connection.h"
#include "sim/disk.h"
#include "sim/network.h"

namespace replsim::harness {

// A node named in a fault: a concrete name ("s2", "c1"), a role the
// protocol declares ("leader", "master:g1"), resolved when the fault fires,
// or "any" server, chosen then.
struct NodeSelector {
  enum class Kind : uint8_t { kNamed, kRole, kAny };
  Kind kind = Kind::kNamed;
  std::string name;    // kNamed: the node; kRole: the role
  uint32_t group = 0;  // kRole of a per-group role: 1 for "g1"; else 0
  std::string text;    // as written
};

// A protocol event that fires a fault: a replica entering a status, or a
// node becoming a role (both declared by the protocol).
struct FaultTrigger {
  std::optional<NodeSelector> node;
  uint32_t group = 0;   // 0 when not given
  std::string enters;   // a status
  std::string becomes;  // a role
};

struct FaultSpec {
  std::string type;  // crash, powerloss, restart, pause, resume, partition, partition_oneway, isolate, heal,
                     // link, clock_skew, disk_fault
  std::optional<Duration> at;
  std::optional<FaultTrigger> when;
  Duration after = Duration::zero();
  std::optional<NodeSelector> node;
  std::vector<std::vector<NodeSelector>> groups;  // partition
  std::vector<NodeSelector> from, to;             // partition_oneway, link
  std::optional<Distribution> latency;           // link
  std::optional<double> loss, duplicate, reorder;
  std::optional<Duration> offset;                // clock_skew
  std::optional<int64_t> drift_ppm;
  std::string disk_kind;                         // fsync_error, full, slow, read_error, corrupt
  std::optional<Duration> duration;              // disk_fault
  std::string path;                              // JSON Pointer of the fault, for messages
};

struct FaultFamilySpec {
  double rate_per_s = 0;                          // mean firings per second of virtual time
  std::optional<Distribution> duration;           // how long the fault lasts (restart, resume, heal after it)
  std::vector<std::string> shapes;                // partition: split shapes to draw from
  std::vector<std::string> kinds;                 // disk_fault: kinds to draw from
  Duration max_offset = Duration::s(2);           // clock_skew
  double max_drift = 0.001;                       // clock_skew, as a fraction
  double loss = 0.1, duplicate = 0.0;             // link
};

struct FaultGeneratorSpec {
  std::map<std::string, FaultFamilySpec> families;  // by fault type
  Duration start = Duration::zero();
  Duration quiet_period = Duration::s(10);  // no new fault in the last part of the run
  uint32_t max_faults = 20;
  bool swarm = true;  // each seed switches whole families off at random
};

struct ClusterSpec {
  uint32_t servers = 3;
  uint32_t data_groups = 1;
  uint32_t replicas = 3;
  std::optional<Distribution> timer_slack;  // every node's (WorldConfig::timer_slack)
};

struct WorkloadSpec {
  uint32_t clients = 3;
  uint32_t keys = 5;
  double rate = 100;  // operations per second over all clients
  double write = 0.5;
  double read = 0.5;
  Duration timeout = Duration::s(1);
  Duration start = Duration::s(2);
  std::optional<Duration> stop;  // default: the end of the run
  std::optional<uint64_t> ops_max;  // per client; the explorer needs it (a bounded workload)
};

// How much search the linearizability check may spend on each key before
// it answers "undecided" (counted in steps and memo bytes, never in wall
// time, so a budget gives the same answer on every machine).
struct LinearizabilityBudget {
  uint64_t steps_max = 200'000'000;  // per key
  uint64_t memory_mb_max = 2048;     // per key
  bool fast_path = true;             // the polynomial register path, which needs no budget
};

struct CheckSpec {
  std::string name;  // linearizable, no_lost_acked_writes, single_master, replicas_agree, invariants,
                     // converges_within, writes_progress_within
  std::optional<Duration> within;  // converges_within, writes_progress_within
  LinearizabilityBudget budget;    // linearizable
};

struct Expectation {
  std::string verdict = "pass";  // pass | fail
  std::string check;             // with fail: the check that must fail (optional)
};

// How a search answers the world's questions (harness/schedule_chooser.h):
// the same settings enumerate a path in `explore` and replay it in `run`.
struct ScheduleSettings {
  // A delay is explored at its distribution's lowest value and at its
  // highest, capped here (a lognormal has no highest).
  Duration delay_cap = Duration::ms(50);
  // A draw among more values than this is explored at this many evenly
  // spaced ones, both ends included.
  uint32_t pick_max = 8;
  // Kinds of question answered by their first option, never branched on (a
  // swarm member's restriction, or --fixed-kinds): one bit per ChoiceKind.
  uint32_t fixed_kinds = 0;
  static_assert(static_cast<uint32_t>(ChoiceKind::kNonce) < 32, "a bit of fixed_kinds per ChoiceKind (kNonce is the last)");
  bool fixes(ChoiceKind kind) const { return (fixed_kinds >> static_cast<uint32_t>(kind) & 1) != 0; }
  void fix(ChoiceKind kind) { fixed_kinds |= 1u << static_cast<uint32_t>(kind); }
  bool operator==(const ScheduleSettings&) const = default;
};

// The kinds of question a search may branch on, so may fix (a nonce and a
// connection's segment loss never branch), in ChoiceKind order.
std::vector<ChoiceKind> fixable_choice_kinds();
// The fixable kind named `name` ("message_delay"); an InputError at `at`
// listing the names otherwise.
ChoiceKind fixable_choice_kind(const std::string& name, const std::string& at);

// One answer of a path: a choice the world asked for during world step
// `step` (0-based), or a fault the path fires before that step.
struct ScheduleEntry {
  uint64_t step = 0;
  std::string kind;       // a ChoiceKind's name ("message_delay"); empty for a fault
  uint32_t answer = 0;    // 0 <= answer < arity
  uint32_t arity = 0;
  std::optional<FaultSpec> fault;
};

// An explicit path through a run (an explorer's counterexample): `run`
// replays it and stops after `steps` world steps (counted from the run's
// start, the prefix's included), where the path ended.
struct Schedule {
  ScheduleSettings settings;
  // The path starts after this many steps of the simulator's own choices
  // with the scenario's seed (a hybrid search: a sampled prefix, then
  // every answer); entries name steps from there on.
  uint64_t prefix_steps = 0;
  // When given, the prefix is every event due before this time (as the
  // explorer cut it), and prefix_steps checks it.
  std::optional<Duration> prefix_before;
  uint64_t steps = 0;
  std::vector<ScheduleEntry> entries;
};

struct Scenario {
  std::string file;
  int version = 1;
  std::string name;
  std::string description;
  uint64_t seed = 1;
  Duration duration;
  std::string protocol;
  Json protocol_options = Json::object();
  ClusterSpec cluster;
  LinkConfig network;
  TcpConfig tcp;  // network.tcp: the connections' settings
  DiskConfig disk;
  WorkloadSpec workload;
  std::vector<FaultSpec> faults;
  std::optional<FaultGeneratorSpec> fault_generator;
  std::vector<CheckSpec> checks;
  Expectation expect;
  std::optional<Schedule> schedule;
};

// The fault types the format accepts.
const std::vector<std::string>& scenario_fault_types();

// A protocol event as a fault's "when" names it ({"node", "group",
// "enters" | "becomes"}), read for `scenario` (its protocol's statuses and
// roles, its nodes and groups); errors name `path`.
FaultTrigger parse_trigger(const nlohmann::json& value, const std::string& path, const Scenario& scenario);

// Reads a scenario for a registered protocol (harness/registry.h).
Scenario parse_scenario(const Json& document, const std::string& file);

// A fault as scenario JSON, the inverse of the loader: parse(to_json(f)) == f.
Json fault_spec_to_json(const FaultSpec& fault);
// A schedule as scenario JSON, the inverse of the loader.
Json schedule_to_json(const Schedule& schedule);
// Reads and parses; a file that cannot be read or is not JSON is an
// InputError naming it (with the line and column of a syntax error).
Scenario load_scenario_file(const std::string& file);
// The file's JSON, unparsed as a scenario (for tools that rewrite it).
Json load_scenario_document(const std::string& file);

}  // namespace replsim::harness
