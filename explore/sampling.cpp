// The sampled strategies: paths from the root with every answer drawn.
//
// random-walk: every question answered uniformly; each walk draws its own
// chance of a budgeted fault per transition, so walks differ in how early
// and how often they fault.
//
// pct: PCT's scheduler (explore/pct.h) answers the questions, and the
// budgeted faults fire at steps drawn uniformly among those of a probe
// path, the one that answers every question with its first option (its
// scheduling decisions are PCT's k).
//
// Path i draws from its own stream (the scenario's seed and i), so a shard
// runs exactly the paths the whole search would, and `replsim merge` of the
// shards finds the first violation the whole search finds. For the same
// reason paths run in parallel (--jobs) and still add up in their order.
#include <algorithm>
#include <atomic>

#include <tbb/parallel_for.h>

#include "base/assert.h"
#include "explore/pct.h"
#include "explore/search.h"

namespace replsim::explore {
namespace {

constexpr double kUndoChance = 0.2;  // a restart, resume or heal comes soon, as a fault's duration would end it
// Paths a batch gives each thread: enough that a long path does not idle the
// others for long, few enough that little is dropped after a violation.
constexpr size_t kBatchPathsPerJob = 4;

class UniformAnswers final : public harness::TailAnswers {
 public:
  explicit UniformAnswers(Rng& rng) : rng_(rng) {}
  uint32_t answer(const harness::Question& question) override {
    return static_cast<uint32_t>(rng_.below(question.arity));
  }

 private:
  Rng& rng_;
};

// The first option of every question, counting the scheduling decisions.
class FirstAnswers final : public harness::TailAnswers {
 public:
  uint32_t answer(const harness::Question& question) override {
    if (question.kind == ChoiceKind::kNextEvent) ++decisions;
    return 0;
  }
  uint64_t decisions = 0;
};

}  // namespace

// Paths run in batches, as many at once as --jobs allows; each counts into
// its own tally, and the tallies are added to the search's in the paths'
// order up to the first path that found a violation (the rest of its batch
// is dropped), so a search finds what it would find one path at a time,
// with the same counts, for any --jobs. With --counterexamples K it goes on
// from the path after each violation until it has K: a dropped path runs
// again then, and counts once.
void Search::sample_paths(const SearchNode& root) {
  REPLSIM_ASSERT(options_.shard >= 1 && options_.shard <= options_.shards, "a shard of the paths");
  REPLSIM_ASSERT(options_.counterexamples == 1 || options_.shards == 1, "compared paths are one shard's");
  if (options_.strategy == "pct") probe_ = probe_path(root);
  tbb::task_arena arena(options_.jobs == 0 ? tbb::task_arena::automatic : static_cast<int>(options_.jobs));
  const size_t batch_paths = arena.max_concurrency() == 1 ? 1 : kBatchPathsPerJob * arena.max_concurrency();
  uint64_t next = options_.shard - 1;
  for (uint32_t found = 0; found < options_.counterexamples; ++found) {
    sample_until_violation(root, arena, batch_paths, next);
    if (!tally_.violation) break;
    if (options_.counterexamples == 1) return;
    candidates_.push_back(*tally_.violation);
    next = tally_.violation->sample + options_.shards;
    progress_ << "explore: path " << tally_.violation->sample << " has a violation (" << candidates_.size() << " of "
              << options_.counterexamples << " to compare)\n";
    if (stopped_by_ || found + 1 == options_.counterexamples) break;
    tally_.violation.reset();
  }
  if (!candidates_.empty()) tally_.violation = candidates_.front();
  REPLSIM_ASSERT(candidates_.size() <= options_.counterexamples, "no more paths compared than asked");
}

void Search::sample_until_violation(const SearchNode& root, tbb::task_arena& arena, size_t batch_paths, uint64_t next) {
  REPLSIM_ASSERT(!tally_.violation, "each round looks for the next violation");
  while (next < options_.walks && !tally_.violation && !stopped_by_) {
    std::vector<uint64_t> indices;
    for (; next < options_.walks && indices.size() < batch_paths; next += options_.shards) indices.push_back(next);
    std::vector<Tally> tallies(indices.size());
    std::atomic<uint64_t> first_violation{UINT64_MAX};
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, indices.size(),
                        [&](size_t i) { tallies[i] = sampled_path(root, indices[i], first_violation); });
    });
    for (const Tally& tally : tallies) {
      tally_.add(tally);
      if (tally_.violation) break;
    }
    if (time_up()) stopped_by_ = "time_limit";
    report_progress(false);
  }
}

// A path stops once an earlier path of its batch found a violation: its
// tally would be dropped, and a path the search one at a time never runs
// must not run on (to an assertion, or for its whole length).
Tally Search::sampled_path(const SearchNode& root, uint64_t index, std::atomic<uint64_t>& first_violation) const {
  Tally tally;
  const auto announce = [&] {
    uint64_t first = first_violation.load();
    while (tally.violation && index < first && !first_violation.compare_exchange_weak(first, index)) {
    }
  };
  const auto go_on = [&] {
    announce();
    return !tally.violation && first_violation.load(std::memory_order_relaxed) > index;
  };
  if (options_.strategy == "pct") pct_path(root, index, go_on, tally);
  else walk(root, index, go_on, tally);
  announce();
  REPLSIM_ASSERT(tally.walks == 1, "a sampled path counts itself once");
  REPLSIM_ASSERT(!tally.violation || first_violation.load() <= index, "a violation is announced to the batch");
  return tally;
}

// Judges a sampled path's state and keeps the path's index with a violation.
void Search::record_sampled(Tally& tally, Signatures& shared_on_path, const char* leaf, const SearchNode& node,
                            uint64_t index) const {
  Verdict verdict = verdict_of(node);
  if (verdict.violation) verdict.violation->sample = index;
  record(tally, leaf, verdict, &shared_on_path);
}

void Search::walk(const SearchNode& root, uint64_t index, const GoOn& go_on, Tally& tally) const {
  static constexpr double kFaultChances[] = {0.005, 0.02, 0.08};
  Rng rng(scenario_.seed + index, "explore walk");
  const double fault_chance = kFaultChances[rng.below(3)];
  UniformAnswers answers(rng);
  const auto fault_now = [&](const SearchNode&, const std::vector<uint32_t>& faults) {
    return !faults.empty() && rng.bernoulli(fault_chance);
  };
  sample_path(root, index, rng, answers, fault_now, go_on, tally);
}

// One path from `root`: before each transition an undo fires with
// kUndoChance, else a budgeted fault when `fault_now` says so, else the
// world steps with `answers` answering its questions; it ends at a leaf or
// when `go_on` says so (after its violation, or an earlier path's).
void Search::sample_path(const SearchNode& root, uint64_t index, Rng& rng, harness::TailAnswers& answers,
                         const FaultNow& fault_now, const GoOn& go_on, Tally& tally) const {
  harness::EnumeratingChooser chooser(options_.settings, &answers);
  SearchNode node = root;
  Signatures shared_on_path;
  ++tally.walks;
  while (go_on()) {
    if (const char* leaf = leaf_of(node)) return record_sampled(tally, shared_on_path, leaf, node, index);
    std::vector<uint32_t> faults, undos;
    const bool budget_left = node.faults_used < options_.faults_max;
    for (uint32_t i : enabled_actions(node.run.run().world, actions_, budget_left, node.isolated)) {
      (actions_[i].spends_budget() ? faults : undos).push_back(i);
    }
    int32_t fault = -1;
    if (!undos.empty() && rng.bernoulli(kUndoChance)) fault = static_cast<int32_t>(undos[rng.below(undos.size())]);
    else if (fault_now(node, faults)) fault = static_cast<int32_t>(faults[rng.below(faults.size())]);
    chooser.begin({});
    if (!advance(node, fault, chooser)) {  // no event left: only a fault can go on
      if (faults.empty() && undos.empty()) return record_sampled(tally, shared_on_path, "no_event", node, index);
      std::vector<uint32_t>& pool = undos.empty() ? faults : undos;
      chooser.begin({});
      advance(node, static_cast<int32_t>(pool[rng.below(pool.size())]), chooser);
    }
    ++tally.transitions;
    tally.depth_reached = std::max(tally.depth_reached, node.depth);
    if (node.completions > node.completions_before) record_sampled(tally, shared_on_path, nullptr, node, index);
  }
}

// The length of the path that answers every question with its first
// option and fires no fault: PCT's k (its scheduling decisions) and the
// range its fault steps are drawn from. Measured once, before the paths.
Search::Probe Search::probe_path(const SearchNode& root) const {
  FirstAnswers answers;
  harness::EnumeratingChooser chooser(options_.settings, &answers);
  SearchNode node = root;
  while (leaf_of(node) == nullptr) {
    chooser.begin({});
    if (!advance(node, -1, chooser)) break;
  }
  return Probe{std::max<uint64_t>(node.steps - root.steps, 1), answers.decisions};
}

void Search::pct_path(const SearchNode& root, uint64_t index, const GoOn& go_on, Tally& tally) const {
  REPLSIM_ASSERT(probe_.has_value(), "the probe path runs before pct's paths");
  const Probe& probe = *probe_;
  Rng rng(scenario_.seed + index, "explore pct");
  PctAnswers answers(rng, static_cast<uint32_t>(root.run.run().world.node_count()), options_.pct_depth,
                     probe.decisions);
  std::vector<uint64_t> fault_steps;
  for (uint32_t i = 0; i < options_.faults_max; ++i) fault_steps.push_back(root.steps + rng.below(probe.steps));
  const auto fault_now = [&](const SearchNode& node, const std::vector<uint32_t>& faults) {
    const auto due = std::find(fault_steps.begin(), fault_steps.end(), node.steps);
    if (due == fault_steps.end() || faults.empty()) return false;
    fault_steps.erase(due);
    return true;
  };
  sample_path(root, index, rng, answers, fault_now, go_on, tally);
}

}  // namespace replsim::explore
