// `replsim shrink FILE [--seed N] [--out FILE]`.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "harness/shrink.h"

namespace replsim::cli {

struct ShrinkOptions {
  std::string file;
  std::optional<uint64_t> seed;  // default: the scenario's
  std::string out_file;          // default: FILE with ".shrunk.json"
};

// Writes the shrunk scenario, verifies that `replsim run` of it fails the same
// way, and prints what shrinking removed. Exit codes: 0 shrunk and verified,
// 1 the replay differs, 2 bad input (or a scenario that does not fail).
int run_shrink(const ShrinkOptions& options, std::ostream& out);


}  // namespace replsim::cli
