#include "sim/event.h"

#include <algorithm>

#include "base/assert.h"

namespace replsim {
namespace {
// std heap functions build a max-heap; "later" ranks lower. A function
// object, not a function pointer, so the comparison inlines.
struct Later {
  template <typename K>
  bool operator()(const K& a, const K& b) const {
    if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
    return a.sequence > b.sequence;
  }
};
}  // namespace

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kStart: return "start";
    case EventKind::kMessage: return "message";
    case EventKind::kTimer: return "timer";
    case EventKind::kDisk: return "disk";
    case EventKind::kFault: return "fault";
    case EventKind::kSegment: return "segment";
    case EventKind::kConnection: return "connection";
    case EventKind::kKeepalive: return "keepalive";
  }
  return "unknown";
}

void EventQueue::push(Event&& event) {
  REPLSIM_ASSERT(keys_.size() == slots_.size() && heap_size_ <= keys_.size(), "every slot has one key");
  // Whoever pushes may have changed a popped event: its kept hash is stale.
  event.content_fingerprint.clear();
  const int64_t time_ns = event.time.ns_since_origin();
  const uint64_t sequence = event.sequence;
  if (heap_size_ == keys_.size()) {
    REPLSIM_ASSERT(slots_.size() < UINT32_MAX, "event slab full");
    const auto slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(std::move(event));
    keys_.push_back(Key{time_ns, sequence, slot});
  } else {
    Key& free = keys_[heap_size_];
    slots_[free.slot] = std::move(event);
    free.time_ns = time_ns;
    free.sequence = sequence;
  }
  ++heap_size_;
  std::push_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{});
}

void EventQueue::rebuild_heap() {
  std::make_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{});
}

Event EventQueue::pop() {
  REPLSIM_ASSERT(heap_size_ > 0, "pop from an empty event queue");
  std::pop_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{});
  --heap_size_;  // the popped key, now just past the heap, names the first free slot
  // Moving out leaves the slot's shared payloads empty, so a freed slot holds
  // no message or fault alive.
  Event event = std::move(slots_[keys_[heap_size_].slot]);
  REPLSIM_ASSERT(keys_.size() == slots_.size(), "every slot has one key");
  return event;
}

Event EventQueue::take(uint64_t sequence) {
  REPLSIM_ASSERT(heap_size_ > 0, "take from an empty event queue");
  size_t at = heap_size_;
  visit_earliest(0, [&](size_t i) {
    if (keys_[i].sequence == sequence) at = i;
  });
  REPLSIM_ASSERT(at < heap_size_, "an event taken is pending and due at the earliest time");
  --heap_size_;
  // The taken key goes just past the heap, where the free slots begin; the
  // heap's last key fills its place and moves to where it belongs.
  std::swap(keys_[at], keys_[heap_size_]);
  if (at < heap_size_) {
    sift_down(at);
    sift_up(at);
  }
#ifndef NDEBUG
  REPLSIM_ASSERT(std::is_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{}),
                 "the queue is a heap after a take");
#endif
  Event event = std::move(slots_[keys_[heap_size_].slot]);
  REPLSIM_ASSERT(event.sequence == sequence, "the slot taken holds the event asked for");
  return event;
}

// The heap's order is Later's: a key rises past every parent due after it.
void EventQueue::sift_up(size_t at) {
  while (at > 0) {
    const size_t parent = (at - 1) / 2;
    if (!Later{}(keys_[parent], keys_[at])) return;
    std::swap(keys_[parent], keys_[at]);
    at = parent;
  }
}

void EventQueue::sift_down(size_t at) {
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= heap_size_) return;
    if (child + 1 < heap_size_ && Later{}(keys_[child], keys_[child + 1])) ++child;
    if (!Later{}(keys_[at], keys_[child])) return;
    std::swap(keys_[at], keys_[child]);
    at = child;
  }
}

}  // namespace replsim
