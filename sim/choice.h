// The one interface through which the world makes every nondeterministic
// choice.
//
// The simulator answers each choice by drawing from the stream of the
// component that asks (RandomChooser); a model checker answers the same
// questions by enumerating them (a chooser that replays or branches), so the
// code under test cannot tell a simulated run from a search. Nothing in the
// world may draw randomness except through a Chooser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sim/distribution.h"
#include "sim/rng.h"

namespace replsim {

enum class ChoiceKind : uint8_t {
  kNextEvent,         // which pending event is delivered next
  kMessageDelay,      // a message's network delay
  kMessageLoss,       // whether a datagram is dropped
  kSegmentLoss,       // whether a connection's segment is dropped (the connection retransmits it)
  kMessageDuplicate,  // whether a message is delivered twice
  kMessageReorder,    // whether a message may overtake earlier ones on its link
  kDiskLatency,       // how long a disk operation takes
  kTimerSlack,        // how late a timer fires past its delay (the node's event loop was busy)
  kTornWrite,         // whether power loss leaves a torn fragment
  kCorruptTarget,     // which stored record silent corruption hits
  kFaultTarget,       // which node a generated or role-selected fault lands on
  kFaultTiming,       // when a generated fault fires
  kActor,             // a draw an actor asked for through its context
  kNonce,             // an identifier an actor drew: its value is never a branch
};

const char* to_string(ChoiceKind kind);

// A pending event as a chooser sees it: enough to order or name it, nothing
// to mutate.
struct EventChoice {
  int64_t time_ns;
  uint64_t sequence;
  uint32_t node = 0;  // index of the node it is delivered to (a schedule's "thread", for PCT)
};

class Chooser {
 public:
  virtual ~Chooser() = default;
  // Index into `ready` (sorted by time, then sequence; never empty).
  virtual size_t next_event(std::span<const EventChoice> ready) = 0;
  // True when next_event always answers 0, the queue's own order. The world
  // then skips collecting events that share a time, which would cost
  // O(ties) per step after, say, a paused node resumes with a backlog.
  virtual bool always_earliest_event() const { return false; }
  virtual bool chance(Rng& stream, ChoiceKind kind, double probability) = 0;
  virtual Duration delay(Rng& stream, ChoiceKind kind, const Distribution& distribution) = 0;
  // Uniform index in [0, count), count > 0.
  virtual size_t pick(Rng& stream, ChoiceKind kind, size_t count) = 0;
  // True with `percent` percent chance. The default is the draw of
  // pick(100), so the simulator's streams are those of random_below(100).
  virtual bool percent(Rng& stream, ChoiceKind kind, uint64_t percent_true) { return pick(stream, kind, 100) < percent_true; }
};

// The simulator's chooser: events in (time, sequence) order, everything else
// drawn from the asking component's stream.
class RandomChooser final : public Chooser {
 public:
  size_t next_event(std::span<const EventChoice> ready) override;
  bool always_earliest_event() const override { return true; }
  bool chance(Rng& stream, ChoiceKind kind, double probability) override;
  Duration delay(Rng& stream, ChoiceKind kind, const Distribution& distribution) override;
  size_t pick(Rng& stream, ChoiceKind kind, size_t count) override;
};

}  // namespace replsim
