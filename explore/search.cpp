#include "explore/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <tbb/parallel_for.h>

#include <fcntl.h>
#include <unistd.h>

#include "base/assert.h"
#include "base/hash.h"
#include "base/input_error.h"
#include "harness/report_files.h"

namespace replsim::explore {
using harness::Scenario;
using harness::ScenarioRun;

// The history digest holds clients only, which no symmetry renames.
uint64_t state_key(const SearchNode& node, const NodeRenaming* renaming, const JudgedPathData& covered) {
  Hasher h(node.run.run().world.fingerprint(renaming));
  h.rename_nodes(renaming);
  node.run.run().monitor->hash_into(h);
  hash_judged_path_data(h, node.run.run(), covered);
  // The virtual time too: a state reached later has less of the horizon
  // ahead of it, and a protocol may keep absolute times, so
  // two states that differ only in when they were reached need not have
  // the same future.
  h.add(node.history_digest).add(node.faults_used).add(node.run.run().world.now().ns_since_origin());
  h.add(node.isolated ? h.renamed(node.isolated->index) + 1 : 0);
  return h.value();
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

void describe_search(nlohmann::json& j, const Scenario& scenario, const ExploreOptions& options,
                     const std::vector<std::string>& types) {
  j["scenario"] = scenario.file;
  j["protocol"] = scenario.protocol;
  j["strategy"] = options.strategy;
  j["bounds"] = {{"depth_max", depth_max_of(options)},     {"faults_max", options.faults_max},
                 {"states_max", options.states_max},   {"memory_mb_max", options.memory_mb_max},
                 {"step_branches_max", options.step_branches_max}, {"shrink_runs_max", options.shrink_runs_max},
                 {"horizon", format_duration(scenario.duration)}};
  j["fault_types"] = types;
  j["fault_nodes"] = options.fault_nodes;
  j["known"] = options.known;
  j["baseline"] = options.baseline ? nlohmann::json(options.baseline->file) : nlohmann::json(nullptr);
  j["symmetry"] = {{"mode", options.symmetry}};
  j["prefix"] = {{"from", options.from ? nlohmann::json(format_duration(*options.from)) : nlohmann::json(nullptr)},
                 {"when", options.from_when.value_or(nullptr)}};
  harness::Schedule settings_only;
  settings_only.settings = options.settings;
  j["settings"] = harness::schedule_to_json(settings_only)["settings"];
}

JudgedPathData judged_path_data_of(const Scenario& scenario) {
  const harness::Vocabulary& vocabulary = harness::protocol_of(scenario).vocabulary();
  JudgedPathData covered;
  for (const harness::CheckSpec& check : scenario.checks) {
    if (check.name == "converges_within") covered.convergence_bounds.push_back(*check.within);
    covered.operation_times |= harness::declaration_of(vocabulary, check.name).reads_operation_times;
    covered.health_times |= check.name == "writes_progress_within";
  }
  return covered;
}

// converges_within (harness/runner.cpp, judge_convergence and its cut
// version) compares the time since the last fault with its bound, and the
// settling's delay after the fault with it; nothing else of those times.
// Past the largest bound every comparison with the time since is decided
// for good (the key holds the virtual time, so later states are later).
void hash_judged_path_data(Hasher& h, const ScenarioRun& run, const JudgedPathData& covered) {
  if (!covered.convergence_bounds.empty()) {
    h.add(run.last_fault_at.has_value());
    if (run.last_fault_at) {
      const Duration bound_max =
          *std::max_element(covered.convergence_bounds.begin(), covered.convergence_bounds.end());
      const Duration since_fault = run.world.now() - *run.last_fault_at;
      h.add(since_fault <= bound_max ? run.last_fault_at->ns_since_origin() : int64_t{-1});
      h.add(run.converged_at.has_value());
      for (const Duration bound : covered.convergence_bounds) {
        h.add(run.converged_at && *run.converged_at - *run.last_fault_at > bound);
      }
    }
  }
  if (covered.health_times) h.add(run.timeline.health_digest());
}

// Their order between steps at one instant matters even when the steps
// touched nothing of each other.
bool changed_beside_world(const ScenarioRun& before, uint64_t monitor_before, const ScenarioRun& after,
                          uint64_t monitor_after, const JudgedPathData& covered) {
  if (monitor_after != monitor_before || after.history.size() != before.history.size()) return true;
  if (after.converged_at != before.converged_at) return true;
  return covered.health_times && after.timeline.health_digest() != before.timeline.health_digest();
}

void hash_history_event(Hasher& h, const checker::HistoryEvent& event, bool with_time) {
  h.add(static_cast<uint64_t>(event.process)).add(static_cast<uint64_t>(event.type)).add(event.f).add(event.key);
  // The value's canonical text, which the checkers' models compare
  // (Operation::input_text): the whole value, not only an integer.
  h.add(event.value.to_string());
  h.add(event.where);  // the operation's name, which a failure's details quote
  if (with_time) h.add(event.time);
}

// The clients' operations in the order they happened: linearizability
// depends on that order only, so without other checks states that differ
// in the operations' timing alone still merge. writes_progress_within and
// the protocol checks that declare it read the times too (a stall's length,
// a write invoked before a read completed), and then two states merge only
// when their operations happened at the same times.
void fold_history(SearchNode& node, bool with_times) {
  const std::vector<checker::HistoryEvent>& history = node.run.run().history;
  Hasher h(node.history_digest);
  for (size_t i = node.history_folded; i < history.size(); ++i) {
    const checker::HistoryEvent& e = history[i];
    hash_history_event(h, e, with_times);
    if (e.type != checker::EventType::kInvoke) ++node.completions;
  }
  node.history_folded = history.size();
  node.history_digest = h.value();
}

// The process's resident memory (Linux): the queue's runs dominate it (a
// large protocol's run tens of seconds in holds megabytes of history and
// logs), and no estimate of a run's size would be as honest. The file stays
// open, since a search asks every few dozen states: a read from offset 0
// regenerates it. (It names the process that opened it: a process that
// forks after a search would read its parent's.)
uint64_t resident_bytes() {
  static const int statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm < 0) return 0;
  char text[128];
  const ssize_t size = pread(statm, text, sizeof(text) - 1, 0);
  if (size <= 0) return 0;
  text[size] = '\0';
  unsigned long long pages_total = 0, pages_resident = 0;
  if (std::sscanf(text, "%llu %llu", &pages_total, &pages_resident) != 2) return 0;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

Search::Search(const nlohmann::json& document, const Scenario& scenario, const ExploreOptions& options,
               std::ostream& progress)
    : document_(document), scenario_(scenario), options_(options), progress_(progress) {
  history_only_ = std::all_of(scenario_.checks.begin(), scenario_.checks.end(),
                              [](const harness::CheckSpec& c) { return c.name == "linearizable"; });
  judged_path_data_ = judged_path_data_of(scenario_);
  completions_all_ = uint64_t{scenario_.workload.clients} * scenario_.workload.ops_max.value_or(0);
  sleep_sets_ = options_.por == "sleep";
  REPLSIM_ASSERT(options_.symmetry == "off" || options_.symmetry == "on" || options_.symmetry == "count",
                 "the CLI checks the symmetry mode");
  symmetry_mode_ = options_.symmetry == "on"      ? SymmetryMode::kOn
                   : options_.symmetry == "count" ? SymmetryMode::kCount
                                                  : SymmetryMode::kOff;
  keeps_smallest_depth_ = options_.strategy != "bfs";
  depth_max_ = depth_max_of(options_);
  REPLSIM_ASSERT(options_.sleep_mask_events >= 1 && options_.sleep_mask_events <= kSleepMaskEvents,
                 "a stored sleep set has at most kSleepMaskEvents positions");
  horizon_ = TimePoint::origin() + scenario_.duration;
  states_max_ = options_.states_max;
  if (options_.from_when) from_when_ = harness::parse_trigger(*options_.from_when, "--from-when", scenario_);
}

// Where a scenario's paths start: its run, after the hybrid prefix when
// one is asked for (the steps of which go to `prefix_steps`).
SearchNode Search::start(const Scenario& scenario, uint64_t& prefix_steps) const {
  SearchNode root{.run = harness::RunInProgress(scenario, scenario.seed)};
  if (options_.drop_unread_note_data) root.run.drop_unread_note_data();
  // A hybrid search: the simulator's own choices, and the scenario's
  // faults, for every event due before `from`; the search starts with the
  // first event at or after it.
  if (options_.from) root.steps = prefix_steps = root.run.run_sampled_before(TimePoint::origin() + *options_.from);
  if (from_when_) {
    const std::optional<uint64_t> steps = root.run.run_sampled_until(*from_when_);
    if (!steps) {
      throw InputError("--from-when", "a protocol event the scenario's own run reaches before its end",
                       options_.from_when->dump());
    }
    root.steps = prefix_steps = *steps;
  }
  fold_history(root, judged_path_data_.operation_times);
  REPLSIM_ASSERT(root.path.empty() && root.depth == 0, "a path starts with no transition");
  return root;
}

ExploreResult Search::run() {
  started_ = std::chrono::steady_clock::now();
  SearchNode root = start(scenario_, prefix_steps_);
  types_ = fault_types_of(scenario_, options_);
  actions_ = fault_actions(root.run.run().world, types_, options_.fault_nodes);
  root_ = root;
  if (options_.baseline) {
    baseline_scenario_ = harness::parse_scenario(options_.baseline->document, options_.baseline->file);
    baseline_root_ = start(*baseline_scenario_, baseline_prefix_steps_);
  }
  if (is_sampling_strategy(options_.strategy)) {
    sample_paths(root);
    return finish();
  }
  if (symmetry_mode_ != SymmetryMode::kOff) {
    symmetry_ = symmetry_of(scenario_, root.run.run().world, options_.fault_nodes);
  }
  key(root);
  admit_root(root);
  if (options_.strategy == "dfs" && options_.jobs > 1 && !options_.shuffle_seed) parallel_depth_first(std::move(root));
  else if (options_.strategy == "dfs") depth_first(std::move(root));
  else breadth_first(std::move(root));
  return finish();
}

// Touches nothing shared, so a BFS level expands its states in parallel.
// With `reuse` the state is spent (Reuse): its last successor may take its
// run instead of a copy. It is left whole only when it has no transition
// (no_event), to be judged.
Search::Expansion Search::expand(SearchNode& node, bool reuse) const {
  Expansion e;
  e.reuse.expansions = 1;
  const bool woken = node.wake != 0;
  const bool budget_left = node.faults_used < options_.faults_max;
  std::vector<uint32_t> faults = enabled_actions(node.run.run().world, actions_, budget_left, node.isolated);
  // Woken (admit): its faults were taken when it was first searched.
  if (woken) faults.clear();
  for (uint32_t index : faults) {
    if (!e.memory_full) branch(node, static_cast<int32_t>(index), e, false);
  }
  const bool stepped = e.memory_full || (sleep_sets_ ? branch_sleeping(node, e) : branch(node, -1, e, reuse));
  e.no_event = !stepped && faults.empty();
  REPLSIM_ASSERT(!(e.no_event && woken), "a state woken for its tied events has events");
  REPLSIM_ASSERT(e.reuse.states == 0 || !e.no_event, "a state with no transition is left whole");
  return e;
}

// --por sleep: the step once per tied event not asleep, each with every
// combination of its answers. An event's children sleep on the events of
// this state's sleep set, and those taken here before it, that it touched
// nothing of (POR_RESEARCH.md, "Proposal"); a step that changed what the
// search keeps beside the world (the history, the monitor, the settling)
// is dependent on every other, and its children sleep on nothing.
bool Search::branch_sleeping(const SearchNode& node, Expansion& out) const {
  const std::vector<uint64_t> ties = node.run.run().world.tied_event_names();
  if (ties.empty()) return false;
  out.ties = ties.size();
  std::vector<uint64_t> by_name = ties;
  std::sort(by_name.begin(), by_name.end());
  // What a state sleeps on is what its visited-set entry stores (admit
  // made the mask from it): an event asleep past the mask would be skipped
  // here and never woken on a later arrival.
  for (const SleepEntry& z : node.sleep) {
    const auto at = std::lower_bound(by_name.begin(), by_name.end(), z.event);
    REPLSIM_ASSERT(at != by_name.end() && *at == z.event, "a state sleeps only on its own tied events");
    REPLSIM_ASSERT(static_cast<size_t>(at - by_name.begin()) < options_.sleep_mask_events,
                   "a state sleeps only on events its stored sleep set can hold");
  }
  std::vector<SleepEntry> taken;
  uint32_t tried = 0;  // answer combinations run, over all tied events: step_branches_max bounds a step's
  for (uint32_t i = 0; i < ties.size(); ++i) {
    const auto asleep = [&](const SleepEntry& z) { return z.event == ties[i]; };
    if (std::any_of(node.sleep.begin(), node.sleep.end(), asleep)) {
      ++out.slept;
      continue;
    }
    if (node.wake != 0) {
      const size_t position = static_cast<size_t>(std::lower_bound(by_name.begin(), by_name.end(), ties[i]) - by_name.begin());
      if (position >= options_.sleep_mask_events || (node.wake >> position & 1) == 0) continue;  // taken when first searched
    }
    const size_t first_child = out.children.size();
    StepFootprint footprint;
    const bool whole = take_event(node, ties, i, tried, footprint, out);
    std::vector<SleepEntry> sleep;
    if (!footprint.global()) {
      for (const std::vector<SleepEntry>* from : {&node.sleep, static_cast<const std::vector<SleepEntry>*>(&taken)}) {
        for (const SleepEntry& z : *from) {
          if (z.footprint.independent_of(footprint)) sleep.push_back(z);
        }
      }
    }
    for (size_t c = first_child; c < out.children.size(); ++c) out.children[c].sleep = sleep;
    // Cut at step_branches_max or by the memory bound: the step ends here,
    // and an event that did not take all its paths sleeps nowhere.
    if (!whole) break;
    taken.push_back({ties[i], std::move(footprint)});
  }
  return true;
}

// The children of tied event `index` (of `ties`, the state's tied events),
// one per combination of its answers; `taken` gets the union of their
// footprints, `tried` counts the combinations. False when they were cut at
// step_branches_max (counted over the step) or by the memory bound.
bool Search::take_event(const SearchNode& node, const std::vector<uint64_t>& ties, uint32_t index, uint32_t& tried,
                        StepFootprint& taken, Expansion& out) const {
  harness::EnumeratingChooser chooser(options_.settings);
  // With two events tied or more, the first question is which (the index
  // in tied_event_names's order); with one, there is no such question.
  std::vector<uint32_t> prefix;
  if (ties.size() > 1) prefix.push_back(index);
  for (;; ++tried) {
    if (!may_try(tried, out)) return false;
    SearchNode child = node;
    child.wake = 0;
    chooser.begin(prefix);
    StepFootprint footprint;
    const bool stepped = advance(child, -1, chooser, &footprint);
    REPLSIM_ASSERT(stepped, "a tied event is a step");
    REPLSIM_ASSERT(child.run.run().world.delivered_event_name() == ties[index], "the step took the tied event asked for");
    key(child);
    if (changed_beside_world(node.run.run(), node.monitor_hash, child.run.run(), child.monitor_hash, judged_path_data_)) {
      footprint.make_global();
    }
    taken.add(footprint);
    out.children.push_back(std::move(child));
    if (!chooser.next_prefix(prefix) || (ties.size() > 1 && prefix.front() != index)) {
      ++tried;
      return true;
    }
  }
}

// Whether a step may run its `tried`-th answer combination: not past
// step_branches_max (`truncated`), nor with resident memory past its bound
// (`memory_full`). A step can have thousands of combinations, each a whole
// run: memory is checked while they are made, not only after.
bool Search::may_try(uint32_t tried, Expansion& out) const {
  if (tried == options_.step_branches_max) {
    ++out.truncated;
    return false;
  }
  if (tried % 16 == 15 && resident_bytes() > options_.memory_mb_max << 20) {
    out.memory_full = true;
    return false;
  }
  return true;
}

// Runs the transition (a fault, or the next step when `fault` is -1) once
// per combination of answers; false when the world had no event to step.
// With `reuse` (the step, the state's last transition) the combination
// expected last runs on `node` itself. If that step asks more than expected
// (a delay, a draw), its later combinations run on `node` rebuilt.
bool Search::branch(SearchNode& node, int32_t fault, Expansion& out, bool reuse) const {
  REPLSIM_ASSERT(!reuse || fault < 0, "only the step, a state's last transition, reuses its run");
  harness::EnumeratingChooser chooser(options_.settings);
  std::vector<uint32_t> prefix;
  std::optional<std::vector<uint32_t>> last = reuse ? expected_last_prefix(node) : std::nullopt;
  for (uint32_t tried = 0;; ++tried) {
    if (!may_try(tried, out)) return true;
    const bool reusing = last && prefix == *last;
    const size_t entries = node.path.size();
    const uint32_t depth = node.depth;
    const uint64_t key_before = node.key;
    SearchNode child = reusing ? std::move(node) : node;
    // A fault touches every node: nothing sleeps across it (and nothing
    // sleeps without --por sleep).
    child.sleep.clear();
    child.wake = 0;
    chooser.begin(prefix);
    const bool stepped = advance(child, fault, chooser);
    REPLSIM_ASSERT(stepped || !reusing, "a state with a live event due steps");
    if (!stepped) return false;
    key(child);
    out.children.push_back(std::move(child));
    out.reuse.states += reusing ? 1 : 0;
    if (!chooser.next_prefix(prefix)) return true;
    if (reusing) {
      node = rebuilt(out.children.back().path, entries, depth, key_before);
      ++out.reuse.rebuilt;
      out.reuse.transitions_replayed += depth;
      last.reset();
    }
  }
}

// The answers of the combination a state's step takes last, as far as they
// can be told before it runs: the last of the tied events, and nothing
// after (the combinations go in odometer order). Null when the world has
// no live event: the step does not run, and the state is judged whole.
std::optional<std::vector<uint32_t>> Search::expected_last_prefix(const SearchNode& node) const {
  const size_t ties = node.run.run().world.tied_event_count();
  if (ties == 0) return std::nullopt;
  // One tied event, or the question fixed: no next_event question is asked.
  if (ties == 1 || options_.settings.fixes(ChoiceKind::kNextEvent)) return std::vector<uint32_t>{};
  return std::vector<uint32_t>{static_cast<uint32_t>(ties - 1)};
}

// The state the first `entries` entries of `path` lead to from the root
// (`depth` transitions), made as the search made it: each transition, then
// the drop of stale events its key began with (the rest of a key changes
// nothing ahead). For a reused state whose step asked more than expected.
SearchNode Search::rebuilt(const std::vector<PathStep>& path, size_t entries, uint32_t depth, uint64_t key_expected) const {
  REPLSIM_ASSERT(root_.has_value(), "a search has its root before it expands a state");
  REPLSIM_ASSERT(entries <= path.size(), "a state's path is a prefix of its successor's");
  SearchNode node = *root_;
  node.run.drop_stale_events();
  harness::EnumeratingChooser chooser(options_.settings);
  size_t next = 0;  // the first entry not replayed
  while (node.depth < depth) {
    // A fault fired before step n has n in its entry, then the answers of
    // its questions; step n answers the rest numbered n.
    int32_t fault = -1;
    REPLSIM_ASSERT(next == entries || path[next].step >= node.steps, "a path's entries are in step order");
    if (next < entries && path[next].fault >= 0 && path[next].step == node.steps) {
      fault = path[next++].fault;
    }
    std::vector<uint32_t> answers;
    for (size_t i = next; i < entries && path[i].fault < 0 && path[i].step == node.steps; ++i) {
      answers.push_back(path[i].answer);
    }
    chooser.begin(std::move(answers));
    const bool moved = advance(node, fault, chooser);
    REPLSIM_ASSERT(moved, "a transition of a path taken replays");
    next += chooser.asked().size();
    node.run.drop_stale_events();
  }
  key(node);
  REPLSIM_ASSERT(next == entries && std::equal(node.path.begin(), node.path.end(), path.begin(), path.begin() + entries),
                 "a rebuilt state took its path's transitions and answers");
  REPLSIM_ASSERT(node.key == key_expected, "a rebuilt state has the key it had");
  return node;
}

// Runs one transition on `node` and records it in its path and history
// digest; false when the world had no event to step.
bool Search::advance(SearchNode& node, int32_t fault, harness::EnumeratingChooser& chooser,
                     StepFootprint* footprint) const {
  const uint64_t step = node.steps;
  node.completions_before = node.completions;
  if (fault < 0) {
    if (!node.run.step(chooser, footprint)) return false;
  } else {
    const FaultAction& action = actions_[static_cast<size_t>(fault)];
    node.path.push_back({step, fault, node.run.run().world.now().ns_since_origin(), ChoiceKind::kNextEvent, 0, 0});
    node.run.fire(action.spec, chooser);
    if (action.spends_budget()) ++node.faults_used;
    track_isolated(action, node.isolated);
  }
  for (const harness::BranchChoice& c : chooser.asked()) node.path.push_back({step, -1, 0, c.kind, c.answer, c.arity});
  if (fault < 0) ++node.steps;
  ++node.depth;
  fold_history(node, judged_path_data_.operation_times);
  return true;
}

// Why a state is a leaf, or null when it is not.
const char* Search::leaf_of(const SearchNode& node) const {
  if (node.depth >= depth_max_) return "depth_bound";
  if (node.run.run().world.now() > horizon_) return "horizon";
  if (history_only_ && completions_all_ > 0 && node.completions >= completions_all_) return "clients_done";
  return nullptr;
}

bool Search::needs_judging(const SearchNode& node) const {
  return leaf_of(node) != nullptr || node.completions > node.completions_before;
}

// BFS, level by level, each level in chunks: a chunk's states expand in
// parallel, their successors enter the visited set in (state, successor)
// order, the new ones are judged in parallel and the first violation in
// that order is kept; the result does not depend on --jobs. Chunks bound
// how many successors (full runs) exist before memory is checked.
void Search::breadth_first(SearchNode root) {
  static constexpr size_t kChunkStates = 64;
  std::vector<SearchNode> level;
  level.push_back(std::move(root));
  tbb::task_arena arena(options_.jobs == 0 ? tbb::task_arena::automatic : static_cast<int>(options_.jobs));
  while (!level.empty() && !tally_.violation && !stopped_by_) {
    std::vector<SearchNode> following;
    for (size_t from = 0; from < level.size() && !tally_.violation && !stopped_by_; from += kChunkStates) {
      const size_t to = std::min(level.size(), from + kChunkStates);
      std::vector<Expansion> expansions(to - from);
      // Decided for the whole chunk, from the chunks before it: the same
      // on any number of threads.
      const bool reuse = reuses(reuse_);
      arena.execute([&] {
        tbb::parallel_for(from, to, [&](size_t i) {
          expansions[i - from] = expand(level[i], reuse);
          // Done with: freed here, in parallel, rather than with the level.
          // A leaf with no event stays, to be judged.
          if (!expansions[i - from].no_event) {
            const SearchNode spent = std::move(level[i]);
          }
        });
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
void Search::merge_chunk(tbb::task_arena& arena, std::vector<SearchNode>& level, size_t from,
                         std::vector<Expansion>& expansions, std::vector<SearchNode>& following) {
  std::vector<Judgement> judgements;
  std::vector<SearchNode*> next;
  for (size_t i = 0; i < expansions.size() && !stopped_by_; ++i) {
    if (expansions[i].memory_full) {
      stopped_by_ = "memory_mb_max";
      break;
    }
    if (expansions[i].no_event) judgements.push_back({&level[from + i], "no_event"});
    branches_truncated_ += expansions[i].truncated;
    reuse_.add(expansions[i].reuse);
    for (SearchNode& child : expansions[i].children) {
      const Admission admission = admit(child);
      REPLSIM_ASSERT(admission != Admission::kWoken, "BFS keeps no sleep sets");
      if (admission == Admission::kSeen) continue;
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
// searched again: what lies within the depth bound from it grew). With a
// shuffle seed (a swarm's member) each state's successors are taken in an
// order of the member's own.
void Search::depth_first(SearchNode root) {
  std::optional<Rng> shuffle;
  if (options_.shuffle_seed) shuffle.emplace(*options_.shuffle_seed, "explore dfs order");
  std::vector<SearchNode> stack;
  stack.push_back(std::move(root));
  while (!stack.empty() && !tally_.violation && !stopped_by_) {
    SearchNode node = std::move(stack.back());
    stack.pop_back();
    Expansion e = expand(node, reuses(reuse_));
    if (e.memory_full) {
      stopped_by_ = "memory_mb_max";
      break;
    }
    branches_truncated_ += e.truncated;
    reuse_.add(e.reuse);
    events_slept_ += e.slept;
    ties_max_ = std::max(ties_max_, e.ties);
    if (e.no_event) record(tally_, "no_event", verdict_of(node), nullptr);
    if (shuffle) {
      for (size_t i = e.children.size(); i > 1; --i) std::swap(e.children[i - 1], e.children[shuffle->below(i)]);
    }
    for (SearchNode& child : e.children) {
      if (tally_.violation || stopped_by_) continue;
      const Admission admission = admit(child);
      if (admission == Admission::kSeen) continue;
      // A woken state was judged when first admitted.
      if (admission != Admission::kWoken && needs_judging(child)) record(tally_, leaf_of(child), verdict_of(child), nullptr);
      if (!tally_.violation && leaf_of(child) == nullptr) stack.push_back(std::move(child));
    }
    queue_now_ = stack.size();
    queue_peak_ = std::max(queue_peak_, stack.size());
    report_progress(false);
  }
}

// Sets the node's key: under symmetry "on", the smallest over the
// renamings; else as it is, with its orbit's key beside it under "count".
void Search::key(SearchNode& node) const {
  // Each state kept is copied for every transition from it but the last
  // (Reuse), and in the explorer's benchmark two thirds of the pending
  // events are superseded timers and segments (PERFORMANCE.md, "Stale
  // events").
  node.run.drop_stale_events();
  const uint64_t plain = state_key(node, nullptr, judged_path_data_);
  const auto hash = [this, &node, plain](const NodeRenaming* renaming) {
    return renaming == nullptr ? plain : state_key(node, renaming, judged_path_data_);
  };
  node.orbit = symmetry_mode_ == SymmetryMode::kOff ? 0 : canonical_key(symmetry_, hash);
  node.key = symmetry_mode_ == SymmetryMode::kOn ? node.orbit : plain;
  if (sleep_sets_) {
    Hasher monitor;
    node.run.run().monitor->hash_into(monitor);
    node.monitor_hash = monitor.value();
  }
}

// The stored form of a state's sleep set: which of its tied events, in name
// order, are asleep (a key holds the pending events, so states under one
// key have one order). Only the first sleep_mask_events fit: the state's
// sleep set loses the others, which it then takes, as every later arrival
// will (a smaller sleep set is sound; one larger than the stored one is not).
uint16_t Search::sleep_mask_of(SearchNode& node) const {
  if (node.sleep.empty()) return 0;
  std::vector<uint64_t> by_name = node.run.run().world.tied_event_names();
  std::sort(by_name.begin(), by_name.end());
  uint16_t mask = 0;
  std::erase_if(node.sleep, [&](const SleepEntry& z) {
    const auto at = std::lower_bound(by_name.begin(), by_name.end(), z.event);
    const size_t position = static_cast<size_t>(at - by_name.begin());
    if (at == by_name.end() || *at != z.event || position >= options_.sleep_mask_events) return true;
    mask |= static_cast<uint16_t>(1u << position);
    return false;
  });
  return mask;
}

// The search's first state, into an empty visited set.
void Search::admit_root(const SearchNode& root) {
  REPLSIM_ASSERT(visited_.size() == 0 && states_ == 0, "the root is the first state admitted");
  visited_.emplace(root.key, 0);
  states_ = 1;
  count_orbit(root);
}

// A state new to the visited set: its orbit, when a symmetry mode counts them.
void Search::count_orbit(const SearchNode& state) {
  if (symmetry_mode_ == SymmetryMode::kOff) return;
  const std::lock_guard<std::mutex> lock(orbits_mutex_);
  // Under "on" the visited set holds one state per orbit already.
  if (symmetry_mode_ == SymmetryMode::kCount && !orbits_.insert(state.orbit).second) return;
  ++orbits_count_;
  orbit_digest_ += mix64(state.orbit);
}

void Search::reset_orbits() {
  const std::lock_guard<std::mutex> lock(orbits_mutex_);
  orbits_.clear();
  orbits_count_ = orbit_digest_ = 0;
}

// Counts a successor into the visited set. A state seen before (at no
// greater depth, for DFS) is seen, unless it comes with a sleep set that
// lacks events its stored one held and is not a leaf: then it takes those
// events now (`wake`; VisitedSet::admit says what the entry keeps).
Search::Admission Search::admit(SearchNode& child) {
  ++tally_.transitions;
  tally_.depth_reached = std::max(tally_.depth_reached, child.depth);
  // A state past the horizon is a leaf, kept out of the visited set.
  if (child.run.run().world.now() > horizon_) return Admission::kAdded;
  const uint16_t sleep = sleep_mask_of(child);
  const Admission admission =
      visited_.admit(child.key, child.depth, keeps_smallest_depth_, leaf_of(child) == nullptr, sleep, child.wake);
  if (admission != Admission::kAdded) ++duplicates_;
  if (admission == Admission::kSeen) return admission;
  if (admission == Admission::kWoken) {
    ++states_woken_;
    return admission;
  }
  if (admission == Admission::kAdded) {
    ++states_;
    count_orbit(child);
  }
  if (states_ >= states_max_) stopped_by_ = "states_max";
  else if (states_ % 64 == 0 && resident_bytes() > options_.memory_mb_max << 20) stopped_by_ = "memory_mb_max";
  else if (time_up()) stopped_by_ = "time_limit";
  return admission;
}

void Search::judge_all(tbb::task_arena& arena, const std::vector<Judgement>& judgements) {
  std::vector<std::optional<Verdict>> verdicts(judgements.size());
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, judgements.size(), [&](size_t i) { verdicts[i] = verdict_of(*judgements[i].node); });
  });
  for (size_t i = 0; i < judgements.size() && !tally_.violation; ++i) {
    record(tally_, judgements[i].leaf, verdicts[i], nullptr);
  }
}

Search::RunJudgement Search::judgement_of(const SearchNode& node) const {
  const ScenarioRun run = node.run.judged();
  RunJudgement judgement;
  judgement.undecided = run.verdict == "undecided";
  judgement.failed = run.verdict == "fail";
  if (!judgement.failed) return judgement;
  judgement.signature = harness::failure_signature(run);
  judgement.checks = harness::failed_checks(run);
  for (const harness::CheckOutcome& c : run.checks) {
    if (c.verdict != harness::CheckVerdict::kFail) continue;
    judgement.details.insert(judgement.details.end(), c.details.begin(), c.details.end());
  }
  REPLSIM_ASSERT(!judgement.signature.empty(), "a failed run names what failed");
  return judgement;
}

// Judged outside the lock: two threads may judge one history at once, and
// judge it alike.
Search::RunJudgement Search::history_judgement_of(const SearchNode& node) const {
  REPLSIM_ASSERT(history_only_, "only the history's checks make a judgement the history's");
  {
    const std::lock_guard<std::mutex> lock(history_judgements_mutex_);
    const auto known = history_judgements_.find(node.history_digest);
    if (known != history_judgements_.end()) return known->second;
  }
  RunJudgement judgement = judgement_of(node);
  const std::lock_guard<std::mutex> lock(history_judgements_mutex_);
  if (history_judgements_.size() < kHistoryJudgementsMax) history_judgements_.emplace(node.history_digest, judgement);
  return judgement;
}

Search::Verdict Search::verdict_of(const SearchNode& node) const {
  RunJudgement judgement = history_only_ ? history_judgement_of(node) : judgement_of(node);
  Verdict verdict;
  verdict.undecided = judgement.undecided;
  if (!judgement.failed) return verdict;
  verdict.violation = Violation{node.path,
                                node.steps,
                                node.depth,
                                0,
                                std::move(judgement.signature),
                                std::move(judgement.checks),
                                std::move(judgement.details)};
  return verdict;
}

// Counts a judgement (a leaf's, with why) and keeps the first violation.
// Only a leaf's undecided check leaves the search undecided: a state inside
// a path (where an operation completed) is judged again at the leaves below
// it, which see more of the run (a liveness bound that had not elapsed yet,
// a cluster that had not settled yet).
void Search::record(Tally& tally, const char* leaf, const std::optional<Verdict>& verdict,
                    Signatures* shared_on_path) const {
  REPLSIM_ASSERT(verdict.has_value(), "every judgement was made");
  REPLSIM_ASSERT((shared_on_path != nullptr) == is_sampling_strategy(options_.strategy),
                 "a sampled path, and only one, compares once a path");
  if (leaf != nullptr) ++tally.leaves[leaf];
  ++tally.judged;
  if (verdict->undecided && leaf != nullptr) ++tally.undecided;
  if (!verdict->violation || tally.violation) return;
  const Violation& v = *verdict->violation;
  if (is_known(v.signature, options_)) {
    add_known_violation(tally.known_violations, v.signature, 1, v.depth);
  } else if (baseline_root_ && (shared_on_path ? shared_once_a_path(v, *shared_on_path) : baseline_shows(v))) {
    add_known_violation(tally.shared_with_baseline, v.signature, 1, v.depth);
  } else {
    tally.violation = v;
  }
}

void Tally::add(const Tally& later) {
  walks += later.walks;
  transitions += later.transitions;
  judged += later.judged;
  undecided += later.undecided;
  depth_reached = std::max(depth_reached, later.depth_reached);
  for (const auto& [leaf, count] : later.leaves) leaves[leaf] += count;
  add_known_violations(known_violations, later.known_violations);
  add_known_violations(shared_with_baseline, later.shared_with_baseline);
  if (!violation) violation = later.violation;
}

void Search::Reuse::add(const Reuse& later) {
  expansions += later.expansions;
  states += later.states;
  rebuilt += later.rebuilt;
  transitions_replayed += later.transitions_replayed;
}

nlohmann::json Search::Reuse::to_json() const {
  return {{"states", states}, {"rebuilt", rebuilt}, {"transitions_replayed", transitions_replayed}};
}

bool Search::time_up() const {
  if (!options_.time_limit_s) return false;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count() >= *options_.time_limit_s;
}

void Search::report_progress(bool last) {
  const auto now = std::chrono::steady_clock::now();
  if (!last && now - last_progress_ < std::chrono::seconds(1)) return;
  if (!last && (now - started_) < std::chrono::seconds(1)) return;
  last_progress_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  progress_ << fmt::format("explore: {} states ({:.0f}/s), {} walks, {} transitions ({:.0f}/s), depth {}, queue {}, "
                           "resident {} MiB\n",
                           states_, seconds > 0 ? static_cast<double>(states_) / seconds : 0.0, tally_.walks,
                           tally_.transitions, seconds > 0 ? static_cast<double>(tally_.transitions) / seconds : 0.0,
                           tally_.depth_reached,
                           queue_now_, resident_bytes() >> 20);
}

harness::Schedule Search::schedule_of(const std::vector<PathStep>& path, uint64_t steps, uint64_t prefix_steps) const {
  harness::Schedule schedule;
  schedule.settings = options_.settings;
  schedule.prefix_steps = prefix_steps;
  schedule.prefix_before = options_.from;
  schedule.steps = steps;
  for (const PathStep& p : path) {
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
nlohmann::json Search::write_counterexample(const Violation& v, const ShrinkStats& shrunk) const {
  namespace fs = std::filesystem;
  nlohmann::json doc = document_;
  doc.erase("fault_generator");  // the scenario's faults stay: they fire in the prefix
  doc["name"] = scenario_.name + "-explored";
  doc["description"] = fmt::format("Found by replsim explore ({}, depth {}) in {}: the path's faults and choices, "
                                   "replayed by replsim run, fail {}.",
                                   options_.strategy, v.depth, scenario_.file, fmt::join(v.checks, ", "));
  doc["expect"] = {{"verdict", "fail"}, {"check", v.checks.front()}};
  doc["schedule"] = harness::schedule_to_json(schedule_of(v.path, v.steps, prefix_steps_));
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
  for (const harness::AppliedFault& f : run.faults) faults.push_back(f.to_json(run.world.config().node_names));
  nlohmann::json j = {{"checks", v.checks},   {"signature", v.signature}, {"details", v.details}, {"transitions", v.depth},
                      {"steps", v.steps},     {"faults", faults},     {"file", file.string()},
                      {"run_dir", (dir / "counterexample").string()}, {"replayed", true},
                      {"events", events_of(v.path)},
                      {"shrink", {{"events_before", shrunk.events_before}, {"transitions_before", shrunk.depth_before},
                                  {"runs", shrunk.runs}, {"rounds", shrunk.rounds},
                                  {"events_by_pass",
                                   {{"chunks", shrunk.events_by_chunks ? nlohmann::json(*shrunk.events_by_chunks) : nlohmann::json(nullptr)},
                                    {"components", shrunk.events_by_components}}},
                                  {"runs_max", shrunk.runs_max}}}};
  if (is_sampling_strategy(options_.strategy)) j["sample"] = v.sample;
  if (baseline_root_) j["baseline"] = write_baseline(v, dir);
  return j;
}

ExploreResult Search::finish() {
  report_progress(true);
  ExploreResult result;
  nlohmann::json& j = result.summary;
  const double n = static_cast<double>(states_);
  describe_search(j, scenario_, options_, types_);
  j["prefix"]["steps"] = prefix_steps_;
  if (is_sampling_strategy(options_.strategy)) {
    j["samples"] = {{"count", options_.walks}, {"shard", options_.shard}, {"shards", options_.shards},
                    {"run", tally_.walks}, {"counterexamples", options_.counterexamples}};
    if (options_.strategy == "pct") j["samples"]["pct_depth"] = options_.pct_depth;
  }
  // Its counts other than the states of a complete search depend on the
  // threads' timing (parallel_dfs.cpp), so the summary says it ran so.
  if (dfs_threads_ > 0) j["dfs_threads"] = dfs_threads_;
  if (dfs_rerun_ended_) j["dfs_rerun_ended"] = *dfs_rerun_ended_;
  j["walks"] = tally_.walks;
  j["states_distinct"] = states_;
  j["transitions"] = tally_.transitions;
  j["duplicates"] = duplicates_;
  j["depth_reached"] = tally_.depth_reached;
  j["queue_peak"] = queue_peak_;
  j["judged"] = tally_.judged;
  j["undecided_judgements"] = tally_.undecided;
  j["leaves"] = tally_.leaves;
  j["branches_truncated"] = branches_truncated_;
  if (!is_sampling_strategy(options_.strategy)) j["reused"] = reuse_.to_json();
  if (sleep_sets_) j["por"] = {{"mode", options_.por}, {"events_slept", events_slept_}, {"states_woken", states_woken_},
                          {"ties_max", ties_max_}, {"sleep_mask_events", options_.sleep_mask_events}};
  j["known_violations"] = tally_.known_violations;
  if (options_.baseline) j["shared_with_baseline"] = tally_.shared_with_baseline;
  if (options_.symmetry != "off" && root_) {
    j["symmetry"] = symmetry_to_json(options_.symmetry, symmetry_, root_->run.run().world);
    // Both modes count the orbits of the states they admitted: a complete
    // search with "on" and one with "count" agree on both when the
    // protocol's declaration holds.
    j["symmetry"]["orbits"] = orbits_count_;
    j["symmetry"]["orbit_digest"] = fmt::format("{:016x}", orbit_digest_);
  }
  // Hash compaction: two distinct states with one 64-bit key merge, and
  // the second is never searched. The chance that this happened at all:
  const bool shared_set = shared_visited_entries_ > 0;
  j["visited"] = {{"entries", shared_set ? shared_visited_entries_ : visited_.size()},
                  {"bytes_approx", shared_set ? shared_visited_bytes_ : visited_.bytes()},
                  {"key_bits", 64},
                  {"omission_probability", n < 2 ? 0.0 : -std::expm1(-n * (n - 1) / std::ldexp(1.0, 65))}};
  j["stopped_by"] = stopped_by_ ? nlohmann::json(*stopped_by_) : nlohmann::json(nullptr);
  // Complete: every path within the bounds searched and every judgement
  // decided (an undecided check is no pass). A sampled search never claims
  // that nothing is there.
  j["complete"] = !tally_.violation && !stopped_by_ && branches_truncated_ == 0 && tally_.undecided == 0 &&
                  !is_sampling_strategy(options_.strategy) && !options_.shuffle_seed;
  if (tally_.violation && options_.write_counterexample) {
    ShrinkStats shrunk;
    nlohmann::json compared;
    j["violation"] = write_counterexample(shortest_counterexample(shrunk, compared), shrunk);
    if (!compared.is_null()) j["violation"]["compared"] = std::move(compared);
    result.exit_code = 1;
  } else if (tally_.violation) {
    j["violation"] = {{"checks", tally_.violation->checks}, {"transitions", tally_.violation->depth}, {"replayed", false}};
    result.exit_code = 1;
  } else {
    j["violation"] = nullptr;
    result.exit_code = j["complete"].get<bool>() ? 0 : 3;
  }
  j["exit_code"] = result.exit_code;
  return result;
}

}  // namespace replsim::explore
