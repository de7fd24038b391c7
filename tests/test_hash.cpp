// The fingerprint hasher: a state's key is its hash, so two states the
// hasher confuses merge and one of them is never searched. These cases
// hold any replacement of Hasher::add to what a fingerprint needs: order
// matters, short structured inputs (small numbers, zeros, repeats: what
// states are made of) never collide, and every input bit reaches about
// half the output bits.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <set>
#include <vector>

#include "base/hash.h"

using namespace replsim;

namespace {

uint64_t hash_of(const std::vector<uint64_t>& values) {
  Hasher h;
  for (uint64_t v : values) h.add(v);
  return h.value();
}

}  // namespace

TEST_CASE("a hash is the same at compile time and at run time, and depends on order") {
  constexpr uint64_t at_compile_time = Hasher().add(uint64_t{1}).add(uint64_t{2}).value();
  CHECK(hash_of({1, 2}) == at_compile_time);
  CHECK(hash_of({2, 1}) != at_compile_time);
  CHECK(hash_of({}) != hash_of({0}));
  CHECK(hash_of({0}) != hash_of({0, 0}));
  CHECK(hash_of({5}) != hash_of({5, 5}));
}

TEST_CASE("short sequences of small numbers and of top bits never share a hash") {
  // Every sequence of length 1 to 3 over 32 values, each also followed by
  // one to three zeros: 0..15, as a state's counters and flags are, and
  // 1..16 shifted to the top bits, which a fold that multiplies and keeps
  // the low half never carries down (135,296 inputs, fewer distinct
  // sequences: [a, 0] is both a pair and {a} with a zero).
  constexpr uint64_t kValues = 32;
  const auto value = [](uint64_t i) { return i < 16 ? i : (i - 15) << 59; };
  std::set<std::vector<uint64_t>> sequences;
  const auto insert = [&](std::vector<uint64_t> values) {
    for (int zeros = 0; zeros <= 3; ++zeros, values.push_back(0)) sequences.insert(values);
  };
  for (uint64_t a = 0; a < kValues; ++a) {
    insert({value(a)});
    for (uint64_t b = 0; b < kValues; ++b) {
      insert({value(a), value(b)});
      for (uint64_t c = 0; c < kValues; ++c) insert({value(a), value(b), value(c)});
    }
  }
  std::set<uint64_t> hashes;
  for (const std::vector<uint64_t>& values : sequences) hashes.insert(hash_of(values));
  CHECK(sequences.size() > 100'000);
  CHECK(hashes.size() == sequences.size());
}

TEST_CASE("every input bit changes about half the hash's bits") {
  // Inputs of three values; one bit of one value flipped. This holds the
  // fold and value()'s finish together; a fold that loses bits fails the
  // case above instead.
  Hasher seeds;
  uint64_t flipped_bits = 0, trials = 0;
  int least = 64, most = 0;
  for (uint64_t sample = 0; sample < 64; ++sample) {
    const std::vector<uint64_t> base{sample, sample * 7 + 1, seeds.add(sample).value()};
    const uint64_t hash = hash_of(base);
    for (size_t position = 0; position < base.size(); ++position) {
      for (int bit = 0; bit < 64; ++bit) {
        std::vector<uint64_t> changed = base;
        changed[position] ^= uint64_t{1} << bit;
        const int flips = std::popcount(hash ^ hash_of(changed));
        least = std::min(least, flips);
        most = std::max(most, flips);
        flipped_bits += static_cast<uint64_t>(flips);
        ++trials;
      }
    }
  }
  const double mean = static_cast<double>(flipped_bits) / static_cast<double>(trials);
  CHECK(mean > 31.0);
  CHECK(mean < 33.0);
  CHECK(least >= 12);
  CHECK(most <= 52);
}
