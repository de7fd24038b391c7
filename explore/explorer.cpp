#include "explore/explorer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <unistd.h>

#include "base/assert.h"
#include "base/hash.h"
#include "base/input_error.h"
#include "explore/fault_actions.h"
#include "harness/report_files.h"
#include "harness/runner.h"
#include "harness/schedule_chooser.h"

namespace replsim::explore {
namespace {

using harness::RunInProgress;
using harness::Scenario;
using harness::ScenarioRun;

// One answer along a path: a fault fired before world step `step`, or a
// choice made while it ran.
struct PathStep {
  uint64_t step = 0;
  int32_t fault = -1;   // index into the fault actions; -1 for a choice
  int64_t at_ns = 0;    // a fault's virtual time
  ChoiceKind kind = ChoiceKind::kNextEvent;
  uint32_t answer = 0;
  uint32_t arity = 0;
};

struct SearchNode {
  RunInProgress run;
  std::vector<PathStep> path;
  uint64_t steps = 0;       // world steps so far
  uint32_t depth = 0;       // transitions so far (steps and faults)
  uint32_t faults_used = 0;
  std::optional<NodeId> isolated;
  uint64_t history_digest = 0;
  size_t history_folded = 0;  // history events folded into the digest
  uint64_t completions = 0;   // operations that ended (ok, fail or info)
  uint64_t completions_before = 0;  // before the last transition
  uint64_t key = 0;                 // state_key, once computed
};

// The clients' operations in the order they happened, without their
// times: linearizability depends on that order only, so states that differ
// in timing alone still merge, and two merged states always have the same
// verdicts ahead.
void fold_history(SearchNode& node) {
  const std::vector<checker::HistoryEvent>& history = node.run.run().history;
  Hasher h(node.history_digest);
  for (size_t i = node.history_folded; i < history.size(); ++i) {
    const checker::HistoryEvent& e = history[i];
    h.add(static_cast<uint64_t>(e.process)).add(static_cast<uint64_t>(e.type)).add(e.f).add(e.key);
    h.add(static_cast<uint64_t>(e.value.kind)).add(e.value.integer);
    if (e.type != checker::EventType::kInvoke) ++node.completions;
  }
  node.history_folded = history.size();
  node.history_digest = h.value();
}

uint64_t state_key(const SearchNode& node) {
  Hasher h(node.run.run().world.fingerprint());
  node.run.run().monitor->hash_into(h);
  h.add(node.history_digest).add(node.faults_used).add(node.isolated ? node.isolated->index + 1 : 0);
  return h.value();
}

// The checks a search can judge: the platform's liveness checks need a run
// to its end, which a path of a search is not.
void check_scenario_explorable(const Scenario& s, const ExploreOptions& options) {
  if (!s.faults.empty() && !options.from) {
    throw InputError(s.file + ":/faults",
                     "no faults (the explorer fires its own: --faults-max, --fault-types; the scenario's fire only "
                     "in a hybrid search's prefix, --from)",
                     std::to_string(s.faults.size()) + " faults");
  }
  if (s.schedule) throw InputError(s.file + ":/schedule", "a scenario without a schedule (replay it with run)", "one");
  if (!s.workload.ops_max && s.workload.clients > 0) {
    throw InputError(s.file + ":/workload/ops_max", "a bound on each client's operations (a search needs a finite workload)",
                     "none");
  }
  if (s.checks.empty()) throw InputError(s.file + ":/checks", "at least one check to judge", "none");
  for (size_t i = 0; i < s.checks.size(); ++i) {
    const std::string& name = s.checks[i].name;
    if (name == "converges_within" || name == "writes_progress_within") {
      throw InputError(s.file + ":/checks/" + std::to_string(i),
                       "a safety check (linearizable or the protocol's own): explore does not judge liveness yet",
                       name);
    }
  }
}

std::vector<std::string> fault_types_of(const Scenario& s, const ExploreOptions& options) {
  const std::vector<std::string>& explorable = explorable_fault_types();
  if (!options.fault_types.empty()) {
    for (const std::string& t : options.fault_types) {
      if (std::find(explorable.begin(), explorable.end(), t) == explorable.end()) {
        throw InputError("--fault-types", "crash, powerloss, pause or isolate", "\"" + t + "\"");
      }
    }
    return options.fault_types;
  }
  if (!s.fault_generator) return {"crash", "powerloss"};
  std::vector<std::string> types;
  for (const auto& [type, family] : s.fault_generator->families) {
    if (std::find(explorable.begin(), explorable.end(), type) != explorable.end()) types.push_back(type);
  }
  return types;
}

struct Violation {
  std::vector<PathStep> path;
  uint64_t steps = 0;
  uint32_t depth = 0;
  std::vector<std::string> signature;
  std::vector<std::string> checks;
  std::vector<std::string> details;
};

class Search {
 public:
  Search(const nlohmann::json& document, const Scenario& scenario, const ExploreOptions& options,
         std::ostream& progress)
      : document_(document), scenario_(scenario), options_(options), progress_(progress) {
    history_only_ = std::all_of(scenario_.checks.begin(), scenario_.checks.end(),
                                [](const harness::CheckSpec& c) { return c.name == "linearizable"; });
    completions_all_ = uint64_t{scenario_.workload.clients} * scenario_.workload.ops_max.value_or(0);
    horizon_ = TimePoint::origin() + scenario_.duration;
  }

  ExploreResult run() {
    started_ = std::chrono::steady_clock::now();
    SearchNode root{RunInProgress(scenario_, scenario_.seed), {}, 0, 0, 0, std::nullopt, 0, 0, 0, 0, 0};
    if (options_.from) run_prefix(root, TimePoint::origin() + *options_.from);
    types_ = fault_types_of(scenario_, options_);
    actions_ = fault_actions(root.run.run().world, types_);
    fold_history(root);
    if (options_.strategy == "random-walk") {
      for (uint64_t w = 0; w < options_.walks && !violation_ && !stopped_by_; ++w) {
        walk(root, w);
        if (time_up()) stopped_by_ = "time_limit";
        report_progress(false);
      }
      return finish();
    }
    root.key = state_key(root);
    visited_.emplace(root.key, 0);
    ++states_;
    if (options_.strategy == "dfs") depth_first(std::move(root));
    else breadth_first(std::move(root));
    return finish();
  }

 private:
  // The simulator's own choices, and the scenario's faults, for every
  // event due before `until`: the hybrid search starts with the first
  // event at or after it.
  void run_prefix(SearchNode& root, TimePoint until) {
    root.steps = root.run.run_sampled_before(until);
    prefix_steps_ = root.steps;
  }

  // A state's successors: every fault that may fire now and every answer
  // combination of its next step. Touches nothing shared, so a BFS level
  // expands its states in parallel.
  struct Expansion {
    std::vector<SearchNode> children;
    bool no_event = false;  // no step and no fault: a leaf
    uint64_t truncated = 0;  // transitions cut at step_branches_max
  };

  Expansion expand(const SearchNode& node) const {
    Expansion e;
    const bool budget_left = node.faults_used < options_.faults_max;
    const std::vector<uint32_t> faults = enabled_actions(node.run.run().world, actions_, budget_left, node.isolated);
    for (uint32_t index : faults) branch(node, static_cast<int32_t>(index), e);
    const bool stepped = branch(node, -1, e);
    e.no_event = !stepped && faults.empty();
    return e;
  }

  // Runs the transition (a fault, or the next step when `fault` is -1) once
  // per combination of answers; false when the world had no event to step.
  bool branch(const SearchNode& node, int32_t fault, Expansion& out) const {
    harness::EnumeratingChooser chooser(options_.settings);
    std::vector<uint32_t> prefix;
    for (uint32_t tried = 0;; ++tried) {
      if (tried == options_.step_branches_max) {
        ++out.truncated;
        return true;
      }
      SearchNode child = node;
      chooser.begin(prefix);
      if (!advance(child, fault, chooser)) return false;
      child.key = state_key(child);
      out.children.push_back(std::move(child));
      if (!chooser.next_prefix(prefix)) return true;
    }
  }

  // Runs one transition on `node` and records it in its path and history
  // digest; false when the world had no event to step.
  bool advance(SearchNode& node, int32_t fault, harness::EnumeratingChooser& chooser) const {
    const uint64_t step = node.steps;
    node.completions_before = node.completions;
    if (fault < 0) {
      if (!node.run.step(chooser)) return false;
    } else {
      const FaultAction& action = actions_[static_cast<size_t>(fault)];
      node.path.push_back({step, fault, node.run.run().world.now().ns_since_origin(), ChoiceKind::kNextEvent, 0, 0});
      node.run.fire(action.spec, chooser);
      if (action.spends_budget) ++node.faults_used;
      track_isolated(action, node.isolated);
    }
    for (const harness::BranchChoice& c : chooser.asked()) node.path.push_back({step, -1, 0, c.kind, c.answer, c.arity});
    if (fault < 0) ++node.steps;
    ++node.depth;
    fold_history(node);
    return true;
  }

  // Why a state is a leaf, or null when it is not.
  const char* leaf_of(const SearchNode& node) const {
    if (node.depth >= options_.depth_max) return "depth_bound";
    if (node.run.run().world.now() > horizon_) return "horizon";
    if (history_only_ && completions_all_ > 0 && node.completions >= completions_all_) return "clients_done";
    return nullptr;
  }

  // A state to judge: a leaf (with why), or one where an operation ended.
  struct Judgement {
    const SearchNode* node;
    const char* leaf;
  };
  bool needs_judging(const SearchNode& node) const {
    return leaf_of(node) != nullptr || node.completions > node.completions_before;
  }

  // BFS, level by level, each level in chunks: a chunk's states expand in
  // parallel, their successors enter the visited set in (state, successor)
  // order, the new ones are judged in parallel and the first violation in
  // that order is kept; the result does not depend on --jobs. Chunks bound
  // how many successors (full runs) exist before memory is checked.
  void breadth_first(SearchNode root) {
    static constexpr size_t kChunkStates = 64;
    std::vector<SearchNode> level;
    level.push_back(std::move(root));
    tbb::task_arena arena(options_.jobs == 0 ? tbb::task_arena::automatic : static_cast<int>(options_.jobs));
    while (!level.empty() && !violation_ && !stopped_by_) {
      std::vector<SearchNode> following;
      for (size_t from = 0; from < level.size() && !violation_ && !stopped_by_; from += kChunkStates) {
        const size_t to = std::min(level.size(), from + kChunkStates);
        std::vector<Expansion> expansions(to - from);
        arena.execute([&] {
          tbb::parallel_for(from, to, [&](size_t i) { expansions[i - from] = expand(level[i]); });
        });
        merge_chunk(arena, level, from, expansions, following);
      }
      queue_now_ = following.size();
      queue_peak_ = std::max(queue_peak_, following.size());
      level = std::move(following);
      report_progress(false);
    }
  }

  // A chunk's successors into the visited set, in order; the new ones
  // judged; those that are not leaves onto the next level.
  void merge_chunk(tbb::task_arena& arena, std::vector<SearchNode>& level, size_t from, std::vector<Expansion>& expansions,
                   std::vector<SearchNode>& following) {
    std::vector<Judgement> judgements;
    std::vector<SearchNode*> next;
    for (size_t i = 0; i < expansions.size() && !stopped_by_; ++i) {
      if (expansions[i].no_event) judgements.push_back({&level[from + i], "no_event"});
      branches_truncated_ += expansions[i].truncated;
      for (SearchNode& child : expansions[i].children) {
        if (!admit(child)) continue;
        if (needs_judging(child)) judgements.push_back({&child, leaf_of(child)});
        if (leaf_of(child) == nullptr) next.push_back(&child);
        if (stopped_by_) break;
      }
    }
    judge_all(arena, judgements);
    for (SearchNode* n : next) following.push_back(std::move(*n));
  }

  // DFS, one state at a time (the visited set keeps the smallest depth a
  // state was reached at, and a state reached again by a shorter path is
  // searched again: what lies within the depth bound from it grew).
  void depth_first(SearchNode root) {
    std::vector<SearchNode> stack;
    stack.push_back(std::move(root));
    while (!stack.empty() && !violation_ && !stopped_by_) {
      const SearchNode node = std::move(stack.back());
      stack.pop_back();
      Expansion e = expand(node);
      branches_truncated_ += e.truncated;
      if (e.no_event) record("no_event", verdict_of(node));
      for (SearchNode& child : e.children) {
        if (violation_ || stopped_by_ || !admit(child)) continue;
        if (needs_judging(child)) record(leaf_of(child), verdict_of(child));
        if (!violation_ && leaf_of(child) == nullptr) stack.push_back(std::move(child));
      }
      queue_now_ = stack.size();
      queue_peak_ = std::max(queue_peak_, stack.size());
      report_progress(false);
    }
  }

  // Counts a new successor into the visited set; false for a state seen
  // before (at no greater depth, for DFS).
  bool admit(const SearchNode& child) {
    ++transitions_;
    depth_reached_ = std::max(depth_reached_, child.depth);
    // A state past the horizon is a leaf, and the key leaves time out: kept
    // out of the visited set, it cannot hide an earlier twin that is not.
    if (child.run.run().world.now() > horizon_) return true;
    const auto [it, added] = visited_.emplace(child.key, child.depth);
    if (!added) {
      ++duplicates_;
      if (options_.strategy != "dfs" || it->second <= child.depth) return false;
      it->second = child.depth;
    } else {
      ++states_;
    }
    if (states_ >= options_.states_max) stopped_by_ = "states_max";
    else if (states_ % 64 == 0 && resident_bytes() > options_.memory_mb_max << 20) stopped_by_ = "memory_mb_max";
    else if (time_up()) stopped_by_ = "time_limit";
    return true;
  }

  void judge_all(tbb::task_arena& arena, const std::vector<Judgement>& judgements) {
    std::vector<std::optional<Verdict>> verdicts(judgements.size());
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, judgements.size(), [&](size_t i) { verdicts[i] = verdict_of(*judgements[i].node); });
    });
    for (size_t i = 0; i < judgements.size() && !violation_; ++i) record(judgements[i].leaf, verdicts[i]);
  }

  // One path from the root with every answer and fault drawn. Each walk
  // draws its own chance of a budgeted fault per state, so walks differ in
  // how early and how often they fault (a swarm of walks, not one rate);
  // an undo (restart, resume, heal) comes sooner, as a fault's duration
  // would end it.
  void walk(const SearchNode& root, uint64_t index) {
    static constexpr double kFaultChances[] = {0.005, 0.02, 0.08};
    static constexpr double kUndoChance = 0.2;
    Rng rng(scenario_.seed + index, "explore walk");
    const double fault_chance = kFaultChances[rng.below(3)];
    harness::EnumeratingChooser chooser(options_.settings, &rng);
    SearchNode node = root;
    ++walks_;
    while (!violation_) {
      if (const char* leaf = leaf_of(node)) return record(leaf, verdict_of(node));
      std::vector<uint32_t> faults, undos;
      const bool budget_left = node.faults_used < options_.faults_max;
      for (uint32_t i : enabled_actions(node.run.run().world, actions_, budget_left, node.isolated)) {
        (actions_[i].spends_budget ? faults : undos).push_back(i);
      }
      int32_t fault = -1;
      if (!undos.empty() && rng.bernoulli(kUndoChance)) fault = static_cast<int32_t>(undos[rng.below(undos.size())]);
      else if (!faults.empty() && rng.bernoulli(fault_chance)) fault = static_cast<int32_t>(faults[rng.below(faults.size())]);
      chooser.begin({});
      if (!advance(node, fault, chooser)) {  // no event left: only a fault can go on
        if (faults.empty() && undos.empty()) return record("no_event", verdict_of(node));
        std::vector<uint32_t>& pool = undos.empty() ? faults : undos;
        chooser.begin({});
        advance(node, static_cast<int32_t>(pool[rng.below(pool.size())]), chooser);
      }
      ++transitions_;
      depth_reached_ = std::max(depth_reached_, node.depth);
      if (node.completions > node.completions_before) record(nullptr, verdict_of(node));
    }
  }

  // What judging a state found: nothing when every check held; a violation,
  // or an undecided check (`undecided`), otherwise.
  struct Verdict {
    bool undecided = false;
    std::optional<Violation> violation;
  };

  Verdict verdict_of(const SearchNode& node) const {
    const ScenarioRun run = node.run.judged();
    Verdict verdict;
    verdict.undecided = run.verdict == "undecided";
    if (run.verdict != "fail") return verdict;
    Violation v{node.path, node.steps, node.depth, harness::failure_signature(run), harness::failed_checks(run), {}};
    for (const harness::CheckOutcome& c : run.checks) {
      if (c.verdict == harness::CheckVerdict::kFail) v.details.insert(v.details.end(), c.details.begin(), c.details.end());
    }
    verdict.violation = std::move(v);
    return verdict;
  }

  // Counts a judgement (a leaf's, with why) and keeps the first violation.
  void record(const char* leaf, const std::optional<Verdict>& verdict) {
    REPLSIM_ASSERT(verdict.has_value(), "every judgement was made");
    if (leaf != nullptr) ++leaves_[leaf];
    ++judged_;
    if (verdict->undecided) ++undecided_;
    if (verdict->violation && !violation_) violation_ = verdict->violation;
  }

  size_t visited_bytes() const { return visited_.size() * 48; }  // a node of the table, about

  // The process's resident memory (Linux): the queue's runs dominate it (a
  // large protocol's run tens of seconds in holds megabytes of history and
  // logs), and no estimate of a run's size would be as honest.
  static uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t pages_total = 0, pages_resident = 0;
    if (!(statm >> pages_total >> pages_resident)) return 0;
    return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  }

  bool time_up() const {
    if (!options_.time_limit_s) return false;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() >= *options_.time_limit_s;
  }

  void report_progress(bool last) {
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - last_progress_ < std::chrono::seconds(1)) return;
    if (!last && (now - started_) < std::chrono::seconds(1)) return;
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    progress_ << fmt::format("explore: {} states ({:.0f}/s), {} walks, {} transitions ({:.0f}/s), depth {}, queue {}, "
                             "resident {} MiB\n",
                             states_, seconds > 0 ? static_cast<double>(states_) / seconds : 0.0, walks_, transitions_,
                             seconds > 0 ? static_cast<double>(transitions_) / seconds : 0.0, depth_reached_,
                             queue_now_, resident_bytes() >> 20);
  }

  harness::Schedule schedule_of(const Violation& v) const {
    harness::Schedule schedule;
    schedule.settings = options_.settings;
    schedule.prefix_steps = prefix_steps_;
    schedule.prefix_before = options_.from;
    schedule.steps = v.steps;
    for (const PathStep& p : v.path) {
      harness::ScheduleEntry e;
      e.step = p.step;
      if (p.fault >= 0) {
        e.fault = actions_[static_cast<size_t>(p.fault)].spec;
        e.fault->at = Duration::ns(p.at_ns);
      } else {
        e.kind = to_string(p.kind);
        e.answer = p.answer;
        e.arity = p.arity;
      }
      schedule.entries.push_back(std::move(e));
    }
    return schedule;
  }

  // Writes the counterexample and replays it with `replsim run`'s code:
  // the violation stands only if the replay fails the same way.
  nlohmann::json write_counterexample(const Violation& v) const {
    namespace fs = std::filesystem;
    nlohmann::json doc = document_;
    doc.erase("fault_generator");  // the scenario's faults stay: they fire in the prefix
    doc["name"] = scenario_.name + "-explored";
    doc["description"] = fmt::format("Found by replsim explore ({}, depth {}) in {}: the path's faults and choices, "
                                     "replayed by replsim run, fail {}.",
                                     options_.strategy, v.depth, scenario_.file, fmt::join(v.checks, ", "));
    doc["expect"] = {{"verdict", "fail"}, {"check", v.checks.front()}};
    doc["schedule"] = harness::schedule_to_json(schedule_of(v));
    const fs::path dir = options_.out_dir.empty() ? fs::path("out") / (scenario_.name + "-explore") : fs::path(options_.out_dir);
    fs::create_directories(dir);
    const fs::path file = dir / "counterexample.json";
    std::ofstream(file) << doc.dump(2) << "\n";
    const Scenario replayed = harness::parse_scenario(doc, file.string());
    const ScenarioRun run = harness::run_into_folder(replayed, replayed.seed, dir / "counterexample", false);
    if (run.verdict != "fail" || harness::failure_signature(run) != v.signature) {
      throw std::logic_error("the replay of the explorer's counterexample " + file.string() +
                             " does not fail as the search did (a bug in replsim: the schedule and the search disagree)");
    }
    nlohmann::json faults = nlohmann::json::array();
    for (const harness::AppliedFault& f : run.faults) faults.push_back(f.fault);
    return {{"checks", v.checks},       {"details", v.details},     {"transitions", v.depth},
            {"steps", v.steps},         {"faults", faults},         {"file", file.string()},
            {"run_dir", (dir / "counterexample").string()}, {"replayed", true}};
  }

  ExploreResult finish() {
    report_progress(true);
    ExploreResult result;
    nlohmann::json& j = result.summary;
    const double n = static_cast<double>(states_);
    j["scenario"] = scenario_.file;
    j["protocol"] = scenario_.protocol;
    j["strategy"] = options_.strategy;
    j["bounds"] = {{"depth_max", options_.depth_max},     {"faults_max", options_.faults_max},
                   {"states_max", options_.states_max},   {"memory_mb_max", options_.memory_mb_max},
                   {"step_branches_max", options_.step_branches_max}, {"horizon", format_duration(scenario_.duration)}};
    j["fault_types"] = types_;
    j["prefix"] = {{"from", options_.from ? nlohmann::json(format_duration(*options_.from)) : nlohmann::json(nullptr)},
                   {"steps", prefix_steps_}};
    harness::Schedule settings_only;
    settings_only.settings = options_.settings;
    j["settings"] = harness::schedule_to_json(settings_only)["settings"];
    j["walks"] = walks_;
    j["states_distinct"] = states_;
    j["transitions"] = transitions_;
    j["duplicates"] = duplicates_;
    j["depth_reached"] = depth_reached_;
    j["queue_peak"] = queue_peak_;
    j["judged"] = judged_;
    j["undecided_judgements"] = undecided_;
    j["leaves"] = leaves_;
    j["branches_truncated"] = branches_truncated_;
    // Hash compaction: two distinct states with one 64-bit key merge, and
    // the second is never searched. The chance that this happened at all:
    j["visited"] = {{"entries", visited_.size()},
                    {"bytes_approx", visited_bytes()},
                    {"key_bits", 64},
                    {"omission_probability", n < 2 ? 0.0 : -std::expm1(-n * (n - 1) / std::ldexp(1.0, 65))}};
    j["stopped_by"] = stopped_by_ ? nlohmann::json(*stopped_by_) : nlohmann::json(nullptr);
    // Complete: every path within the bounds searched and every judgement
    // decided (an undecided check is no pass). A random walk samples: it
    // never claims that nothing is there.
    j["complete"] = !violation_ && !stopped_by_ && branches_truncated_ == 0 && undecided_ == 0 &&
                    options_.strategy != "random-walk";
    if (violation_) {
      j["violation"] = write_counterexample(*violation_);
      result.exit_code = 1;
    } else {
      j["violation"] = nullptr;
      result.exit_code = j["complete"].get<bool>() ? 0 : 3;
    }
    j["exit_code"] = result.exit_code;
    return result;
  }

  const nlohmann::json& document_;
  const Scenario& scenario_;
  const ExploreOptions& options_;
  std::ostream& progress_;
  bool history_only_ = false;
  uint64_t completions_all_ = 0;
  TimePoint horizon_;
  std::vector<std::string> types_;
  std::vector<FaultAction> actions_;
  uint64_t prefix_steps_ = 0;
  // Lookups only: nothing iterates it, so its order never reaches a decision.
  std::unordered_map<uint64_t, uint32_t> visited_;  // key -> smallest depth it was reached at
  std::optional<Violation> violation_;
  std::optional<std::string> stopped_by_;
  uint64_t walks_ = 0;
  uint64_t states_ = 0, transitions_ = 0, duplicates_ = 0, judged_ = 0, undecided_ = 0, branches_truncated_ = 0;
  uint32_t depth_reached_ = 0;
  size_t queue_peak_ = 0, queue_now_ = 0;
  std::map<std::string, uint64_t> leaves_;
  std::chrono::steady_clock::time_point started_, last_progress_;
};

}  // namespace

ExploreResult explore(const nlohmann::json& document, const std::string& file, const ExploreOptions& options,
                      std::ostream& progress) {
  if (options.strategy != "bfs" && options.strategy != "dfs" && options.strategy != "random-walk") {
    throw InputError("--strategy", "bfs, dfs or random-walk", "\"" + options.strategy + "\"");
  }
  if (options.depth_max == 0) throw InputError("--depth-max", "at least 1", "0");
  if (options.settings.pick_max < 2) throw InputError("--pick-max", "at least 2", std::to_string(options.settings.pick_max));
  if (options.settings.delay_cap <= Duration::zero()) throw InputError("--delay-cap", "a positive duration", "0");
  const Scenario scenario = harness::parse_scenario(document, file);
  check_scenario_explorable(scenario, options);
  return Search(document, scenario, options, progress).run();
}

}  // namespace replsim::explore
