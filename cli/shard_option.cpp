#include "cli/shard_option.h"

#include "base/input_error.h"

namespace replsim::cli {

std::pair<uint64_t, uint64_t> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string expected = "K/N with 1 <= K <= N <= 100000, e.g. 2/8";
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size() ||
      text.find_first_not_of("0123456789/") != std::string::npos || text.size() > 13) {
    throw InputError("--shard", expected, "\"" + text + "\"");
  }
  const uint64_t k = std::stoull(text.substr(0, slash));
  const uint64_t n = std::stoull(text.substr(slash + 1));
  if (k < 1 || k > n || n > 100'000) throw InputError("--shard", expected, "\"" + text + "\"");
  return {k, n};
}

}  // namespace replsim::cli
