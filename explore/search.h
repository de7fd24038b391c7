// One search of a scenario's runs (explorer.h says what it finds): the
// states it keeps, how it expands and judges them, and the strategies that
// order them. search.cpp holds the exhaustive ones (BFS, DFS) and the
// judging and summary every strategy shares; sampling.cpp the sampled paths
// (random walks, PCT). Internal to explore/.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_set>
#include <vector>

#include <tbb/task_arena.h>

#include "base/hash.h"
#include "explore/explorer.h"
#include "explore/fault_actions.h"
#include "explore/known_violations.h"
#include "explore/symmetry.h"
#include "explore/visited_set.h"
#include "harness/runner.h"
#include "harness/schedule_chooser.h"
#include "sim/step_footprint.h"

namespace replsim::explore {

// One answer along a path: a fault fired before world step `step`, or a
// choice made while it ran.
struct PathStep {
  uint64_t step = 0;
  int32_t fault = -1;   // index into the fault actions; -1 for a choice
  int64_t at_ns = 0;    // a fault's virtual time
  ChoiceKind kind = ChoiceKind::kNextEvent;
  uint32_t answer = 0;
  uint32_t arity = 0;
  bool operator==(const PathStep&) const = default;
};

// What a search's verdicts read of the path besides the state it led to
// and the order of the clients' operations (harness::Runner's judge). Two
// states under one key must have the same verdicts ahead, so the key covers
// what the scenario's checks read, and no more: each item splits states
// that would otherwise merge.
struct JudgedPathData {
  bool operation_times = false;  // writes_progress_within's stalls, the protocol's own checks
  bool health_times = false;     // writes_progress_within: when each group looked healthy
  // converges_within's bounds: when the last fault came (while a bound may
  // still be compared with the time since), and whether the cluster settled
  // after it, within each bound.
  std::vector<Duration> convergence_bounds;
};

// An event a state's step need not take under --por sleep: a path that took
// it already went on from an earlier state, and every step since touched
// nothing it touched (`footprint`, measured where it was taken).
struct SleepEntry {
  uint64_t event = 0;  // World::tied_event_names's name
  StepFootprint footprint;
};

// The stored sleep set's capacity: the first 16 of a state's tied events
// in name order (a smaller sleep set is always sound).
inline constexpr size_t kSleepMaskEvents = 16;

struct SearchNode {
  harness::RunInProgress run;
  std::vector<PathStep> path{};
  uint64_t steps = 0;       // world steps so far
  uint32_t depth = 0;       // transitions so far (steps and faults)
  uint32_t faults_used = 0;
  std::optional<NodeId> isolated{};
  uint64_t history_digest = 0;
  size_t history_folded = 0;  // history events folded into the digest
  uint64_t completions = 0;   // operations that ended (ok, fail or info)
  uint64_t completions_before = 0;  // before the last transition
  uint64_t key = 0;                 // state_key, once computed
  uint64_t orbit = 0;               // the key under symmetry, when a symmetry mode is on
  // --por sleep only: the events this state's step leaves out; when the
  // state is searched again for what its stored sleep set held, the tied
  // events (a mask in name order) it takes now, and nothing else.
  std::vector<SleepEntry> sleep{};
  uint16_t wake = 0;
  uint64_t monitor_hash = 0;  // to tell the steps that changed the monitor
};

struct Violation {
  std::vector<PathStep> path;
  uint64_t steps = 0;
  uint32_t depth = 0;
  uint64_t sample = 0;  // the path (walk) or member that found it, for sampled searches
  std::vector<std::string> signature;
  std::vector<std::string> checks;
  std::vector<std::string> details;
};

// Which question an answer was for, in terms that hold across paths that
// differ (shrink.cpp): a component's n-th question of a kind (its stream
// names the component), or the n-th choice among events tied at one
// virtual time, with the node the chosen event was for.
struct AnswerKey {
  uint64_t component = 0;  // a hash of the stream and kind, or of the tie's time
  uint64_t ordinal = 0;    // the component's questions before this one
  auto operator<=>(const AnswerKey&) const = default;
};
struct PlannedQuestion {
  AnswerKey key;
  // next_event: the event chosen, as the `event_rank`-th of the tied events
  // for node `event_node`
  uint32_t event_node = 0;
  uint32_t event_rank = 0;
};

// Where a path's answers and faults were, in those terms.
struct PathAnchors {
  std::vector<PlannedQuestion> questions;  // one per answer
  // One per fault: the world steps run at its virtual time before it fired
  // (events tied at one instant run one by one, and a fault fell between two).
  std::vector<uint64_t> steps_at_time;
};

// A path to follow while shrinking (shrink.cpp): its faults and its
// answers, planned one of two ways. By step (`by_step`, and how a path is
// replayed exactly), a fault fires at its step and a step's k-th question
// gets the step's k-th answer. By question, each question gets the answer
// its key has, and a fault fires once the world is past its virtual time,
// or at it with as many steps run there (`anchors`): taking one answer out
// then leaves the others on the messages, draws and events they were for,
// though the steps shift. Whatever the plan does not answer, or
// answers for another kind or out of range, gets the first option, and a
// fault not enabled when due is left out, so every plan is a valid path.
struct PathPlan {
  std::vector<PathStep> faults;
  std::vector<PathStep> answers;
  PathAnchors anchors;  // the answers' and faults' (by question)
  bool by_step = false;
  // A path that runs longer stops there, unjudged (a shrink candidate that
  // fell into a message storm would otherwise run to the depth bound).
  uint64_t transitions_max = UINT64_MAX;
};

// The plan that follows `path` as it was: by step, or by question with the
// path's `anchors` (where its answers and faults were).
PathPlan plan_of(const std::vector<PathStep>& path, const PathAnchors& anchors, bool by_step);

// What a differential search's baseline did on a violation's answers
// (baseline.cpp): its own path, and the signature elements its judgements
// broke anywhere along it.
struct BaselineRun {
  std::vector<PathStep> path;
  uint64_t steps = 0;
  uint32_t depth = 0;
  std::vector<std::string> broken;                // sorted, each once
  std::vector<std::string> failed_without_rules;  // failed checks that name no rules, anywhere along it
  std::vector<std::string> undecided_checks;      // undecided at its end
};

// Whether the baseline's run shows a violation's signature element
// (baseline.cpp says when).
bool baseline_shows_element(const BaselineRun& base, const std::string& element);

// What shrinking a violation's path did (shrink.cpp).
struct ShrinkStats {
  size_t events_before = 0;    // its faults and non-first answers, as found
  uint32_t depth_before = 0;   // its transitions, as found
  uint64_t runs = 0;           // candidate paths followed
  uint64_t rounds = 0;         // rounds of candidates that shrank the path
  // Where each pass (shrink.cpp) ended, the chunks' and the components'
  // in their order; the path kept is the shortest, the first on a tie.
  std::optional<size_t> events_by_chunks;  // unset: no pass ran
  std::vector<size_t> events_by_components;
  uint64_t runs_max = 0;  // its bound: shrink_runs_max, or a share of it per compared path
};

// One pass of shrinking: the best path so far and where its answers and
// faults were, and the candidates it may still run (shrink.cpp).
struct ShrinkPass {
  const std::vector<std::string>& signature;  // the finding a candidate must show
  Violation best;
  PathAnchors anchors;
  uint64_t runs_max = 0;     // of the pass's own ShrinkStats::runs
  uint32_t order = 0;        // the pass's number: 0 takes chunks, later ones components first
  std::vector<uint64_t> component_order;  // a component pass's order of the path as found's components
};

// A path's events: its faults and the answers other than a question's
// first option (no loss, the lowest delay, the first ready event, the
// first value); the rest of a path is what the world does by default.
size_t events_of(const std::vector<PathStep>& path);

// What judging counts, and the first violation that is neither known nor
// shown by the baseline. A search keeps one; a sampled path counts into its
// own, added to the search's in the paths' order, so the search's does not
// depend on how many paths ran at once.
struct Tally {
  uint64_t walks = 0, transitions = 0, judged = 0, undecided = 0;
  uint32_t depth_reached = 0;
  std::map<std::string, uint64_t> leaves;
  nlohmann::json known_violations = nlohmann::json::object();      // see add_known_violation
  nlohmann::json shared_with_baseline = nlohmann::json::object();  // the same way
  std::optional<Violation> violation;
  // Adds a later tally (a later path's): its violation counts only when
  // this one has none.
  void add(const Tally& later);
};

class Search {
 public:
  Search(const nlohmann::json& document, const harness::Scenario& scenario, const ExploreOptions& options,
         std::ostream& progress);
  ExploreResult run();

 private:
  // What judging a state found: nothing when every check held; a violation,
  // or an undecided check (`undecided`), otherwise.
  struct Verdict {
    bool undecided = false;
    std::optional<Violation> violation;
  };
  // A run's judgement, without the path that led to it.
  struct RunJudgement {
    bool undecided = false;
    bool failed = false;
    std::vector<std::string> signature, checks, details;
  };
  // States whose last successor took their run instead of a copy
  // (Search::expand). Copying a run and destroying it was about a quarter
  // of a transition's cost in the register's search, where three states in
  // four have one successor (PERFORMANCE.md). A wrong guess of the last
  // successor costs a rebuild from the root, each transition replayed a
  // step and a drop of stale events, counted as two copies (a cautious
  // figure). So reusing goes on while the transitions replayed cost no more
  // than the copies saved plus a trial budget of 1/kTrialExpansions of a
  // copy per state expanded.
  struct Reuse {
    static constexpr uint64_t kCopiesPerTransition = 2;
    static constexpr uint64_t kTrialExpansions = 16;
    uint64_t expansions = 0;            // states expanded
    uint64_t states = 0;                // whose run their last successor took
    uint64_t rebuilt = 0;               // of those, rebuilt: the step asked more than expected
    uint64_t transitions_replayed = 0;  // by the rebuilds
    bool pays() const { return transitions_replayed * kCopiesPerTransition <= states + expansions / kTrialExpansions; }
    void add(const Reuse& other);
    nlohmann::json to_json() const;
  };
  // A state's successors: every fault that may fire now and every answer
  // combination of its next step.
  struct Expansion {
    std::vector<SearchNode> children;
    Reuse reuse;             // this expansion's
    bool no_event = false;   // no step and no fault: a leaf
    uint64_t truncated = 0;  // transitions cut at step_branches_max
    uint64_t slept = 0;      // tied events left out, asleep (--por sleep)
    size_t ties = 0;         // tied events at the state (--por sleep)
    bool memory_full = false;  // resident memory passed the bound while the successors were made
  };
  // A state to judge: a leaf (with why), or one where an operation ended.
  struct Judgement {
    const SearchNode* node;
    const char* leaf;
  };

  // search.cpp: states, transitions and judging.
  SearchNode start(const harness::Scenario& scenario, uint64_t& prefix_steps) const;
  Expansion expand(SearchNode& node, bool reuse) const;
  bool reuses(const Reuse& ledger) const { return options_.reuse_runs && ledger.pays(); }
  bool may_try(uint32_t tried, Expansion& out) const;
  bool branch(SearchNode& node, int32_t fault, Expansion& out, bool reuse) const;
  std::optional<std::vector<uint32_t>> expected_last_prefix(const SearchNode& node) const;
  SearchNode rebuilt(const std::vector<PathStep>& path, size_t entries, uint32_t depth, uint64_t key_expected) const;
  bool branch_sleeping(const SearchNode& node, Expansion& out) const;
  bool take_event(const SearchNode& node, const std::vector<uint64_t>& ties, uint32_t index, uint32_t& tried,
                  StepFootprint& taken, Expansion& out) const;
  bool advance(SearchNode& node, int32_t fault, harness::EnumeratingChooser& chooser,
               StepFootprint* footprint = nullptr) const;
  const char* leaf_of(const SearchNode& node) const;
  bool needs_judging(const SearchNode& node) const;
  void key(SearchNode& node) const;
  // What admitting a successor found (VisitedSet::admit; a state past the
  // horizon, kept out of the set, counts as added): searched when added or
  // lowered, and woken (its `wake` set), not when seen.
  using Admission = VisitedSet::Admission;
  Admission admit(SearchNode& child);
  uint16_t sleep_mask_of(SearchNode& node) const;
  void admit_root(const SearchNode& root);
  void count_orbit(const SearchNode& state);
  RunJudgement judgement_of(const SearchNode& node) const;
  RunJudgement history_judgement_of(const SearchNode& node) const;
  Verdict verdict_of(const SearchNode& node) const;
  // A sampled path compares a violation with the baseline once a path
  // (`shared_on_path`, shared_once_a_path); an exhaustive search passes null.
  using Signatures = std::vector<std::vector<std::string>>;
  void record(Tally& tally, const char* leaf, const std::optional<Verdict>& verdict, Signatures* shared_on_path) const;
  void judge_all(tbb::task_arena& arena, const std::vector<Judgement>& judgements);
  bool time_up() const;
  void report_progress(bool last);

  // search.cpp: the exhaustive strategies.
  void breadth_first(SearchNode root);
  void merge_chunk(tbb::task_arena& arena, std::vector<SearchNode>& level, size_t from,
                   std::vector<Expansion>& expansions, std::vector<SearchNode>& following);
  void depth_first(SearchNode root);
  void reset_orbits();

  // parallel_dfs.cpp: DFS on --jobs threads sharing one visited set.
  struct DfsWorker;
  struct ParallelDfs;
  void parallel_depth_first(SearchNode root);
  void search_on_threads(ParallelDfs& shared, SearchNode root);
  void take_counts(ParallelDfs& shared);
  void dfs_worker(ParallelDfs& shared, size_t index);
  Admission admit_shared(ParallelDfs& shared, DfsWorker& w, SearchNode& child);
  void report_parallel_progress(ParallelDfs& shared);

  // sampling.cpp: paths drawn from the root, this shard's share of them.
  // Whether a budgeted fault (one of `faults`, the enabled ones) fires
  // before the next transition of `node`.
  using FaultNow = std::function<bool(const SearchNode& node, const std::vector<uint32_t>& faults)>;
  struct Probe {
    uint64_t steps = 1;      // world steps of the first-option path, at least 1
    uint64_t decisions = 0;  // its next_event questions
  };
  // Whether a sampled path goes on (sampled_path says when it stops).
  using GoOn = std::function<bool()>;
  void sample_paths(const SearchNode& root);
  Tally sampled_path(const SearchNode& root, uint64_t index, std::atomic<uint64_t>& first_violation) const;
  void walk(const SearchNode& root, uint64_t index, const GoOn& go_on, Tally& tally) const;
  void pct_path(const SearchNode& root, uint64_t index, const GoOn& go_on, Tally& tally) const;
  void sample_path(const SearchNode& root, uint64_t index, Rng& rng, harness::TailAnswers& answers,
                   const FaultNow& fault_now, const GoOn& go_on, Tally& tally) const;
  Probe probe_path(const SearchNode& root) const;
  void record_sampled(Tally& tally, Signatures& shared_on_path, const char* leaf, const SearchNode& node,
                      uint64_t index) const;

  // shrink.cpp: the counterexample made smaller. follow_plan follows a
  // plan from `root` until `stop`, asked at each state judged (a leaf, with
  // why, or where an operation ended), says so, or a leaf; it returns the
  // state it stopped at and puts where the answers and faults were in
  // `anchors`.
  using StopAt = std::function<bool(const SearchNode& node, const char* leaf)>;
  SearchNode follow_plan(const SearchNode& root, const PathPlan& plan, PathAnchors& anchors, const StopAt& stop) const;
  std::optional<Violation> follow(const PathPlan& plan, const std::vector<std::string>& signature,
                                  PathAnchors& anchors) const;
  bool try_candidate(PathPlan plan, ShrinkPass& pass, ShrinkStats& stats) const;
  void shrink_by_component(ShrinkPass& pass, bool by_step, ShrinkStats& stats) const;
  bool shrink_round(ShrinkPass& pass, bool by_step, ShrinkStats& stats) const;
  void shrink_pass(ShrinkPass& pass, ShrinkStats& stats) const;
  Violation shrink(const Violation& found, uint64_t runs_max, ShrinkStats& stats) const;
  // The counterexample reported: the violation shrunk, or with
  // --counterexamples the shortest of the paths compared (`compared` lists
  // each: its path, its events as found and shrunk).
  Violation shortest_counterexample(ShrinkStats& stats, nlohmann::json& compared) const;
  // sampling.cpp: the paths from `next` on, until one has a violation or
  // the paths or the time run out.
  void sample_until_violation(const SearchNode& root, tbb::task_arena& arena, size_t batch_paths, uint64_t next);

  // baseline.cpp: a differential search's check, and the file that shows it.
  PathAnchors anchors_of(const Violation& v) const;
  BaselineRun baseline_of(const Violation& v, const PathAnchors& anchors, bool by_step) const;
  bool baseline_shows(const Violation& v) const;
  bool shared_once_a_path(const Violation& v, Signatures& shared_on_path) const;
  nlohmann::json write_baseline(const Violation& v, const std::filesystem::path& dir) const;

  // search.cpp: the summary and the counterexample.
  harness::Schedule schedule_of(const std::vector<PathStep>& path, uint64_t steps, uint64_t prefix_steps) const;
  nlohmann::json write_counterexample(const Violation& v, const ShrinkStats& shrunk) const;
  ExploreResult finish();

  const nlohmann::json& document_;
  const harness::Scenario& scenario_;
  const ExploreOptions& options_;
  std::ostream& progress_;
  bool history_only_ = false;
  // With the history's checks only, a judgement is the history's: states
  // that differ elsewhere (the servers' interleavings) but hold one history
  // are judged once. Keyed by the history's digest, which covers all a
  // check reads of it; bounded.
  static constexpr size_t kHistoryJudgementsMax = size_t{1} << 16;
  mutable std::mutex history_judgements_mutex_;  // BFS's and a parallel DFS's threads judge
  mutable std::map<uint64_t, RunJudgement> history_judgements_;
  JudgedPathData judged_path_data_;
  uint64_t completions_all_ = 0;
  TimePoint horizon_;
  std::vector<std::string> types_;
  std::vector<FaultAction> actions_;
  uint64_t prefix_steps_ = 0;
  std::optional<SearchNode> root_;  // where every path starts (after the hybrid prefix), for shrinking
  // A differential search's baseline (options_.baseline): its scenario and
  // where its paths start.
  std::optional<harness::Scenario> baseline_scenario_;
  std::optional<SearchNode> baseline_root_;
  uint64_t baseline_prefix_steps_ = 0;
  // The signatures a sampled path showed its baseline showing too, at most.
  static constexpr size_t kSharedOnPathMax = 4096;
  std::optional<Probe> probe_;  // pct's, measured before its first path
  std::optional<harness::FaultTrigger> from_when_;  // options_.from_when, read for the scenario
  VisitedSet visited_;  // key -> smallest depth it was reached at
  // A parallel DFS's visited set, once it ended (the search keeps only these).
  size_t shared_visited_entries_ = 0, shared_visited_bytes_ = 0;
  unsigned dfs_threads_ = 0;  // a parallel DFS's threads, when the summary's counts or violation are theirs
  // When the threads' violation is reported because the one-thread DFS run
  // for its counterexample ended without it: how that run ended (its bound,
  // or "complete"); the summary's counts are that run's.
  std::optional<std::string> dfs_rerun_ended_;
  Symmetry symmetry_;                               // empty unless options_.symmetry is on or count
  std::mutex orbits_mutex_;                         // a parallel DFS's threads count orbits
  std::unordered_set<uint64_t> orbits_;             // "count" only: the orbits of the states searched
  uint64_t orbits_count_ = 0, orbit_digest_ = 0;    // the orbits searched, and their keys summed (mixed)
  Tally tally_;
  // A sampled search's paths with a violation, in path order, when it
  // compares several (--counterexamples); the first is also tally_'s.
  std::vector<Violation> candidates_;
  std::optional<std::string> stopped_by_;
  uint64_t states_ = 0, duplicates_ = 0, branches_truncated_ = 0;
  uint64_t states_max_ = 0;  // options_.states_max, or options_.rerun_states_max for a parallel DFS's rerun
  bool sleep_sets_ = false;                       // --por sleep
  // The options a state's key, admission and leaf test read, decoded once:
  // they run for every transition.
  enum class SymmetryMode { kOff, kOn, kCount };
  SymmetryMode symmetry_mode_ = SymmetryMode::kOff;
  bool keeps_smallest_depth_ = false;  // DFS and samplers: a state reached again at a smaller depth is searched again
  uint32_t depth_max_ = 0;             // depth_max_of(options_)
  uint64_t events_slept_ = 0, states_woken_ = 0;  // its savings, and its states searched again
  size_t ties_max_ = 0;  // the most tied events at a state: past sleep_mask_events, a sleep set may have been cut
  size_t queue_peak_ = 0, queue_now_ = 0;
  Reuse reuse_;  // DFS: decides whether the next state expanded is spent; BFS: the next chunk's
  std::chrono::steady_clock::time_point started_, last_progress_;
};

// Threads a search may use (--jobs).
inline constexpr unsigned kJobsMax = 256;

// random-walk and pct: paths drawn from the root, which shard like fuzz seeds.
inline bool is_sampling_strategy(const std::string& strategy) {
  return strategy == "random-walk" || strategy == "pct";
}

JudgedPathData judged_path_data_of(const harness::Scenario& scenario);

// Folds the fault times and the health timeline `covered` names into `h`
// (times absolute: the key holds the virtual time too).
void hash_judged_path_data(Hasher& h, const harness::ScenarioRun& run, const JudgedPathData& covered);

// Whether a step (from `before` to `after`, their monitors' hashes beside
// them) changed what a state's key holds besides the world: the history,
// the monitor, the settling, and the health timeline when `covered` names
// it. --por sleep makes such a step dependent on every other.
bool changed_beside_world(const harness::ScenarioRun& before, uint64_t monitor_before, const harness::ScenarioRun& after,
                          uint64_t monitor_after, const JudgedPathData& covered);

// A state's key with its nodes renamed (null: as they are): the world, the
// monitor, the history digest, what `covered` names of the path, the faults
// spent, the partition the search made and the virtual time.
uint64_t state_key(const SearchNode& node, const NodeRenaming* renaming, const JudgedPathData& covered);

// The clients' operations in the order they happened, with their times when
// `with_times`, folded into the node's history digest (search.cpp).
void fold_history(SearchNode& node, bool with_times);
// One history event as fold_history folds it: everything a check reads of
// it, its time only when asked.
void hash_history_event(Hasher& h, const checker::HistoryEvent& event, bool with_time);

// The fault types a search of `s` fires: the options' (validated), else the
// explorable families of the scenario's fault_generator, else crash and
// powerloss.
std::vector<std::string> fault_types_of(const harness::Scenario& s, const ExploreOptions& options);

// What a search's explore.json says of the search itself: scenario,
// protocol, strategy, bounds, fault types, the hybrid prefix asked for
// (without its steps), settings. Shared by a search and a swarm, whose
// shards `replsim merge` compares by it.
void describe_search(nlohmann::json& j, const harness::Scenario& scenario, const ExploreOptions& options,
                     const std::vector<std::string>& types);

// The process's resident memory in bytes (Linux; 0 where unknown).
uint64_t resident_bytes();

}  // namespace replsim::explore
