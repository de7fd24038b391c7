// Pending events of the world and the queue that orders them.
//
// The queue is a binary min-heap on (time, sequence). The sequence number is
// assigned when an event is scheduled and is unique, so the order is total
// and never depends on addresses or container internals.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "base/kept_hash.h"
#include "sim/connection.h"
#include "sim/disk.h"
#include "sim/fault.h"
#include "sim/ids.h"
#include "sim/message.h"
#include "base/time.h"

namespace replsim {

// kSegment: the head of one direction of a connection arrives (or is due
// for retransmission); kConnection: a connection's control answer reaches an
// end (established, or a reset); kKeepalive: an end's keepalive timer.
enum class EventKind : uint8_t { kStart, kMessage, kTimer, kDisk, kFault, kSegment, kConnection, kKeepalive };
const char* to_string(EventKind kind);

struct Event {
  TimePoint time;
  uint64_t sequence = 0;
  EventKind kind = EventKind::kStart;
  NodeId target;                 // the node it is delivered to (unused for faults)
  NodeId from;                   // message sender
  TimePoint sent;                // message: when it was sent (reports draw the arrow)
  uint32_t incarnation = 0;      // start, timer, disk, connection: valid only for this incarnation
  uint64_t timer_generation = 0;  // timer, segment, keepalive: valid only while its owner has it
  TimerKey timer;
  MessagePtr message;
  std::shared_ptr<const DiskRequest> disk;
  std::shared_ptr<const Fault> fault;
  ConnectionId connection;       // segment, connection, keepalive
  bool forward = true;           // segment: initiator -> acceptor; keepalive: the initiator's end
  bool ack_check = false;        // segment: the user timeout of an unacknowledged delivery, not the head
  ConnectionEvent control;       // connection: what the end is told
  // A message or connection event the receiver's kernel already took (for
  // a paused process): delivered to the process as it is, when it runs.
  bool handed = false;
  // The unrenamed hash of all of the above but `time` and `sent`, kept by
  // the queue's fingerprint: an event in the queue never changes, and an
  // explorer hashes each one in every state it stays pending in. 0: not
  // known. EventQueue::push clears it.
  KeptHash content_fingerprint;
};
static_assert(std::is_nothrow_move_constructible_v<Event>, "queues of events move them when they grow");

// The heap holds small (time, sequence, slot) keys; the events themselves sit
// in a slab of reusable slots, so sifting compares and moves 24 bytes without
// following a pointer to an event. One vector of keys holds both the heap
// (its first `heap_size_`) and, past it, the free slots: a pop leaves its key
// just past the heap, which is where the free slots begin.
//
// Each pending event is held by pointer and shared by the copies of the
// queue: the explorer copies a world, queue and all, for nearly every state
// it visits, while a step pops one event and pushes a few, so a copy costs a
// reference count per pending event instead of a copy of each (its payload
// pointers' counts too). A shared event is never changed; its kept hash, a
// function of the event alone, is a cache set atomically. A free slot holds
// nothing. (Keeping a popped event's allocation in its slot for the next push
// saved a simulation under 1 % of its instructions and cost the explorer's
// searches more: docs/PERFORMANCE.md, stop 47.)
class EventQueue {
 public:
  bool empty() const { return heap_size_ == 0; }
  size_t size() const { return heap_size_; }
  const Event& top() const {
    REPLSIM_ASSERT(heap_size_ > 0, "top of an empty event queue");
    return *slots_[keys_.front().slot];
  }
  void push(Event&& event);
  Event pop();
  // Removes the pending events `drop` selects; pop() takes the rest in the
  // same order (it is total on time and sequence). Asks `drop` once of each
  // event. A few go one at a time, as take() takes one, and leave free
  // slots; more pack the rest into a slab without any. Returns how many went.
  template <typename Drop>
  size_t remove_if(const Drop& drop) {
    // One scratch list per thread: an explorer drops in every state.
    thread_local std::vector<uint64_t> dropped;
    REPLSIM_ASSERT(dropped.empty(), "remove_if is not re-entered from its own drop");
    struct EmptiedOnExit {  // a `drop` that throws leaves the list empty
      ~EmptiedOnExit() { dropped.clear(); }
    } emptied_on_exit;
    for (size_t i = 0; i < heap_size_; ++i) {
      if (drop(std::as_const(*slots_[keys_[i].slot]))) dropped.push_back(keys_[i].sequence);
    }
    const size_t count = dropped.size();
    if (count > 0) remove_sequences(dropped);
    return count;
  }
  // Whether another pending event is due at the top's time (the next
  // earliest is one of the top's children).
  bool top_is_tied() const {
    return (heap_size_ > 1 && keys_[1].time_ns == keys_[0].time_ns) ||
           (heap_size_ > 2 && keys_[2].time_ns == keys_[0].time_ns);
  }
  // Calls `visit` with each pending event due at the earliest time, in no
  // particular order.
  template <typename Visit>
  void for_each_earliest(const Visit& visit) const {
    if (heap_size_ > 0) visit_earliest(0, [&](size_t at) { visit(std::as_const(*slots_[keys_[at].slot])); });
  }
  // Gives this queue its own copy of every pending event, shared with no
  // other queue and with no kept hash (a self-check's copy must not hide a
  // field an event's copy leaves out).
  void unshare();
  // Removes and returns the pending event with `sequence`: one of those
  // tied at the earliest time, which stay where they are while a chooser
  // picks among them.
  Event take(uint64_t sequence);
  // Calls `visit` with every pending event, in no particular order
  // (fingerprints, explorers).
  template <typename Visit>
  void for_each_pending(const Visit& visit) const {
    for (size_t i = 0; i < heap_size_; ++i) visit(std::as_const(*slots_[keys_[i].slot]));
  }

 private:
  static constexpr size_t kOneAtATimeMax = 4;  // more dropped at once: one repack
  void remove_sequences(std::vector<uint64_t>& sequences);
  void repack_without(const std::vector<uint64_t>& sorted_sequences);
  Event erase_at(size_t at);
  // The event in a slot just freed, moved out when no copy of the queue
  // shares it, else copied; the slot is left empty.
  Event release_slot(uint32_t slot);
  // Calls `visit` with the heap position of each key under `at` (itself
  // included) due at the top's time. They form a subtree with the top:
  // no key is due before its parent, so the walk stops at later ones.
  template <typename Visit>
  void visit_earliest(size_t at, const Visit& visit) const {
    if (at >= heap_size_ || keys_[at].time_ns != keys_.front().time_ns) return;
    visit(at);
    visit_earliest(2 * at + 1, visit);
    visit_earliest(2 * at + 2, visit);
  }
  void sift_up(size_t at);
  void sift_down(size_t at);
  struct Key {
    int64_t time_ns;
    uint64_t sequence;
    uint32_t slot;
  };
  // [0, heap_size_): the heap of pending events' keys; [heap_size_, end):
  // the free slots (only their `slot` means anything). As long as slots_.
  std::vector<Key> keys_;
  size_t heap_size_ = 0;
  std::vector<std::shared_ptr<Event>> slots_;
};

}  // namespace replsim
