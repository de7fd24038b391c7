// The world's TCP connections (sim/connection.h): opening, sending and
// closing for actors, each direction's head segment as an event, delivery in
// order, retransmission, resets and timeouts.
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/assert.h"
#include "sim/world.h"
#include "sim/world_node.h"

namespace replsim {

const char* to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::kPeerClosed: return "peer_closed";
    case CloseReason::kReset: return "reset";
    case CloseReason::kRefused: return "refused";
    case CloseReason::kTimedOut: return "timed_out";
  }
  return "unknown";
}

const char* to_string(ConnectionEvent::Kind kind) {
  switch (kind) {
    case ConnectionEvent::Kind::kEstablished: return "established";
    case ConnectionEvent::Kind::kAccepted: return "accepted";
    case ConnectionEvent::Kind::kClosed: return "closed";
  }
  return "unknown";
}

namespace {

// A connection's times are hashed relative to `anchor` (the initiator's
// last_heard), so that the hash of an idle connection is kept across steps.
void hash_end(Hasher& h, const ConnectionEnd& e, TimePoint anchor) {
  h.add_node(e.node.index).add(e.incarnation).add(e.open).add(e.keepalive).add((e.last_heard - anchor).count_ns());
  h.add(e.probes_unanswered);
}

void hash_direction(Hasher& h, const Direction& d, TimePoint anchor) {
  h.add(static_cast<uint64_t>(d.segments.size())).add(d.srtt_ns).add(d.rttvar_ns).add(d.dupacks).add(d.unacknowledged);
  for (const Segment& s : d.segments) {
    h.add(static_cast<uint64_t>(s.kind)).add(s.lost).add(s.retransmissions);
    h.add((s.first_sent - anchor).count_ns()).add(((s.lost ? s.retransmit_at : s.arrival) - anchor).count_ns());
    h.add(s.message.message ? s.message.message->fingerprint(h.renaming()) : 0);
  }
}

uint64_t anchored_hash(const Connection& c, const NodeRenaming* renaming) {
  Hasher h;
  h.rename_nodes(renaming);
  const TimePoint anchor = c.initiator.last_heard;
  h.add(c.id.value).add(c.established);
  hash_end(h, c.initiator, anchor);
  hash_end(h, c.acceptor, anchor);
  hash_direction(h, c.forward, anchor);
  hash_direction(h, c.backward, anchor);
  return h.value();
}

// RFC 6298's estimator as Linux keeps it (tcp_rtt_estimator): gain 1/8 on
// the mean, 1/4 on the deviation.
void add_rtt_sample(Direction& d, int64_t rtt_ns) {
  if (d.srtt_ns == 0) {
    d.srtt_ns = rtt_ns;
    d.rttvar_ns = rtt_ns / 2;
    return;
  }
  const int64_t error = rtt_ns - d.srtt_ns;
  d.srtt_ns += error / 8;
  d.rttvar_ns += (std::llabs(error) - d.rttvar_ns) / 4;
}

}  // namespace

// Two states whose every connection time lies as far from their own now
// have equal hashes: each time is hashed relative to the anchor, and the
// anchor relative to now.
void Connection::hash_into(Hasher& h, TimePoint now) const {
  const NodeRenaming* renaming = h.renaming();
  const uint64_t value =
      renaming != nullptr
          ? anchored_hash(*this, renaming)
          : kept_hash.get_or([this] { return anchored_hash(*this, nullptr); },
                             "a connection changed without going through World::own (its kept hash is stale)");
  h.add(value).add((initiator.last_heard - now).count_ns());
}

// Every change to a connection goes through here: the connection becomes
// this world's own, and its kept hash is dropped.
Connection& World::own(CopyOnWrite<Connection>& shared) {
  Connection& c = shared.write();
  c.kept_hash.clear();
  return c;
}

// A step's use of a connection: both ends' state and both directions live
// in it, so any use counts as a write.
void World::note_connection_written(uint64_t id) {
  changes_since_drop_.connection_written(id);
  if (footprint_ != nullptr) footprint_->write(StepFootprint::connection(id));
}

ConnectionId World::open_connection(NodeId from, NodeId to, Chooser& chooser) {
  REPLSIM_ASSERT(to.index < nodes_.size() && to != from, "a connection to another node of the world");
  REPLSIM_ASSERT(connections_.size() < config_->connections_max, "connections over the bound: a protocol leaks them");
  const uint64_t id = next_connection_++;
  note_connection_written(id);
  if (footprint_ != nullptr) footprint_->write(StepFootprint::connection_ids());
  Connection& c = own(connections_[id]);
  c.id = ConnectionId{id};
  c.initiator.node = from;
  c.initiator.incarnation = node(from).incarnation;
  c.initiator.open = true;
  c.initiator.last_heard = now_;
  c.acceptor.node = to;
  ++stats_.connections_opened;
  Segment syn;
  syn.kind = Segment::Kind::kSyn;
  enqueue(c, true, std::move(syn), chooser);
  return c.id;
}

// The end of `id` that `node`'s current process holds, or nullptr.
namespace {
ConnectionEnd* end_of(Connection& c, NodeId node, uint32_t incarnation) {
  for (ConnectionEnd* e : {&c.initiator, &c.acceptor}) {
    if (e->node == node && e->open && e->incarnation == incarnation) return e;
  }
  return nullptr;
}
}  // namespace

void World::send_on_connection(NodeId from, ConnectionId id, MessagePtr message, Chooser& chooser) {
  REPLSIM_ASSERT(id.valid() && id.value < next_connection_, "sending on a connection the world never opened");
  note_connection_written(id.value);
  const auto it = connections_.find(id.value);
  // A connection this end already saw close (or never owned): the data goes nowhere, as a
  // write on a closed socket fails.
  Connection* c = it == connections_.end() ? nullptr : &own(it->second);
  ConnectionEnd* end = c == nullptr ? nullptr : end_of(*c, from, node(from).incarnation);
  if (end == nullptr) {
    ++stats_.messages_sent;
    ++stats_.messages_to_down_node;
    return;
  }
  Segment data;
  data.kind = Segment::Kind::kData;
  data.message = KeptMessage{std::move(message)};
  ++stats_.messages_sent;
  enqueue(*c, end == &c->initiator, std::move(data), chooser);
}

void World::close_connection_end(NodeId node_id, ConnectionId id, Chooser& chooser) {
  REPLSIM_ASSERT(id.valid() && id.value < next_connection_, "closing a connection the world never opened");
  note_connection_written(id.value);
  const auto it = connections_.find(id.value);
  if (it == connections_.end()) return;
  Connection& c = own(it->second);
  ConnectionEnd* end = end_of(c, node_id, node(node_id).incarnation);
  if (end == nullptr) return;  // closed already
  end->open = false;
  ++end->keepalive_generation;
  if (abort_unanswered_connect(c, end == &c.initiator, chooser)) return forget_if_done(id.value);
  Segment fin;
  fin.kind = Segment::Kind::kFin;
  enqueue(c, end == &c.initiator, std::move(fin), chooser);
}

// Linux's tcp_close of a socket still in SYN_SENT: it goes to CLOSED at
// once, so the SYN is not retransmitted again and what the process queued
// behind it is never sent; the acceptor hears nothing. True when the
// initiator's end closed that way.
bool World::abort_unanswered_connect(Connection& c, bool initiator, Chooser& chooser) {
  if (!initiator || c.forward.segments.empty() || c.forward.segments.front().kind != Segment::Kind::kSyn) return false;
  REPLSIM_ASSERT(!c.acceptor.open, "an acceptor opens only when the SYN arrives");
  c.forward.segments.clear();
  schedule_head(c, true, chooser);
  return true;
}

void World::set_keepalive(NodeId node_id, ConnectionId id, bool on) {
  note_connection_written(id.value);
  const auto it = connections_.find(id.value);
  if (it == connections_.end()) return;
  Connection& c = own(it->second);
  ConnectionEnd* end = end_of(c, node_id, node(node_id).incarnation);
  if (end == nullptr || end->keepalive == on) return;
  end->keepalive = on;
  ++end->keepalive_generation;
  if (on) arm_keepalive(c, end == &c.initiator);
}

void World::enqueue(Connection& c, bool forward, Segment segment, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  REPLSIM_ASSERT(d.segments.size() < config_->segments_per_direction_max, "a connection's backlog over the bound");
  segment.first_sent = now_;
  segment.sent_by_actor = now_;
  transmit(c, forward, segment, now_, chooser);
  const bool head = d.segments.empty();
  // A later segment that gets through while the head waits for its
  // retransmission: the receiver's duplicate acknowledgements; the third
  // brings the head's retransmission forward (fast retransmit), to when it
  // reaches the sender.
  const bool dupack = !head && !segment.lost && d.segments.front().lost;
  d.segments.push_back(std::move(segment));
  if (head) {
    schedule_head(c, forward, chooser);
  } else if (dupack && ++d.dupacks == config_->tcp.dupack_threshold) {
    Segment& front = d.segments.front();
    const Segment& back = d.segments.back();
    const TimePoint dupacks_back = back.arrival + (back.arrival - back.transmitted);
    if (dupacks_back < front.retransmit_at) {
      front.retransmit_at = dupacks_back;
      schedule_head(c, forward, chooser);
    }
  }
}

Duration World::retransmission_timeout(const Direction& d, const Segment& segment) const {
  const TcpConfig& tcp = config_->tcp;
  // RTO = SRTT + max(4 RTTVAR, RTO_min) (__tcp_set_rto), the initial RTO
  // before any sample and for connection requests, doubled per timeout
  // (tcp_retransmit_timer).
  Duration rto = d.srtt_ns == 0 || segment.kind == Segment::Kind::kSyn
                     ? tcp.rto_initial
                     : Duration::ns(d.srtt_ns + std::max<int64_t>(4 * d.rttvar_ns, tcp.rto_min.count_ns()));
  for (uint32_t i = 0; i < segment.retransmissions && rto < tcp.rto_max; ++i) rto = rto * 2;
  rto = std::min(rto, tcp.rto_max);
  // A tail-loss probe (tcp_schedule_loss_probe) before the first timeout:
  // 2 SRTT, plus the RTO floor when this is the only segment out.
  if (tcp.tail_loss_probe && segment.kind != Segment::Kind::kSyn && segment.retransmissions == 0 && d.srtt_ns > 0) {
    const int64_t pad = d.segments.size() <= 1 ? tcp.rto_min.count_ns() : Duration::ms(2).count_ns();
    rto = std::min(rto, Duration::ns(2 * d.srtt_ns + pad));
  }
  return rto;
}

// Sends `segment` at `at` (now, or an earlier retransmission drawn late):
// it arrives a latency later, or is lost and waits for its next timer.
void World::transmit(Connection& c, bool forward, Segment& segment, TimePoint at, Chooser& chooser) {
  const Direction& d = forward ? c.forward : c.backward;
  const NodeId from = forward ? c.initiator.node : c.acceptor.node;
  const NodeId to = forward ? c.acceptor.node : c.initiator.node;
  segment.transmitted = at;
  const LinkConfig& link = network_.link_config(from, to);
  Rng& stream = network_.link_stream(from, to);
  const bool blocked = network_.blocked(from, to);
  segment.lost = blocked || chooser.chance(stream, ChoiceKind::kSegmentLoss, link.loss);
  if (!segment.lost) {
    segment.arrival = at + chooser.delay(stream, ChoiceKind::kMessageDelay, link.latency);
    return;
  }
  if (blocked) ++stats_.messages_partitioned;
  else ++stats_.messages_lost;
  segment.retransmit_at = at + retransmission_timeout(d, segment);
}

void World::schedule_head(Connection& c, bool forward, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  ++d.generation;
  if (d.segments.empty()) return;
  Segment& head = d.segments.front();
  // Retransmissions it had while it waited behind the old head, up to now
  // (bounded: each doubles the wait; the retransmission limit ends them).
  const Duration give_up_after = retransmission_limit(c, forward);
  for (int k = 0; k < 64 && head.lost && head.retransmit_at < now_ &&
                  head.retransmit_at - head.first_sent < give_up_after && head.kind != Segment::Kind::kSyn;
       ++k) {
    ++head.retransmissions;
    ++stats_.segments_retransmitted;
    transmit(c, forward, head, head.retransmit_at, chooser);
  }
  Event event;
  event.time = std::max(now_, head.lost ? head.retransmit_at : head.arrival);
  event.kind = EventKind::kSegment;
  event.target = forward ? c.acceptor.node : c.initiator.node;
  event.from = forward ? c.initiator.node : c.acceptor.node;
  event.sent = head.sent_by_actor;
  event.connection = c.id;
  event.forward = forward;
  event.timer_generation = d.generation;
  push(std::move(event));
}

void World::deliver_segment(Event& event, Chooser& chooser) {
  note_connection_written(event.connection.value);
  Connection& c = own(connections_.at(event.connection.value));
  Direction& d = event.forward ? c.forward : c.backward;
  record_.connection = c.id;
  if (event.ack_check) {
    acknowledgement_due(c, event.forward, chooser);
    forget_if_done(event.connection.value);
    return;
  }
  REPLSIM_ASSERT(!d.segments.empty(), "a live segment event has a head");
  if (d.segments.front().lost) {
    segment_due(c, event.forward, chooser);
  } else {
    segment_arrived(c, event.forward, event, chooser);
  }
  forget_if_done(event.connection.value);
}

// How long the sender retransmits unacknowledged data: the user timeout, or
// the orphan's shorter limit once its process closed the sending end.
Duration World::retransmission_limit(const Connection& c, bool forward) const {
  const ConnectionEnd& sender = forward ? c.initiator : c.acceptor;
  return sender.open ? config_->tcp.user_timeout : std::min(config_->tcp.user_timeout, config_->tcp.orphan_timeout);
}

// The head's retransmission timer: retransmit it, or give up.
void World::segment_due(Connection& c, bool forward, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  Segment& head = d.segments.front();
  record_.outcome = StepOutcome::kRetransmitted;
  const bool syn = head.kind == Segment::Kind::kSyn;
  const bool give_up = syn ? head.retransmissions >= config_->tcp.syn_retries
                           : now_ - head.first_sent >= retransmission_limit(c, forward);
  if (give_up) {
    record_.outcome = StepOutcome::kTimedOut;
    d.segments.clear();
    schedule_head(c, forward, chooser);
    ConnectionEvent closed{ConnectionEvent::Kind::kClosed, c.id, forward ? c.acceptor.node : c.initiator.node,
                           CloseReason::kTimedOut};
    tell_end(c, forward, closed, now_);
    return;
  }
  ++head.retransmissions;
  ++stats_.segments_retransmitted;
  transmit(c, forward, head, now_, chooser);
  schedule_head(c, forward, chooser);
}

// The head reaches the receiver's host.
void World::segment_arrived(Connection& c, bool forward, Event& event, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  Segment& head = d.segments.front();
  const NodeId to = forward ? c.acceptor.node : c.initiator.node;
  const Node& target = std::as_const(*this).node(to);  // read only: left shared
  const bool silent = target.status == NodeStatus::kCrashed && target.powered_off;
  // A connection request whose SYN-ACK cannot come back completes no
  // handshake: the acceptor's kernel keeps it half-open, its process hears
  // nothing, and the initiator retransmits its SYN as for a lost one.
  const bool handshake_cut = head.kind == Segment::Kind::kSyn && network_.blocked(to, event.from);
  if (network_.blocked(event.from, to) || silent || handshake_cut) {
    // Lost on the way, or a host that answers nothing: retransmit.
    record_.outcome = silent ? StepOutcome::kDroppedNodeDown : StepOutcome::kDroppedPartition;
    head.lost = true;
    head.retransmit_at = std::max(now_, head.transmitted + retransmission_timeout(d, head));
    schedule_head(c, forward, chooser);
    return;
  }
  const bool process_up = target.status != NodeStatus::kCrashed && !target.starting;
  ConnectionEnd& receiver = forward ? c.acceptor : c.initiator;
  const bool syn = head.kind == Segment::Kind::kSyn;
  const bool end_alive = syn ? process_up : process_up && receiver.open && receiver.incarnation == target.incarnation;
  if (!end_alive) {
    record_.outcome = StepOutcome::kDroppedNodeDown;
    answer_with_reset(c, forward, chooser);
    return;
  }
  // The round trip as timestamps measure it: the segment's own way there
  // and an acknowledgement's way back (a segment held behind a lost one is
  // acknowledged selectively, on arrival, not when delivered).
  add_rtt_sample(d, 2 * (head.arrival - head.transmitted).count_ns());
  d.dupacks = 0;
  if (syn) {
    receiver.node = to;
    receiver.incarnation = target.incarnation;
    receiver.open = true;
  }
  receiver.last_heard = now_;
  receiver.probes_unanswered = 0;
  note_acknowledgement(c, forward);
  hand_to_actor(c, forward, event, chooser);
  d.segments.pop_front();
  schedule_head(c, forward, chooser);
}

// A delivery acknowledges the direction's data if the way back is open now;
// else the sender is unacknowledged from now, checked after the user
// timeout. A segment the other way also carries an acknowledgement.
void World::note_acknowledgement(Connection& c, bool forward) {
  Direction& d = forward ? c.forward : c.backward;
  Direction& reverse = forward ? c.backward : c.forward;
  const NodeId sender = forward ? c.initiator.node : c.acceptor.node;
  const NodeId receiver = forward ? c.acceptor.node : c.initiator.node;
  reverse.unacknowledged = false;  // this segment came through: its acknowledgements do too
  if (!network_.blocked(receiver, sender)) {
    d.unacknowledged = false;
    return;
  }
  if (d.unacknowledged) return;
  d.unacknowledged = true;
  d.unacknowledged_since = now_;
  Event check;
  check.time = now_ + config_->tcp.user_timeout;
  check.kind = EventKind::kSegment;
  check.ack_check = true;
  check.target = receiver;
  check.from = sender;
  check.connection = c.id;
  check.forward = forward;
  check.timer_generation = ++d.ack_generation;
  push(std::move(check));
}

void World::acknowledgement_due(Connection& c, bool forward, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  const NodeId sender = forward ? c.initiator.node : c.acceptor.node;
  const NodeId receiver = forward ? c.acceptor.node : c.initiator.node;
  d.unacknowledged = false;
  if (!network_.blocked(receiver, sender)) return;  // a retransmission got its acknowledgement
  record_.outcome = StepOutcome::kTimedOut;
  d.segments.clear();
  schedule_head(c, forward, chooser);
  tell_end(c, forward, {ConnectionEvent::Kind::kClosed, c.id, receiver, CloseReason::kTimedOut}, now_);
}

// What the receiver's process is handed: the message, the accepted
// connection (then the initiator hears it is up), or the peer's close.
void World::hand_to_actor(Connection& c, bool forward, Event& event, Chooser& chooser) {
  const Segment& head = (forward ? c.forward : c.backward).segments.front();
  Node& target = node(event.target);
  Event handed;
  handed.handed = true;
  handed.time = now_;
  handed.target = event.target;
  handed.from = event.from;
  handed.sent = head.sent_by_actor;
  handed.connection = c.id;
  handed.incarnation = target.incarnation;
  if (head.kind == Segment::Kind::kData) {
    handed.kind = EventKind::kMessage;
    handed.message = head.message.message;
  } else {
    handed.kind = EventKind::kConnection;
    const bool syn = head.kind == Segment::Kind::kSyn;
    handed.control = {syn ? ConnectionEvent::Kind::kAccepted : ConnectionEvent::Kind::kClosed, c.id, event.from,
                      CloseReason::kPeerClosed};
    if (!syn) (forward ? c.acceptor : c.initiator).open = false;
    if (syn) {
      // The SYN-ACK on the way back, which is open (segment_arrived): the
      // initiator hears the connection is up a latency later (a SYN-ACK the
      // link loses costs an initial RTO).
      const LinkConfig& link = network_.link_config(event.target, event.from);
      Rng& stream = network_.link_stream(event.target, event.from);
      REPLSIM_ASSERT(!network_.blocked(event.target, event.from), "a handshake completes only over an open way back");
      const bool lost = chooser.chance(stream, ChoiceKind::kSegmentLoss, link.loss);
      const Duration wait = chooser.delay(stream, ChoiceKind::kMessageDelay, link.latency) +
                            (lost ? config_->tcp.rto_initial : Duration::zero());
      tell_end(c, true, {ConnectionEvent::Kind::kEstablished, c.id, event.target, CloseReason::kPeerClosed}, now_ + wait);
    }
  }
  record_.kind = handed.kind;
  if (target.status == NodeStatus::kPaused) {
    // The kernel took it; the process reads it when it resumes.
    REPLSIM_ASSERT(target.deferred.size() < config_->deferred_events_per_node_max, "deferred events over the bound");
    record_.outcome = StepOutcome::kDeferred;
    if (handed.kind == EventKind::kMessage) record_.message = handed.message;
    target.deferred.push_back(std::move(handed));
    return;
  }
  deliver_to_actor(target, handed, chooser);
}

// The receiver's host is up but nothing holds the connection there: it
// answers with a reset, which closes the sender's end when it arrives (or,
// lost on the way back, the sender retransmits and meets it again).
void World::answer_with_reset(Connection& c, bool forward, Chooser& chooser) {
  Direction& d = forward ? c.forward : c.backward;
  Segment& head = d.segments.front();
  const NodeId sender = forward ? c.initiator.node : c.acceptor.node;
  const NodeId receiver = forward ? c.acceptor.node : c.initiator.node;
  if (network_.blocked(receiver, sender)) {
    head.lost = true;
    head.retransmit_at = std::max(now_, head.transmitted + retransmission_timeout(d, head));
    schedule_head(c, forward, chooser);
    return;
  }
  const bool syn = head.kind == Segment::Kind::kSyn;
  d.segments.clear();
  schedule_head(c, forward, chooser);
  const LinkConfig& link = network_.link_config(receiver, sender);
  const Duration back = chooser.delay(network_.link_stream(receiver, sender), ChoiceKind::kMessageDelay, link.latency);
  tell_end(c, forward, {ConnectionEvent::Kind::kClosed, c.id, receiver, syn ? CloseReason::kRefused : CloseReason::kReset},
           now_ + back);
}

// Schedules what an end is told (its process hears it then, if it still
// holds the end).
void World::tell_end(Connection& c, bool initiator, ConnectionEvent told, TimePoint at) {
  const ConnectionEnd& end = initiator ? c.initiator : c.acceptor;
  Event event;
  event.time = at;
  event.kind = EventKind::kConnection;
  event.target = end.node;
  event.from = told.peer;
  event.incarnation = end.incarnation;
  event.connection = c.id;
  event.forward = initiator;
  event.control = told;
  push(std::move(event));
}

void World::deliver_connection_event(Event& event, Chooser& chooser) {
  record_.connection = event.connection;
  note_connection_written(event.connection.value);
  const auto it = connections_.find(event.connection.value);
  if (it == connections_.end()) return;
  Connection& c = own(it->second);
  ConnectionEnd& end = event.forward ? c.initiator : c.acceptor;
  if (!end.open) return;  // this end closed meanwhile: nothing to tell
  if (event.control.kind == ConnectionEvent::Kind::kEstablished) {
    c.established = true;
    end.last_heard = now_;  // the SYN-ACK
  } else {
    end.open = false;
    ++end.keepalive_generation;
    if (event.control.reason == CloseReason::kTimedOut) ++stats_.connections_timed_out;
    else ++stats_.connections_reset;
  }
  Node& target = node(event.target);
  if (target.status == NodeStatus::kPaused) {
    record_.outcome = StepOutcome::kDeferred;
    event.handed = true;  // its state change is done; on resume the process only hears it
    target.deferred.push_back(event);
  } else {
    deliver_to_actor(target, event, chooser);
  }
  forget_if_done(event.connection.value);
}

void World::arm_keepalive(Connection& c, bool initiator) {
  ConnectionEnd& end = initiator ? c.initiator : c.acceptor;
  ++end.keepalive_generation;
  Event event;
  event.time = std::max(now_, end.last_heard + config_->tcp.keepalive_idle);
  if (end.probes_unanswered > 0) event.time = now_ + config_->tcp.keepalive_interval;
  event.kind = EventKind::kKeepalive;
  event.target = end.node;
  event.connection = c.id;
  event.forward = initiator;
  event.timer_generation = end.keepalive_generation;
  push(std::move(event));
}

// An idle end probes its peer; the peer's kernel answers if it is reachable
// and holds the connection, resets if its host is up without it, and says
// nothing if its host is off or cut off.
void World::keepalive_due(Event& event, Chooser& chooser) {
  record_.connection = event.connection;
  note_connection_written(event.connection.value);
  Connection& c = own(connections_.at(event.connection.value));
  const bool initiator = event.forward;
  ConnectionEnd& end = initiator ? c.initiator : c.acceptor;
  const ConnectionEnd& peer = initiator ? c.acceptor : c.initiator;
  if (end.last_heard + config_->tcp.keepalive_idle > now_ && end.probes_unanswered == 0) {
    arm_keepalive(c, initiator);  // heard from the peer since it was armed
    return;
  }
  const Node& peer_node = std::as_const(*this).node(peer.node);  // read only: left shared
  const bool reachable = !network_.blocked(end.node, peer.node) && !network_.blocked(peer.node, end.node);
  const bool peer_host_up = !(peer_node.status == NodeStatus::kCrashed && peer_node.powered_off);
  const bool peer_holds = peer.open && peer.incarnation == peer_node.incarnation && peer_node.status != NodeStatus::kCrashed;
  if (reachable && peer_host_up && peer_holds) {
    end.last_heard = now_;
    end.probes_unanswered = 0;
    arm_keepalive(c, initiator);
    return;
  }
  if (reachable && peer_host_up) {
    tell_end(c, initiator, {ConnectionEvent::Kind::kClosed, c.id, peer.node, CloseReason::kReset}, now_);
    return;
  }
  // tcp_keepalive_timer: a probe now, another each interval; the end closes
  // at the interval after the last one went unanswered.
  if (end.probes_unanswered >= config_->tcp.keepalive_probes) {
    tell_end(c, initiator, {ConnectionEvent::Kind::kClosed, c.id, peer.node, CloseReason::kTimedOut}, now_);
    return;
  }
  ++end.probes_unanswered;
  arm_keepalive(c, initiator);
  (void)chooser;
}

// A process ends: its ends close. A crash leaves the host up, whose kernel
// sends what was queued and then closes (the peer hears kPeerClosed); a
// power loss takes the host's queues with it, and the peer hears nothing.
void World::end_process_connections(NodeId id, bool host_up, Chooser& chooser) {
  // It writes connections without noting them (the fault that calls it
  // makes every footprint global and every drop ask all).
  REPLSIM_ASSERT(changes_since_drop_.all, "only a fault ends a process's connections");
  std::vector<uint64_t> touched;
  for (auto& [key, shared] : connections_) {
    for (const bool initiator : {true, false}) {
      const ConnectionEnd& seen = initiator ? shared->initiator : shared->acceptor;
      if (seen.node != id || !seen.open) continue;
      Connection& c = own(shared);  // the others' connections stay shared
      ConnectionEnd& end = initiator ? c.initiator : c.acceptor;
      end.open = false;
      ++end.keepalive_generation;
      touched.push_back(key);
      if (abort_unanswered_connect(c, initiator, chooser)) continue;
      if (host_up) {
        Segment fin;
        fin.kind = Segment::Kind::kFin;
        enqueue(c, initiator, std::move(fin), chooser);
      } else {
        Direction& outgoing = initiator ? c.forward : c.backward;
        outgoing.segments.clear();
        schedule_head(c, initiator, chooser);
      }
    }
  }
  for (uint64_t key : touched) forget_if_done(key);
}

// A connection with both ends closed and nothing in flight is gone.
void World::forget_if_done(uint64_t id) {
  const auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const Connection& c = *it->second;
  if (c.initiator.open || c.acceptor.open || !c.forward.segments.empty() || !c.backward.segments.empty()) return;
  connections_.erase(it);
}

}  // namespace replsim
