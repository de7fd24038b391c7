// A node's local clock: true time plus an offset, running at a drift rate.
//
// Protocols read only local time (Context::local_now) and set timers in
// local durations, so a skewed node times out early or late exactly as a
// real one would. Drift is integer parts per million and the arithmetic is
// integer, so skewed runs stay deterministic across builds.
//
// A timer's local delay is converted to a true delay with the drift in force
// when it is set; a later offset jump does not move pending timers (timers
// run on a monotonic clock, readings jump with the wall clock).
#pragma once

#include <cstdint>

#include "base/time.h"

namespace replsim {

class NodeClock {
 public:
  static constexpr int64_t kDriftPpmLimit = 500'000;  // a clock at most 50% off

  TimePoint local(TimePoint true_now) const;
  Duration true_delay(Duration local_delay) const;

  // From true_now on, local time reads true time + offset.
  void set_offset(TimePoint true_now, Duration offset);
  // From true_now on, local time advances (1 + drift_ppm / 1e6) times as
  // fast as true time. |drift_ppm| <= kDriftPpmLimit.
  void set_drift(TimePoint true_now, int64_t drift_ppm);

  int64_t drift_ppm() const { return drift_ppm_; }
  bool operator==(const NodeClock&) const = default;
  uint64_t fingerprint() const;

 private:
  void rebase(TimePoint true_now);

  int64_t base_true_ns_ = 0;
  int64_t base_local_ns_ = 0;
  int64_t drift_ppm_ = 0;
};

}  // namespace replsim
