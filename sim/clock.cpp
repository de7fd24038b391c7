#include "sim/clock.h"

#include "base/assert.h"
#include "base/hash.h"
#include "base/int128.h"

namespace replsim {
namespace {
constexpr int64_t kMillion = 1'000'000;
}

TimePoint NodeClock::local(TimePoint true_now) const {
  const int64_t elapsed = true_now.ns_since_origin() - base_true_ns_;
  const Int128 scaled = static_cast<Int128>(elapsed) * (kMillion + drift_ppm_) / kMillion;
  return TimePoint::from_ns(base_local_ns_ + static_cast<int64_t>(scaled));
}

Duration NodeClock::true_delay(Duration local_delay) const {
  REPLSIM_ASSERT(local_delay >= Duration::zero(), "negative timer delay");
  const Int128 numerator = static_cast<Int128>(local_delay.count_ns()) * kMillion;
  const int64_t rate = kMillion + drift_ppm_;
  // Round up so the timer never fires before the local delay has elapsed.
  return Duration::ns(static_cast<int64_t>((numerator + rate - 1) / rate));
}

void NodeClock::rebase(TimePoint true_now) {
  base_local_ns_ = local(true_now).ns_since_origin();
  base_true_ns_ = true_now.ns_since_origin();
}

void NodeClock::set_offset(TimePoint true_now, Duration offset) {
  rebase(true_now);
  base_local_ns_ = true_now.ns_since_origin() + offset.count_ns();
}

void NodeClock::set_drift(TimePoint true_now, int64_t drift_ppm) {
  REPLSIM_ASSERT(drift_ppm >= -kDriftPpmLimit && drift_ppm <= kDriftPpmLimit, "drift out of range");
  rebase(true_now);
  drift_ppm_ = drift_ppm;
}

uint64_t NodeClock::fingerprint() const {
  return Hasher().add(base_true_ns_).add(base_local_ns_).add(drift_ppm_).value();
}

}  // namespace replsim
