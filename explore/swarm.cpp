// Swarm verification (Holzmann, Joshi and Groce, "Swarm verification
// techniques", IEEE TSE 2011): instead of one search that runs out of
// memory on a large state space, many small depth-first searches, each
// diversified: its own successor order, its own subset of the fault types,
// its own depth bound, its own kinds of question left unexplored (fixed to
// their first option), and a state budget of its own. Each member is
// exhaustive only within its own restrictions, so the swarm never claims
// completeness. Members run in parallel (--jobs) in batches; the first
// violation in member order is kept, and that member is run again alone to
// write and replay the counterexample, so the result does not depend on
// --jobs. Member i draws from its own stream, so shards run exactly the
// members the whole swarm would.
#include "explore/swarm.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "base/assert.h"
#include "explore/search.h"

namespace replsim::explore {
namespace {

// Member `index`'s own restrictions of the swarm's options.
ExploreOptions member_options(const harness::Scenario& scenario, const ExploreOptions& swarm,
                              const std::vector<std::string>& types, uint64_t index) {
  Rng rng(scenario.seed + index, "explore swarm member");
  ExploreOptions member = swarm;
  member.strategy = "dfs";
  member.fault_types.clear();
  for (const std::string& t : types) {
    if (rng.bernoulli(0.5)) member.fault_types.push_back(t);
  }
  if (member.fault_types.empty() && !types.empty()) member.fault_types.push_back(types[rng.below(types.size())]);
  member.faults_max = member.fault_types.empty() ? 0 : swarm.faults_max;
  // Members keep the swarm's --fault-nodes whole: omitting servers per
  // member (each with probability 1/2) was measured and lost M24 from the
  // mutation table's swarm column (PERFORMANCE.md, stop 23).
  const uint32_t depth_max = depth_max_of(swarm);
  member.depth_max = std::max<uint32_t>(1, depth_max / 2 + static_cast<uint32_t>(rng.below(depth_max - depth_max / 2 + 1)));
  member.states_max = swarm.member_states_max;
  member.shuffle_seed = rng.next_u64();
  // Swarm testing's feature omission (Groce et al., ISSTA 2012): each kind
  // of question the swarm branches on is fixed to its first option with
  // probability 1/2, so a member's tree is narrower and its depth-first
  // search gets further down it.
  for (ChoiceKind kind : harness::fixable_choice_kinds()) {
    if (rng.bernoulli(0.5)) member.settings.fix(kind);
  }
  member.write_counterexample = false;
  member.jobs = 1;
  return member;
}

ExploreResult run_member(const nlohmann::json& document, const harness::Scenario& scenario,
                         const ExploreOptions& member) {
  std::ostringstream quiet;
  return Search(document, scenario, member, quiet).run();
}

// The swarm's summary: the members' counts summed (a state two members
// reached counts twice), with the swarm's own options.
struct Totals {
  uint64_t members = 0, states = 0, transitions = 0, duplicates = 0, judged = 0, undecided = 0, truncated = 0;
  uint64_t members_stopped_by_states = 0;
  uint32_t depth_reached = 0;
  size_t queue_peak = 0;
  double omission_probability = 0;  // a union bound over the members' visited sets
  std::map<std::string, uint64_t> leaves;
  nlohmann::json known_violations = nlohmann::json::object();
  std::optional<nlohmann::json> shared_with_baseline;  // a differential swarm's
  nlohmann::json reused = nlohmann::json::object();  // each count of the members' `reused`, summed

  void add(const nlohmann::json& j) {
    ++members;
    states += j["states_distinct"].get<uint64_t>();
    transitions += j["transitions"].get<uint64_t>();
    duplicates += j["duplicates"].get<uint64_t>();
    judged += j["judged"].get<uint64_t>();
    undecided += j["undecided_judgements"].get<uint64_t>();
    truncated += j["branches_truncated"].get<uint64_t>();
    if (j["stopped_by"] == "states_max") ++members_stopped_by_states;
    depth_reached = std::max(depth_reached, j["depth_reached"].get<uint32_t>());
    queue_peak = std::max(queue_peak, j["queue_peak"].get<size_t>());
    omission_probability = std::min(1.0, omission_probability + j["visited"]["omission_probability"].get<double>());
    for (const auto& [leaf, count] : j["leaves"].items()) leaves[leaf] += count.get<uint64_t>();
    for (const auto& [name, count] : j["reused"].items()) {
      reused[name] = reused.value(name, uint64_t{0}) + count.get<uint64_t>();
    }
    add_known_violations(known_violations, j["known_violations"]);
    if (!j.contains("shared_with_baseline")) return;
    if (!shared_with_baseline) shared_with_baseline = nlohmann::json::object();
    add_known_violations(*shared_with_baseline, j["shared_with_baseline"]);
  }

  // The counts, under the keys a search's explore.json has.
  void write(nlohmann::json& j) const {
    j["walks"] = members;
    j["states_distinct"] = states;
    j["transitions"] = transitions;
    j["duplicates"] = duplicates;
    j["depth_reached"] = depth_reached;
    j["queue_peak"] = queue_peak;
    j["judged"] = judged;
    j["undecided_judgements"] = undecided;
    j["leaves"] = leaves;
    j["branches_truncated"] = truncated;
    j["reused"] = reused;
    j["known_violations"] = known_violations;
    if (shared_with_baseline) j["shared_with_baseline"] = *shared_with_baseline;
    j["visited"] = {{"key_bits", 64}, {"omission_probability", omission_probability}};
  }
};

}  // namespace

ExploreResult explore_swarm(const nlohmann::json& document, const harness::Scenario& scenario,
                            const ExploreOptions& options, std::ostream& progress) {
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::string> types = fault_types_of(scenario, options);
  // Batches of a fixed size, whatever --jobs: the swarm-wide bounds are
  // checked between batches, so the members run do not depend on it.
  static constexpr uint64_t kBatchMembers = 8;
  tbb::task_arena arena(options.jobs == 0 ? tbb::task_arena::automatic : static_cast<int>(options.jobs));
  Totals totals;
  std::optional<uint64_t> violating;
  std::optional<std::string> stopped_by;
  auto last_progress = started;
  for (uint64_t next = options.shard - 1; next < options.walks && !violating && !stopped_by;) {
    std::vector<uint64_t> batch;  // this shard's members: k with k mod shards == shard - 1
    for (; next < options.walks && batch.size() < kBatchMembers; next += options.shards) batch.push_back(next);
    std::vector<ExploreResult> results(batch.size());
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, batch.size(), [&](size_t k) {
        ExploreOptions member = member_options(scenario, options, types, batch[k]);
        if (options.time_limit_s) member.time_limit_s = std::max(0.0, *options.time_limit_s - elapsed_s);
        results[k] = run_member(document, scenario, member);
      });
    });
    for (size_t k = 0; k < results.size() && !violating; ++k) {
      const nlohmann::json& j = results[k].summary;
      totals.add(j);
      if (results[k].exit_code == 1) violating = batch[k];
      else if (j["stopped_by"] == "memory_mb_max" || j["stopped_by"] == "time_limit") stopped_by = j["stopped_by"];
    }
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - started).count();
    if (!violating && totals.states >= options.states_max) stopped_by = "states_max";
    if (!violating && options.time_limit_s && seconds >= *options.time_limit_s) stopped_by = "time_limit";
    if (now - last_progress >= std::chrono::seconds(1)) {
      last_progress = now;
      progress << fmt::format("explore: swarm {} members, {} states ({:.0f}/s), {} transitions, depth {}\n",
                              totals.members, totals.states,
                              seconds > 0 ? static_cast<double>(totals.states) / seconds : 0, totals.transitions,
                              totals.depth_reached);
    }
  }
  if (violating) stopped_by.reset();

  ExploreResult result;
  nlohmann::json& j = result.summary;
  if (violating) {  // again, alone, to write and replay its counterexample
    ExploreOptions member = member_options(scenario, options, types, *violating);
    member.write_counterexample = true;
    // The same path again: its own state bound holds it; the process's
    // memory (its siblings' runs not yet returned to the system) and the
    // clock must not stop it short of the violation it found.
    member.memory_mb_max = UINT64_MAX >> 20;
    member.time_limit_s.reset();
    member.shrink_jobs = options.jobs;
    const ExploreResult again = run_member(document, scenario, member);
    REPLSIM_ASSERT(again.exit_code == 1, "a swarm member finds its violation again when run alone");
    j["violation"] = again.summary["violation"];
    j["violation"]["sample"] = *violating;
  } else {
    j["violation"] = nullptr;
  }
  describe_search(j, scenario, options, types);  // from the options, not a member: a shard may have run none
  j["samples"] = {{"count", options.walks},       {"shard", options.shard},
                  {"shards", options.shards},     {"run", totals.members},
                  {"member_states_max", options.member_states_max},
                  {"members_stopped_by_their_states_max", totals.members_stopped_by_states}};
  totals.write(j);
  j["stopped_by"] = stopped_by ? nlohmann::json(*stopped_by) : nlohmann::json(nullptr);
  j["complete"] = false;
  result.exit_code = violating ? 1 : 3;
  j["exit_code"] = result.exit_code;
  return result;
}

}  // namespace replsim::explore
