// A node as the world keeps it: its process (actor, timers, deferred
// events), its clock, its disk. Internal to the world's implementation
// (world.cpp, world_connections.cpp).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/world.h"

namespace replsim {

// The hash of a node's own state, kept while the node is unchanged: the
// world's nodes are shared between the explorer's copies of it, and a step
// changes one of them, so most of a state's fingerprint is known already.
// Copies of the world in different threads may share a node and fill its
// cache at once, with the same value: hence atomic.
class NodeFingerprintCache {
 public:
  NodeFingerprintCache() = default;
  NodeFingerprintCache(const NodeFingerprintCache& other) : value_(other.value_.load(std::memory_order_relaxed)) {}
  NodeFingerprintCache& operator=(const NodeFingerprintCache& other) {
    value_.store(other.value_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    return *this;
  }
  // 0: not known (a node whose hash is 0 is hashed every time).
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }
  void set(uint64_t value) const { value_.store(value, std::memory_order_relaxed); }
  void clear() { value_.store(0, std::memory_order_relaxed); }

 private:
  mutable std::atomic<uint64_t> value_{0};
};

struct World::Node {
  std::string name;
  NodeStatus status = NodeStatus::kUp;
  bool powered_off = false;  // crashed by a power loss: the host answers nothing
  bool starting = false;     // restarted, its start event not yet delivered: not listening
  uint32_t incarnation = 1;
  std::unique_ptr<Actor> actor;
  NodeClock clock;
  Disk disk;
  Rng actor_stream;
  Rng disk_stream;
  Rng timer_stream;
  // Pending timers: key -> generation of the event that may fire it.
  std::map<TimerKey, uint64_t> timers;
  uint64_t next_timer_generation = 0;
  uint64_t next_disk_op = 0;
  TimePoint disk_busy_until;
  // Events that arrived while the node was paused, in arrival order.
  std::vector<Event> deferred;
  // The unrenamed hash of the state above but `deferred` (whose hash
  // depends on the world's time); cleared whenever the node is changed.
  NodeFingerprintCache own_fingerprint;

  Node(std::string node_name, uint64_t seed)
      : name(std::move(node_name)),
        actor_stream(seed, "node/" + name),
        disk_stream(seed, "disk/" + name),
        timer_stream(seed, "timer/" + name) {}
  Node(const Node& other)
      : name(other.name),
        status(other.status),
        powered_off(other.powered_off),
        starting(other.starting),
        incarnation(other.incarnation),
        actor(other.actor ? other.actor->clone() : nullptr),
        clock(other.clock),
        disk(other.disk),
        actor_stream(other.actor_stream),
        disk_stream(other.disk_stream),
        timer_stream(other.timer_stream),
        timers(other.timers),
        next_timer_generation(other.next_timer_generation),
        next_disk_op(other.next_disk_op),
        disk_busy_until(other.disk_busy_until),
        deferred(other.deferred),
        own_fingerprint(other.own_fingerprint) {}
  Node& operator=(const Node& other) {
    if (this != &other) *this = Node(other);
    return *this;
  }
  Node(Node&&) noexcept = default;
  Node& operator=(Node&&) noexcept = default;
};

}  // namespace replsim
