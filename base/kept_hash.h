// A hash kept beside the value it was computed from, for values that are
// hashed far more often than they change (the explorer fingerprints every
// state it visits, and a step changes one node or connection). It is not
// part of the value: copies carry it, equality ignores it, and whoever
// changes the value clears it. Copies of a world share values across
// threads (base/copy_on_write.h), so it is read and set atomically.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/assert.h"

namespace replsim {

class KeptHash {
 public:
  KeptHash() = default;
  // noexcept, so that the values holding one (events) still move, not
  // copy, when a vector of them grows.
  KeptHash(const KeptHash& other) noexcept : value_(other.value_.load(std::memory_order_relaxed)) {}
  KeptHash& operator=(const KeptHash& other) noexcept {
    value_.store(other.value_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  bool operator==(const KeptHash&) const { return true; }  // not part of the value

  // The kept hash, else `compute()`, which is then kept. Debug builds always
  // compute, and stop on a kept value that differs from the fresh one: the
  // value changed and whoever changed it did not clear the hash (`stale`
  // names the path every change must take).
  template <typename Compute>
  uint64_t get_or(Compute&& compute, const char* stale) const {
    const uint64_t kept = value_.load(std::memory_order_relaxed);
#ifdef NDEBUG
    if (kept != 0) return kept;
#endif
    const uint64_t value = compute();
    REPLSIM_ASSERT(kept == 0 || kept == value, stale);
    value_.store(value, std::memory_order_relaxed);
    return value;
  }
  void clear() { value_.store(0, std::memory_order_relaxed); }

 private:
  // 0: not known (a value whose hash is 0 is hashed every time).
  mutable std::atomic<uint64_t> value_{0};
};

}  // namespace replsim
