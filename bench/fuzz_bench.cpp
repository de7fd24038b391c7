// Fuzz throughput (Release, every core): runs per second of a scenario's
// fault generator, checks included. Prints `figure <name> <value> <unit>`.
// The target names a FastCFS scenario; until its model lands this
// measures the example register's 40-virtual-second fuzz scenario.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "cli/fuzz_command.h"

int main() {
  const std::string scenario = std::string(REPLSIM_SOURCE_DIR) + "/scenarios/example-register/fuzz-every-family.json";
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "replsim-fuzz-bench";
  std::filesystem::remove_all(out);
  replsim::cli::FuzzOptions options;
  options.file = scenario;
  options.seeds = "1..300";
  options.out_dir = out.string();
  std::ostringstream quiet;
  const auto start = std::chrono::steady_clock::now();
  const int code = replsim::cli::run_fuzz(options, quiet);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("figure fuzz_runs_per_s_example_register_40s {:.1f} runs/s\n", 300 / seconds);
  std::filesystem::remove_all(out);
  return code;
}
