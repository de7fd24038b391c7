#include "explore/visited_set.h"

#include "base/assert.h"
#include "base/hash.h"

namespace replsim::explore {
namespace {

// The keys are hashes already; mixing again spreads keys a caller made
// small (tests use small keys) over the whole table.
size_t home_of(uint64_t key, size_t mask) { return static_cast<size_t>(mix64(key)) & mask; }

}  // namespace

VisitedSet::VisitedSet() : slots_(kSlotsInitial) {}

std::pair<VisitedSet::Slot*, bool> VisitedSet::emplace(uint64_t key, uint32_t depth, uint16_t sleep) {
  // At most half full: probes stay short, and a free slot always exists.
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = home_of(key, mask), probes = 0; probes < slots_.size(); i = (i + 1) & mask, ++probes) {
    Slot& slot = slots_[i];
    if (slot.used && slot.key == key) return {&slot, false};
    if (!slot.used) {
      slot = {key, depth, sleep, true};
      ++size_;
      return {&slot, true};
    }
  }
  REPLSIM_ASSERT(false, "the visited set is at most half full, so a probe finds a free slot");
  return {nullptr, false};
}

// Quadruples while the table is small (up to 64 MB), then doubles: every
// growth rehashes each entry, and a search of a few hundred thousand states
// spent 8 % of its time in growths that doubled.
void VisitedSet::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * (old.size() < kQuadrupleBelowSlots ? 4 : 2), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (!slot.used) continue;
    size_t i = home_of(slot.key, mask);
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = slot;
  }
  REPLSIM_ASSERT((slots_.size() & mask) == 0, "the table's size is a power of two");
}

SharedVisitedSet::SharedVisitedSet() {
  for (std::unique_ptr<Shard>& shard : shards_) shard = std::make_unique<Shard>();
}

SharedVisitedSet::Admission SharedVisitedSet::admit(uint64_t key, uint32_t depth, bool lower, bool expands,
                                                    uint16_t sleep, uint16_t& wake) {
  // The top bits choose the shard; each shard's table mixes the key again,
  // so the bits that chose it do not crowd its slots.
  Shard& shard = *shards_[key >> (64 - kShardBits)];
  const std::lock_guard<std::mutex> lock(shard.mutex);
  return shard.keys.admit(key, depth, lower, expands, sleep, wake);
}

VisitedSet::Admission VisitedSet::admit(uint64_t key, uint32_t depth, bool lower, bool expands, uint16_t sleep,
                                        uint16_t& wake) {
  wake = 0;
  const auto [stored, added] = emplace(key, depth, sleep);
  if (added) return Admission::kAdded;
  if (lower && depth < stored->depth) {
    stored->depth = depth;
    stored->sleep = sleep;
    return Admission::kLowered;
  }
  const uint16_t asleep_before_only = static_cast<uint16_t>(stored->sleep & ~sleep);
  if (asleep_before_only == 0 || !expands) return Admission::kSeen;
  wake = asleep_before_only;
  if (depth == stored->depth) stored->sleep &= sleep;
  return Admission::kWoken;
}

size_t SharedVisitedSet::size() const {
  return sum_over_shards([](const VisitedSet& keys) { return keys.size(); });
}

size_t SharedVisitedSet::bytes() const {
  return sum_over_shards([](const VisitedSet& keys) { return keys.bytes(); });
}

}  // namespace replsim::explore
