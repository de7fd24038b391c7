// A first-in first-out queue in one vector: an empty one holds no memory,
// so copying it costs nothing. std::deque allocates a block even when empty,
// and the explorer copies every connection's two queues with every state it
// visits, most of them empty.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "base/assert.h"

namespace replsim {

template <class T>
class Fifo {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  Fifo() = default;
  // A copy holds the live items only.
  Fifo(const Fifo& other) : items_(other.begin(), other.end()) {}
  Fifo& operator=(const Fifo& other) {
    if (this != &other) {
      items_.assign(other.begin(), other.end());
      head_ = 0;
    }
    return *this;
  }
  // A moved-from queue is empty.
  Fifo(Fifo&& other) noexcept : items_(std::move(other.items_)), head_(std::exchange(other.head_, 0)) { other.items_.clear(); }
  Fifo& operator=(Fifo&& other) noexcept {
    items_ = std::move(other.items_);
    head_ = std::exchange(other.head_, 0);
    other.items_.clear();
    return *this;
  }

  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }
  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  T& front() {
    REPLSIM_ASSERT(!empty(), "front of an empty queue");
    return items_[head_];
  }
  const T& front() const {
    REPLSIM_ASSERT(!empty(), "front of an empty queue");
    return items_[head_];
  }
  const T& back() const {
    REPLSIM_ASSERT(!empty(), "back of an empty queue");
    return items_.back();
  }

  void push_back(T item) { items_.push_back(std::move(item)); }
  // Amortised O(1): the items taken are dropped once they are half the vector.
  void pop_front() {
    REPLSIM_ASSERT(!empty(), "pop from an empty queue");
    ++head_;
    if (head_ == items_.size()) {
      clear();
    } else if (head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    REPLSIM_ASSERT(head_ <= items_.size(), "the head is within the vector");
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

  bool operator==(const Fifo& other) const { return std::equal(begin(), end(), other.begin(), other.end()); }

 private:
  std::vector<T> items_;
  size_t head_ = 0;  // items before it were taken
};

}  // namespace replsim
