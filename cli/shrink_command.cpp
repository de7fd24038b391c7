#include "cli/shrink_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "base/input_error.h"
#include "harness/scenario.h"
#include "harness/shrink.h"

namespace replsim::cli {

using harness::Scenario;
using harness::ShrinkResult;

int run_shrink(const ShrinkOptions& options, std::ostream& out) {
  std::ifstream in(options.file);
  if (!in) throw InputError(options.file, "a readable scenario file", "a file that cannot be opened");
  // The loader reports syntax and format errors with their paths.
  const Scenario scenario = harness::load_scenario_file(options.file);
  const Json document = Json::parse(in);
  const uint64_t seed = options.seed.value_or(scenario.seed);
  std::string out_file = options.out_file;
  if (out_file.empty()) {
    const std::filesystem::path path(options.file);
    out_file = (path.parent_path() / (path.stem().string() + ".shrunk.json")).string();
  }
  ShrinkResult r;
  const bool verified = harness::shrink_to_file(document, options.file, seed, out_file, r);
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
