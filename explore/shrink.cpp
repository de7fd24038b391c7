// Shrinking a counterexample: a sampled path answers hundreds of questions
// at random, and a reader wants the few answers and faults the violation
// needs. Candidates take events (faults, answers other than the first
// option) out of the best path so far, in rounds: first every answer of
// one kind at once, then chunks of events, halving the chunk size as delta
// debugging does (Zeller and Hildebrandt, TSE 2002).
//
// Rounds plan candidates two ways, alternating while either shrinks the
// path (PathPlan). By question, each answer stays with the question it
// answered (a link's n-th message delay, a node's n-th draw, a tie's event)
// and each fault with its virtual time, though taking one answer out
// shifts the steps. By step, as a path is replayed exactly: it keeps what
// needs its step, such as a fault between two events tied at one instant.
// Planned by step alone, one answer taken out moved every later answer
// onto other messages, and shrinking stopped at hundreds of events
// (PERFORMANCE.md has the figures).
//
// Passes start from the path as found: the first as above, each later
// one first taking out each component's answers at once (a link's delays,
// a node's draws), components in an order of the pass's own. The shortest
// result is kept, since a greedy shrink stops at different places from
// different starts.
//
// A candidate stands when following it ends in the same finding with fewer
// events: a violation whose new elements (those the search was not told to
// go past) are some of the found violation's. A random path breaks several
// checks at once (S3, S4 and S11 together), and a shorter path that breaks
// only one of them shows the same bug; one that breaks something else
// would not. After a BFS a candidate also needs no more transitions, so
// its counterexample stays a shortest one. Each candidate is one
// deterministic run of the path, so the result is the same on every
// machine; shrink_runs_max bounds the candidates.
#include <algorithm>
#include <map>
#include <optional>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "base/assert.h"
#include "base/hash.h"
#include "explore/known_violations.h"
#include "explore/search.h"

namespace replsim::explore {
namespace {

// How many transitions a shrink candidate may run beyond twice the best
// path's (try_candidate).
constexpr uint64_t kShrinkTransitionsSlack = 10'000;
// Passes from the path as found (shrink()): how many run at once, and at
// most; and the pass numbers (orders of components) tried for new ones.
constexpr uint32_t kShrinkPassesPerWave = 8;
constexpr uint32_t kShrinkPassesMax = 64;
constexpr uint32_t kShrinkOrdersMax = 1024;

// Answers a plan's questions (PathPlan says how) and records each
// question's key, so that the path it makes can be planned from in turn.
class PlannedAnswers final : public harness::TailAnswers {
 public:
  explicit PlannedAnswers(const PathPlan& plan) : keyed_(!plan.by_step) {
    const std::vector<PlannedQuestion>& questions = plan.anchors.questions;
    REPLSIM_ASSERT(plan.by_step || questions.size() == plan.answers.size(), "a key for every planned answer");
    for (size_t i = 0; i < plan.answers.size(); ++i) {
      if (!keyed_) {
        by_step_[plan.answers[i].step].push_back(plan.answers[i]);
        continue;
      }
      const bool added = by_key_.emplace(questions[i].key, Planned{plan.answers[i], questions[i]}).second;
      REPLSIM_ASSERT(added, "a path asks each question once");
    }
  }
  // A fault's questions and its step's share the step's number: they are
  // counted on together.
  void begin_step(uint64_t step) {
    if (step == step_) return;
    step_ = step;
    asked_in_step_ = 0;
  }
  uint32_t answer(const harness::Question& question) override {
    REPLSIM_ASSERT(asked_.size() < kQuestionsMax, "a path's questions are bounded by its depth");
    asked_.push_back({key_of(question)});
    const uint32_t answer = keyed_ ? by_key(question, asked_.back().key) : by_step(question);
    REPLSIM_ASSERT(answer < question.arity, "an answer among the question's options");
    if (question.kind == ChoiceKind::kNextEvent) {
      const uint32_t node = question.ready[answer].node;
      const auto same_node = [&](const EventChoice& e) { return e.node == node; };
      asked_.back().event_node = node;
      asked_.back().event_rank =
          static_cast<uint32_t>(std::count_if(question.ready.begin(), question.ready.begin() + answer, same_node));
    }
    return answer;
  }
  std::vector<PlannedQuestion>& asked() { return asked_; }

 private:
  static constexpr size_t kQuestionsMax = size_t{1} << 26;
  struct Planned {
    PathStep step;
    PlannedQuestion question;
  };

  uint32_t by_step(const harness::Question& question) {
    const auto it = by_step_.find(step_);
    const size_t k = asked_in_step_++;
    if (it == by_step_.end() || k >= it->second.size()) return 0;
    const PathStep& planned = it->second[k];
    return planned.kind == question.kind && planned.answer < question.arity ? planned.answer : 0;
  }
  // A next_event answer goes to the tied event for the node it chose, of
  // the same rank among that node's (the last when there are fewer).
  uint32_t by_key(const harness::Question& question, const AnswerKey& key) {
    const auto it = by_key_.find(key);
    if (it == by_key_.end() || it->second.step.kind != question.kind) return 0;
    const uint32_t planned = it->second.step.answer;
    if (question.kind != ChoiceKind::kNextEvent) return planned < question.arity ? planned : 0;
    std::optional<uint32_t> chosen;
    uint32_t rank = 0;
    for (uint32_t i = 0; i < question.arity && rank <= it->second.question.event_rank; ++i) {
      if (question.ready[i].node != it->second.question.event_node) continue;
      chosen = i;
      ++rank;
    }
    return chosen.value_or(0);
  }
  // A node's actor stream moves on with each nonce the node draws, so its
  // draws are named by the nonces before them too; the other streams never
  // move in a search.
  AnswerKey key_of(const harness::Question& question) {
    Hasher h;
    if (question.stream != nullptr) {
      h.add(question.stream->fingerprint());
    } else {
      REPLSIM_ASSERT(question.kind == ChoiceKind::kNextEvent && !question.ready.empty(), "a tie names its time");
      h.add(question.ready.front().time_ns);
    }
    h.add(static_cast<uint64_t>(question.kind));
    const uint64_t component = h.value();
    return {component, asked_of_[component]++};
  }

  bool keyed_;
  std::map<AnswerKey, Planned> by_key_;
  std::map<uint64_t, std::vector<PathStep>> by_step_;
  std::map<uint64_t, uint64_t> asked_of_;  // per component
  std::vector<PlannedQuestion> asked_;
  uint64_t step_ = UINT64_MAX;
  size_t asked_in_step_ = 0;
};

bool is_event(const PathStep& p) { return p.fault >= 0 || p.answer != 0; }

// Each event's component (the link, node stream or tie instant its question
// came from), in event order; a fault has none.
std::vector<std::optional<uint64_t>> components_of_events(const std::vector<PathStep>& path,
                                                          const PathAnchors& anchors) {
  std::vector<std::optional<uint64_t>> components;
  size_t answer = 0;
  for (const PathStep& p : path) {
    if (p.fault >= 0) {
      components.emplace_back();
      continue;
    }
    REPLSIM_ASSERT(answer < anchors.questions.size(), "a key for every answer of the path");
    if (p.answer != 0) components.emplace_back(anchors.questions[answer].key.component);
    ++answer;
  }
  REPLSIM_ASSERT(components.size() == events_of(path), "a component for every answer event");
  return components;
}

// The components with two events or more on a path (a component's one
// event is the chunks' to try), in the order of their keys.
std::vector<uint64_t> components_to_try(const std::vector<std::optional<uint64_t>>& of_events) {
  std::map<uint64_t, size_t> events_of_component;
  for (const std::optional<uint64_t>& c : of_events) {
    if (c) ++events_of_component[*c];
  }
  std::vector<uint64_t> components;
  for (const auto& [component, events] : events_of_component) {
    if (events >= 2) components.push_back(component);
  }
  return components;
}

// A component pass's order (see Search::shrink): pass 1 keeps the keys'
// order, each later one an order of its own.
std::vector<uint64_t> in_pass_order(std::vector<uint64_t> components, uint32_t pass) {
  REPLSIM_ASSERT(pass >= 1, "pass 0 takes chunks, not components");
  if (pass == 1) return components;
  const auto place = [&](uint64_t component) { return mix64(component ^ pass); };
  std::sort(components.begin(), components.end(), [&](uint64_t a, uint64_t b) { return place(a) < place(b); });
  return components;
}

// The passes of the next wave, at most `count`: pass 0 (the chunks') first,
// then component passes, each with its order of the path's components.
// One whose order is an earlier pass's would run as that one did, and one
// with no component as pass 0 did: they are skipped (orders.next bounds
// the pass numbers tried).
struct ShrinkOrders {
  std::vector<uint64_t> components;        // the path as found's, in key order
  bool chunks_taken = false;
  uint32_t next = 1;                       // the next pass number to try
  std::vector<std::vector<uint64_t>> seen; // the orders of the passes taken
};
std::vector<std::pair<uint32_t, std::vector<uint64_t>>> next_wave(size_t count, ShrinkOrders& orders) {
  std::vector<std::pair<uint32_t, std::vector<uint64_t>>> wave;
  if (!orders.chunks_taken && count > 0) {
    wave.push_back({0, {}});
    orders.chunks_taken = true;
  }
  for (; wave.size() < count && orders.next < kShrinkOrdersMax; ++orders.next) {
    std::vector<uint64_t> order = in_pass_order(orders.components, orders.next);
    if (order.empty() || std::find(orders.seen.begin(), orders.seen.end(), order) != orders.seen.end()) continue;
    orders.seen.push_back(order);
    wave.push_back({orders.next, std::move(order)});
  }
  REPLSIM_ASSERT(wave.size() <= count, "a wave holds no more passes than it was given room for");
  return wave;
}

// True when `candidate` shows the finding `found` names: it has elements
// the search does not go past, and each of them is one of `found`'s.
bool same_finding(const std::vector<std::string>& candidate, const std::vector<std::string>& found,
                  const ExploreOptions& options) {
  REPLSIM_ASSERT(!candidate.empty() && !found.empty(), "a violation names what failed");
  if (is_known(candidate, options)) return false;
  return std::all_of(candidate.begin(), candidate.end(), [&](const std::string& element) {
    return std::find(found.begin(), found.end(), element) != found.end() || is_known({element}, options);
  });
}

// The plan of `path`, whose answers and faults were where `anchors` says,
// without the events `drop` selects (event index, step). Planned by step,
// a dropped answer stays in its place as the first option, so the later
// answers of its step keep their positions.
template <class Drop>
PathPlan plan_without(const std::vector<PathStep>& path, const PathAnchors& anchors, bool by_step, Drop drop) {
  PathPlan plan;
  plan.by_step = by_step;
  size_t event = 0, answer = 0, fault = 0;
  for (const PathStep& p : path) {
    const bool dropped = is_event(p) && drop(event, p);
    event += is_event(p) ? 1 : 0;
    if (p.fault >= 0) {
      REPLSIM_ASSERT(by_step || fault < anchors.steps_at_time.size(), "an anchor for every fault of the path");
      if (!dropped) plan.faults.push_back(p);
      if (!dropped && !by_step) plan.anchors.steps_at_time.push_back(anchors.steps_at_time[fault]);
      ++fault;
      continue;
    }
    REPLSIM_ASSERT(by_step || answer < anchors.questions.size(), "a key for every answer of the path");
    if (by_step) {
      plan.answers.push_back(dropped ? PathStep{p.step, -1, 0, p.kind, 0, p.arity} : p);
    } else if (p.answer != 0 && !dropped) {
      plan.answers.push_back(p);
      plan.anchors.questions.push_back(anchors.questions[answer]);
    }
    ++answer;
  }
  REPLSIM_ASSERT(by_step || (answer == anchors.questions.size() && fault == anchors.steps_at_time.size()),
                 "an anchor for every answer and fault of the path");
  return plan;
}

}  // namespace

PathPlan plan_of(const std::vector<PathStep>& path, const PathAnchors& anchors, bool by_step) {
  return plan_without(path, anchors, by_step, [](size_t, const PathStep&) { return false; });
}

size_t events_of(const std::vector<PathStep>& path) {
  return static_cast<size_t>(std::count_if(path.begin(), path.end(), is_event));
}

SearchNode Search::follow_plan(const SearchNode& root, const PathPlan& plan, PathAnchors& anchors,
                               const StopAt& stop) const {
  REPLSIM_ASSERT(plan.by_step || plan.anchors.steps_at_time.size() == plan.faults.size(), "an anchor for every fault");
  PlannedAnswers answers(plan);
  harness::EnumeratingChooser chooser(options_.settings, &answers);
  SearchNode node = root;
  std::vector<uint64_t> steps_at_time;  // of the faults fired
  int64_t time_ns = node.run.run().world.now().ns_since_origin();
  uint64_t steps_at_now = 0;
  size_t next_fault = 0;
  // By question, a world with no event left never reaches a later fault's
  // time: the faults left fire then, in order, as the path fired them.
  bool quiet = false;
  const auto due = [&](size_t i) {
    if (plan.by_step) return plan.faults[i].step <= node.steps;
    return quiet || time_ns > plan.faults[i].at_ns ||
           (time_ns == plan.faults[i].at_ns && steps_at_now >= plan.anchors.steps_at_time[i]);
  };
  for (uint64_t transitions = 0;; ++transitions) {
    REPLSIM_ASSERT(transitions <= depth_max_, "the depth bound ends every path");
    if (transitions >= plan.transitions_max) return node;  // not judged: stop sees nothing
    const char* leaf = leaf_of(node);
    int32_t fault = -1;
    while (leaf == nullptr && next_fault < plan.faults.size() && due(next_fault)) {
      const PathStep& planned = plan.faults[next_fault++];
      const std::vector<uint32_t> enabled = enabled_actions(node.run.run().world, actions_,
                                                            node.faults_used < options_.faults_max, node.isolated);
      const bool fires = (!plan.by_step || planned.step == node.steps) &&
                         std::find(enabled.begin(), enabled.end(), static_cast<uint32_t>(planned.fault)) != enabled.end();
      if (fires) {
        fault = planned.fault;
        break;
      }
    }
    if (leaf == nullptr) {
      answers.begin_step(node.steps);
      chooser.begin({});
      if (fault >= 0) steps_at_time.push_back(steps_at_now);
      quiet = !advance(node, fault, chooser);
      if (quiet && (plan.by_step || next_fault == plan.faults.size())) leaf = "no_event";
      if (quiet && leaf == nullptr) continue;
      const int64_t now_ns = node.run.run().world.now().ns_since_origin();
      if (fault < 0 && leaf == nullptr) steps_at_now = now_ns == time_ns ? steps_at_now + 1 : 1;
      time_ns = now_ns;
    }
    if (leaf == nullptr && node.completions == node.completions_before) continue;
    if (stop(node, leaf) || leaf != nullptr) {
      anchors.questions = std::move(answers.asked());
      anchors.steps_at_time = std::move(steps_at_time);
      return node;
    }
  }
}

// Follows the plan from the root, judging as a sampled path is judged;
// the violation when the path ends in one that shows the finding
// `signature` names. A differential search goes past what the baseline
// breaks too, each signature compared once a path, as its walks do
// (shared_once_a_path): a path found past such a violation must replay
// to the same depth (found at stop 30, when a PCT search under M26 died on
// the assertion in shrink()).
std::optional<Violation> Search::follow(const PathPlan& plan, const std::vector<std::string>& signature,
                                        PathAnchors& anchors) const {
  REPLSIM_ASSERT(root_.has_value(), "a search has its root before it shrinks");
  std::optional<Violation> found;
  Signatures shared_on_path;
  follow_plan(*root_, plan, anchors, [&](const SearchNode& node, const char*) {
    Verdict verdict = verdict_of(node);
    if (!verdict.violation) return false;
    const std::vector<std::string>& met = verdict.violation->signature;
    if (baseline_root_ && shared_once_a_path(*verdict.violation, shared_on_path)) return false;
    if (!same_finding(met, signature, options_)) return !is_known(met, options_);
    found = std::move(verdict.violation);
    return true;
  });
  return found;
}

// Tries one candidate: the best path stands unless following `plan` ends
// in the same finding with fewer events (and, after a BFS, no more
// transitions). A candidate may run at most twice the best path's
// transitions and kShrinkTransitionsSlack more: taking an answer out can
// start a storm (messages answered at once, in one virtual instant) that
// runs to the depth bound, a million transitions with a walk's bound, and
// each later candidate would run as long (found at stop 29: one shrink ran
// for over 30 minutes).
bool Search::try_candidate(PathPlan plan, ShrinkPass& pass, ShrinkStats& stats) const {
  REPLSIM_ASSERT(stats.runs < pass.runs_max, "a pass runs no candidate past its bound");
  ++stats.runs;
  plan.transitions_max = 2 * uint64_t{pass.best.depth} + kShrinkTransitionsSlack;
  PathAnchors anchors;
  std::optional<Violation> v = follow(plan, pass.signature, anchors);
  if (!v || events_of(v->path) >= events_of(pass.best.path)) return false;
  if (options_.strategy == "bfs" && v->depth > pass.best.depth) return false;
  v->sample = pass.best.sample;
  pass.best = std::move(*v);
  pass.anchors = std::move(anchors);
  return true;
}

// Every answer of one component at once (a link's delays, a node's draws,
// a tie's choices), each component in turn. A walk's slow messages on one
// link may matter only together: with one taken out the others' timing
// breaks the finding, so single answers fail, and chunks in path order cut
// across links (measured: PERFORMANCE.md, "Shrinking in two passes").
void Search::shrink_by_component(ShrinkPass& pass, bool by_step, ShrinkStats& stats) const {
  std::vector<std::optional<uint64_t>> now = components_of_events(pass.best.path, pass.anchors);
  // The pass's own order of the path as found's components, then any other
  // that has two events now, in key order: a round planned by step can move
  // an answer onto another link's message. So two passes with one order run
  // alike, and Search::shrink runs only one of them.
  std::vector<uint64_t> components = pass.component_order;
  for (uint64_t c : components_to_try(now)) {
    if (std::find(pass.component_order.begin(), pass.component_order.end(), c) == pass.component_order.end()) {
      components.push_back(c);
    }
  }
  for (uint64_t component : components) {
    if (stats.runs >= pass.runs_max) return;
    if (std::count(now.begin(), now.end(), std::optional<uint64_t>(component)) < 2) continue;  // chunks try one
    const auto of_component = [&](size_t event, const PathStep&) { return now[event] == component; };
    // A candidate that stood changed the path: its events are named again.
    if (try_candidate(plan_without(pass.best.path, pass.anchors, by_step, of_component), pass, stats)) {
      now = components_of_events(pass.best.path, pass.anchors);
    }
  }
}

// One round of candidates planned one way: every answer of one kind at
// once (a walk's random delays or losses seldom matter one by one), in the
// pass by components each component's, then chunks of events down to
// single ones. True when it shrank the path.
bool Search::shrink_round(ShrinkPass& pass, bool by_step, ShrinkStats& stats) const {
  const size_t events_before = events_of(pass.best.path);
  for (uint8_t k = 0; k <= static_cast<uint8_t>(ChoiceKind::kNonce) && stats.runs < pass.runs_max; ++k) {
    const auto kind = static_cast<ChoiceKind>(k);
    const auto of_kind = [&](const PathStep& p) { return p.fault < 0 && p.kind == kind && p.answer != 0; };
    if (std::none_of(pass.best.path.begin(), pass.best.path.end(), of_kind)) continue;
    try_candidate(plan_without(pass.best.path, pass.anchors, by_step, [&](size_t, const PathStep& p) { return of_kind(p); }),
                  pass, stats);
  }
  if (pass.order > 0) shrink_by_component(pass, by_step, stats);
  size_t chunk = std::max<size_t>(1, events_of(pass.best.path) / 2);
  while (stats.runs < pass.runs_max) {
    bool shrunk = false;
    for (size_t from = 0; from < events_of(pass.best.path) && stats.runs < pass.runs_max;) {
      const auto in_chunk = [&](size_t event, const PathStep&) { return event >= from && event < from + chunk; };
      if (try_candidate(plan_without(pass.best.path, pass.anchors, by_step, in_chunk), pass, stats)) {
        shrunk = true;
      } else {
        from += chunk;
      }
    }
    if (chunk == 1 && !shrunk) break;
    chunk = std::max<size_t>(1, chunk / 2);
  }
  REPLSIM_ASSERT(events_of(pass.best.path) <= events_before, "a round never adds events");
  return events_of(pass.best.path) < events_before;
}

// A shrunk path is another path: chunks that failed on the old one may
// come out of it, so rounds go on while one shrinks it. Rounds by question
// shrink most paths furthest; one by step after each finds what they miss
// when a path needs its events at their steps (measured: PERFORMANCE.md,
// "Shrinking").
void Search::shrink_pass(ShrinkPass& pass, ShrinkStats& stats) const {
  const size_t events_before = events_of(pass.best.path);
  while (stats.runs < pass.runs_max) {
    const bool by_question = shrink_round(pass, false, stats);
    const bool by_step = stats.runs < pass.runs_max && shrink_round(pass, true, stats);
    if (!by_question && !by_step) break;
    stats.rounds += (by_question ? 1 : 0) + (by_step ? 1 : 0);
  }
  REPLSIM_ASSERT(same_finding(pass.best.signature, pass.signature, options_), "shrinking keeps the finding");
  REPLSIM_ASSERT(events_of(pass.best.path) <= events_before, "shrinking never adds events");
}

// Passes from the path as found: the first takes chunks out in path
// order, each later one first each component's answers at once, the
// components in an order of its own. Shrinking is a greedy search that
// stops where no single event can go, and where it stops depends on the
// order it tries things in: on one counterexample of the mutation table
// one order ended at 62 events and another at 7 (PERFORMANCE.md,
// "Shrinking from more starts"). The shortest is kept, the first on a tie.
//
// Passes run in waves of up to kShrinkPassesPerWave, at once on the
// shrink's threads. The first wave's passes share the runs left; a later
// wave's share what is left then, while a pass's share is at least a
// quarter of the first wave's (most passes end well within their share,
// and one cut short ends early). Each pass's share is fixed before its
// wave runs, so what every pass does, and the path kept, are the same for
// any number of threads.
Violation Search::shrink(const Violation& found, uint64_t runs_max, ShrinkStats& stats) const {
  stats.events_before = events_of(found.path);
  stats.depth_before = found.depth;
  stats.runs_max = runs_max;
  if (runs_max == 0) return found;
  // Replayed exactly once, for where its answers and faults were.
  PathAnchors anchors;
  const std::optional<Violation> replayed = follow(plan_of(found.path, anchors, true), found.signature, anchors);
  REPLSIM_ASSERT(replayed && replayed->depth == found.depth && events_of(replayed->path) == stats.events_before,
                 "a path found replays exactly");
  ++stats.runs;
  const unsigned threads = options_.shrink_jobs.value_or(options_.jobs);
  REPLSIM_ASSERT(threads <= kJobsMax, "shrinking's threads are bounded as --jobs is");
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
  ShrinkOrders orders;
  orders.components = components_to_try(components_of_events(found.path, anchors));
  std::optional<Violation> kept;
  uint64_t share_first = 0;
  for (uint32_t passes = 0; passes < kShrinkPassesMax;) {
    const uint64_t runs_left = runs_max - stats.runs;
    auto planned = next_wave(std::min<uint64_t>({kShrinkPassesPerWave, runs_left, kShrinkPassesMax - passes}), orders);
    if (planned.empty()) break;
    const uint64_t share = runs_left / planned.size();
    if (passes == 0) share_first = share;
    if (share < std::max<uint64_t>(1, share_first / 4)) break;
    std::vector<ShrinkPass> wave;
    for (auto& [number, order] : planned) wave.push_back({found.signature, found, anchors, share, number, std::move(order)});
    std::vector<ShrinkStats> wave_stats(wave.size());
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, wave.size(), [&](size_t k) { shrink_pass(wave[k], wave_stats[k]); });
    });
    passes += static_cast<uint32_t>(wave.size());
    for (size_t k = 0; k < wave.size(); ++k) {
      REPLSIM_ASSERT(wave_stats[k].runs <= share, "a pass runs no candidate past its share");
      stats.runs += wave_stats[k].runs;
      stats.rounds += wave_stats[k].rounds;
      const size_t events = events_of(wave[k].best.path);
      if (wave[k].order == 0) stats.events_by_chunks = events;
      else stats.events_by_components.push_back(events);
      if (!kept || events < events_of(kept->path)) kept = std::move(wave[k].best);
    }
  }
  REPLSIM_ASSERT(stats.runs <= runs_max, "shrinking runs no candidate past its bound");
  if (!kept) return found;
  REPLSIM_ASSERT(same_finding(kept->signature, found.signature, options_), "shrinking keeps the finding");
  return std::move(*kept);
}

// Each compared path is shrunk within an equal share of the runs, so the
// whole costs what shrinking one path does; the paths are shrunk one after
// another, each pass wave on every thread as for one.
Violation Search::shortest_counterexample(ShrinkStats& stats, nlohmann::json& compared) const {
  REPLSIM_ASSERT(tally_.violation.has_value(), "a violation to report");
  if (options_.counterexamples == 1) return shrink(*tally_.violation, options_.shrink_runs_max, stats);
  REPLSIM_ASSERT(!candidates_.empty(), "a search comparing paths keeps each violating one");
  const uint64_t share = options_.shrink_runs_max / candidates_.size();
  std::optional<Violation> kept;
  compared = nlohmann::json::array();
  for (const Violation& candidate : candidates_) {
    ShrinkStats candidate_stats;
    Violation shrunk = shrink(candidate, share, candidate_stats);
    const size_t events = events_of(shrunk.path);
    compared.push_back({{"sample", candidate.sample},
                        {"signature", shrunk.signature},
                        {"events_before", candidate_stats.events_before},
                        {"events", events},
                        {"transitions", shrunk.depth}});
    if (!kept || events < events_of(kept->path)) {
      kept = std::move(shrunk);
      stats = candidate_stats;
    }
  }
  REPLSIM_ASSERT(compared.size() == candidates_.size(), "every compared path shrunk once");
  return std::move(*kept);
}

}  // namespace replsim::explore
