// Latency distributions for links and disks.
//
// A Distribution is a value (copyable, comparable) describing how a delay is
// drawn; sample() turns one stream's draws into a non-negative Duration. The
// shapes are the ones engineers quote: fixed, uniform, normal (truncated at
// zero), lognormal given by its median and p99 (how latency SLOs are
// written), and Pareto for a heavy tail, optionally capped. Sampling uses
// only the stream's own draws and libm's log/exp/sqrt/cos, computed the same
// way in every build, so a delay never depends on anything but the seed.
#pragma once

#include <string>
#include <variant>

#include "base/json_input.h"
#include "sim/rng.h"
#include "base/time.h"

namespace replsim {

struct FixedDist {
  Duration value;
  bool operator==(const FixedDist&) const = default;
};
struct UniformDist {
  Duration min, max;
  bool operator==(const UniformDist&) const = default;
};
struct NormalDist {
  Duration mean, stddev;
  bool operator==(const NormalDist&) const = default;
};
struct LogNormalDist {
  Duration median, p99;
  bool operator==(const LogNormalDist&) const = default;
};
struct ParetoDist {
  Duration min;                 // the scale: no draw is below it
  double alpha = 2.0;           // tail index; smaller is heavier
  Duration max = Duration::zero();  // cap; zero means uncapped (bounded by Duration::max())
  bool operator==(const ParetoDist&) const = default;
};

class Distribution {
 public:
  using Shape = std::variant<FixedDist, UniformDist, NormalDist, LogNormalDist, ParetoDist>;

  Distribution() : shape_(FixedDist{Duration::zero()}) {}
  // Validates the parameters (min <= max, p99 >= median, alpha > 0 ...);
  // throws InputError naming `path` otherwise.
  explicit Distribution(Shape shape, const std::string& path = "distribution");

  static Distribution fixed(Duration value) { return Distribution(FixedDist{value}); }
  static Distribution uniform(Duration min, Duration max) { return Distribution(UniformDist{min, max}); }

  Duration sample(Rng& stream) const;
  // The smallest and largest value sample() can return (for an explorer that
  // enumerates extremes instead of drawing).
  Duration lowest() const;
  Duration highest() const;

  const Shape& shape() const { return shape_; }
  bool operator==(const Distribution&) const = default;
  uint64_t fingerprint() const;
  Json to_json() const;

 private:
  Shape shape_;
};

}  // namespace replsim
