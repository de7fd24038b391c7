// `replsim demo`: the example register under the demo fault schedule.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace replsim::cli {

struct DemoOptions {
  uint64_t seed = 1;
  std::string out_dir = "out/demo";
  bool write_trace = false;
  bool no_faults = false;
  bool primary_skips_fsync = false;
};

// Runs, prints a summary to `out`, writes run.json; returns the exit code.
int run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace replsim::cli
