// The explorer's visited set: each state's 64-bit key with the smallest
// depth it was reached at. Open addressing with linear probing in one flat
// array, because the set is looked up once per transition and a node-based
// table spends most of that time allocating and chasing pointers. Nothing
// iterates it, so its layout never reaches a decision. Internal to explore/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace replsim::explore {

class VisitedSet {
 public:
  struct Slot {
    uint64_t key = 0;
    uint32_t depth = 0;
    // Partial-order reduction's stored sleep set: bit k, the k-th of the
    // state's tied events in name order was asleep on every arrival at the
    // stored depth (admit says why not deeper ones).
    uint16_t sleep = 0;
    bool used = false;
  };
  static_assert(sizeof(Slot) == 16, "a slot is two words: the set's memory is its slots");

  VisitedSet();

  // The entry stored for `key`, and whether it was added now (with
  // `depth` and `sleep`); an existing entry keeps its own, which the caller
  // may change (not its key).
  std::pair<Slot*, bool> emplace(uint64_t key, uint32_t depth, uint16_t sleep = 0);

  enum class Admission { kAdded, kLowered, kSeen, kWoken };
  // A search's admission of `key` reached at `depth` with the sleep set
  // `sleep`. An existing entry reached now at a smaller depth is lowered to
  // it, with `sleep`, when `lower` (a DFS searches it again from there).
  // Else an entry whose stored sleep set holds events `sleep` lacks is
  // woken when the caller searches the state's transitions (`expands`: not
  // a leaf): `wake` gets the events it must take now (Godefroid's stored
  // sleep sets; explore/search.cpp). The stored set then keeps what both
  // hold, but only when reached at its stored depth: taken deeper, those
  // events had less of the depth bound left than the entry promises.
  Admission admit(uint64_t key, uint32_t depth, bool lower, bool expands, uint16_t sleep, uint16_t& wake);
  size_t size() const { return size_; }
  size_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  // Grows the table; entries keep their keys and depths.
  void grow();

  static constexpr size_t kSlotsInitial = 1024;
  static constexpr size_t kQuadrupleBelowSlots = size_t{1} << 22;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// The visited set of a search on several threads: shards by the key's top
// bits, each a VisitedSet under its own lock, so two threads wait for each
// other only when their keys fall in one shard at one moment.
class SharedVisitedSet {
 public:
  using Admission = VisitedSet::Admission;
  SharedVisitedSet();

  // VisitedSet::admit, under the key's shard's lock.
  Admission admit(uint64_t key, uint32_t depth, bool lower, bool expands, uint16_t sleep, uint16_t& wake);
  size_t size() const;
  size_t bytes() const;

 private:
  static constexpr size_t kShardBits = 6;
  struct Shard {
    mutable std::mutex mutex;
    VisitedSet keys;
  };
  std::array<std::unique_ptr<Shard>, size_t{1} << kShardBits> shards_;

  template <typename Measure>
  size_t sum_over_shards(Measure measure) const {
    size_t n = 0;
    for (const std::unique_ptr<Shard>& shard : shards_) {
      const std::lock_guard<std::mutex> lock(shard->mutex);
      n += measure(shard->keys);
    }
    return n;
  }
};

}  // namespace replsim::explore
