#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <vector>

#include "sim/rng.h"

using namespace replsim;

TEST_CASE("a stream depends only on the seed and the component name") {
  Rng a(7, "link/s1->s2");
  Rng b(7, "link/s1->s2");
  Rng other_name(7, "link/s2->s1");
  Rng other_seed(8, "link/s1->s2");
  int same_as_other_name = 0;
  int same_as_other_seed = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.next_u64();
    CHECK(x == b.next_u64());
    same_as_other_name += x == other_name.next_u64() ? 1 : 0;
    same_as_other_seed += x == other_seed.next_u64() ? 1 : 0;
  }
  CHECK(same_as_other_name == 0);
  CHECK(same_as_other_seed == 0);
}

// Pinned values: every run's draws follow from these, so a change to how a
// stream starts (or to a hash it was once built on: stop 41 made the
// fingerprint hash faster) would change what every scenario, seed and
// campaign does. Values from the streams as they were at stop 40.
TEST_CASE("a stream draws what it drew in earlier versions") {
  CHECK(Rng(42, "network").next_u64() == 0x65d3e4f1a17e33caULL);
  CHECK(Rng(7, "a component named past eight bytes").next_u64() == 0xbd8878d1acd42ab8ULL);
  CHECK(Rng(0, "").next_u64() == 0xb5f69d2079f59a78ULL);
}

TEST_CASE("below is uniform (chi-square over 10 buckets, 100k draws)") {
  Rng rng(1, "uniformity");
  std::array<int, 10> counts{};
  const int draws = 100'000;
  for (int i = 0; i < draws; ++i) ++counts[rng.below(10)];
  double chi_square = 0;
  for (int c : counts) chi_square += std::pow(c - draws / 10.0, 2) / (draws / 10.0);
  // 9 degrees of freedom: P(chi2 > 27.88) = 0.001.
  CHECK(chi_square < 27.88);
}

TEST_CASE("below never reaches its bound and unit stays below 1") {
  Rng rng(3, "bounds");
  for (int i = 0; i < 10'000; ++i) {
    CHECK(rng.below(3) < 3);
    const double u = rng.unit();
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
  }
  CHECK(rng.below(1) == 0);
}

TEST_CASE("bernoulli hits its rate within tolerance over 100k draws") {
  for (double p : {0.01, 0.1, 0.5, 0.9}) {
    Rng rng(11, "bernoulli");
    int hits = 0;
    const int draws = 100'000;
    for (int i = 0; i < draws; ++i) hits += rng.bernoulli(p) ? 1 : 0;
    const double sigma = std::sqrt(draws * p * (1 - p));
    CAPTURE(p);
    CHECK(std::abs(hits - draws * p) < 5 * sigma);
  }
  Rng rng(1, "edges");
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(rng.bernoulli(0.0));
    CHECK(rng.bernoulli(1.0));
  }
}
