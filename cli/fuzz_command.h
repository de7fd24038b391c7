// `replsim fuzz FILE --seeds A..B [--jobs J] [--time-limit T] [--shard K/N]
//  [--out DIR] [--resume] [--known SIGNATURE]...`: runs a scenario's fault
// generator over many seeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace replsim::cli {

struct FuzzOptions {
  std::string file;
  std::string seeds = "1..100";
  unsigned jobs = 0;            // 0: every core
  std::string time_limit;       // wall time after which no new seed starts ("10m"); empty: none
  std::string shard = "1/1";    // K/N: this machine runs the seeds with (seed - A) % N == K - 1
  std::string out_dir;          // default out/fuzz-<name>
  bool resume = false;
  size_t shrink_max = SIZE_MAX;  // failures to shrink (all by default)
  std::vector<std::string> known;  // failure signature elements reported as known findings
};

// Exit codes: 0 every seed as expected, 1 a failure, 2 bad input, 3 undecided.
int run_fuzz(const FuzzOptions& options, std::ostream& out);

}  // namespace replsim::cli
