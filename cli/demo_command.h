// `replsim demo`: the build's demo scenario (the example register under
// every kind of fault).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
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

// The demo's scenario document for a seed, with or without its faults and
// its deliberate bug; the command's builder provides it (cli/main.cpp: the
// example register's).
using DemoScenario = std::function<nlohmann::json(uint64_t seed, bool faults, bool primary_skips_fsync)>;

// Runs, prints a summary to `out`, writes run.json, report.html and
// history.edn (and trace.jsonl) to options.out_dir; returns the exit code.
int run_demo(const DemoOptions& options, const DemoScenario& demo_scenario, std::ostream& out);

}  // namespace replsim::cli
