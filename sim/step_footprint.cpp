#include "sim/step_footprint.h"

#include <algorithm>

#include "base/assert.h"

namespace replsim {

void StepFootprint::add_once(std::vector<uint64_t>& set, uint64_t resource) {
  // Linear: a step's sets hold a few entries, and a search asks at every step.
  if (std::find(set.begin(), set.end(), resource) != set.end()) return;
  REPLSIM_ASSERT(set.size() < kResourcesMax, "a step touched more resources than the bound");
  set.push_back(resource);
}

void StepFootprint::add(const StepFootprint& other) {
  for (const uint64_t r : other.reads_) read(r);
  for (const uint64_t r : other.writes_) write(r);
  global_ = global_ || other.global_;
}

bool StepFootprint::meets(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  for (const uint64_t r : a) {
    if (std::find(b.begin(), b.end(), r) != b.end()) return true;
  }
  return false;
}

bool StepFootprint::independent_of(const StepFootprint& other) const {
  if (global_ || other.global_) return false;
  return !meets(writes_, other.writes_) && !meets(writes_, other.reads_) && !meets(reads_, other.writes_);
}

}  // namespace replsim
