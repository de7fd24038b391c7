#include "sim/distribution.h"

#include <bit>
#include <cmath>

#include "base/assert.h"
#include "base/hash.h"
#include "base/input_error.h"

namespace replsim {
namespace {

// z such that P(Z < z) = 0.99 for a standard normal.
constexpr double kZ99 = 2.3263478740408408;
constexpr double kPi = 3.14159265358979323846;

Duration clamp_to_duration(double ns) {
  if (!(ns > 0.0)) return Duration::zero();  // also catches NaN
  const double limit = static_cast<double>(Duration::max().count_ns());
  if (ns >= limit) return Duration::max();
  return Duration::ns(static_cast<int64_t>(std::llround(ns)));
}

double standard_normal(Rng& stream) {
  // Box-Muller with one draw kept simple: two uniforms per normal. u1 is in
  // (0, 1] so log never sees zero.
  const double u1 = 1.0 - stream.unit();
  const double u2 = stream.unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

void require(bool ok, const std::string& path, const std::string& expected, const std::string& found) {
  if (!ok) throw InputError(path, expected, found);
}

}  // namespace

Distribution::Distribution(Shape shape, const std::string& path) : shape_(shape) {
  std::visit(
      [&](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) {
          require(s.value >= Duration::zero(), path, "a non-negative value", format_duration(s.value));
        } else if constexpr (std::is_same_v<S, UniformDist>) {
          require(s.min >= Duration::zero() && s.min <= s.max, path, "0 <= min <= max",
                  "min " + format_duration(s.min) + ", max " + format_duration(s.max));
        } else if constexpr (std::is_same_v<S, NormalDist>) {
          require(s.mean >= Duration::zero() && s.stddev >= Duration::zero(), path,
                  "a non-negative mean and stddev",
                  "mean " + format_duration(s.mean) + ", stddev " + format_duration(s.stddev));
        } else if constexpr (std::is_same_v<S, LogNormalDist>) {
          require(s.median > Duration::zero() && s.p99 >= s.median, path, "0 < median <= p99",
                  "median " + format_duration(s.median) + ", p99 " + format_duration(s.p99));
        } else {
          require(s.min > Duration::zero(), path, "a positive min (the Pareto scale)", format_duration(s.min));
          require(s.alpha > 0.0 && std::isfinite(s.alpha), path, "a positive finite alpha",
                  std::to_string(s.alpha));
          require(s.max == Duration::zero() || s.max >= s.min, path, "max >= min (or no max)",
                  "min " + format_duration(s.min) + ", max " + format_duration(s.max));
        }
      },
      shape_);
}

Duration Distribution::sample(Rng& stream) const {
  return std::visit(
      [&](const auto& s) -> Duration {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) {
          return s.value;
        } else if constexpr (std::is_same_v<S, UniformDist>) {
          const uint64_t span = static_cast<uint64_t>((s.max - s.min).count_ns());
          return s.min + Duration::ns(static_cast<int64_t>(stream.below(span + 1)));
        } else if constexpr (std::is_same_v<S, NormalDist>) {
          const double ns = static_cast<double>(s.mean.count_ns()) +
                            static_cast<double>(s.stddev.count_ns()) * standard_normal(stream);
          return clamp_to_duration(ns);
        } else if constexpr (std::is_same_v<S, LogNormalDist>) {
          const double mu = std::log(static_cast<double>(s.median.count_ns()));
          const double sigma = (std::log(static_cast<double>(s.p99.count_ns())) - mu) / kZ99;
          return clamp_to_duration(std::exp(mu + sigma * standard_normal(stream)));
        } else {
          const double u = 1.0 - stream.unit();  // (0, 1]
          const double ns = static_cast<double>(s.min.count_ns()) / std::pow(u, 1.0 / s.alpha);
          const Duration drawn = clamp_to_duration(ns);
          return (s.max != Duration::zero() && drawn > s.max) ? s.max : drawn;
        }
      },
      shape_);
}

Duration Distribution::lowest() const {
  return std::visit(
      [](const auto& s) -> Duration {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) return s.value;
        else if constexpr (std::is_same_v<S, UniformDist>) return s.min;
        else if constexpr (std::is_same_v<S, ParetoDist>) return s.min;
        else return Duration::zero();
      },
      shape_);
}

Duration Distribution::highest() const {
  return std::visit(
      [](const auto& s) -> Duration {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) return s.value;
        else if constexpr (std::is_same_v<S, UniformDist>) return s.max;
        else if constexpr (std::is_same_v<S, ParetoDist>) return s.max == Duration::zero() ? Duration::max() : s.max;
        else return Duration::max();
      },
      shape_);
}

// The shape and its parameters, hashed directly: a network hashes its links'
// distributions for every state the explorer visits.
uint64_t Distribution::fingerprint() const {
  Hasher h;
  h.add(static_cast<uint64_t>(shape_.index()));
  std::visit(
      [&h](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) {
          h.add(s.value.count_ns());
        } else if constexpr (std::is_same_v<S, UniformDist>) {
          h.add(s.min.count_ns()).add(s.max.count_ns());
        } else if constexpr (std::is_same_v<S, NormalDist>) {
          h.add(s.mean.count_ns()).add(s.stddev.count_ns());
        } else if constexpr (std::is_same_v<S, LogNormalDist>) {
          h.add(s.median.count_ns()).add(s.p99.count_ns());
        } else {
          h.add(s.min.count_ns()).add(std::bit_cast<uint64_t>(s.alpha)).add(s.max.count_ns());
        }
      },
      shape_);
  return h.value();
}

Json Distribution::to_json() const {
  return std::visit(
      [](const auto& s) -> Json {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, FixedDist>) {
          return {{"dist", "fixed"}, {"value", format_duration(s.value)}};
        } else if constexpr (std::is_same_v<S, UniformDist>) {
          return {{"dist", "uniform"}, {"min", format_duration(s.min)}, {"max", format_duration(s.max)}};
        } else if constexpr (std::is_same_v<S, NormalDist>) {
          return {{"dist", "normal"}, {"mean", format_duration(s.mean)}, {"stddev", format_duration(s.stddev)}};
        } else if constexpr (std::is_same_v<S, LogNormalDist>) {
          return {{"dist", "lognormal"}, {"median", format_duration(s.median)}, {"p99", format_duration(s.p99)}};
        } else {
          Json j = {{"dist", "pareto"}, {"min", format_duration(s.min)}, {"alpha", s.alpha}};
          if (s.max != Duration::zero()) j["max"] = format_duration(s.max);
          return j;
        }
      },
      shape_);
}


}  // namespace replsim
