// Where the clients stopped getting answers: per group, the stretches in
// which operations of one kind were offered and none succeeded. Judged from
// the history alone, whatever the servers' roles said, so a report's
// availability and the `writes_progress_within` check see what clients saw.
//
// Between two successes of a group (by completion time), the group stalls
// from the later of the first success and the invocation of the oldest
// operation still waiting (or invoked after it), to the next success; with
// no next success, to when the last of those operations ended (the run's end
// for one still open). Before the first success, it stalls from the first
// invocation. A stall with nothing offered is no stall: an idle group is
// not an unavailable one.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "checker/history.h"

namespace replsim::checker {

struct Stall {
  uint32_t group = 0;     // as the caller's group_of numbers them
  int64_t from_ns = 0;
  int64_t to_ns = 0;      // from_ns <= to_ns
  bool resolved = false;  // ended by a success
  uint64_t offered = 0;   // operations of the kind invoked in [from_ns, to_ns), or waiting at from_ns
  uint64_t not_succeeded = 0;  // of those, the ones that failed, timed out or never completed
  int64_t length_ns() const { return to_ns - from_ns; }
};

// The stalls of the operations `of_kind` selects, at least `length_ns_min`
// long, in order of group, then time. `group_of` maps an operation to its
// group; `end_ns` is when the run ended. Bounded: at most one stall per
// success plus one per group.
std::vector<Stall> find_stalls(const std::vector<Operation>& operations,
                               const std::function<bool(const Operation&)>& of_kind,
                               const std::function<uint32_t(const Operation&)>& group_of, int64_t end_ns,
                               int64_t length_ns_min);

}  // namespace replsim::checker
