// A node as the world keeps it: its process (actor, timers, deferred
// events), its clock, its disk. Internal to the world's implementation
// (world.cpp, world_connections.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/kept_hash.h"
#include "sim/world.h"

namespace replsim {

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
  FlatMap<TimerKey, uint64_t> timers;
  uint64_t next_timer_generation = 0;
  uint64_t next_disk_op = 0;
  uint64_t nonces_drawn = 0;
  TimePoint disk_busy_until;
  // Events that arrived while the node was paused, in arrival order.
  std::vector<Event> deferred;
  // The unrenamed hash of the state above but `deferred` (whose hash
  // depends on the world's time), kept while the node is unchanged: the
  // world's nodes are shared between the explorer's copies of it, and a
  // step changes one of them; cleared whenever the node is changed.
  KeptHash own_fingerprint;

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
        nonces_drawn(other.nonces_drawn),
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
