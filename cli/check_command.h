// `replsim check HISTORY --model M`: the linearizability checker on any
// history file.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace replsim::cli {

struct CheckCommandOptions {
  std::string history_path;
  std::string model = "cas-register";
  std::string format = "auto";
  std::string initial;  // EDN text; empty: the model's default
  std::string fail_semantics = "did-not-happen";
  bool json = false;
  bool all_partitions = false;
  bool no_fast_path = false;
  uint64_t steps_max = 200'000'000;
  uint64_t memory_mb_max = 2048;
};

// Exit codes: 0 linearizable, 1 not, 2 bad input, 3 undecided.
int run_check(const CheckCommandOptions& options, std::ostream& out);

}  // namespace replsim::cli
