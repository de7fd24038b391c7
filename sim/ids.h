// Small strong identifiers shared by the engine and the actors.
#pragma once

#include <compare>
#include <cstdint>

namespace replsim {

// A node (server or client) by its index in the world's node table.
struct NodeId {
  uint32_t index = 0;
  constexpr auto operator<=>(const NodeId&) const = default;
};

// A timer is named by the actor: a kind it defines plus an argument (say, a
// data group). Setting a timer that is already pending re-arms it, so an
// actor holds at most one pending timer per key and never has to track
// handles.
struct TimerKey {
  uint32_t kind = 0;
  uint64_t argument = 0;
  constexpr auto operator<=>(const TimerKey&) const = default;
};

// A connection between two nodes (both ends share the id). 0 names no
// connection: a datagram.
struct ConnectionId {
  uint64_t value = 0;
  constexpr bool valid() const { return value != 0; }
  constexpr auto operator<=>(const ConnectionId&) const = default;
};

// Returned by a disk request and echoed in its completion.
struct DiskOpId {
  uint64_t value = 0;
  constexpr auto operator<=>(const DiskOpId&) const = default;
};

}  // namespace replsim
