// A hash kept beside the value it was computed from, for values that are
// hashed far more often than they change (the explorer fingerprints every
// state it visits, and a step changes one node or connection). It is not
// part of the value: copies carry it, equality ignores it, and whoever
// changes the value clears it. Copies of a world share values across
// threads (base/copy_on_write.h), so it is read and set atomically.
#pragma once

#include <atomic>
#include <cstdint>

namespace replsim {

class KeptHash {
 public:
  KeptHash() = default;
  // noexcept, so that the values holding one (events) still move, not
  // copy, when a vector of them grows.
  KeptHash(const KeptHash& other) noexcept : value_(other.get()) {}
  KeptHash& operator=(const KeptHash& other) noexcept {
    value_.store(other.get(), std::memory_order_relaxed);
    return *this;
  }
  bool operator==(const KeptHash&) const { return true; }  // not part of the value

  // 0: not known (a value whose hash is 0 is hashed every time).
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }
  void set(uint64_t value) const { value_.store(value, std::memory_order_relaxed); }
  void clear() { value_.store(0, std::memory_order_relaxed); }

 private:
  mutable std::atomic<uint64_t> value_{0};
};

}  // namespace replsim
