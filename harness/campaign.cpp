#include "harness/campaign.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_for_each.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/fault_generator.h"
#include "harness/report_files.h"
#include "harness/run_json.h"
#include "harness/runner.h"
#include "harness/shrink.h"

namespace replsim::harness {
namespace {

namespace fs = std::filesystem;

struct SeedResult {
  uint64_t seed = 0;
  bool as_expected = true;
  bool undecided = false;  // not as expected only because a check ran out of budget (exit 3)
  std::string verdict;
  std::vector<std::string> failed_checks;
  std::vector<std::string> undecided_checks;
  std::map<std::string, uint64_t> fault_types;  // applied, by type
  std::map<std::string, uint64_t> transitions;  // protocol state transitions reached (the monitor's "transitions")
  std::vector<std::string> families_on;
  uint64_t steps = 0;
  std::string trace_hash;
  // Figures campaigns compare across seeds: failover_ms, unavailable_ms,
  // replica_recovery_ms, relapse_ms (lists), latency_under_faults_p99_ms,
  // latency_p99_ms.
  nlohmann::json figures = nlohmann::json::object();
  std::string failure_file;  // the replayable scenario, for failures
  bool replay_verified = false;
  std::vector<std::string> signature;  // failure_signature of a failed seed
  bool known = false;                  // every signature element is a --known one
};

nlohmann::json to_json(const SeedResult& r) {
  nlohmann::json j = {{"seed", r.seed}, {"as_expected", r.as_expected}, {"undecided", r.undecided},
                      {"verdict", r.verdict}, {"failed_checks", r.failed_checks},
                      {"undecided_checks", r.undecided_checks}, {"fault_types", r.fault_types},
                      {"transitions", r.transitions}, {"families_on", r.families_on}, {"steps", r.steps},
                      {"trace_hash", r.trace_hash}, {"figures", r.figures}};
  if (!r.failure_file.empty()) {
    j["failure_file"] = r.failure_file;
    j["replay_verified"] = r.replay_verified;
    j["signature"] = r.signature;
    j["known"] = r.known;
  }
  return j;
}

SeedResult from_json(const nlohmann::json& j) {
  SeedResult r;
  r.seed = j.at("seed").get<uint64_t>();
  r.as_expected = j.at("as_expected").get<bool>();
  r.undecided = j.at("undecided").get<bool>();
  r.verdict = j.at("verdict").get<std::string>();
  r.failed_checks = j.at("failed_checks").get<std::vector<std::string>>();
  r.undecided_checks = j.at("undecided_checks").get<std::vector<std::string>>();
  r.fault_types = j.at("fault_types").get<std::map<std::string, uint64_t>>();
  if (j.contains("transitions")) r.transitions = j["transitions"].get<std::map<std::string, uint64_t>>();
  r.families_on = j.at("families_on").get<std::vector<std::string>>();
  r.steps = j.at("steps").get<uint64_t>();
  r.trace_hash = j.at("trace_hash").get<std::string>();
  if (j.contains("figures")) r.figures = j["figures"];
  if (j.contains("failure_file")) {
    r.failure_file = j["failure_file"].get<std::string>();
    r.replay_verified = j.at("replay_verified").get<bool>();
    r.signature = j.value("signature", std::vector<std::string>{});
    r.known = j.value("known", false);
  }
  return r;
}

// The scenario document with the drawn schedule made explicit: a plain file
// that `replsim run` replays without the generator.
nlohmann::json explicit_document(const nlohmann::json& original, const Scenario& explicit_scenario, uint64_t seed) {
  nlohmann::json doc = original;
  doc.erase("fault_generator");
  doc["seed"] = seed;
  doc["name"] = fmt::format("{}-seed{}", original.at("name").get<std::string>(), seed);
  doc["description"] = fmt::format("Seed {} of {}, its generated faults made explicit by replsim fuzz.", seed,
                                   original.at("name").get<std::string>());
  doc["faults"] = nlohmann::json::array();
  for (const FaultSpec& f : explicit_scenario.faults) doc["faults"].push_back(fault_spec_to_json(f));
  return doc;
}

struct CampaignSummary {
  std::map<std::string, uint64_t> fault_coverage;
  std::map<std::string, uint64_t> transition_coverage;  // summed over seeds
  nlohmann::json failures = nlohmann::json::array();
  nlohmann::json undecided = nlohmann::json::array();  // seeds whose verdict a check's budget left open
  nlohmann::json known = nlohmann::json::array();      // failures of --known findings only
  uint64_t failed = 0;
  uint64_t unverified = 0;
  uint64_t steps = 0;
};

// Coverage and failures over every seed, and junit.xml in `dir`.
CampaignSummary summarize(const std::map<uint64_t, SeedResult>& done, const std::string& name,
                          const std::string& expected_verdict, const fs::path& dir) {
  CampaignSummary summary;
  std::ofstream junit(dir / "junit.xml");
  junit << fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"replsim fuzz {}\" tests=\"{}\">\n",
                       name, done.size());
  for (const auto& [seed, r] : done) {
    for (const auto& [type, count] : r.fault_types) summary.fault_coverage[type] += count;
    for (const auto& [t, count] : r.transitions) summary.transition_coverage[t] += count;
    summary.steps += r.steps;
    junit << fmt::format("  <testcase classname=\"{}\" name=\"seed {}\"", name, seed);
    if (r.as_expected) {
      junit << "/>\n";
      continue;
    }
    if (r.undecided) {
      summary.unverified += r.replay_verified ? 0 : 1;
      summary.undecided.push_back({{"seed", seed}, {"undecided_checks", r.undecided_checks}, {"file", r.failure_file},
                                   {"replay_verified", r.replay_verified}});
      junit << fmt::format("><error message=\"undecided (expected {}): a check ran out of budget\">replay: replsim run "
                           "{}</error></testcase>\n",
                           expected_verdict, r.failure_file);
      continue;
    }
    summary.unverified += r.replay_verified ? 0 : 1;
    if (r.known) {
      summary.known.push_back({{"seed", seed}, {"signature", r.signature}, {"file", r.failure_file},
                               {"replay_verified", r.replay_verified}});
      junit << fmt::format("><skipped message=\"a known finding: {}\"/></testcase>\n", fmt::join(r.signature, "; "));
      continue;
    }
    ++summary.failed;
    summary.failures.push_back({{"seed", seed}, {"failed_checks", r.failed_checks}, {"file", r.failure_file},
                                {"replay_verified", r.replay_verified}});
    std::string checks;
    for (const std::string& c : r.failed_checks) checks += (checks.empty() ? "" : ", ") + c;
    junit << fmt::format("><failure message=\"verdict {} (expected {}): {}\">replay: replsim run {}</failure></testcase>\n",
                         r.verdict, expected_verdict, checks, r.failure_file);
  }
  junit << "</testsuite>\n";
  return summary;
}

// A failed seed is known when it failed only in --known ways: a signature
// with an element not listed is a failure, and so is an empty one.
bool is_known(const std::vector<std::string>& signature, const std::set<std::string>& known) {
  if (signature.empty() || known.empty()) return false;
  return std::all_of(signature.begin(), signature.end(), [&](const std::string& e) { return known.contains(e); });
}

void print_known(const CampaignSummary& summary, std::ostream& out) {
  for (const auto& k : summary.known) {
    out << fmt::format("  KNOWN seed {}: {} -> {}{}\n", k["seed"].get<uint64_t>(), k["signature"].dump(),
                       k["file"].get<std::string>(), k["replay_verified"].get<bool>() ? "" : " (REPLAY DIFFERS)");
  }
}

// 1 for a failure or a failure whose replay differs, else 3 when a seed
// was undecided, else 0: an undecided seed is never counted as passed.
int campaign_exit_code(const CampaignSummary& summary, uint64_t unverified) {
  if (summary.failed > 0 || unverified > 0) return 1;
  return summary.undecided.empty() ? 0 : 3;
}

}  // namespace

int merge_campaigns(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out) {
  std::map<uint64_t, SeedResult> merged;
  std::string name;
  std::string expected = "pass";
  for (const std::string& d : dirs) {
    const fs::path results = fs::path(d) / "results.jsonl";
    std::ifstream in(results);
    if (!in) throw InputError(results.string(), "the results.jsonl of a fuzz campaign", "no such file");
    const fs::path campaign = fs::path(d) / "campaign.json";
    if (std::ifstream c(campaign); c) name = nlohmann::json::parse(c).value("scenario", name);
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      SeedResult r;
      try {
        r = from_json(nlohmann::json::parse(line));
      } catch (const std::exception& error) {
        throw InputError(results.string() + ":" + std::to_string(number), "one JSON result per line", error.what());
      }
      const auto [it, inserted] = merged.emplace(r.seed, r);
      if (!inserted && it->second.trace_hash != r.trace_hash) {
        throw InputError(results.string() + ":" + std::to_string(number),
                         "seed " + std::to_string(r.seed) + " with the trace hash the other shard recorded",
                         "a different trace: were the shards built from different sources?");
      }
    }
  }
  const fs::path dir(out_dir);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw InputError("--out", "a folder that can be created", "\"" + dir.string() + "\": " + error.message());
  std::ofstream results(dir / "results.jsonl");
  for (const auto& [seed, r] : merged) results << to_json(r).dump() << "\n";
  const CampaignSummary summary = summarize(merged, name, expected, dir);
  std::ofstream(dir / "campaign.json") << nlohmann::json{{"scenario", name}, {"merged_from", dirs},
                                                         {"seeds_run", merged.size()}, {"failures", summary.failures},
                                                         {"undecided", summary.undecided}, {"known", summary.known},
                                                         {"fault_coverage", summary.fault_coverage},
                                                         {"transition_coverage", summary.transition_coverage},
                                                         {"steps", summary.steps}}
                                              .dump(2)
                                       << "\n";
  results.close();
  const fs::path page = write_campaign_report(dir);
  out << fmt::format("replsim merge: {} campaigns, {} seeds -> {}\n", dirs.size(), merged.size(), dir.string());
  out << fmt::format("  report           {}\n", page.string());
  print_known(summary, out);
  out << fmt::format("merge: {} passed, {} failed, {} undecided\n",
                     merged.size() - summary.failed - summary.undecided.size() - summary.known.size(), summary.failed,
                     summary.undecided.size());
  return campaign_exit_code(summary, summary.unverified);
}

int run_campaign(const CampaignOptions& options, std::ostream& out) {
  const uint64_t first = options.first_seed, last = options.last_seed;
  const uint64_t shard = options.shard, shards = options.shards;
  REPLSIM_ASSERT(first <= last && shard >= 1 && shard <= shards, "the command line checked seeds and shard");
  const std::optional<Duration>& time_limit = options.time_limit;
  const std::set<std::string> known(options.known.begin(), options.known.end());
  std::ifstream in(options.file);
  if (!in) throw InputError(options.file, "a readable scenario file", "a file that cannot be opened");
  const Scenario scenario = load_scenario_file(options.file);
  const nlohmann::json document = nlohmann::json::parse(in);
  if (!scenario.fault_generator) {
    throw InputError(options.file + ":/fault_generator", "a fault generator to draw schedules from", "none");
  }
  const fs::path dir = options.out_dir.empty() ? fs::path("out") / ("fuzz-" + scenario.name) : fs::path(options.out_dir);
  std::error_code error;
  fs::create_directories(dir / "failures", error);
  if (error) throw InputError("--out", "a folder that can be created", "\"" + dir.string() + "\": " + error.message());

  // Resume: every seed already in results.jsonl is done.
  std::map<uint64_t, SeedResult> done;
  const fs::path results_path = dir / "results.jsonl";
  if (options.resume && fs::exists(results_path)) {
    std::ifstream previous(results_path);
    std::string line;
    while (std::getline(previous, line)) {
      try {
        SeedResult r = from_json(nlohmann::json::parse(line));
        // Known as this session's --known says, not as the killed one's.
        r.known = !r.as_expected && !r.undecided && is_known(r.signature, known);
        done[r.seed] = r;
      } catch (const std::exception&) {
        // A line cut short by a killed campaign: that seed runs again.
      }
    }
  } else if (fs::exists(results_path)) {
    fs::remove(results_path);
  }
  std::vector<uint64_t> seeds;
  for (uint64_t seed = first; seed <= last; ++seed) {
    if ((seed - first) % shards == shard - 1 && !done.contains(seed)) seeds.push_back(seed);
  }

  std::ofstream results(results_path, std::ios::app);
  std::mutex results_mutex;
  std::atomic<uint64_t> finished{0}, failures{0};
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto last_progress = started;

  const auto run_seed = [&](uint64_t seed) {
    if (time_limit && elapsed_s() > time_limit->seconds()) return;  // campaign control only: no simulation sees it
    const DrawnSchedule drawn = draw_fault_schedule(scenario, seed);
    const Scenario explicit_scenario = with_drawn_faults(scenario, drawn);
    const ScenarioRun run = run_scenario(explicit_scenario, seed);
    SeedResult r;
    r.seed = seed;
    r.as_expected = run.as_expected;
    r.undecided = exit_code(run) == 3;
    r.verdict = run.verdict;
    r.failed_checks = failed_checks(run);
    for (const CheckOutcome& c : run.checks) {
      if (c.verdict == CheckVerdict::kUndecided) r.undecided_checks.push_back(c.name);
    }
    for (const AppliedFault& f : run.faults) {
      if (f.fault) ++r.fault_types[f.type()];
    }
    r.families_on = drawn.families_on;
    r.steps = run.world.stats().steps;
    const nlohmann::json monitor = run.monitor->to_json();
    if (monitor.contains("transitions")) r.transitions = monitor["transitions"].get<std::map<std::string, uint64_t>>();
    r.trace_hash = fmt::format("{:016x}", run.world.trace_hash());
    const nlohmann::json summary = analyse(explicit_scenario, run, false)["summary"];
    r.figures = {{"failover_ms", summary["failover_ms"]},
                 {"unavailable_ms", summary["unavailable_ms"]},
                 {"replica_recovery_ms", summary["replica_recovery_ms"]},
                 {"latency_under_faults_p99_ms", summary["latency_under_faults_ms"].value("p99", nlohmann::json())},
                 {"latency_p99_ms", summary["latency_ms"].value("p99", nlohmann::json())},
                 {"relapse_ms", nlohmann::json::array()}};
    for (const auto& [from, to] : run.relapses) {
      r.figures["relapse_ms"].push_back(static_cast<double>((to - from).count_ns()) / 1e6);
    }
    if (!r.as_expected) {
      // Write the failure as a plain scenario and prove it replays.
      const fs::path file = dir / "failures" / fmt::format("{}-seed{}.json", scenario.name, seed);
      std::ofstream(file) << explicit_document(document, explicit_scenario, seed).dump(2) << "\n";
      const Scenario replay = load_scenario_file(file.string());
      const ScenarioRun again = run_scenario(replay, seed);
      r.failure_file = file.string();
      r.replay_verified = !again.as_expected && failure_signature(again) == failure_signature(run) &&
                          exit_code(again) == exit_code(run) && again.world.trace_hash() == run.world.trace_hash();
      r.signature = failure_signature(run);
      r.known = !r.undecided && is_known(r.signature, known);
      if (!r.undecided && !r.known) ++failures;
    }
    std::lock_guard lock(results_mutex);
    results << to_json(r).dump() << "\n" << std::flush;
    done[seed] = r;
    ++finished;
    const auto now = std::chrono::steady_clock::now();
    if (tty && now - last_progress > std::chrono::milliseconds(500)) {
      last_progress = now;
      const double rate = static_cast<double>(finished) / std::max(1e-9, elapsed_s());
      std::cerr << fmt::format("\rfuzz: {}/{} seeds, {:.1f} seeds/s, {} failures, ETA {:.0f}s   ", finished.load(),
                               seeds.size(), rate, failures.load(),
                               static_cast<double>(seeds.size() - finished) / std::max(rate, 1e-9));
    }
  };
  tbb::task_arena arena(options.jobs == 0 ? tbb::task_arena::automatic : static_cast<int>(options.jobs));
  arena.execute([&] { tbb::parallel_for_each(seeds.begin(), seeds.end(), run_seed); });
  if (tty) std::cerr << "\n";

  // The campaign summary, in seed order whatever order the seeds finished in.
  const CampaignSummary summary = summarize(done, scenario.name, scenario.expect.verdict, dir);
  const nlohmann::json& failure_list = summary.failures;
  uint64_t unverified = summary.unverified;
  std::vector<std::string> never_fired;
  for (const auto& [family, spec] : scenario.fault_generator->families) {
    if (!summary.fault_coverage.contains(family)) never_fired.push_back(family);
  }
  // Shrink every failure (or the first --shrink-max) to a plain, minimal
  // scenario under failures/, verified by replay; failures shrink in parallel.
  const size_t shrink_count = std::min<size_t>(failure_list.size(), options.shrink_max);
  std::vector<nlohmann::json> shrunk_rows(shrink_count);
  std::atomic<uint64_t> shrink_unverified{0};
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, shrink_count, [&](size_t i) {
      const std::string file = failure_list[i]["file"].get<std::string>();
      const uint64_t seed = failure_list[i]["seed"].get<uint64_t>();
      const std::string shrunk_file = file.substr(0, file.size() - 5) + ".shrunk.json";
      ShrinkResult r;
      std::ifstream failure_in(file);
      const bool verified = shrink_to_file(nlohmann::json::parse(failure_in), file, seed, shrunk_file, r);
      shrunk_rows[i] = {{"seed", seed}, {"file", shrunk_file}, {"replay_verified", verified},
                        {"faults", {r.faults_before, r.faults_after}}, {"duration", {r.duration_before, r.duration_after}},
                        {"clients", {r.clients_before, r.clients_after}}, {"servers", {r.servers_before, r.servers_after}},
                        {"runs", r.runs}};
      if (!verified) ++shrink_unverified;
    });
  });
  unverified += shrink_unverified;
  const nlohmann::json shrunk = shrunk_rows;
  nlohmann::json campaign = {{"scenario", scenario.name}, {"seeds", options.seeds_text}, {"shard", options.shard_text},
                              {"seeds_run", done.size()}, {"failures", failure_list}, {"undecided", summary.undecided},
                              {"known", summary.known}, {"known_signatures", options.known},
                              {"fault_coverage", summary.fault_coverage}, {"families_never_fired", never_fired},
                              {"transition_coverage", summary.transition_coverage},
                              {"steps", summary.steps}, {"shrunk", shrunk}};
  std::ofstream(dir / "campaign.json") << campaign.dump(2) << "\n";
  const fs::path page = write_campaign_report(dir);

  out << fmt::format("replsim fuzz: {}, seeds {} (shard {}), {} run\n", scenario.name, options.seeds_text, options.shard_text,
                     done.size());
  out << fmt::format("  wall time        {:.1f} s ({:.1f} seeds/s this session)\n", elapsed_s(),
                     static_cast<double>(finished) / std::max(1e-9, elapsed_s()));
  std::string coverage;
  for (const auto& [type, count] : summary.fault_coverage) coverage += fmt::format("{}{} {}", coverage.empty() ? "" : ", ", type, count);
  out << "  faults fired     " << (coverage.empty() ? "none" : coverage) << "\n";
  for (const std::string& family : never_fired) out << "  warning: the " << family << " family never fired\n";
  if (!summary.transition_coverage.empty()) {
    // Replica status transitions the campaign reached, in the spec's order.
    std::vector<std::pair<std::string, uint64_t>> reached(summary.transition_coverage.begin(), summary.transition_coverage.end());
    std::sort(reached.begin(), reached.end(), [](const auto& a, const auto& b) {
      return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
    std::string line;
    for (const auto& [t, count] : reached) line += fmt::format("{}{} {}", line.empty() ? "" : ", ", t, count);
    out << "  transitions      " << line << "\n";
  }
  for (const auto& sh : shrunk) {
    out << fmt::format("  shrunk seed {}: faults {} -> {}, servers {} -> {}, {} runs -> {}{}\n",
                       sh["seed"].get<uint64_t>(), sh["faults"][0].get<size_t>(), sh["faults"][1].get<size_t>(),
                       sh["servers"][0].get<uint32_t>(), sh["servers"][1].get<uint32_t>(), sh["runs"].get<uint64_t>(),
                       sh["file"].get<std::string>(), sh["replay_verified"].get<bool>() ? "" : " (REPLAY DIFFERS)");
  }
  for (const auto& f : failure_list) {
    out << fmt::format("  FAILURE seed {}: {} -> {}{}\n", f["seed"].get<uint64_t>(), f["failed_checks"].dump(),
                       f["file"].get<std::string>(), f["replay_verified"].get<bool>() ? "" : " (REPLAY DIFFERS)");
  }
  print_known(summary, out);
  for (const auto& u : summary.undecided) {
    out << fmt::format("  UNDECIDED seed {}: {} ran out of budget -> {}\n", u["seed"].get<uint64_t>(),
                       u["undecided_checks"].dump(), u["file"].get<std::string>());
  }
  out << fmt::format("  results          {}\n", results_path.string());
  out << fmt::format("  report           {}\n", page.string());
  out << fmt::format("fuzz: {} passed, {} failed, {} undecided\n",
                     done.size() - summary.failed - summary.undecided.size() - summary.known.size(), summary.failed,
                     summary.undecided.size());
  return campaign_exit_code(summary, unverified);
}

}  // namespace replsim::harness
