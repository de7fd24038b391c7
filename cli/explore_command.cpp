#include "cli/explore_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/input_error.h"
#include "base/json_input.h"
#include "cli/shard_option.h"
#include "explore/self_check.h"
#include "harness/scenario.h"

namespace replsim::cli {

namespace {

int run_self_check(const ExploreCommandOptions& options, std::ostream& out) {
  const harness::Scenario scenario = harness::load_scenario_file(options.file);
  explore::SelfCheckOptions check;
  check.steps = options.self_check_steps;
  const explore::SelfCheckReport report = explore::self_check(scenario, check);
  out << fmt::format("replsim explore --self-check: {} ({}): {} steps, {} faults, {} copies checked, {} repeated "
                     "fingerprints compared, {} pairs of tied events ({} independent by their footprints and checked in both "
                     "orders, {} dependent by them that still end in one state either way), {} stale events dropped "
                     "by copies that went on as their originals ({} ties chosen)\n",
                     options.file, scenario.protocol, report.steps, report.faults, report.copies_checked,
                     report.fingerprints_compared, report.tied_pairs, report.tied_pairs_independent,
                     report.tied_pairs_dependent_commuting, report.stale_events_dropped, report.ties_followed);
  for (const std::string& problem : report.problems) out << "  PROBLEM " << problem << "\n";
  out << (report.problems.empty() ? "  result  copies, equality, fingerprints and independent steps agree\n"
                                  : "  result  the explorer cannot trust this protocol's fingerprints\n");
  return report.problems.empty() ? 0 : 1;
}

// The non-empty items of "a, b,,c", without the spaces around them.
std::vector<std::string> comma_separated(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const size_t first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    items.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return items;
}

}  // namespace

int run_explore(ExploreCommandOptions options, std::ostream& out, std::ostream& progress) {
  namespace fs = std::filesystem;
  if (options.self_check) return run_self_check(options, out);
  const nlohmann::json document = harness::load_scenario_document(options.file);
  explore::ExploreOptions& search = options.search;
  for (const std::string& type : comma_separated(options.fault_types)) search.fault_types.push_back(type);
  for (const std::string& node : comma_separated(options.fault_nodes)) search.fault_nodes.push_back(node);
  if (!options.time_limit.empty()) {
    search.time_limit_s = static_cast<double>(parse_duration(options.time_limit, "--time-limit").count_ns()) / 1e9;
  }
  if (!options.delay_cap.empty()) search.settings.delay_cap = parse_duration(options.delay_cap, "--delay-cap");
  for (const std::string& kind : comma_separated(options.fixed_kinds)) {
    search.settings.fix(harness::fixable_choice_kind(kind, "--fixed-kinds"));
  }
  if (!options.from.empty()) search.from = parse_duration(options.from, "--from");
  std::tie(search.shard, search.shards) = parse_shard(options.shard);
  if (!options.from_when.empty()) {
    search.from_when = nlohmann::json::parse(options.from_when, nullptr, false);
    if (search.from_when->is_discarded()) {
      throw InputError("--from-when", "a JSON object as a fault's \"when\": {\"node\": \"s2\", \"enters\": STATUS}",
                       options.from_when);
    }
  }
  if (!options.baseline.empty()) search.baseline = {harness::load_scenario_document(options.baseline), options.baseline};
  const std::string name = document.is_object() && document.contains("name") && document["name"].is_string()
                               ? document["name"].get<std::string>()
                               : "scenario";
  if (search.out_dir.empty()) search.out_dir = (fs::path("out") / (name + "-explore")).string();
  const explore::ExploreResult result = explore::explore(document, options.file, search, progress);
  fs::create_directories(search.out_dir);
  const fs::path summary = fs::path(search.out_dir) / "explore.json";
  std::ofstream(summary) << result.summary.dump(2) << "\n";

  const nlohmann::json& j = result.summary;
  const std::vector<std::string> fault_nodes = j["fault_nodes"].get<std::vector<std::string>>();
  out << fmt::format("replsim explore: {} ({}), {} search, depth <= {}, faults <= {} ({}{})\n", options.file,
                     j["protocol"].get<std::string>(), j["strategy"].get<std::string>(),
                     j["bounds"]["depth_max"].get<uint32_t>(), j["bounds"]["faults_max"].get<uint32_t>(),
                     fmt::join(j["fault_types"].get<std::vector<std::string>>(), ", "),
                     fault_nodes.empty() ? "" : fmt::format(" on {}", fmt::join(fault_nodes, ", ")));
  if (j["settings"].contains("fixed_kinds")) {
    out << fmt::format("  fixed      {}: answered by their first option, never branched on\n",
                       fmt::join(j["settings"]["fixed_kinds"].get<std::vector<std::string>>(), ", "));
  }
  out << fmt::format("  states     {} distinct, {} transitions, {} duplicates, depth reached {}\n",
                     j["states_distinct"].get<uint64_t>(), j["transitions"].get<uint64_t>(),
                     j["duplicates"].get<uint64_t>(), j["depth_reached"].get<uint32_t>());
  out << fmt::format("  judged     {} states ({} undecided); leaves {}\n", j["judged"].get<uint64_t>(),
                     j["undecided_judgements"].get<uint64_t>(), j["leaves"].dump());
  out << fmt::format("  collisions chance of a state missed by a 64-bit key collision: {:.2g}\n",
                     j["visited"]["omission_probability"].get<double>());
  if (j["symmetry"].contains("orbits")) {
    const nlohmann::json& sym = j["symmetry"];
    std::vector<std::string> classes;
    for (const nlohmann::json& c : sym["interchangeable"]) {
      classes.push_back(fmt::format("{}", fmt::join(c.get<std::vector<std::string>>(), " ")));
    }
    out << fmt::format("  symmetry   {} orbits {}; interchangeable servers {} ({} renamings)\n",
                       sym["orbits"].get<uint64_t>(), sym["mode"] == "on" ? "searched, a state each" : "among the states",
                       classes.empty() ? "none" : fmt::format("{}", fmt::join(classes, "; ")),
                       sym["renamings"].get<uint64_t>());
  }
  for (const auto& [signature, known] : j["known_violations"].items()) {
    out << fmt::format("  known      {} ({} judgements, {} transitions at the fewest): searched past, as --known asked\n",
                       signature, known["judgements"].get<uint64_t>(), known["transitions_min"].get<uint32_t>());
  }
  if (j.contains("shared_with_baseline")) {
    for (const auto& [signature, shared] : j["shared_with_baseline"].items()) {
      out << fmt::format("  baseline   {} ({} judgements, {} transitions at the fewest): searched past, the baseline "
                         "broke it too on the same answers\n",
                         signature, shared["judgements"].get<uint64_t>(), shared["transitions_min"].get<uint32_t>());
    }
  }
  const bool shared = j.contains("shared_with_baseline") && !j["shared_with_baseline"].empty();
  const bool past_some = !j["known_violations"].empty() || shared;
  const std::string besides = past_some ? " besides the known ones and the baseline's" : "";
  if (!j["violation"].is_null()) {
    const nlohmann::json& v = j["violation"];
    out << fmt::format("  VIOLATION  {} after {} transitions ({} steps); replayed by run: {}\n",
                       fmt::join(v["checks"].get<std::vector<std::string>>(), ", "), v["transitions"].get<uint32_t>(),
                       v["steps"].get<uint64_t>(), v["replayed"].get<bool>() ? "yes" : "no");
    for (size_t i = 0; i < v["details"].size() && i < 3; ++i) out << "      " << v["details"][i].get<std::string>() << "\n";
    if (v.contains("compared")) {
      out << fmt::format("  compared   {} violating paths (from path {}): path {} has the fewest events, {}\n",
                         v["compared"].size(), v["compared"][0]["sample"].get<uint64_t>(), v["sample"].get<uint64_t>(),
                         v["events"].get<size_t>());
    }
    out << fmt::format("  counterexample {} (replsim run it), report {}\n", v["file"].get<std::string>(),
                       (fs::path(v["run_dir"].get<std::string>()) / "report.html").string());
    if (v.contains("baseline")) {
      const nlohmann::json& b = v["baseline"];
      out << fmt::format("  baseline   the same answers: {}, without {} ({}, report {})\n", b["verdict"].get<std::string>(),
                         fmt::join(b["does_not_break"].get<std::vector<std::string>>(), ", "),
                         b["file"].get<std::string>(), (fs::path(b["run_dir"].get<std::string>()) / "report.html").string());
    }
  } else if (j["complete"].get<bool>()) {
    out << "  result     complete within the bounds: no violation" << besides << "\n";
  } else if (j.contains("samples") && j["stopped_by"].is_null()) {
    out << fmt::format("  result     UNDECIDED: no violation{} in {} {} (a sample proves nothing)\n", besides,
                       j["walks"].get<uint64_t>(), j["strategy"] == "swarm" ? "member searches" : "sampled paths");
  } else if (j["stopped_by"].is_null() && j["undecided_judgements"].get<uint64_t>() > 0) {
    out << fmt::format("  result     UNDECIDED: every path searched, but {} judgements were undecided (a check "
                       "that could not decide a state: docs/EXPLORER.md, Judging)\n",
                       j["undecided_judgements"].get<uint64_t>());
  } else {
    out << fmt::format("  result     UNDECIDED: stopped by {}{}\n",
                       j["stopped_by"].is_null() ? "the step branch bound" : j["stopped_by"].get<std::string>(),
                       j["branches_truncated"].get<uint64_t>() > 0
                           ? fmt::format(" ({} steps had more answer combinations than searched)",
                                         j["branches_truncated"].get<uint64_t>())
                           : "");
  }
  out << fmt::format("  summary    {}\n", summary.string());
  return result.exit_code;
}

}  // namespace replsim::cli
