// Always-on assertions for invariants of the engine and the protocols.
//
// Unlike <cassert>, these stay on in Release: a broken invariant is a finding
// (silent corruption turned into a crash with a message), and the checks on
// the hot path are a few comparisons each.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace replsim::detail {
[[noreturn]] inline void assertion_failed(const char* condition, const char* message,
                                          const char* file, int line) {
  std::fprintf(stderr, "replsim: assertion failed at %s:%d: %s (%s)\n", file, line, message,
               condition);
  std::fflush(stderr);
  std::abort();
}
}  // namespace replsim::detail

#define REPLSIM_ASSERT(condition, message)                                            \
  do {                                                                                \
    if (!(condition)) [[unlikely]]                                                    \
      ::replsim::detail::assertion_failed(#condition, message, __FILE__, __LINE__);   \
  } while (false)
