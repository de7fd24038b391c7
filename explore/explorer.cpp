#include "explore/explorer.h"

#include <algorithm>
#include <string>

#include "base/input_error.h"
#include "base/json_input.h"
#include "explore/search.h"
#include "explore/swarm.h"

namespace replsim::explore {
namespace {

using harness::Scenario;

void check_scenario_explorable(const Scenario& s, const ExploreOptions& options) {
  if (!s.faults.empty() && !options.from && !options.from_when) {
    throw InputError(s.file + ":/faults",
                     "no faults (the explorer fires its own: --faults-max, --fault-types; the scenario's fire only "
                     "in a hybrid search's prefix, --from or --from-when)",
                     std::to_string(s.faults.size()) + " faults");
  }
  if (s.schedule) throw InputError(s.file + ":/schedule", "a scenario without a schedule (replay it with run)", "one");
  if (!s.workload.ops_max && s.workload.clients > 0) {
    throw InputError(s.file + ":/workload/ops_max", "a bound on each client's operations (a search needs a finite workload)",
                     "none");
  }
  if (s.checks.empty()) throw InputError(s.file + ":/checks", "at least one check to judge", "none");
}


void check_options(const ExploreOptions& options) {
  static const std::vector<std::string> kStrategies = {"bfs", "dfs", "random-walk", "pct", "swarm"};
  if (std::find(kStrategies.begin(), kStrategies.end(), options.strategy) == kStrategies.end()) {
    throw InputError("--strategy", "bfs, dfs, random-walk, pct or swarm", "\"" + options.strategy + "\"");
  }
  if (options.depth_max == 0u) throw InputError("--depth-max", "at least 1", "0");
  if (options.settings.pick_max < 2) throw InputError("--pick-max", "at least 2", std::to_string(options.settings.pick_max));
  if (options.settings.delay_cap <= Duration::zero()) throw InputError("--delay-cap", "a positive duration", "0");
  if (options.pct_depth == 0 || options.pct_depth > 64) {
    throw InputError("--pct-depth", "a bug depth from 1 to 64", std::to_string(options.pct_depth));
  }
  if (options.member_states_max == 0) throw InputError("--member-states-max", "at least 1", "0");
  if (options.from && options.from_when) throw InputError("--from-when", "a hybrid start by time or by event, not both", "both");
  if (options.symmetry != "off" && options.symmetry != "on" && options.symmetry != "count") {
    throw InputError("--symmetry", "off, on or count", "\"" + options.symmetry + "\"");
  }
  if (options.symmetry != "off" && is_sampling_strategy(options.strategy)) {
    throw InputError("--symmetry", "off for random-walk and pct (they keep no visited set to merge states in)",
                     "\"" + options.symmetry + "\"");
  }
  if (options.por != "off" && options.por != "sleep") throw InputError("--por", "off or sleep", "\"" + options.por + "\"");
  if (options.por == "sleep") {
    // Sleep sets kept with a DFS's states (BFS's levels keep none), names
    // that no renaming touches, and every tied event enumerated.
    const bool supported = options.strategy == "dfs" && options.symmetry != "on" &&
                           !options.settings.fixes(ChoiceKind::kNextEvent);
    if (!supported) {
      throw InputError("--por", "sleep only with --strategy dfs, --symmetry off or count, and next_event not fixed",
                       "\"sleep\"");
    }
  }
  if (options.jobs > kJobsMax) {
    throw InputError("--jobs", "at most " + std::to_string(kJobsMax) + " threads", std::to_string(options.jobs));
  }
  if (options.counterexamples == 0 || options.counterexamples > kCounterexamplesMax) {
    throw InputError("--counterexamples", "from 1 to " + std::to_string(kCounterexamplesMax),
                     std::to_string(options.counterexamples));
  }
  if (options.counterexamples > 1 && (!is_sampling_strategy(options.strategy) || options.shards != 1)) {
    // An exhaustive search's paths are not independent samples, and shards
    // merge by their first violation.
    throw InputError("--counterexamples", "1 except for random-walk and pct on one shard",
                     std::to_string(options.counterexamples));
  }
  const bool sampled = is_sampling_strategy(options.strategy) || options.strategy == "swarm";
  if (options.shards != 1 && !sampled) {
    throw InputError("--shard", "1/1 for an exhaustive search (shards split random-walk, pct and swarm)",
                     std::to_string(options.shard) + "/" + std::to_string(options.shards));
  }
}

// The parts of a scenario a baseline may change: the protocol's options,
// and what only names or describes the file.
nlohmann::json without_options(nlohmann::json document) {
  if (!document.is_object()) return document;
  for (const char* key : {"name", "description", "expect"}) document.erase(key);
  if (document.contains("protocol") && document["protocol"].is_object()) document["protocol"].erase("options");
  return document;
}

// A baseline is the same scenario before a change of options: the same
// cluster, network, workload, checks and duration, so that following a
// path's answers on it asks the same questions wherever the change does
// not reach.
void check_baseline(const nlohmann::json& document, const ExploreOptions::Baseline& baseline) {
  static_cast<void>(harness::parse_scenario(baseline.document, baseline.file));  // its own errors first
  const nlohmann::json patch = nlohmann::json::diff(without_options(document), without_options(baseline.document));
  if (patch.empty()) return;
  const nlohmann::json::json_pointer at(patch.front()["path"].get<std::string>());
  const nlohmann::json scenario = without_options(document);
  throw InputError(baseline.file + ":" + at.to_string(),
                   "the explored scenario's value " +
                       (scenario.contains(at) ? describe_json(scenario.at(at)) : std::string("(none there)")) +
                       " (a baseline differs from the scenario only in /protocol/options, /name, /description and "
                       "/expect)",
                   baseline.document.contains(at) ? describe_json(baseline.document.at(at)) : "none there");
}

}  // namespace

uint32_t depth_max_of(const ExploreOptions& options) {
  return options.depth_max.value_or(options.strategy == "random-walk" || options.strategy == "pct" ? 1'000'000 : 200);
}

ExploreResult explore(const nlohmann::json& document, const std::string& file, const ExploreOptions& options,
                      std::ostream& progress) {
  check_options(options);
  const Scenario scenario = harness::parse_scenario(document, file);
  check_scenario_explorable(scenario, options);
  if (options.baseline) check_baseline(document, *options.baseline);
  if (options.strategy == "swarm") return explore_swarm(document, scenario, options, progress);
  return Search(document, scenario, options, progress).run();
}

}  // namespace replsim::explore
