// A differential search (ExploreOptions::baseline): a violation of the
// changed scenario stands only when the scenario before the change, given
// the same answers, does not break the same things. Mutation testing counts
// a mutant killed the same way: one input, two outcomes.
//
// "The same answers" are followed two ways (shrink.cpp's plans), and the
// violation stands only when the baseline shows it neither way. By
// question, each answer goes to the question it answered (a link's n-th
// message delay, a node's n-th draw, a tie's event) and each fault fires
// at its virtual time, so where the change makes the run ask other
// questions, the questions it did not touch still get their answers; the
// rest get their first option. By step, the k-th question of each step
// gets the same answer. The by-question path is written next to the
// counterexample as a scenario of its own, and `replsim run` replays it.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "base/assert.h"
#include "explore/search.h"
#include "harness/report_files.h"

namespace replsim::explore {
namespace {

// The check a signature element names: "invariants (S4)" -> "invariants".
std::string check_of(const std::string& element) { return element.substr(0, element.find(" (")); }

// The checks of `run` with `verdict` (failed ones only those without
// rules), added to `names` once each.
void add_checks(const harness::ScenarioRun& run, harness::CheckVerdict verdict, std::vector<std::string>& names) {
  for (const harness::CheckOutcome& c : run.checks) {
    const bool counted = c.verdict == verdict && (verdict != harness::CheckVerdict::kFail || c.rules.empty());
    if (counted && std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  }
}

// The elements of `v` a search goes past no matter what (--known) are no
// part of the comparison.
std::vector<std::string> compared_elements(const Violation& v, const ExploreOptions& options) {
  std::vector<std::string> elements;
  for (const std::string& e : v.signature) {
    if (!is_known({e}, options)) elements.push_back(e);
  }
  REPLSIM_ASSERT(!elements.empty(), "a violation compared with the baseline has an element not known");
  return elements;
}

}  // namespace

// Whether the baseline's run shows `element`: it broke it; or it failed
// the element's check and that check names no rules (a liveness bound, a
// history check): a run that never settles fails the same way whatever
// state it is stuck in, and a change that only renames the state (a
// replica stuck in one status instead of another) is no finding; or that check was
// still undecided at the run's end (a liveness bound while a fault is in
// effect), which cannot tell the two apart.
bool baseline_shows_element(const BaselineRun& base, const std::string& element) {
  const auto has = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  return std::binary_search(base.broken.begin(), base.broken.end(), element) ||
         has(base.failed_without_rules, check_of(element)) || has(base.undecided_checks, check_of(element));
}

// Where the violation's answers and faults were: its exact replay, as far
// as the state it was judged at.
PathAnchors Search::anchors_of(const Violation& v) const {
  REPLSIM_ASSERT(root_, "a search has its root");
  PathAnchors anchors;
  const SearchNode replayed = follow_plan(*root_, plan_of(v.path, anchors, true), anchors,
                                          [&](const SearchNode& node, const char*) { return node.depth >= v.depth; });
  REPLSIM_ASSERT(replayed.depth == v.depth && replayed.path.size() == v.path.size(), "a path found replays exactly");
  return anchors;
}

BaselineRun Search::baseline_of(const Violation& v, const PathAnchors& anchors, bool by_step) const {
  REPLSIM_ASSERT(root_ && baseline_root_, "a differential search has both roots");
  REPLSIM_ASSERT(anchors.questions.size() + anchors.steps_at_time.size() == v.path.size(), "anchors of this path");
  BaselineRun base;
  std::set<std::string> broken;
  PathAnchors baseline_anchors;
  const SearchNode end = follow_plan(*baseline_root_, plan_of(v.path, anchors, by_step), baseline_anchors,
                                     [&](const SearchNode& node, const char* leaf) {
                                       const harness::ScenarioRun run = node.run.judged();
                                       for (const std::string& e : harness::failure_signature(run)) broken.insert(e);
                                       add_checks(run, harness::CheckVerdict::kFail, base.failed_without_rules);
                                       if (leaf == nullptr) return false;
                                       add_checks(run, harness::CheckVerdict::kUndecided, base.undecided_checks);
                                       return true;
                                     });
  base.path = end.path;
  base.steps = end.steps;
  base.depth = end.depth;
  base.broken.assign(broken.begin(), broken.end());
  return base;
}

// Shown when either way of following the answers shows it: by question
// (as a fuzz seed's per-component streams give each component the same
// draws) or by step (the same answers in the same order). A violation
// that one alignment of the answers avoids and the other meets is no
// evidence against the baseline.
bool Search::baseline_shows(const Violation& v) const {
  const std::vector<std::string> elements = compared_elements(v, options_);
  const PathAnchors anchors = anchors_of(v);
  for (const bool by_step : {false, true}) {
    const BaselineRun base = baseline_of(v, anchors, by_step);
    const auto shown = [&](const std::string& e) { return baseline_shows_element(base, e); };
    if (std::all_of(elements.begin(), elements.end(), shown)) return true;
  }
  return false;
}

// A violation the baseline showed stays in a sampled path's monitor, and
// the path's later judgements meet it again: it is compared once a path,
// where it was first judged, and `shared_on_path` keeps the path's
// signatures the baseline showed. (A later judgement differs only in the
// answers after that state, so this may miss a finding, never make one.)
bool Search::shared_once_a_path(const Violation& v, Signatures& shared_on_path) const {
  if (std::find(shared_on_path.begin(), shared_on_path.end(), v.signature) != shared_on_path.end()) return true;
  if (!baseline_shows(v)) return false;
  REPLSIM_ASSERT(shared_on_path.size() < kSharedOnPathMax, "a path breaks a bounded number of signatures");
  shared_on_path.push_back(v.signature);
  return true;
}

// Writes the baseline's run of the counterexample's answers as a scenario
// of its own and replays it with `replsim run`'s code: what it shows is
// the replay's verdict, and the replay must agree with the search.
nlohmann::json Search::write_baseline(const Violation& v, const std::filesystem::path& dir) const {
  REPLSIM_ASSERT(options_.baseline && baseline_scenario_, "a differential search has its baseline");
  const BaselineRun base = baseline_of(v, anchors_of(v), false);
  const std::vector<std::string> elements = compared_elements(v, options_);
  std::vector<std::string> not_shown;
  for (const std::string& e : elements) {
    if (!baseline_shows_element(base, e)) not_shown.push_back(e);
  }
  REPLSIM_ASSERT(!not_shown.empty(), "a differential search reports only what its baseline does not show");
  nlohmann::json doc = options_.baseline->document;
  doc.erase("fault_generator");
  doc.erase("expect");
  doc["name"] = baseline_scenario_->name + "-baseline";
  doc["description"] = fmt::format(
      "The baseline {} given the answers of the explorer's counterexample of {} (counterexample.json), question by "
      "question; replsim run replays it. It does not break {}.",
      options_.baseline->file, scenario_.file, fmt::join(not_shown, ", "));
  doc["schedule"] = harness::schedule_to_json(schedule_of(base.path, base.steps, baseline_prefix_steps_));
  const std::filesystem::path file = dir / "baseline.json";
  std::ofstream(file) << doc.dump(2) << "\n";
  const harness::Scenario replayed = harness::parse_scenario(doc, file.string());
  const harness::ScenarioRun run = harness::run_into_folder(replayed, replayed.seed, dir / "baseline", false);
  const std::vector<std::string> signature = harness::failure_signature(run);
  BaselineRun replay;
  replay.broken = signature;
  std::sort(replay.broken.begin(), replay.broken.end());
  add_checks(run, harness::CheckVerdict::kFail, replay.failed_without_rules);
  add_checks(run, harness::CheckVerdict::kUndecided, replay.undecided_checks);
  for (const std::string& e : not_shown) {
    if (baseline_shows_element(replay, e)) {
      throw std::logic_error("the replay of the baseline " + file.string() + " shows " + e +
                             ", which the search's run of it did not (a bug in replsim)");
    }
  }
  return {{"file", file.string()},         {"run_dir", (dir / "baseline").string()},
          {"verdict", run.verdict},        {"signature", signature},
          {"transitions", base.depth},     {"events", events_of(base.path)},
          {"does_not_break", not_shown}};
}

}  // namespace replsim::explore
