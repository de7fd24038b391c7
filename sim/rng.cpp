#include "sim/rng.h"

#include "base/assert.h"
#include "base/hash.h"
#include "base/int128.h"

namespace replsim {
namespace {

uint64_t splitmix_next(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  return mix64(x);
}

// A stream's first state, from the seed and the component's name: every
// draw of every run follows from it. Its own fixed arithmetic (what Hasher
// computed before stop 41 made Hasher's fold faster), so that how states
// are fingerprinted never changes what a scenario does.
uint64_t stream_origin(uint64_t seed, std::string_view component) {
  uint64_t state = mix64(seed ^ 0x6a09e667f3bcc909ULL);
  const auto add = [&state](uint64_t v) {
    state = mix64(state ^ (v + 0x9e3779b97f4a7c15ULL + (state << 6) + (state >> 2)));
  };
  for_each_word(component, add);
  return mix64(state);
}

constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed, std::string_view component) {
  uint64_t x = stream_origin(seed, component);
  for (uint64_t& word : state_) word = splitmix_next(x);
  // xoshiro must not start from all zeros; SplitMix64 output never gives four
  // zero words in a row, but check the invariant anyway.
  REPLSIM_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0, "rng state all zero");
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t bound) {
  REPLSIM_ASSERT(bound > 0, "Rng::below needs a positive bound");
  UInt128 product = static_cast<UInt128>(next_u64()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<UInt128>(next_u64()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

double Rng::unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

bool Rng::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return unit() < p;
}

uint64_t Rng::fingerprint() const {
  Hasher h;
  for (uint64_t word : state_) h.add(word);
  return h.value();
}

}  // namespace replsim
