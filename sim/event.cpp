#include "sim/event.h"

#include <algorithm>
#include <atomic>
#include <utility>

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
    slots_.push_back(std::make_shared<Event>(std::move(event)));
    keys_.push_back(Key{time_ns, sequence, slot});
  } else {
    Key& free = keys_[heap_size_];
    REPLSIM_ASSERT(slots_[free.slot] == nullptr, "a free slot holds no event");
    slots_[free.slot] = std::make_shared<Event>(std::move(event));
    free.time_ns = time_ns;
    free.sequence = sequence;
  }
  ++heap_size_;
  std::push_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{});
}

void EventQueue::remove_sequences(std::vector<uint64_t>& sequences) {
  const size_t before = heap_size_;
  REPLSIM_ASSERT(!sequences.empty() && sequences.size() <= before, "removing pending events");
  if (sequences.size() <= kOneAtATimeMax) {
    for (const uint64_t sequence : sequences) {
      size_t at = 0;
      while (at < heap_size_ && keys_[at].sequence != sequence) ++at;
      REPLSIM_ASSERT(at < heap_size_, "an event removed is pending");
      erase_at(at);  // its payloads released with the returned event
    }
  } else {
    std::sort(sequences.begin(), sequences.end());
    repack_without(sequences);
  }
  REPLSIM_ASSERT(heap_size_ == before - sequences.size(), "each event asked for went, and no other");
}

// A slab without free slots holding the kept events, in a heap rebuilt at once.
void EventQueue::repack_without(const std::vector<uint64_t>& sorted_sequences) {
  std::vector<Key> keys;
  std::vector<std::shared_ptr<Event>> slots;
  keys.reserve(heap_size_ - sorted_sequences.size());
  slots.reserve(heap_size_ - sorted_sequences.size());
  for (size_t i = 0; i < heap_size_; ++i) {
    if (std::binary_search(sorted_sequences.begin(), sorted_sequences.end(), keys_[i].sequence)) continue;
    keys.push_back(Key{keys_[i].time_ns, keys_[i].sequence, static_cast<uint32_t>(slots.size())});
    slots.push_back(std::move(slots_[keys_[i].slot]));
  }
  keys_ = std::move(keys);
  slots_ = std::move(slots);
  heap_size_ = keys_.size();
  std::make_heap(keys_.begin(), keys_.end(), Later{});
  REPLSIM_ASSERT(slots_.size() == heap_size_, "a packed slab holds the kept events only");
}

Event EventQueue::pop() {
  REPLSIM_ASSERT(heap_size_ > 0, "pop from an empty event queue");
  std::pop_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{});
  --heap_size_;  // the popped key, now just past the heap, names the first free slot
  return release_slot(keys_[heap_size_].slot);
}

Event EventQueue::take(uint64_t sequence) {
  REPLSIM_ASSERT(heap_size_ > 0, "take from an empty event queue");
  size_t at = heap_size_;
  visit_earliest(0, [&](size_t i) {
    if (keys_[i].sequence == sequence) at = i;
  });
  REPLSIM_ASSERT(at < heap_size_, "an event taken is pending and due at the earliest time");
  Event event = erase_at(at);
  REPLSIM_ASSERT(event.sequence == sequence, "the slot taken holds the event asked for");
  return event;
}

Event EventQueue::erase_at(size_t at) {
  REPLSIM_ASSERT(at < heap_size_, "erasing a pending event");
  --heap_size_;
  // The erased key goes just past the heap, where the free slots begin; the
  // heap's last key fills its place and moves to where it belongs.
  std::swap(keys_[at], keys_[heap_size_]);
  if (at < heap_size_) {
    sift_down(at);
    sift_up(at);
  }
#ifndef NDEBUG
  REPLSIM_ASSERT(std::is_heap(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(heap_size_), Later{}),
                 "the queue is a heap after an erase");
#endif
  return release_slot(keys_[heap_size_].slot);
}

void EventQueue::unshare() {
  for (size_t i = 0; i < heap_size_; ++i) {
    std::shared_ptr<Event>& held = slots_[keys_[i].slot];
    REPLSIM_ASSERT(held != nullptr, "a pending event's slot holds it");
    held = std::make_shared<Event>(std::as_const(*held));
    held->content_fingerprint.clear();
  }
  REPLSIM_ASSERT(keys_.size() == slots_.size(), "every slot has one key");
}

Event EventQueue::release_slot(uint32_t slot) {
  REPLSIM_ASSERT(keys_.size() == slots_.size(), "every slot has one key");
  std::shared_ptr<Event>& held = slots_[slot];
  REPLSIM_ASSERT(held != nullptr, "a pending event's slot holds it");
  const bool unshared = held.use_count() == 1;
  // As in CopyOnWrite::write: a copy in another thread that let the event go
  // just now read it before this move writes it.
  if (unshared) std::atomic_thread_fence(std::memory_order_acquire);
  Event event = unshared ? std::move(*held) : Event(*held);
  held.reset();  // a freed slot holds no event, and with it no message or fault, alive
  REPLSIM_ASSERT(slots_[slot] == nullptr, "the slot released is free");
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
