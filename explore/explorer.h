// The model checker: the scenario's actors, driven through every answer to
// the world's questions (harness/schedule_chooser.h) and every fault within
// a budget, instead of the simulator's draws.
//
// A state is a run in progress (world, monitor, history); its successors are
// the faults that may fire now and every combination of answers for the
// world's next step. States are merged by a fingerprint of the world, the
// monitor, the clients' history (operations in order, not their times), the
// faults spent, the partition the search made and the virtual time (the
// scenario's duration is a horizon, so a state reached later has less
// ahead of it). Two states with one key have one future: the world's
// fingerprint covers what the world hands out next (disk operation ids,
// counted relative to the node's; connection ids; nonces).
//
// With `from`, the search starts from the state the simulator reaches at
// that time with the scenario's seed (a hybrid search: the deep, sampled
// prefix a random run gets to, then every interleaving and fault near it);
// with `from_when`, from the step where a protocol event happens. The
// counterexample's schedule records the prefix as a step count.
//
// Checks are judged, by the code that judges `replsim run`, at every new
// state where a client operation completed and at every leaf (depth bound,
// horizon, no event left, or, when only history checks are asked, every
// client done). The first violation not `known` is shrunk (fewer faults
// and unusual answers, explore/shrink.cpp) and written as a scenario whose
// schedule `replsim run` replays, and the search replays it before it
// reports it: the replay, not the search, is the verdict.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/scenario.h"

namespace replsim::explore {

// Paths with a violation a sampled search compares at most (--counterexamples).
inline constexpr uint32_t kCounterexamplesMax = 64;

struct ExploreOptions {
  // bfs (shortest counterexample), dfs; random-walk and pct sample paths
  // and swarm runs many small DFS searches of its own (these three claim
  // nothing when they find nothing).
  std::string strategy = "bfs";
  uint64_t walks = 1000;              // random-walk, pct: paths from the start; swarm: member searches
  uint64_t shard = 1, shards = 1;     // sampled strategies: this process runs paths i with i % shards == shard - 1
  uint32_t pct_depth = 3;             // pct: the bug depth d it aims at (d - 1 priority change points a path)
  uint64_t member_states_max = 20'000;  // swarm: distinct states each member searches
  // bfs, swarm, sampled paths: threads (0: every core), the same result for
  // any; dfs: one thread unless above 1 (EXPLORER.md says what then varies).
  unsigned jobs = 0;
  // Transitions (world steps and faults) along a path. Unset: 200 for the
  // exhaustive searches (bfs, dfs, swarm's members), 1,000,000 for sampled
  // paths, which the scenario's duration bounds (depth_max_of).
  std::optional<uint32_t> depth_max;
  uint32_t faults_max = 1;            // faults a path may fire; restart, resume and heal are free
  uint64_t states_max = 2'000'000;    // distinct states before the search stops, undecided
  uint64_t memory_mb_max = 4096;      // the process's resident memory (the queue of runs, the visited set)
  // Fault types the search fires: crash, powerloss, pause, isolate. Empty:
  // the families of the scenario's fault_generator, else crash and powerloss.
  std::vector<std::string> fault_types;
  // Servers the budgeted faults may hit, by name; empty: every server.
  // Swarm's members each keep a part of them (swarm.cpp).
  std::vector<std::string> fault_nodes;
  harness::ScheduleSettings settings;
  uint32_t step_branches_max = 4096;  // answer combinations tried for one step
  // Candidate paths tried when shrinking the counterexample (explore/shrink.cpp):
  // fewer events, never more transitions. Its first wave of up to eight passes
  // shares them (at the default, about the 2,000 one pass had at stop 37),
  // later waves what the first left (EXPLORER.md says how).
  uint64_t shrink_runs_max = 16000;
  // random-walk and pct: paths with a violation to compare (SPIN's -i does
  // the like for its depth-first search). The search samples on past the
  // first until it has this many (or its paths or time run out), shrinks
  // each within an equal share of shrink_runs_max, and reports the one with
  // the fewest events, the earliest path on a tie: a first path's
  // counterexample may need dozens of slow messages where another path shows
  // the same bug with a few.
  uint32_t counterexamples = 1;
  // Threads shrinking's passes run on; unset: `jobs` (a swarm's member
  // searches on one thread and shrinks on the swarm's).
  std::optional<unsigned> shrink_jobs;
  std::optional<double> time_limit_s; // wall clock; only decides when to stop
  // Hybrid search: the simulator's own choices (the scenario's seed) up to
  // this virtual time, every answer from there.
  std::optional<Duration> from;
  // Or through the first step that is this protocol event, as a fault's
  // "when" names it ({"node": "s2", "enters": STATUS}, {"becomes": ROLE}):
  // a search from the moment a replica starts catching up, say.
  std::optional<nlohmann::json> from_when;
  // Violations to search past: one whose every signature element
  // (harness::failure_signature: "invariants (S4)", "converges_within (g#:
  // no master)") is among these is counted in the summary's known_violations
  // and the search goes on; the first other one stops it. For a model with
  // a finding already understood, and for the mutation table, which asks
  // for a mutation's violations, not the unmutated model's.
  std::vector<std::string> known;
  // A differential search (of a mutation, a patch, a changed option): the
  // scenario as it was before the change, which may differ from it only in
  // /protocol/options (and its name, description and expect). A violation
  // stands only when the baseline, given the same answers and the same
  // faults at the same virtual times (followed as shrinking follows a plan,
  // by question and by step), does not break all of what it broke, either
  // way; otherwise it is counted in explore.json's shared_with_baseline and
  // the search goes on. This is how mutation testing counts a mutant killed:
  // the same input, another outcome. The counterexample then comes with the
  // baseline's run of those answers by question (baseline.json), which
  // `replsim run` replays.
  struct Baseline {
    nlohmann::json document;
    std::string file;
  };
  std::optional<Baseline> baseline;
  // Symmetry reduction (explore/symmetry.h): "off"; "on" merges a state
  // with its images under permutations of the servers the protocol declares
  // interchangeable (bfs, dfs and swarm's members, which keep a visited
  // set); "count" merges nothing and counts the orbits, to measure the
  // reduction and check the declaration against a search without it.
  std::string symmetry = "off";
  // Partial-order reduction (EXPLORER.md, "Partial-order reduction"):
  // "off"; "sleep" leaves out the transitions sleep sets prove lead only to
  // states reached another way, at the same depth (DFS; symmetry off or
  // count; next_event not fixed). The states searched are the same.
  std::string por = "off";
  // The stored sleep set's positions used (1 to 16, explore/search.h): tests
  // set fewer, so that small searches have states with more tied events
  // than fit, and the path that leaves them out is tested.
  size_t sleep_mask_events = 16;
  // The states the one-thread DFS run again for a parallel DFS's
  // counterexample may admit (0: states_max). Tests set it low, so that the
  // rerun meets its bound before the violation and the path that reports
  // the threads' own violation is tested.
  uint64_t rerun_states_max = 0;
  // A state's last successor takes the state's run instead of a copy
  // (Search::Reuse). Tests turn it off to compare: the same states and
  // verdicts, each successor made from a copy.
  bool reuse_runs = true;
  // The worlds drop the data of the notes the protocol declares unread
  // (harness::RunInProgress::drop_unread_note_data). Tests turn it off to
  // compare: the same states and verdicts.
  bool drop_unread_note_data = true;
  std::string out_dir;                // explore.json, counterexample.json and its run folder
  // Set by swarm for its members: DFS takes each state's successors in an
  // order drawn from this seed; a violation is reported without writing
  // and replaying it (swarm re-runs the member that found it to do that).
  std::optional<uint64_t> shuffle_seed;
  bool write_counterexample = true;
};

struct ExploreResult {
  nlohmann::json summary;  // what explore.json holds
  int exit_code = 0;       // 0 complete (within the depth bound), 1 violation, 3 stopped by a bound
};

// The depth bound a search with `options` uses.
uint32_t depth_max_of(const ExploreOptions& options);

// `document` is the scenario file's JSON (the counterexample is written
// from it); `progress` receives a line a second.
ExploreResult explore(const nlohmann::json& document, const std::string& file, const ExploreOptions& options,
                      std::ostream& progress);

}  // namespace replsim::explore
