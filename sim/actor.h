// What protocol code sees: the actor interface and its context.
//
// An actor is a deterministic state machine. The world delivers each input
// (start, message, timer, disk completion) by calling one handler with a
// Context; everything the actor wants to happen (send, timers, disk I/O, a
// random draw, an observation for the checkers) is a request through that
// context. An actor never sees the event queue, true time or another node's
// state, so the same code runs under the simulator and under an exhaustive
// explorer, and can be unit-tested with a hand-written Context.
//
// Volatile state is the actor object; it is thrown away on a crash. Durable
// state is only what the actor wrote to its disk: a restart builds a fresh
// actor and calls on_start with the disk as the crash left it, so recovery is
// the same code path as a first boot (with an empty disk).
//
// Actor state is a value: ActorOf<T> derives clone, equality and the 64-bit
// fingerprint from T's copy constructor, operator== and hash_into, so worlds
// can be copied and compared by a model checker.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sim/connection.h"
#include "sim/disk.h"
#include "base/hash.h"
#include "sim/ids.h"
#include "sim/message.h"
#include "sim/observation.h"
#include "base/time.h"

namespace replsim {

// An observation an actor reports for checkers, fault triggers and reports
// ("status_change", "invoke", "complete" ...). Not seen by other actors.
struct Note {
  std::string kind;
  nlohmann::json data;
};

class Context {
 public:
  virtual ~Context() = default;

  virtual NodeId self() const = 0;
  // This node's clock: true time with its offset and drift.
  virtual TimePoint local_now() const = 0;

  // A datagram: the link may lose, duplicate or reorder it.
  virtual void send(NodeId to, MessagePtr message) = 0;

  // Connections (sim/connection.h). `connect` returns at once; the actor
  // hears kEstablished, or kClosed with why, through on_connection. Messages
  // sent on a connection before it is up wait for it; on it they arrive once
  // and in order, or the connection closes.
  virtual ConnectionId connect(NodeId to) = 0;
  virtual void send(ConnectionId connection, MessagePtr message) = 0;
  // Closes this end after the data already sent; the peer hears kClosed
  // (kPeerClosed) once that data is delivered. This end hears nothing more.
  virtual void close(ConnectionId connection) = 0;
  // Keepalive probes on this end after the network's keepalive idle time
  // without a segment from the peer; unanswered probes close it (kTimedOut).
  virtual void set_keepalive(ConnectionId connection, bool on) = 0;

  // Arms the timer `key` to fire after `delay` of local time, replacing a
  // pending timer with the same key.
  virtual void set_timer(TimerKey key, Duration delay) = 0;
  virtual void cancel_timer(TimerKey key) = 0;
  virtual bool timer_pending(TimerKey key) const = 0;

  // Asynchronous disk requests; each completes later through on_disk with
  // the returned id. Requests on one disk complete in the order issued.
  virtual DiskOpId disk_append(std::string_view file, std::string bytes) = 0;
  virtual DiskOpId disk_replace(std::string_view file, std::string bytes) = 0;
  virtual DiskOpId disk_truncate(std::string_view file, size_t record_count) = 0;
  virtual DiskOpId disk_fsync(std::string_view file) = 0;
  virtual DiskOpId disk_read(std::string_view file) = 0;

  // Uniform in [0, bound); drawn through the world's chooser from this
  // node's own stream, so an explorer can enumerate it.
  virtual uint64_t random_below(uint64_t bound) = 0;
  // True with `percent` percent chance: one draw of random_below(100), so a
  // search sees two outcomes where random_below would show a hundred.
  virtual bool random_percent(uint64_t percent) { return random_below(100) < percent; }
  // An identifier that only has to differ between draws (a leader's key):
  // a search never branches on it.
  virtual uint64_t random_nonce() { return random_below(uint64_t{1} << 62); }

  virtual void note(std::string kind, nlohmann::json data) = 0;
  // Whether the world keeps the data of notes of `kind`: a model checker's
  // world keeps only their kinds for those its protocol declares no check
  // reads the data of (harness/protocol.h, NoteDeclaration), and note()
  // drops the rest. Notes on a hot path build their data only when it is
  // kept, through note_built.
  virtual bool note_data_kept(std::string_view) const { return true; }
  template <typename Build>
  void note_built(std::string kind, const Build& build) {
    nlohmann::json data = note_data_kept(kind) ? nlohmann::json(build()) : nlohmann::json();
    note(std::move(kind), std::move(data));
  }
  // A client's operation invoked or completed (the history the checks read).
  virtual void operation(OperationEvent event) = 0;
  // A protocol event faults can be triggered on: this node's replica
  // entering a status, or this node becoming a role.
  virtual void protocol_event(ProtocolEvent event) = 0;
};

class Actor {
 public:
  virtual ~Actor() = default;

  // First boot (empty disk) or restart after a crash or power loss.
  virtual void on_start(Context& ctx, const DiskImage& disk) = 0;
  // A datagram (`connection` invalid) or a message on a connection.
  virtual void on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& message) = 0;
  // A connection of this actor came up, was accepted, or closed. Actors
  // that use only datagrams never hear one.
  virtual void on_connection(Context&, const ConnectionEvent&) {}
  virtual void on_timer(Context& ctx, TimerKey key) = 0;
  virtual void on_disk(Context& ctx, const DiskCompletion& completion) = 0;

  virtual std::unique_ptr<Actor> clone() const = 0;
  virtual bool equals(const Actor& other) const = 0;
  // The state's hash in `context`'s terms: its node ids renamed (hash_into
  // hashes them with Hasher::add_node) and its disk operation ids numbered
  // (Hasher::add_disk_op), as the world that holds it says.
  virtual uint64_t fingerprint(const Hasher& context) const = 0;
  uint64_t fingerprint() const { return fingerprint(Hasher{}); }
  // A summary of the state for traces and reports; not on the hot path.
  virtual nlohmann::json describe() const = 0;
};

// Derived must be copyable and provide operator== and
// void hash_into(Hasher&) const.
template <typename Derived>
class ActorOf : public Actor {
 public:
  // Lets Derived default its operator==; the base holds no state.
  bool operator==(const ActorOf&) const { return true; }

  std::unique_ptr<Actor> clone() const final { return std::make_unique<Derived>(self()); }
  bool equals(const Actor& other) const final {
    const auto* same = dynamic_cast<const Derived*>(&other);
    return same != nullptr && *same == self();
  }
  using Actor::fingerprint;
  uint64_t fingerprint(const Hasher& context) const final {
    Hasher h = context.part();
    self().hash_into(h);
    return h.value();
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace replsim
