// The world: nodes running actors over the virtual network and disks, and
// the event loop that drives them.
//
// A World is a value. Copying it deep-copies every actor, disk, clock, timer
// and in-flight event (messages are immutable and shared), so an explorer can
// branch from any state; fingerprint() and same_state() say whether two
// worlds are the same state. One step delivers one event; every
// nondeterministic decision inside it goes through the Chooser passed to
// step(), and every random stream is derived from (seed, component name).
//
// The world knows nothing about any protocol: it builds actors through the
// factory it was given, both at first boot and at every restart.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "base/copy_on_write.h"
#include "base/flat_map.h"
#include "sim/actor.h"
#include "sim/choice.h"
#include "sim/clock.h"
#include "sim/disk.h"
#include "sim/event.h"
#include "sim/fault.h"
#include "sim/network.h"
#include "sim/step_footprint.h"

namespace replsim {

enum class NodeStatus : uint8_t { kUp, kCrashed, kPaused };
const char* to_string(NodeStatus status);

using ActorFactory = std::function<std::unique_ptr<Actor>(NodeId)>;

struct WorldConfig {
  uint64_t seed = 1;
  std::vector<std::string> node_names;
  LinkConfig link;
  DiskConfig disk;
  TcpConfig tcp;
  // How late a node's timer fires past its delay, drawn per timer from the
  // node's timer stream; none: on time.
  std::optional<Distribution> timer_slack;
  // Bounds that turn a runaway protocol into a finding instead of an
  // exhausted machine.
  size_t pending_events_max = 4'000'000;
  size_t deferred_events_per_node_max = 1'000'000;
  size_t connections_max = 100'000;
  size_t segments_per_direction_max = 1'000'000;
  // Note kinds whose data the world drops, sorted (Context::note_data_kept).
  // The trace hash then covers their kinds alone; a run and its replay in
  // `replsim run` keep every note's data.
  std::vector<std::string> note_kinds_without_data;
};

// What happened to the event a step delivered.
enum class StepOutcome : uint8_t {
  kDelivered,
  kDroppedNodeDown,    // a message to a crashed node
  kDroppedPartition,   // a message whose link was blocked when it arrived
  kDeferred,           // an event for a paused node, kept until it resumes
  kRetransmitted,      // a connection's segment sent again after its timer
  kTimedOut,           // a connection's segment given up on: the end closes
};
const char* to_string(StepOutcome outcome);

struct StepRecord {
  uint64_t index = 0;
  TimePoint time;
  EventKind kind = EventKind::kStart;
  NodeId node;
  NodeId from;
  StepOutcome outcome = StepOutcome::kDelivered;
  MessagePtr message;
  TimePoint message_sent;  // when `message` was sent (not part of the trace hash)
  TimerKey timer;
  std::shared_ptr<const DiskRequest> disk;
  DiskStatus disk_status = DiskStatus::kOk;
  std::shared_ptr<const Fault> fault;
  ConnectionId connection;                        // a segment's or a connection event's connection
  std::optional<ConnectionEvent> connection_event;  // what an actor's on_connection was told
  std::vector<Note> notes;
  std::vector<OperationEvent> operations;
  std::vector<ProtocolEvent> protocol_events;
  uint64_t trace_hash = 0;  // the rolling hash after this step
};

// The world's slot for its last step's record. A copy of the slot is empty:
// a record is read only until the world's next step, a copy of a world
// steps before anyone reads its record, and the explorer copies a world
// for every state it visits (the notes' JSON would be copied for nothing).
struct StepRecordSlot : StepRecord {
  StepRecordSlot() = default;
  StepRecordSlot(const StepRecordSlot&) : StepRecord() {}
  StepRecordSlot& operator=(const StepRecordSlot&) {
    clear();
    return *this;
  }
  StepRecordSlot(StepRecordSlot&&) noexcept = default;
  StepRecordSlot& operator=(StepRecordSlot&&) noexcept = default;
  ~StepRecordSlot() = default;
  void clear() { static_cast<StepRecord&>(*this) = StepRecord{}; }
};

struct WorldStats {
  uint64_t steps = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_delivered = 0;
  uint64_t messages_lost = 0;            // dropped by the link's loss probability
  uint64_t messages_partitioned = 0;     // dropped by a blocked link
  uint64_t messages_to_down_node = 0;
  uint64_t messages_duplicated = 0;
  uint64_t messages_reordered = 0;
  uint64_t timers_fired = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_reset = 0;       // resets and refusals an end heard
  uint64_t connections_timed_out = 0;
  uint64_t segments_retransmitted = 0;
  uint64_t disk_ops = 0;
  uint64_t faults_applied = 0;
};

class World {
 public:
  World(WorldConfig config, ActorFactory factory);
  World(const World& other);
  World& operator=(const World& other);
  World(World&&) noexcept;
  World& operator=(World&&) noexcept;
  ~World();

  // Delivers the next event. Returns nullptr when no event is pending; the
  // record stays valid until the next call.
  const StepRecord* step(Chooser& chooser);
  // Steps while the next event is no later than `end`; afterwards now() is
  // `end` (time passes even when nothing happens). Returns the steps taken.
  uint64_t run_until(TimePoint end, Chooser& chooser,
                     const std::function<void(const StepRecord&)>& on_step = {});

  void schedule_fault(TimePoint at, Fault fault);
  // Gives this world its own copy of every node (its disk's files too),
  // connection and pending event it shares with other copies (a copy shares
  // them until it changes them), and drops the nodes' and events' kept
  // hashes: a check that compares a copy with its original compares two
  // separate states only after this.
  void unshare();
  // Removes the pending events that can never be delivered (their process,
  // timer, connection or segment is gone): stepping, fingerprints and
  // tied_event_names are unchanged, and copies of the world are smaller.
  // An explorer calls it on each state it keeps: most of a protocol's
  // pending events are superseded timers and segments. Returns how many went.
  // Only WorldConfig::pending_events_max counts otherwise: a world that
  // drops counts fewer pending events toward it than one that keeps them.
  size_t drop_stale_events();
  // Moves time forward to `t` without delivering anything; no pending event
  // may be due before `t`. Lets a driver act at an instant of its own
  // (a scenario fault whose role is resolved when it fires).
  void advance_to(TimePoint t);
  // The time of the next live event (drops stale events at the head).
  std::optional<TimePoint> next_event_time();
  // Applies a fault now, outside the event order (for triggers that react to
  // a step that just happened).
  void apply_fault(const Fault& fault, Chooser& chooser);

  TimePoint now() const { return now_; }
  bool idle() const { return queue_.empty(); }
  size_t pending_event_count() const { return queue_.size(); }

  // Sets WorldConfig::timer_slack before the first step. The harness sets
  // it from the scenario: a protocol builds its world, the machines it runs
  // on are the scenario's.
  void set_timer_slack(std::optional<Distribution> slack);
  // Drops the data of notes of `kinds` from now on (WorldConfig::note_kinds_without_data).
  void drop_note_data_of(std::vector<std::string> kinds);

  size_t node_count() const;
  const std::string& node_name(NodeId id) const;
  std::optional<NodeId> find_node(std::string_view name) const;
  NodeStatus node_status(NodeId id) const;
  uint32_t incarnation(NodeId id) const;
  // Null while the node is crashed.
  const Actor* actor(NodeId id) const;
  template <typename T>
  const T* actor_as(NodeId id) const {
    const Actor* a = actor(id);
    if constexpr (std::is_final_v<T>) {
      // A final class is its object's dynamic type or not its type at all:
      // one type comparison rather than a walk of the hierarchy (monitors
      // ask for every node at nearly every explored step).
      return a != nullptr && typeid(*a) == typeid(T) ? static_cast<const T*>(a) : nullptr;
    } else {
      return dynamic_cast<const T*>(a);
    }
  }
  const Disk& disk(NodeId id) const;
  const NodeClock& clock(NodeId id) const;
  TimePoint local_now(NodeId id) const;

  const Network& network() const { return network_; }
  // Every connection the world still tracks (an end open, or data in flight), by id.
  const FlatMap<uint64_t, CopyOnWrite<Connection>>& connections() const { return connections_; }
  Rng& fault_stream() { return fault_stream_; }
  const WorldConfig& config() const { return *config_; }
  uint64_t trace_hash() const { return trace_hash_; }
  const WorldStats& stats() const { return stats_; }

  // The state as a model checker sees it: actors, node statuses, disks,
  // clocks, timers, partitions and pending events (times relative to now).
  // Random stream positions and statistics are not part of it.
  // With `renaming`, the fingerprint of the world whose node i is this
  // world's node renaming^-1(i) (a permutation of the nodes; base/hash.h):
  // what a symmetry reduction compares.
  uint64_t fingerprint(const NodeRenaming* renaming = nullptr) const;
  bool same_state(const World& other) const;

  // Partial-order reduction's view (sim/step_footprint.h). Records what the
  // following steps and faults touch into `footprint`, until called with
  // null; a step records the liveness of the event it delivers, not of the
  // events tied with it that it passed over.
  void record_footprint(StepFootprint* footprint) { footprint_ = footprint; }
  StepFootprint* recording_footprint() const { return footprint_; }
  // The live events due first, in the order a next_event question lists
  // them, each by its name: its content (World::fingerprint's, which leaves
  // the time out, and a disk request's id), the same in every state that
  // holds the event. Events with one name go on alike.
  std::vector<uint64_t> tied_event_names() const;
  // How many names tied_event_names gives: the options of the step's
  // next_event question (0: no live event, the world cannot step).
  size_t tied_event_count() const;
  // The name of the event the last step delivered (recorded only while a
  // footprint is).
  uint64_t delivered_event_name() const { return delivered_event_name_; }

 private:
  class NodeContext;
  struct Node;

  Node& node(NodeId id);
  const Node& node(NodeId id) const;
  void push(Event&& event);
  Event pop_next(Chooser& chooser);
  // `stays_pending`: the caller leaves the event queued even if it is stale
  // (a scan), so the world records a stale one, to check when it meets it
  // again. Callers that take a stale event out at once need not record it.
  bool is_stale(const Event& event, bool stays_pending = false) const;
  // Stops when an event this world once found stale is found live (`stale`
  // false); records one found stale that stays pending.
  void check_staleness_lasts(uint64_t sequence, bool stale, bool stays_pending) const;
  // Whether every pending event is known live: nothing recorded since
  // drop_stale_events (an explorer's every state), and no footprint is
  // recording what staleness reads.
  bool all_pending_live() const { return changes_since_drop_.none() && footprint_ == nullptr; }
  // is_stale, not asked when `all_live` (all_pending_live() held). Debug
  // builds ask anyway, and stop where the two disagree.
  bool stale_unless_all_live(const Event& event, bool all_live, bool stays_pending = false) const;
  bool stale_now(const Event& event) const;
  void drop_stale_top();
  void deliver(Event& event, Chooser& chooser);
  void deliver_to_actor(Node& target, const Event& event, Chooser& chooser);
  void send(NodeId from, NodeId to, MessagePtr message, Chooser& chooser);
  // Connections (world_connections.cpp).
  static Connection& own(CopyOnWrite<Connection>& shared);
  void note_connection_written(uint64_t id);
  ConnectionId open_connection(NodeId from, NodeId to, Chooser& chooser);
  void send_on_connection(NodeId from, ConnectionId id, MessagePtr message, Chooser& chooser);
  void close_connection_end(NodeId node, ConnectionId id, Chooser& chooser);
  bool abort_unanswered_connect(Connection& c, bool initiator, Chooser& chooser);
  Duration retransmission_limit(const Connection& c, bool forward) const;
  void set_keepalive(NodeId node, ConnectionId id, bool on);
  void enqueue(Connection& c, bool forward, Segment segment, Chooser& chooser);
  void transmit(Connection& c, bool forward, Segment& segment, TimePoint at, Chooser& chooser);
  void schedule_head(Connection& c, bool forward, Chooser& chooser);
  Duration retransmission_timeout(const Direction& d, const Segment& segment) const;
  void deliver_segment(Event& event, Chooser& chooser);
  void segment_due(Connection& c, bool forward, Chooser& chooser);
  void segment_arrived(Connection& c, bool forward, Event& event, Chooser& chooser);
  void note_acknowledgement(Connection& c, bool forward);
  void acknowledgement_due(Connection& c, bool forward, Chooser& chooser);
  void hand_to_actor(Connection& c, bool forward, Event& event, Chooser& chooser);
  void answer_with_reset(Connection& c, bool forward, Chooser& chooser);
  void tell_end(Connection& c, bool initiator, ConnectionEvent event, TimePoint at);
  void deliver_connection_event(Event& event, Chooser& chooser);
  void keepalive_due(Event& event, Chooser& chooser);
  void arm_keepalive(Connection& c, bool initiator);
  void end_process_connections(NodeId id, bool host_up, Chooser& chooser);
  void forget_if_done(uint64_t id);
  DiskOpId submit_disk(NodeId id, DiskRequest request, Chooser& chooser);
  void stop_node(Node& target);
  void start_node(NodeId id);
  void finish_step();
  std::vector<const Event*> live_events() const;
  // The live events due first, by sequence (pop_next's order).
  std::vector<const Event*> tied_live_events() const;
  static uint64_t own_fingerprint(const Node& n, const NodeRenaming* renaming);

  // Fixed once the world runs, so its copies share it.
  std::shared_ptr<const WorldConfig> config_;
  std::shared_ptr<const ActorFactory> factory_;  // shared by copies, like the config
  // Shared by copies of the world until a step changes the node: an
  // explorer copies the world for every state, and a step changes one node.
  std::vector<CopyOnWrite<Node>> nodes_;
  Network network_;
  // Each shared by copies of the world until a step changes it: most of a
  // protocol's connections are idle at any one step.
  FlatMap<uint64_t, CopyOnWrite<Connection>> connections_;
  uint64_t next_connection_ = 1;
  EventQueue queue_;
  Rng fault_stream_;
  TimePoint now_;
  uint64_t next_sequence_ = 0;
  uint64_t trace_hash_ = 0;
  WorldStats stats_;
  StepRecordSlot record_;
  StepFootprint* footprint_ = nullptr;  // set only for the steps a search measures
  uint64_t delivered_event_name_ = 0;
  // The sequences of events this world found stale and may meet again,
  // sorted. Staleness never ends (generations and incarnations only grow, a
  // connection never comes back), which drop_stale_events rests on and
  // check_staleness_lasts asserts when is_stale meets such an event again.
  // Kept by the world, not the event: copies of a world share their pending
  // events (sim/event.h), and an event stale in one may be live in a copy
  // made before it went stale that took another step. Written by const
  // scans (fingerprint, tied_event_count), so, unlike the kept hashes, it
  // is not safe to scan one world from two threads at once; no driver does
  // (threads copy a shared root, and copying only reads). Emptied by every
  // drop_stale_events, so the explorer's states carry none.
  static constexpr size_t kSeenStaleSlack = 64;
  mutable std::vector<uint64_t> seen_stale_;
  // What changed since drop_stale_events last ran: what can turn a live
  // event stale, or leave a new one stale. World::stale_now reads, of a
  // pending event, its node's incarnation, its timer key's generation, or
  // its connection. Only a fault changes an incarnation (and makes the next
  // drop ask all); start, disk and handed events are pushed for the live
  // incarnation. A timer key's generation changes only where set_timer
  // replaces a key or cancel_timer erases one (a timer that fires takes its
  // key's one live event out of the queue with it). A connection event
  // carries the incarnation that opened its end, dead perhaps, and is
  // pushed only in a step that used its connection, or in a fault, as are
  // segments and keepalives; each step's use of a connection is recorded.
  // So of the events pending then (all live once it ran) and those pushed
  // since, only the ones matching a record can be stale; the next drop asks
  // those and no others, and asks none when nothing was recorded.
  struct ChangesSinceDrop {
    static constexpr size_t kConnectionsMax = 8;  // more: ask all
    static constexpr size_t kTimersMax = 8;       // more: ask all
    struct ReplacedTimer {
      uint32_t node = 0;
      TimerKey key;
    };
    bool all = true;  // no drop yet, or a fault since
    uint8_t connection_count = 0;
    uint8_t timer_count = 0;
    std::array<uint64_t, kConnectionsMax> connections{};
    std::array<ReplacedTimer, kTimersMax> timers{};
    void connection_written(uint64_t id);
    void timer_replaced(uint32_t node, TimerKey key);
    bool connection_held(uint64_t id) const {
      const auto held = connections.begin() + connection_count;
      return std::find(connections.begin(), held, id) != held;
    }
    bool timer_held(uint32_t node, TimerKey key) const {
      for (uint8_t i = 0; i < timer_count; ++i) {
        if (timers[i].node == node && timers[i].key == key) return true;
      }
      return false;
    }
    bool none() const { return !all && connection_count == 0 && timer_count == 0; }
    // Whether a record names what `event`'s staleness reads.
    bool may_have_gone_stale(const Event& event) const {
      if (all) return true;
      if (event.handed) return false;  // its incarnation, the live one's when handed
      switch (event.kind) {
        case EventKind::kFault:
        case EventKind::kMessage:
        case EventKind::kStart:
        case EventKind::kDisk:
          return false;  // never stale, or pushed for the live incarnation
        case EventKind::kTimer:
          return timer_held(event.target.index, event.timer);
        // What an end is told carries the incarnation that opened it, which
        // may have died: stale as it is pushed, in a step that used the
        // connection.
        case EventKind::kConnection:
        case EventKind::kSegment:
        case EventKind::kKeepalive:
          return connection_held(event.connection.value);
      }
      return true;
    }
  };
  ChangesSinceDrop changes_since_drop_;
};

}  // namespace replsim
