#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "harness/engine_config.h"
#include "sim/distribution.h"
#include "base/input_error.h"

using namespace replsim;
using replsim::harness::read_distribution;

namespace {

std::vector<double> draw_ms(const Distribution& d, int count, uint64_t seed = 5) {
  Rng rng(seed, "dist");
  std::vector<double> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) out.push_back(static_cast<double>(d.sample(rng).count_ns()) / 1e6);
  std::sort(out.begin(), out.end());
  return out;
}

double quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

Distribution parse(const char* text) { return read_distribution(Json::parse(text), "/d"); }

}  // namespace

TEST_CASE("fixed always returns its value") {
  const auto v = draw_ms(parse(R"({"dist": "fixed", "value": "3ms"})"), 100);
  CHECK(v.front() == 3.0);
  CHECK(v.back() == 3.0);
  CHECK(parse(R"("7ms")") == Distribution::fixed(Duration::ms(7)));
}

TEST_CASE("uniform stays between min and max with the right mean") {
  const auto v = draw_ms(parse(R"({"dist": "uniform", "min": "200us", "max": "2ms"})"), 100'000);
  CHECK(v.front() >= 0.2);
  CHECK(v.back() <= 2.0);
  CHECK(mean(v) == doctest::Approx(1.1).epsilon(0.01));
}

TEST_CASE("normal has its mean and stddev, truncated at zero") {
  const auto v = draw_ms(parse(R"({"dist": "normal", "mean": "10ms", "stddev": "2ms"})"), 100'000);
  const double m = mean(v);
  double var = 0;
  for (double x : v) var += (x - m) * (x - m);
  CHECK(m == doctest::Approx(10.0).epsilon(0.01));
  CHECK(std::sqrt(var / static_cast<double>(v.size())) == doctest::Approx(2.0).epsilon(0.02));
  const auto wide = draw_ms(parse(R"({"dist": "normal", "mean": "1ms", "stddev": "5ms"})"), 10'000);
  CHECK(wide.front() >= 0.0);
}

TEST_CASE("lognormal matches its median and p99") {
  const auto v = draw_ms(parse(R"({"dist": "lognormal", "median": "2ms", "p99": "20ms"})"), 200'000);
  CHECK(quantile(v, 0.5) == doctest::Approx(2.0).epsilon(0.03));
  CHECK(quantile(v, 0.99) == doctest::Approx(20.0).epsilon(0.06));
}

TEST_CASE("pareto never goes below its scale, has a heavy tail and respects its cap") {
  const auto v = draw_ms(parse(R"({"dist": "pareto", "min": "1ms", "alpha": 1.5})"), 100'000);
  CHECK(v.front() >= 1.0);
  // P(X > x) = (min/x)^alpha: the 99th percentile is min * 100^(1/alpha).
  CHECK(quantile(v, 0.99) == doctest::Approx(std::pow(100.0, 1 / 1.5)).epsilon(0.08));
  const auto capped = draw_ms(parse(R"({"dist": "pareto", "min": "1ms", "alpha": 0.5, "max": "50ms"})"), 10'000);
  CHECK(capped.back() == 50.0);
}

TEST_CASE("lowest and highest bound every draw") {
  for (const char* text : {R"({"dist": "uniform", "min": "1ms", "max": "2ms"})", R"("4ms")",
                           R"({"dist": "pareto", "min": "1ms", "alpha": 2, "max": "9ms"})"}) {
    const Distribution d = parse(text);
    const auto v = draw_ms(d, 1000);
    CHECK(v.front() * 1e6 >= static_cast<double>(d.lowest().count_ns()));
    CHECK(v.back() * 1e6 <= static_cast<double>(d.highest().count_ns()));
  }
}

TEST_CASE("to_json reads back to the same distribution") {
  for (const char* text :
       {R"({"dist": "fixed", "value": "3ms"})", R"({"dist": "uniform", "min": "200us", "max": "2ms"})",
        R"({"dist": "normal", "mean": "10ms", "stddev": "2ms"})", R"({"dist": "lognormal", "median": "2ms", "p99": "20ms"})",
        R"({"dist": "pareto", "min": "1ms", "alpha": 1.5, "max": "1s"})"}) {
    const Distribution d = parse(text);
    CHECK(read_distribution(d.to_json(), "/d") == d);
  }
}

TEST_CASE("bad distributions name the path, what was expected and what was found") {
  struct Case {
    const char* json;
    const char* path;
    const char* found_part;
  };
  const Case cases[] = {
      {R"({"dist": "unifrom", "min": "1ms", "max": "2ms"})", "/d/dist", "did you mean \"uniform\""},
      {R"({"dist": "uniform", "min": "1ms"})", "/d/max", "nothing"},
      {R"({"dist": "uniform", "min": "3ms", "max": "2ms"})", "/d", "min 3ms, max 2ms"},
      {R"({"dist": "uniform", "min": 1, "max": "2ms"})", "/d/min", "the number 1"},
      {R"({"dist": "uniform", "min": "1ms", "max": "2ms", "mx": "3ms"})", "/d/mx", "did you mean \"max\""},
      {R"({"dist": "lognormal", "median": "20ms", "p99": "2ms"})", "/d", "median 20ms, p99 2ms"},
      {R"({"dist": "lognormal", "median": "0s", "p99": "2ms"})", "/d", "median 0s"},
      {R"({"dist": "pareto", "min": "1ms", "alpha": -1})", "/d", "-1"},
      {R"({"dist": "pareto", "min": "1ms", "alpha": "two"})", "/d/alpha", "the string \"two\""},
      {R"({"dist": "fixed", "value": "5"})", "/d/value", "\"5\""},
      {R"(42)", "/d", "the number 42"},
      {R"({"min": "1ms"})", "/d/dist", "nothing"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    try {
      parse(c.json);
      FAIL("accepted a bad distribution");
    } catch (const InputError& error) {
      CHECK(error.path() == c.path);
      CHECK(error.found().find(c.found_part) != std::string::npos);
      CHECK_FALSE(error.expected().empty());
    }
  }
}

TEST_CASE("fingerprints tell shapes and parameters apart, and equal distributions agree") {
  const std::vector<Distribution> all = {
      Distribution::fixed(Duration::ms(1)),
      Distribution::fixed(Duration::ms(2)),
      Distribution::uniform(Duration::ms(1), Duration::ms(1)),
      Distribution::uniform(Duration::ms(1), Duration::ms(2)),
      Distribution(NormalDist{Duration::ms(1), Duration::ms(1)}),
      Distribution(LogNormalDist{Duration::ms(1), Duration::ms(1)}),
      Distribution(ParetoDist{Duration::ms(1), 2.0, Duration::zero()}),
      Distribution(ParetoDist{Duration::ms(1), 2.5, Duration::zero()}),
      Distribution(ParetoDist{Duration::ms(1), 2.0, Duration::ms(9)}),
  };
  for (size_t i = 0; i < all.size(); ++i) {
    const Distribution copy = all[i];
    CHECK(copy.fingerprint() == all[i].fingerprint());
    for (size_t j = i + 1; j < all.size(); ++j) CHECK(all[i].fingerprint() != all[j].fingerprint());
  }
}
