// A scenario's workload as the kit's closed-loop options (an adapter file:
// it reads the harness's scenario). Each client waits clients/rate between
// its operations, so together they offer about `rate` operations per second.
#pragma once

#include <cmath>

#include "harness/scenario.h"
#include "model/kit/workload.h"

namespace replsim::kit {

inline WorkloadOptions workload_options(const harness::Scenario& s) {
  WorkloadOptions w;
  w.keys = s.workload.keys;
  w.read_percent = static_cast<uint64_t>(std::llround(s.workload.read * 100));
  w.timeout = s.workload.timeout;
  w.think_time = s.workload.rate > 0
                     ? Duration::ns(static_cast<int64_t>(1e9 * s.workload.clients / s.workload.rate))
                     : s.duration;
  w.first_op_after = s.workload.start;
  w.stop_at = TimePoint::origin() + s.workload.stop.value_or(s.duration);
  if (s.workload.ops_max) w.ops_max = *s.workload.ops_max;
  return w;
}

}  // namespace replsim::kit
