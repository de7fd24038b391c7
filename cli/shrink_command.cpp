#include "cli/shrink_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/protocols.h"
#include "cli/scenario_run.h"
#include "sim/input_error.h"

namespace replsim::cli {

bool shrink_to_file(const Json& document, const std::string& name, uint64_t seed, const std::string& out_file,
                    ShrinkResult& result) {
  result = shrink_scenario(document, name, seed);
  std::ofstream(out_file) << result.document.dump(2) << "\n";
  const Scenario replay = load_scenario_file(out_file, protocol_catalog());
  const ScenarioRun run = run_scenario(replay, replay.seed, *make_adapter(replay.protocol));
  return !run.as_expected && failure_signature(run) == result.failing_checks;
}

int run_shrink(const ShrinkOptions& options, std::ostream& out) {
  std::ifstream in(options.file);
  if (!in) throw InputError(options.file, "a readable scenario file", "a file that cannot be opened");
  // The loader reports syntax and format errors with their paths.
  const Scenario scenario = load_scenario_file(options.file, protocol_catalog());
  const Json document = Json::parse(in);
  const uint64_t seed = options.seed.value_or(scenario.seed);
  std::string out_file = options.out_file;
  if (out_file.empty()) {
    const std::filesystem::path path(options.file);
    out_file = (path.parent_path() / (path.stem().string() + ".shrunk.json")).string();
  }
  ShrinkResult r;
  const bool verified = shrink_to_file(document, options.file, seed, out_file, r);
  std::string checks;
  for (const std::string& c : r.failing_checks) checks += (checks.empty() ? "" : ", ") + c;
  out << fmt::format("replsim shrink: {} (seed {}), failing {}\n", options.file, seed, checks);
  out << fmt::format("  faults     {} -> {}\n", r.faults_before, r.faults_after);
  out << fmt::format("  duration   {} -> {}\n", r.duration_before, r.duration_after);
  out << fmt::format("  clients    {} -> {}\n", r.clients_before, r.clients_after);
  out << fmt::format("  servers    {} -> {}\n", r.servers_before, r.servers_after);
  out << fmt::format("  runs       {}\n", r.runs);
  out << fmt::format("  shrunk     {} ({})\n", out_file, verified ? "replays to the same failure" : "REPLAY DIFFERS");
  return verified ? 0 : 1;
}

}  // namespace replsim::cli
