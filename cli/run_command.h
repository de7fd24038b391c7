// `replsim run FILE [--seed N] [--out DIR] [--trace]`.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

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

}  // namespace replsim::cli
