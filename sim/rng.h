// Seeded random streams, one per component.
//
// A stream is derived from (run seed, component name) alone, so adding a node,
// a link or a fault never shifts the draws of any other component: a shrunk
// scenario keeps its workload, and a replay stays a replay. The generator is
// xoshiro256** seeded through SplitMix64; the draw helpers use integer or
// fixed floating-point arithmetic only (no <random> distributions, whose
// output is implementation-defined).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace replsim {

class Rng {
 public:
  Rng() : Rng(0, "default") {}
  Rng(uint64_t seed, std::string_view component);

  uint64_t next_u64();
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire).
  uint64_t below(uint64_t bound);
  // Uniform in [0, 1) with 53 random bits.
  double unit();
  // True with probability p (p outside [0, 1] is clamped).
  bool bernoulli(double p);

  bool operator==(const Rng&) const = default;
  uint64_t fingerprint() const;

 private:
  std::array<uint64_t, 4> state_{};
};

}  // namespace replsim
