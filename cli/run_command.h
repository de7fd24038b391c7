// `replsim run FILE [--seed N] [--out DIR] [--trace]`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "harness/runner.h"

namespace replsim::cli {

struct RunOptions {
  std::string file;
  std::optional<uint64_t> seed;  // default: the scenario's
  std::string out_dir;           // default: out/<scenario name>
  bool write_trace = false;
};

// Exit codes: 0 as expected, 1 a violation or unexpected verdict, 2 bad
// input, 3 undecided.
int run_run(const RunOptions& options, std::ostream& out);

// What `run` prints: faults, events, each check with its first violations,
// the verdict, the trace hash and where the reports are.
void print_run_summary(const harness::Scenario& scenario, uint64_t seed, const harness::ScenarioRun& run,
                       const std::filesystem::path& dir, std::ostream& out);

}  // namespace replsim::cli
