// Shrinking a counterexample: a sampled path answers hundreds of questions
// at random, and a reader wants the few answers and faults the violation
// needs. Candidates take events (faults, answers other than the first
// option) out of the best path so far: first every answer of one kind at
// once, then chunks of events, halving the chunk size as delta debugging
// does (Zeller and Hildebrandt, TSE 2002). A candidate stands when
// following it ends in the same violation (the same signature) with fewer
// events; after a BFS, also with no more transitions, so its
// counterexample stays a shortest one. Each candidate is one deterministic
// run of the path, so the result is the same on every machine;
// shrink_runs_max bounds the candidates.
#include <algorithm>
#include <map>

#include "base/assert.h"
#include "explore/search.h"

namespace replsim::explore {
namespace {

// Answers by step: the k-th question of world step s gets the plan's k-th
// answer for s when it asks the same kind and the answer is in range, else
// its first option. Keyed by step, an answer taken out early does not shift
// every later one; a question the plan does not know gets the first option,
// so every candidate is a valid path.
class PlannedAnswers final : public harness::TailAnswers {
 public:
  explicit PlannedAnswers(const std::vector<PathStep>& answers) {
    for (const PathStep& p : answers) by_step_[p.step].push_back(p);
  }
  // A fault's questions and its step's share the step's number: they are
  // counted on together.
  void begin_step(uint64_t step) {
    if (step == step_) return;
    step_ = step;
    asked_ = 0;
  }
  uint32_t answer(ChoiceKind kind, uint32_t arity, std::span<const EventChoice>) override {
    const auto planned = by_step_.find(step_);
    const size_t k = asked_++;
    if (planned == by_step_.end() || k >= planned->second.size()) return 0;
    const PathStep& p = planned->second[k];
    return p.kind == kind && p.answer < arity ? p.answer : 0;
  }

 private:
  std::map<uint64_t, std::vector<PathStep>> by_step_;
  uint64_t step_ = UINT64_MAX;
  size_t asked_ = 0;
};

bool is_event(const PathStep& p) { return p.fault >= 0 || p.answer != 0; }

// The plan of `path` without the events `drop` selects (event index, step).
template <class Drop>
PathPlan plan_without(const std::vector<PathStep>& path, Drop drop) {
  PathPlan plan;
  size_t event = 0;
  for (const PathStep& p : path) {
    const bool dropped = is_event(p) && drop(event, p);
    event += is_event(p) ? 1 : 0;
    if (p.fault >= 0 && !dropped) plan.faults.push_back(p);
    if (p.fault < 0) plan.answers.push_back(dropped ? PathStep{p.step, -1, 0, p.kind, 0, p.arity} : p);
  }
  return plan;
}

}  // namespace

size_t events_of(const std::vector<PathStep>& path) {
  return static_cast<size_t>(std::count_if(path.begin(), path.end(), is_event));
}

// Follows the plan from the root, judging as a sampled path is judged;
// the violation when the path ends in one with `signature`.
std::optional<Violation> Search::follow(const PathPlan& plan, const std::vector<std::string>& signature) const {
  REPLSIM_ASSERT(root_.has_value(), "a search has its root before it shrinks");
  PlannedAnswers answers(plan.answers);
  harness::EnumeratingChooser chooser(options_.settings, &answers);
  SearchNode node = *root_;
  size_t next_fault = 0;
  for (uint64_t transitions = 0;; ++transitions) {
    REPLSIM_ASSERT(transitions <= depth_max_of(options_), "the depth bound ends every path");
    const char* leaf = leaf_of(node);
    int32_t fault = -1;
    while (leaf == nullptr && next_fault < plan.faults.size() && plan.faults[next_fault].step <= node.steps) {
      const PathStep& planned = plan.faults[next_fault++];
      const std::vector<uint32_t> enabled = enabled_actions(node.run.run().world, actions_,
                                                            node.faults_used < options_.faults_max, node.isolated);
      const bool fires = planned.step == node.steps &&
                         std::find(enabled.begin(), enabled.end(), static_cast<uint32_t>(planned.fault)) != enabled.end();
      if (fires) {
        fault = planned.fault;
        break;
      }
    }
    if (leaf == nullptr) {
      answers.begin_step(node.steps);
      chooser.begin({});
      if (!advance(node, fault, chooser)) leaf = "no_event";
    }
    if (leaf == nullptr && node.completions == node.completions_before) continue;
    const Verdict verdict = verdict_of(node);
    if (verdict.violation && verdict.violation->signature == signature) return verdict.violation;
    if (verdict.violation && !is_known(verdict.violation->signature, options_)) return std::nullopt;
    if (leaf != nullptr) return std::nullopt;
  }
}

// Tries one candidate: the best path stands unless following `plan` ends
// in the same violation with fewer events (and, after a BFS, no more
// transitions).
bool Search::try_candidate(const PathPlan& plan, Violation& best, ShrinkStats& stats) const {
  ++stats.runs;
  std::optional<Violation> v = follow(plan, best.signature);
  if (!v || events_of(v->path) >= events_of(best.path)) return false;
  if (options_.strategy == "bfs" && v->depth > best.depth) return false;
  v->sample = best.sample;
  best = std::move(*v);
  return true;
}

Violation Search::shrink(const Violation& found, ShrinkStats& stats) const {
  stats.events_before = events_of(found.path);
  stats.depth_before = found.depth;
  Violation best = found;
  // Every answer of one kind at once: a walk's random delays or losses
  // seldom matter one by one.
  for (uint8_t k = 0; k <= static_cast<uint8_t>(ChoiceKind::kNonce) && stats.runs < options_.shrink_runs_max; ++k) {
    const auto kind = static_cast<ChoiceKind>(k);
    const auto of_kind = [&](const PathStep& p) { return p.fault < 0 && p.kind == kind && p.answer != 0; };
    if (std::none_of(best.path.begin(), best.path.end(), of_kind)) continue;
    try_candidate(plan_without(best.path, [&](size_t, const PathStep& p) { return of_kind(p); }), best, stats);
  }
  size_t chunk = std::max<size_t>(1, events_of(best.path) / 2);
  while (stats.runs < options_.shrink_runs_max) {
    bool shrunk = false;
    for (size_t from = 0; from < events_of(best.path) && stats.runs < options_.shrink_runs_max;) {
      const auto in_chunk = [&](size_t event, const PathStep&) { return event >= from && event < from + chunk; };
      if (try_candidate(plan_without(best.path, in_chunk), best, stats)) shrunk = true;
      else from += chunk;
    }
    if (chunk == 1 && !shrunk) break;
    chunk = std::max<size_t>(1, chunk / 2);
  }
  REPLSIM_ASSERT(best.signature == found.signature, "shrinking keeps the violation");
  REPLSIM_ASSERT(events_of(best.path) <= stats.events_before, "shrinking never adds events");
  return best;
}

}  // namespace replsim::explore
