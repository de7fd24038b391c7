// A value shared by copies until one of them changes it: a copy costs one
// reference count, and the first change after a copy clones the value. For
// the parts of a run that the explorer copies with every state it visits and
// that change far more rarely than the run steps (a world's nodes, a run's
// role timeline, history and faults).
//
// Each holder reads and writes only through its own object, so the sharing
// is invisible: a value with more than one holder is never changed in place.
// Holders in different threads may share one value; changing it clones it.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "base/assert.h"

namespace replsim {

template <class T>
class CopyOnWrite {
 public:
  CopyOnWrite() : value_(std::make_shared<T>()) {}
  explicit CopyOnWrite(T value) : value_(std::make_shared<T>(std::move(value))) {}

  const T& operator*() const {
    REPLSIM_ASSERT(value_ != nullptr, "a moved-from CopyOnWrite is not read");
    return *value_;
  }
  const T* operator->() const { return &**this; }

  // The value, this holder's own: cloned first when another holder shares it.
  T& write() {
    REPLSIM_ASSERT(value_ != nullptr, "a moved-from CopyOnWrite is not written");
    if (value_.use_count() > 1) value_ = std::make_shared<T>(*value_);
    REPLSIM_ASSERT(value_.use_count() == 1, "a written value has one holder");
    // use_count() reads the count relaxed: when another thread's holder
    // let go just now, its reads of the value happen before these writes.
    std::atomic_thread_fence(std::memory_order_acquire);
    return *value_;
  }

  // Whether both holders share one value (then they are equal).
  bool shares_with(const CopyOnWrite& other) const { return value_ == other.value_; }

 private:
  std::shared_ptr<T> value_;
};

// A vector whose copies share their elements until one of them changes:
// reads as a const std::vector (it converts to one), changes through
// push_back or write(). For a run's history and applied faults, which the
// explorer copies with every state and which grow far more rarely.
template <class T>
class SharedVector {
 public:
  using value_type = T;
  using const_iterator = typename std::vector<T>::const_iterator;

  operator const std::vector<T>&() const { return *items_; }  // NOLINT: reads as the vector it shares
  const_iterator begin() const { return items_->begin(); }
  const_iterator end() const { return items_->end(); }
  size_t size() const { return items_->size(); }
  bool empty() const { return items_->empty(); }
  const T& operator[](size_t i) const { return (*items_)[i]; }

  void push_back(T value) { items_.write().push_back(std::move(value)); }
  std::vector<T>& write() { return items_.write(); }

 private:
  CopyOnWrite<std::vector<T>> items_;
};

}  // namespace replsim
