#include "checker/stalls.h"

#include <algorithm>
#include <map>

#include "base/assert.h"

namespace replsim::checker {

namespace {

// When the client stopped waiting: its completion, a timeout's included
// (an indeterminate operation stays open for the linearizability search,
// yet the client has moved on); the run's end for one never completed.
int64_t end_of(const Operation& op, int64_t end_ns) { return op.complete_time >= 0 ? op.complete_time : end_ns; }

// One group's operations of the kind, in invocation order. A sweep: each
// gap between successes looks at the operations invoked before its end that
// had not ended at its start. Each operation enters once and leaves once; one
// that spans many gaps is one a client still waits on, at most one per client.
void stalls_of_group(uint32_t group, const std::vector<const Operation*>& ops, int64_t end_ns, int64_t length_ns_min,
                     std::vector<Stall>& out) {
  std::vector<int64_t> successes;
  for (const Operation* op : ops) {
    if (op->outcome == Outcome::kOk) successes.push_back(op->complete_time);
  }
  std::sort(successes.begin(), successes.end());
  std::vector<const Operation*> active;  // invoked before the gap's end, not ended at its start
  size_t next_op = 0;
  for (size_t k = 0; k <= successes.size(); ++k) {
    const int64_t prev = k > 0 ? successes[k - 1] : INT64_MIN;
    const bool resolved = k < successes.size();
    const int64_t next = resolved ? successes[k] : INT64_MAX;
    std::erase_if(active, [&](const Operation* op) { return end_of(*op, end_ns) <= prev; });
    for (; next_op < ops.size() && ops[next_op]->invoke_time < next; ++next_op) {
      if (end_of(*ops[next_op], end_ns) > prev) active.push_back(ops[next_op]);
    }
    if (active.empty()) continue;
    Stall stall{group, INT64_MAX, 0, resolved, 0, 0};
    int64_t last_end = INT64_MIN;
    for (const Operation* op : active) {
      stall.from_ns = std::min(stall.from_ns, std::max(op->invoke_time, prev));
      ++stall.offered;
      const bool succeeded_here = op->outcome == Outcome::kOk && op->complete_time <= next;
      if (!succeeded_here) ++stall.not_succeeded;
      last_end = std::max(last_end, end_of(*op, end_ns));
    }
    stall.to_ns = resolved ? next : std::max(last_end, stall.from_ns);
    REPLSIM_ASSERT(stall.from_ns <= stall.to_ns, "a stall ends after it starts");
    if (stall.length_ns() >= length_ns_min) out.push_back(stall);
  }
  REPLSIM_ASSERT(next_op <= ops.size(), "every operation swept once");
}

}  // namespace

std::vector<Stall> find_stalls(const std::vector<Operation>& operations,
                               const std::function<bool(const Operation&)>& of_kind,
                               const std::function<uint32_t(const Operation&)>& group_of, int64_t end_ns,
                               int64_t length_ns_min) {
  REPLSIM_ASSERT(length_ns_min >= 0, "a stall's length is not negative");
  std::map<uint32_t, std::vector<const Operation*>> by_group;
  for (const Operation& op : operations) {
    if (of_kind(op)) by_group[group_of(op)].push_back(&op);
  }
  std::vector<Stall> stalls;
  for (auto& [group, ops] : by_group) {
    std::stable_sort(ops.begin(), ops.end(),
                     [](const Operation* a, const Operation* b) { return a->invoke_time < b->invoke_time; });
    stalls_of_group(group, ops, end_ns, length_ns_min, stalls);
  }
  return stalls;
}

}  // namespace replsim::checker
