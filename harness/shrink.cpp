#include "harness/shrink.h"

#include <algorithm>
#include <fstream>

#include "base/input_error.h"
#include "harness/fault_generator.h"
#include "harness/runner.h"

namespace replsim::harness {
namespace {

class Shrinker {
 public:
  Shrinker(uint64_t seed, uint64_t runs_max) : seed_(seed), runs_max_(runs_max) {}

  // Whether `doc` is valid and fails exactly as the original did.
  bool fails_the_same(const Json& doc) {
    if (result_.runs >= runs_max_) return false;
    Scenario s;
    try {
      s = parse_scenario(doc, "candidate");
    } catch (const InputError&) {
      return false;  // e.g. a fault names a server the smaller cluster lacks
    }
    ++result_.runs;
    const ScenarioRun run = run_scenario(s, seed_);
    return !run.as_expected && failure_signature(run) == result_.failing_checks;
  }

  ShrinkResult run(Json doc, const std::vector<std::string>& failing_checks) {
    result_.failing_checks = failing_checks;
    result_.faults_before = doc["faults"].size();
    result_.duration_before = doc["duration"].get<std::string>();
    result_.clients_before = doc["workload"].value("clients", 3u);
    result_.servers_before = doc["cluster"].value("servers", 3u);

    doc["faults"] = ddmin(doc, doc["faults"]);
    shrink_duration(doc);
    shrink_count(doc, "workload", "clients", 1);
    shrink_count(doc, "workload", "keys", 1);
    shrink_count(doc, "cluster", "servers", 1);

    result_.document = doc;
    result_.faults_after = doc["faults"].size();
    result_.duration_after = doc["duration"].get<std::string>();
    result_.clients_after = doc["workload"].value("clients", 3u);
    result_.servers_after = doc["cluster"].value("servers", 3u);
    return result_;
  }

 private:
  Json with_faults(Json doc, const Json& faults) {
    doc["faults"] = faults;
    return doc;
  }

  static Json subset(const Json& list, size_t begin, size_t end, bool complement) {
    Json out = Json::array();
    for (size_t i = 0; i < list.size(); ++i) {
      const bool inside = i >= begin && i < end;
      if (inside != complement) out.push_back(list[i]);
    }
    return out;
  }

  // Zeller's ddmin over the fault list, then single removals to a fixpoint.
  Json ddmin(const Json& doc, Json faults) {
    size_t granularity = 2;
    while (faults.size() >= 2 && result_.runs < runs_max_) {
      const size_t chunk = (faults.size() + granularity - 1) / granularity;
      bool reduced = false;
      for (size_t start = 0; start < faults.size() && !reduced; start += chunk) {
        const Json only = subset(faults, start, start + chunk, false);
        if (fails_the_same(with_faults(doc, only))) {
          faults = only;
          granularity = 2;
          reduced = true;
        }
      }
      for (size_t start = 0; start < faults.size() && !reduced; start += chunk) {
        const Json without = subset(faults, start, start + chunk, true);
        if (fails_the_same(with_faults(doc, without))) {
          faults = without;
          granularity = std::max<size_t>(granularity - 1, 2);
          reduced = true;
        }
      }
      if (!reduced) {
        if (granularity >= faults.size()) break;
        granularity = std::min(granularity * 2, faults.size());
      }
    }
    bool removed = true;
    while (removed && result_.runs < runs_max_) {
      removed = false;
      for (size_t i = 0; i < faults.size(); ++i) {
        const Json without = subset(faults, i, i + 1, true);
        if (fails_the_same(with_faults(doc, without))) {
          faults = without;
          removed = true;
          break;
        }
      }
    }
    return faults;
  }

  // Halves the run (and the workload's stop with it) while the failure stays.
  void shrink_duration(Json& doc) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      const Duration current = parse_duration(doc["duration"].get<std::string>(), "/duration");
      const Duration shorter = current / 2;
      if (shorter < Duration::s(1)) return;
      Json candidate = doc;
      candidate["duration"] = format_duration(shorter);
      if (candidate.contains("workload") && candidate["workload"].contains("stop")) {
        const Duration stop = parse_duration(candidate["workload"]["stop"].get<std::string>(), "/workload/stop");
        candidate["workload"]["stop"] = format_duration(std::min(stop, shorter));
      }
      if (!fails_the_same(candidate)) return;
      doc = candidate;
    }
  }

  void shrink_count(Json& doc, const char* section, const char* key, uint32_t floor) {
    for (int attempt = 0; attempt < 64; ++attempt) {
      const uint32_t current = doc.contains(section) ? doc[section].value(key, 3u) : 3u;
      if (current <= floor) return;
      Json candidate = doc;
      candidate[section][key] = current - 1;
      const bool servers = std::string(key) == "servers";
      if (servers && candidate["cluster"].contains("replicas")) {
        candidate["cluster"]["replicas"] = std::min<uint32_t>(candidate["cluster"]["replicas"].get<uint32_t>(), current - 1);
      }
      if (fails_the_same(candidate)) {
        doc = candidate;
        continue;
      }
      // A protocol may want the servers in whole groups of `replicas`
      // (groups of servers each holding its own data): drop a whole group.
      // The replica count is the file's or the format's default.
      const uint32_t replicas = servers ? parse_scenario(doc, "shrinking").cluster.replicas : 0;
      if (replicas <= 1 || replicas >= current || current - replicas < floor) return;
      candidate[section][key] = current - replicas;
      candidate["cluster"]["replicas"] = replicas;
      if (!fails_the_same(candidate)) return;
      doc = candidate;
    }
  }

  uint64_t seed_;
  uint64_t runs_max_;
  ShrinkResult result_;
};

}  // namespace

ShrinkResult shrink_scenario(const Json& document, const std::string& name, uint64_t seed, uint64_t runs_max) {
  const Scenario original = parse_scenario(document, name);
  // A generated schedule becomes explicit faults first.
  Json doc = document;
  const Scenario explicit_scenario = with_drawn_faults(original, seed);
  doc.erase("fault_generator");
  doc["seed"] = seed;
  doc["faults"] = Json::array();
  for (const FaultSpec& f : explicit_scenario.faults) doc["faults"].push_back(fault_spec_to_json(f));
  if (!doc.contains("workload")) doc["workload"] = Json::object();
  if (!doc.contains("cluster")) doc["cluster"] = Json::object();

  const ScenarioRun baseline = run_scenario(explicit_scenario, seed);
  if (baseline.as_expected) {
    throw InputError(name, "a scenario that fails with seed " + std::to_string(seed), "one that runs as expected");
  }
  if (exit_code(baseline) == 3) {
    throw InputError(name, "a scenario that fails with seed " + std::to_string(seed),
                     "an undecided run (a check ran out of budget; raise it, e.g. {\"linearizable\": {\"steps_max\": ...}})");
  }
  ShrinkResult result = Shrinker(seed, runs_max).run(doc, failure_signature(baseline));
  result.runs += 1;  // the baseline
  result.document["name"] = document.value("name", std::string("scenario")) + "-shrunk";
  result.document["description"] = "Shrunk by replsim shrink from " + name + " (seed " + std::to_string(seed) + ")";
  return result;
}

bool shrink_to_file(const Json& document, const std::string& name, uint64_t seed, const std::string& out_file,
                    ShrinkResult& result) {
  result = shrink_scenario(document, name, seed);
  std::ofstream(out_file) << result.document.dump(2) << "\n";
  const Scenario replay = load_scenario_file(out_file);
  const ScenarioRun run = run_scenario(replay, replay.seed);
  return !run.as_expected && failure_signature(run) == result.failing_checks;
}

}  // namespace replsim::harness
