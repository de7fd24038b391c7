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
  // Whoever pushes may have changed a popped event: its kept hash is stale.
  event.content_fingerprint.clear();
  uint32_t slot = 0;
  if (free_slots_.empty()) {
    REPLSIM_ASSERT(slots_.size() < UINT32_MAX, "event slab full");
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(std::move(event));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(event);
  }
  const Event& stored = slots_[slot];
  heap_.push_back(Key{stored.time.ns_since_origin(), stored.sequence, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void EventQueue::rebuild_heap() { std::make_heap(heap_.begin(), heap_.end(), Later{}); }

Event EventQueue::pop() {
  REPLSIM_ASSERT(!heap_.empty(), "pop from an empty event queue");
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const uint32_t slot = heap_.back().slot;
  heap_.pop_back();
  // Moving out leaves the slot's shared payloads empty, so a freed slot holds
  // no message or fault alive.
  Event event = std::move(slots_[slot]);
  free_slots_.push_back(slot);
  return event;
}

}  // namespace replsim
