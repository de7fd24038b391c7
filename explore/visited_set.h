// The explorer's visited set: each state's 64-bit key with the smallest
// depth it was reached at. Open addressing with linear probing in one flat
// array, because the set is looked up once per transition and a node-based
// table spends most of that time allocating and chasing pointers. Nothing
// iterates it, so its layout never reaches a decision. Internal to explore/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace replsim::explore {

class VisitedSet {
 public:
  VisitedSet();

  // The depth stored for `key`, and whether it was added now (with
  // `depth`); an existing entry keeps its depth, which the caller may lower.
  std::pair<uint32_t*, bool> emplace(uint64_t key, uint32_t depth);
  size_t size() const { return size_; }
  size_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t depth = 0;
    bool used = false;
  };
  // Grows the table; entries keep their keys and depths.
  void grow();

  static constexpr size_t kSlotsInitial = 1024;
  static constexpr size_t kQuadrupleBelowSlots = size_t{1} << 22;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace replsim::explore
