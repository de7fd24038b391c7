#include "explore/merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "base/assert.h"
#include "base/input_error.h"
#include "explore/known_violations.h"

namespace replsim::explore {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Json load_summary(const std::string& dir) {
  const fs::path file = fs::path(dir) / "explore.json";
  std::ifstream in(file);
  if (!in) throw InputError(file.string(), "the explore.json of a sharded search (replsim explore --shard K/N --out DIR)",
                            "no such file");
  Json j = Json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("samples") || !j["samples"].is_object()) {
    throw InputError(file.string(), "the summary of a random-walk, pct or swarm search", "another file");
  }
  return j;
}

// What every shard of one search shares: a shard of another search, or
// of the same search with other bounds, cannot be merged into it.
Json identity(const Json& j) {
  Json samples = j["samples"];
  samples.erase("shard");
  samples.erase("run");
  samples.erase("members_stopped_by_their_states_max");
  return {{"scenario", j["scenario"]}, {"protocol", j["protocol"]}, {"strategy", j["strategy"]},
          {"bounds", j["bounds"]},     {"fault_types", j["fault_types"]},
          {"fault_nodes", j["fault_nodes"]}, {"known", j["known"]}, {"baseline", j.value("baseline", Json())},
          {"prefix", j["prefix"]},         {"symmetry", j["symmetry"]},
          {"settings", j["settings"]}, {"samples", samples}};
}

}  // namespace

int merge_explorations(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out) {
  REPLSIM_ASSERT(!dirs.empty(), "merge is given at least one folder");
  std::vector<Json> shards;
  for (const std::string& dir : dirs) shards.push_back(load_summary(dir));
  const Json same = identity(shards.front());
  std::set<uint64_t> seen;
  for (size_t i = 0; i < shards.size(); ++i) {
    if (identity(shards[i]) != same) {
      throw InputError((fs::path(dirs[i]) / "explore.json").string(),
                       "a shard of the same search as " + dirs.front() + " (scenario, strategy, bounds, samples)",
                       identity(shards[i]).dump());
    }
    if (!seen.insert(shards[i]["samples"]["shard"].get<uint64_t>()).second) {
      throw InputError(dirs[i], "each shard once", "shard " + shards[i]["samples"]["shard"].dump() + " again");
    }
  }
  const uint64_t shards_total = same["samples"]["shards"].get<uint64_t>();
  Json merged = same;
  uint64_t run = 0;
  std::map<std::string, uint64_t> leaves;
  Json known = Json::object();
  Json shared = Json::object();  // with a differential search's baseline
  Json stopped = Json::object();
  std::optional<Json> first;  // the violation of the lowest sample index: the one an unsharded search reports
  double omission = 0;
  for (const char* key : {"walks", "states_distinct", "transitions", "duplicates", "judged", "undecided_judgements",
                          "branches_truncated", "depth_reached", "queue_peak"}) {
    merged[key] = 0;
  }
  for (const Json& j : shards) {
    run += j["samples"]["run"].get<uint64_t>();
    for (const char* key : {"walks", "states_distinct", "transitions", "duplicates", "judged", "undecided_judgements",
                            "branches_truncated"}) {
      merged[key] = merged[key].get<uint64_t>() + j[key].get<uint64_t>();
    }
    for (const char* key : {"depth_reached", "queue_peak"}) merged[key] = std::max(merged[key], j[key]);
    // A swarm's members reuse runs (Search::Reuse); sampled paths do not.
    if (j.contains("reused")) {
      Json& reused = merged["reused"];
      if (reused.is_null()) reused = Json::object();
      for (const auto& [name, count] : j["reused"].items()) {
        reused[name] = reused.value(name, uint64_t{0}) + count.get<uint64_t>();
      }
    }
    for (const auto& [leaf, count] : j["leaves"].items()) leaves[leaf] += count.get<uint64_t>();
    add_known_violations(known, j["known_violations"]);
    if (j.contains("shared_with_baseline")) add_known_violations(shared, j["shared_with_baseline"]);
    omission = std::min(1.0, omission + j["visited"]["omission_probability"].get<double>());
    if (!j["stopped_by"].is_null()) stopped[j["samples"]["shard"].dump()] = j["stopped_by"];
    const Json& v = j["violation"];
    if (!v.is_null() && (!first || v["sample"].get<uint64_t>() < (*first)["sample"].get<uint64_t>())) first = v;
  }
  merged["samples"]["run"] = run;
  merged["samples"]["shards_merged"] = seen;
  merged["leaves"] = leaves;
  merged["known_violations"] = known;
  if (!merged["baseline"].is_null()) merged["shared_with_baseline"] = shared;
  merged["visited"] = {{"key_bits", 64}, {"omission_probability", omission}};
  merged["stopped_by"] = stopped.empty() ? Json(nullptr) : stopped;
  merged["complete"] = false;
  merged["violation"] = first ? *first : Json(nullptr);
  merged["exit_code"] = first ? 1 : 3;
  fs::create_directories(out_dir);
  const fs::path summary = fs::path(out_dir) / "explore.json";
  std::ofstream(summary) << merged.dump(2) << "\n";

  out << fmt::format("replsim merge: {} shards of {} ({} {} search): {} of {} samples run, {} transitions\n",
                     seen.size(), shards_total, merged["scenario"].get<std::string>(),
                     merged["strategy"].get<std::string>(), run, merged["samples"]["count"].get<uint64_t>(),
                     merged["transitions"].get<uint64_t>());
  if (seen.size() < shards_total) {
    out << fmt::format("  missing    {} of {} shards were not given\n", shards_total - seen.size(), shards_total);
  }
  if (first) {
    out << fmt::format("  VIOLATION  {} on sample {}; counterexample {}\n",
                       fmt::join((*first)["checks"].get<std::vector<std::string>>(), ", "),
                       (*first)["sample"].get<uint64_t>(), (*first).value("file", std::string("(not written)")));
  } else {
    out << fmt::format("  result     UNDECIDED: no violation{} in the samples run (a sample proves nothing)\n",
                       known.empty() && shared.empty() ? "" : " besides the known ones and the baseline's");
  }
  out << fmt::format("  summary    {}\n", summary.string());
  return merged["exit_code"].get<int>();
}

}  // namespace replsim::explore
