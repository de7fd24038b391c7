// TCP connections between actors, as a Linux host gives them.
//
// An actor opens a connection to a peer node; the peer's actor accepts it
// (every running process listens). On a connection, messages arrive once,
// in the order they were sent: the link's loss becomes retransmission delay
// (RTO from the measured round-trip time, 200 ms floor, exponential backoff
// to 120 s, a tail-loss probe, fast retransmit once three later segments got
// through), and its duplication and reordering never reach the actor.
// Several connections between the same two nodes are independent: one may
// overtake another.
//
// What an end sees close, and why (docs/ENGINE.md):
//  - the peer closed it, or the peer's process exited (the kernel of a live
//    host closes its sockets after the data already sent): kPeerClosed;
//  - a segment reached a live host whose process is gone or restarted: the
//    host answers with a reset (kReset; kRefused for a connection request);
//  - no acknowledgement for the user timeout (a powered-off peer, a
//    partition that outlasts it), connection requests unanswered after the
//    SYN retries, or keepalive probes unanswered: kTimedOut.
// A partition shorter than the timeout only delays delivery: the head
// segment is retransmitted when its backed-off timer fires after the heal.
// Acknowledgements are not segments of their own: a delivery acknowledges
// what came before unless the way back is cut at that moment; then the
// sender's end closes after the user timeout if the way back is still cut.
//
// Only the head (oldest undelivered segment) of each direction has an event
// in the world's queue, so an explorer sees FIFO channels whose heads race,
// never arbitrary reorderings. A lost segment behind the head is
// retransmitted on its own timer all the same (selective acknowledgement):
// when it becomes the head, the retransmissions it would have had meanwhile
// are drawn then, against the links as they are then.
#pragma once

#include <cstdint>

#include "base/fifo.h"
#include "base/hash.h"
#include "base/kept_hash.h"
#include "base/time.h"
#include "sim/ids.h"
#include "sim/message.h"

namespace replsim {

// Linux's defaults (include/net/tcp.h, ip-sysctl.rst); every one can be set
// in a scenario's network section ("tcp").
struct TcpConfig {
  Duration rto_initial = Duration::s(1);   // TCP_TIMEOUT_INIT: before the first RTT sample, and for SYNs
  Duration rto_min = Duration::ms(200);    // TCP_RTO_MIN
  Duration rto_max = Duration::s(120);     // TCP_RTO_MAX
  // Unacknowledged data older than this closes the connection
  // (TCP_USER_TIMEOUT; Linux's default is tcp_retries2 = 15, about 924.6 s
  // with a 200 ms RTO floor).
  Duration user_timeout = Duration::ms(924'600);
  // The same for a socket its process closed (an orphan, its FIN sent or
  // queued): tcp_orphan_retries 0 means 8 retries (tcp_timer.c
  // tcp_orphan_retries), about 102.2 s with a 200 ms RTO floor. The data and
  // the FIN are dropped silently; the peer learns nothing.
  Duration orphan_timeout = Duration::ms(102'200);
  uint32_t syn_retries = 6;                // tcp_syn_retries: ~127 s to give up on a silent host
  uint32_t dupack_threshold = 3;           // tcp_reordering: fast retransmit
  bool tail_loss_probe = true;             // tcp_early_retrans: PTO = 2 SRTT (+ RTO floor with one segment out)
  Duration keepalive_idle = Duration::s(7200);  // tcp_keepalive_time
  Duration keepalive_interval = Duration::s(75);
  uint32_t keepalive_probes = 9;
  bool operator==(const TcpConfig&) const = default;
};

enum class CloseReason : uint8_t { kPeerClosed, kReset, kRefused, kTimedOut };
const char* to_string(CloseReason reason);

// What an actor's on_connection is told.
struct ConnectionEvent {
  enum class Kind : uint8_t {
    kEstablished,  // the connection this actor opened is up
    kAccepted,     // a peer opened a connection to this actor
    kClosed,       // this end is closed; `reason` says why
  };
  Kind kind = Kind::kEstablished;
  ConnectionId connection;
  NodeId peer;
  CloseReason reason = CloseReason::kPeerClosed;  // kClosed only
  bool operator==(const ConnectionEvent&) const = default;
};
const char* to_string(ConnectionEvent::Kind kind);

// One direction of a connection: the segments not yet delivered, in order.
struct Segment {
  enum class Kind : uint8_t { kSyn, kData, kFin };
  Kind kind = Kind::kData;
  KeptMessage message;        // kData
  TimePoint first_sent;       // its first transmission (the user timeout counts from here)
  TimePoint transmitted;      // its latest transmission
  TimePoint arrival;          // when that transmission reaches the peer (not lost)
  bool lost = false;          // the latest transmission was lost: it waits for its retransmission
  TimePoint retransmit_at;    // when the sender retransmits it (lost)
  uint32_t retransmissions = 0;  // its RTO doubles with each
  TimePoint sent_by_actor;    // when the actor sent it (reports draw the arrow from here)
  bool operator==(const Segment&) const = default;
};

struct Direction {
  Fifo<Segment> segments;  // front: the head, the only one with an event
  uint64_t generation = 0;       // the head's event is valid only while this matches
  // The sender's estimate of the round-trip time and its RTO (RFC 6298 as
  // Linux computes it), in ns; zero before the first sample.
  int64_t srtt_ns = 0;
  int64_t rttvar_ns = 0;
  uint32_t dupacks = 0;          // later segments through while the head waits
  // Delivered while the way back was cut: the sender has no acknowledgement
  // since then. Checked once the user timeout has passed (the end closes if
  // the way back is still cut; else the retransmission got its answer).
  bool unacknowledged = false;
  TimePoint unacknowledged_since;
  uint64_t ack_generation = 0;
  bool operator==(const Direction&) const = default;
};

struct ConnectionEnd {
  NodeId node;
  uint32_t incarnation = 0;      // the process that owns this end
  bool open = false;             // false once closed here (or its process died)
  bool keepalive = false;
  TimePoint last_heard;          // the last segment from the peer (keepalive idles from here)
  uint32_t probes_unanswered = 0;
  uint64_t keepalive_generation = 0;
  bool operator==(const ConnectionEnd&) const = default;
};

struct Connection {
  ConnectionId id;
  ConnectionEnd initiator;       // the end that connected
  ConnectionEnd acceptor;        // the end that accepted (open once the SYN arrived)
  Direction forward;             // initiator -> acceptor (the SYN first)
  Direction backward;            // acceptor -> initiator
  bool established = false;      // the initiator was told
  // The unrenamed hash of the state above with its times relative to the
  // initiator's last_heard, kept while the connection is unchanged (most of
  // a protocol's connections are idle at any one step); cleared by whoever
  // changes it (World::own).
  KeptHash kept_hash;
  bool operator==(const Connection&) const = default;
  // Hashes the state with its times relative to `now`: the kept part, and
  // where the initiator's last_heard lies from now.
  void hash_into(Hasher& h, TimePoint now) const;
};

}  // namespace replsim
