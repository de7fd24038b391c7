#include "sim/world.h"

#include "sim/world_node.h"

#include <cstring>
#include <utility>

#include <algorithm>
#include <map>

#include "base/assert.h"
#include "base/hash.h"

namespace replsim {
namespace {
uint64_t event_name(const Event& event, const std::vector<std::string>& names, uint64_t next_disk_op);
}  // namespace

const char* to_string(NodeStatus status) {
  switch (status) {
    case NodeStatus::kUp: return "up";
    case NodeStatus::kCrashed: return "crashed";
    case NodeStatus::kPaused: return "paused";
  }
  return "unknown";
}

const char* to_string(StepOutcome outcome) {
  switch (outcome) {
    case StepOutcome::kDelivered: return "delivered";
    case StepOutcome::kDroppedNodeDown: return "dropped_node_down";
    case StepOutcome::kDroppedPartition: return "dropped_partition";
    case StepOutcome::kDeferred: return "deferred";
    case StepOutcome::kRetransmitted: return "retransmitted";
    case StepOutcome::kTimedOut: return "timed_out";
  }
  return "unknown";
}


// The context handed to an actor for one delivery. It forwards requests to
// the world with the node's identity, and collects the actor's notes into
// the step record.
class World::NodeContext final : public Context {
 public:
  NodeContext(World& world, NodeId id, Chooser& chooser) : world_(world), id_(id), chooser_(chooser) {}

  NodeId self() const override { return id_; }
  TimePoint local_now() const override { return world_.local_now(id_); }

  void send(NodeId to, MessagePtr message) override {
    REPLSIM_ASSERT(message != nullptr, "sending a null message");
    world_.send(id_, to, std::move(message), chooser_);
  }
  ConnectionId connect(NodeId to) override { return world_.open_connection(id_, to, chooser_); }
  void send(ConnectionId connection, MessagePtr message) override {
    REPLSIM_ASSERT(message != nullptr, "sending a null message");
    world_.send_on_connection(id_, connection, std::move(message), chooser_);
  }
  void close(ConnectionId connection) override { world_.close_connection_end(id_, connection, chooser_); }
  void set_keepalive(ConnectionId connection, bool on) override { world_.set_keepalive(id_, connection, on); }

  void set_timer(TimerKey key, Duration delay) override {
    Node& self_node = world_.node(id_);
    const uint64_t generation = ++self_node.next_timer_generation;
    uint64_t& slot = self_node.timers[key];
    if (slot != 0) world_.changes_since_drop_.timer_replaced(id_.index, key);  // its event goes stale
    slot = generation;
    Event event;
    event.time = world_.now_ + self_node.clock.true_delay(delay);
    if (const std::optional<Distribution>& slack = world_.config_->timer_slack) {
      event.time = event.time + chooser_.delay(self_node.timer_stream, ChoiceKind::kTimerSlack, *slack);
    }
    event.kind = EventKind::kTimer;
    event.target = id_;
    event.incarnation = self_node.incarnation;
    event.timer_generation = generation;
    event.timer = key;
    world_.push(std::move(event));
  }
  void cancel_timer(TimerKey key) override {
    if (world_.node(id_).timers.erase(key) != 0) world_.changes_since_drop_.timer_replaced(id_.index, key);
  }
  bool timer_pending(TimerKey key) const override { return std::as_const(world_).node(id_).timers.contains(key); }

  DiskOpId disk_append(std::string_view file, std::string bytes) override {
    return submit(DiskOpKind::kAppend, file, std::move(bytes), 0);
  }
  DiskOpId disk_replace(std::string_view file, std::string bytes) override {
    return submit(DiskOpKind::kReplace, file, std::move(bytes), 0);
  }
  DiskOpId disk_truncate(std::string_view file, size_t record_count) override {
    return submit(DiskOpKind::kTruncate, file, {}, record_count);
  }
  DiskOpId disk_fsync(std::string_view file) override { return submit(DiskOpKind::kFsync, file, {}, 0); }
  DiskOpId disk_read(std::string_view file) override { return submit(DiskOpKind::kRead, file, {}, 0); }

  uint64_t random_below(uint64_t bound) override {
    return chooser_.pick(world_.node(id_).actor_stream, ChoiceKind::kActor, bound);
  }
  bool random_percent(uint64_t percent) override {
    return chooser_.percent(world_.node(id_).actor_stream, ChoiceKind::kActor, percent);
  }
  uint64_t random_nonce() override {
    Node& self_node = world_.node(id_);
    ++self_node.nonces_drawn;
    return chooser_.pick(self_node.actor_stream, ChoiceKind::kNonce, uint64_t{1} << 62);
  }

  void note(std::string kind, nlohmann::json data) override {
    if (!data.is_null() && !note_data_kept(kind)) data = nlohmann::json();
    world_.record_.notes.push_back(Note{std::move(kind), std::move(data)});
  }
  bool note_data_kept(std::string_view kind) const override {
    const std::vector<std::string>& dropped = world_.config_->note_kinds_without_data;
    return dropped.empty() || !std::binary_search(dropped.begin(), dropped.end(), kind, std::less<>());
  }
  void operation(OperationEvent event) override { world_.record_.operations.push_back(std::move(event)); }
  void protocol_event(ProtocolEvent event) override { world_.record_.protocol_events.push_back(std::move(event)); }

 private:
  DiskOpId submit(DiskOpKind kind, std::string_view file, std::string bytes, size_t record_count) {
    DiskRequest request;
    request.kind = kind;
    request.file = std::string(file);
    request.bytes = std::move(bytes);
    request.record_count = record_count;
    return world_.submit_disk(id_, std::move(request), chooser_);
  }

  World& world_;
  NodeId id_;
  Chooser& chooser_;
};

World::World(WorldConfig config, ActorFactory factory)
    : config_(std::make_shared<const WorldConfig>(std::move(config))),
      factory_(std::make_shared<const ActorFactory>(std::move(factory))),
      network_(config_->seed, config_->node_names, config_->link),
      fault_stream_(config_->seed, "faults") {
  REPLSIM_ASSERT(!config_->node_names.empty(), "a world needs nodes");
  REPLSIM_ASSERT(*factory_ != nullptr, "a world needs an actor factory");
  nodes_.reserve(config_->node_names.size());
  for (const std::string& name : config_->node_names) {
    REPLSIM_ASSERT(!find_node(name).has_value(), "node names must be unique");
    nodes_.emplace_back(Node(name, config_->seed));
  }
  for (uint32_t i = 0; i < nodes_.size(); ++i) start_node({i});
}

World::World(const World& other) = default;
World& World::operator=(const World& other) = default;
World::World(World&&) noexcept = default;
World& World::operator=(World&&) noexcept = default;
World::~World() = default;

// Every change to a node goes through here: the node becomes this world's
// own, and its cached hash is dropped.
World::Node& World::node(NodeId id) {
  REPLSIM_ASSERT(id.index < nodes_.size(), "unknown node id");
  if (footprint_ != nullptr) footprint_->write(StepFootprint::node(id.index));
  Node& n = nodes_[id.index].write();
  n.own_fingerprint.clear();
  return n;
}

// Every read of a node during a step goes through here (a monitor's too,
// through actor() and the other accessors), so a footprint misses none.
const World::Node& World::node(NodeId id) const {
  REPLSIM_ASSERT(id.index < nodes_.size(), "unknown node id");
  if (footprint_ != nullptr) footprint_->read(StepFootprint::node(id.index));
  return *nodes_[id.index];
}

void World::unshare() {
  for (uint32_t i = 0; i < nodes_.size(); ++i) node(NodeId{i}).disk.unshare();
  for (auto& [id, c] : connections_) own(c);
  queue_.unshare();
}

void World::set_timer_slack(std::optional<Distribution> slack) {
  REPLSIM_ASSERT(stats_.steps == 0, "timer slack is set before the world runs");
  WorldConfig config = *config_;
  config.timer_slack = std::move(slack);
  config_ = std::make_shared<const WorldConfig>(std::move(config));
}

void World::drop_note_data_of(std::vector<std::string> kinds) {
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  WorldConfig config = *config_;
  config.note_kinds_without_data = std::move(kinds);
  config_ = std::make_shared<const WorldConfig>(std::move(config));
  REPLSIM_ASSERT(std::is_sorted(config_->note_kinds_without_data.begin(), config_->note_kinds_without_data.end()),
                 "note kinds kept sorted for the lookup");
}

size_t World::node_count() const { return nodes_.size(); }
// Not a footprint read: names never change.
const std::string& World::node_name(NodeId id) const {
  REPLSIM_ASSERT(id.index < nodes_.size(), "unknown node id");
  return nodes_[id.index]->name;
}

std::optional<NodeId> World::find_node(std::string_view name) const {
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->name == name) return NodeId{i};
  }
  return std::nullopt;
}

// Neither is a footprint's read: only a fault (global to every footprint)
// changes a node's status or incarnation, and a monitor that asks after
// every node at every step would make every two steps dependent.
NodeStatus World::node_status(NodeId id) const {
  REPLSIM_ASSERT(id.index < nodes_.size(), "unknown node id");
  return nodes_[id.index]->status;
}
uint32_t World::incarnation(NodeId id) const {
  REPLSIM_ASSERT(id.index < nodes_.size(), "unknown node id");
  return nodes_[id.index]->incarnation;
}
const Actor* World::actor(NodeId id) const { return node(id).actor.get(); }
const Disk& World::disk(NodeId id) const { return node(id).disk; }
const NodeClock& World::clock(NodeId id) const { return node(id).clock; }
TimePoint World::local_now(NodeId id) const { return node(id).clock.local(now_); }

void World::push(Event&& event) {
  REPLSIM_ASSERT(event.time >= now_, "an event scheduled in the past");
  REPLSIM_ASSERT(queue_.size() < config_->pending_events_max,
                 "pending events over the bound: a protocol is flooding the world");
  event.sequence = next_sequence_++;
  queue_.push(std::move(event));
}

void World::advance_to(TimePoint t) {
  REPLSIM_ASSERT(queue_.empty() || queue_.top().time >= t, "advancing past a pending event");
  if (t > now_) now_ = t;
}

// Events of a crashed process's past stay queued until they surface; they
// must not count as "the next event", or a caller stepping to a bound (a
// fault's time, run_until's end) would step past it to a later live event.
void World::drop_stale_top() {
  while (!queue_.empty() && is_stale(queue_.top())) queue_.pop();
}

std::optional<TimePoint> World::next_event_time() {
  drop_stale_top();
  if (queue_.empty()) return std::nullopt;
  return queue_.top().time;
}

void World::schedule_fault(TimePoint at, Fault fault) {
  Event event;
  event.time = std::max(at, now_);
  event.kind = EventKind::kFault;
  event.fault = std::make_shared<const Fault>(std::move(fault));
  push(std::move(event));
}

bool World::is_stale(const Event& event, bool stays_pending) const {
  const bool stale = stale_now(event);
  check_staleness_lasts(event.sequence, stale, stays_pending);
  return stale;
}

void World::check_staleness_lasts(uint64_t sequence, bool stale, bool stays_pending) const {
  if (seen_stale_.empty() && !stays_pending) return;  // a simulation's every step
  const auto at = std::lower_bound(seen_stale_.begin(), seen_stale_.end(), sequence);
  const bool seen = at != seen_stale_.end() && *at == sequence;
  REPLSIM_ASSERT(stale || !seen, "an event once stale stays stale (drop_stale_events rests on it)");
  if (!stale || seen || !stays_pending) return;
  seen_stale_.insert(at, sequence);
  // Past a bound, forget all but the pending events: step() asks a popped
  // event once more, before anything else is recorded, and nothing else
  // meets an event that left the queue again.
  if (seen_stale_.size() <= 2 * queue_.size() + kSeenStaleSlack) return;
  std::vector<uint64_t> pending;
  queue_.for_each_pending([&pending](const Event& e) { pending.push_back(e.sequence); });
  std::sort(pending.begin(), pending.end());
  std::erase_if(seen_stale_, [&pending](uint64_t s) { return !std::binary_search(pending.begin(), pending.end(), s); });
  REPLSIM_ASSERT(seen_stale_.size() <= queue_.size(), "only pending events' sequences are kept");
}

size_t World::drop_stale_events() {
  REPLSIM_ASSERT(footprint_ == nullptr, "dropping is no step's: nothing it reads is a footprint's");
  size_t dropped = 0;
#ifdef NDEBUG
  if (!changes_since_drop_.none()) {
    dropped = queue_.remove_if(
        [this](const Event& e) { return changes_since_drop_.may_have_gone_stale(e) && is_stale(e); });
  }
#else  // Debug builds ask every event, and stop where the shortcut would have missed one
  dropped = queue_.remove_if([this](const Event& e) {
    const bool stale = is_stale(e);
    REPLSIM_ASSERT(!stale || changes_since_drop_.may_have_gone_stale(e),
                   "an event went stale though neither its timer key nor its connection changed since the last drop");
    return stale;
  });
#endif
  REPLSIM_ASSERT(queue_.size() <= config_->pending_events_max, "the queue only shrank");
  changes_since_drop_ = ChangesSinceDrop{.all = false};
  REPLSIM_ASSERT(changes_since_drop_.none(), "a drop starts the record of changes anew");
  // No pending event is stale now (Debug builds asked each), so none is in
  // the record either, and the explorer's copies copy an empty one.
  seen_stale_.clear();
  return dropped;
}

// Once a drop must ask all, what was written no longer matters: a world the
// simulator alone steps never drops, so it records nothing but this test.
void World::ChangesSinceDrop::connection_written(uint64_t id) {
  if (all || connection_held(id)) return;
  if (connection_count == kConnectionsMax) {
    all = true;
    return;
  }
  connections[connection_count++] = id;
}

void World::ChangesSinceDrop::timer_replaced(uint32_t node, TimerKey key) {
  if (all || timer_held(node, key)) return;
  if (timer_count == kTimersMax) {
    all = true;
    return;
  }
  timers[timer_count++] = ReplacedTimer{.node = node, .key = key};
}

bool World::stale_now(const Event& event) const {
  if (event.handed) return event.incarnation != node(event.target).incarnation;
  switch (event.kind) {
    case EventKind::kFault:
    case EventKind::kMessage:
      return false;  // messages outlive their sender's incarnation, like packets
    case EventKind::kStart:
    case EventKind::kDisk:
    case EventKind::kConnection:
      return event.incarnation != node(event.target).incarnation;
    case EventKind::kSegment: {
      if (footprint_ != nullptr) footprint_->read(StepFootprint::connection(event.connection.value));
      const auto it = connections_.find(event.connection.value);
      if (it == connections_.end()) return true;
      const Direction& d = event.forward ? it->second->forward : it->second->backward;
      if (event.ack_check) return !d.unacknowledged || d.ack_generation != event.timer_generation;
      return d.generation != event.timer_generation || d.segments.empty();
    }
    case EventKind::kKeepalive: {
      if (footprint_ != nullptr) footprint_->read(StepFootprint::connection(event.connection.value));
      const auto it = connections_.find(event.connection.value);
      if (it == connections_.end()) return true;
      const ConnectionEnd& end = event.forward ? it->second->initiator : it->second->acceptor;
      return !end.open || end.keepalive_generation != event.timer_generation;
    }
    case EventKind::kTimer: {
      const Node& target = node(event.target);
      if (event.incarnation != target.incarnation) return true;
      const auto it = target.timers.find(event.timer);
      return it == target.timers.end() || it->second != event.timer_generation;
    }
  }
  return true;
}

Event World::pop_next(Chooser& chooser) {
  // Ask the chooser only when several live events share the earliest time;
  // otherwise there is nothing to choose.
  if (chooser.always_earliest_event() || !queue_.top_is_tied()) return queue_.pop();
  // The tied events stay queued while the chooser picks, and only those
  // that leave are taken out: an explorer asks here in nearly every state,
  // and popping every tied event and pushing the others back moved each
  // twice and cleared their kept hashes. One buffer of each per thread,
  // kept between steps; no world steps inside another's step.
  thread_local std::vector<const Event*> tied;
  thread_local std::vector<EventChoice> choices;
  thread_local std::vector<uint64_t> dropped;
  REPLSIM_ASSERT(tied.empty() && dropped.empty(), "a tie is resolved before the next");
  struct EmptiedOnExit {  // a chooser that throws leaves the buffers empty
    ~EmptiedOnExit() {
      tied.clear();
      dropped.clear();
    }
  } emptied_on_exit;
  queue_.for_each_earliest([&](const Event& e) { tied.push_back(&e); });
  std::sort(tied.begin(), tied.end(), [](const Event* a, const Event* b) { return a->sequence < b->sequence; });
  // What popping them in order leaves: the stale ones after the first go,
  // and the first too when a live one is tied with it (alone, it is
  // returned, and the step finds it stale and goes on). World::step keeps
  // the footprint out of this, so in an explorer's state none is asked.
  const bool all_live = all_pending_live();
  size_t kept = 1;
  for (size_t i = 1; i < tied.size(); ++i) {
    if (stale_unless_all_live(*tied[i], all_live)) dropped.push_back(tied[i]->sequence);
    else tied[kept++] = tied[i];
  }
  tied.resize(kept);
  if (tied.size() > 1 && stale_unless_all_live(*tied.front(), all_live)) {
    dropped.push_back(tied.front()->sequence);
    tied.erase(tied.begin());
  }
  size_t chosen = 0;
  if (tied.size() > 1) {
    choices.clear();
    for (const Event* e : tied) choices.push_back({e->time.ns_since_origin(), e->sequence, e->target.index});
    chosen = chooser.next_event(choices);
    REPLSIM_ASSERT(chosen < tied.size(), "chooser picked an event that is not ready");
  }
  // Read before any event is taken: `tied` points to the events the queue
  // holds, and one taken may be freed.
  const uint64_t sequence = tied[chosen]->sequence;
  for (uint64_t stale : dropped) queue_.take(stale);
  return queue_.take(sequence);
}

const StepRecord* World::step(Chooser& chooser) {
  while (!queue_.empty()) {
    // The events passed over (tied, or stale) are not this step's: what
    // their liveness reads is left out of the footprint.
    StepFootprint* const recording = std::exchange(footprint_, nullptr);
    Event event = pop_next(chooser);
    const bool stale = is_stale(event);
    footprint_ = recording;
    if (stale) continue;
    if (footprint_ != nullptr) {
      is_stale(event);  // records what the delivered event's liveness read
      delivered_event_name_ = event_name(event, config_->node_names, nodes_[event.target.index]->next_disk_op);
    }
    REPLSIM_ASSERT(event.time >= now_, "time went backwards");
    now_ = event.time;
    record_.clear();
    record_.index = stats_.steps;
    record_.time = now_;
    record_.kind = event.kind;
    record_.node = event.target;
    record_.from = event.from;
    deliver(event, chooser);
    finish_step();
    return &record_;
  }
  return nullptr;
}

uint64_t World::run_until(TimePoint end, Chooser& chooser, const std::function<void(const StepRecord&)>& on_step) {
  uint64_t steps = 0;
  drop_stale_top();
  while (!queue_.empty() && queue_.top().time <= end) {
    const StepRecord* record = step(chooser);
    if (record == nullptr) break;
    ++steps;
    if (on_step) on_step(*record);
    drop_stale_top();
  }
  if (now_ < end) now_ = end;
  return steps;
}

void World::deliver(Event& event, Chooser& chooser) {
  if (event.kind == EventKind::kFault) {
    record_.fault = event.fault;
    apply_fault(*event.fault, chooser);
    return;
  }
  if (event.handed) {  // the kernel took it while the process was paused
    Node& target = node(event.target);
    if (event.kind == EventKind::kMessage) record_.message = event.message;
    record_.connection = event.connection;
    if (target.status == NodeStatus::kPaused) {
      record_.outcome = StepOutcome::kDeferred;
      target.deferred.push_back(std::move(event));
      return;
    }
    deliver_to_actor(target, event, chooser);
    return;
  }
  switch (event.kind) {
    case EventKind::kSegment: return deliver_segment(event, chooser);
    case EventKind::kConnection: return deliver_connection_event(event, chooser);
    case EventKind::kKeepalive: return keepalive_due(event, chooser);
    default: break;
  }
  if (event.kind == EventKind::kMessage) {
    record_.message = event.message;
    record_.message_sent = event.sent;
    if (network_.blocked(event.from, event.target)) {
      record_.outcome = StepOutcome::kDroppedPartition;
      ++stats_.messages_partitioned;
      return;
    }
    // Read only: a dropped message leaves the node shared with the world's copies.
    const Node& receiver = std::as_const(*this).node(event.target);
    if (receiver.status == NodeStatus::kCrashed || receiver.starting) {
      record_.outcome = StepOutcome::kDroppedNodeDown;
      ++stats_.messages_to_down_node;
      return;
    }
  }
  if (event.kind == EventKind::kTimer) record_.timer = event.timer;
  if (event.kind == EventKind::kDisk) record_.disk = event.disk;
  Node& target = node(event.target);
  REPLSIM_ASSERT(target.status != NodeStatus::kCrashed, "a live event for a crashed node");
  if (target.status == NodeStatus::kPaused) {
    REPLSIM_ASSERT(target.deferred.size() < config_->deferred_events_per_node_max, "deferred events over the bound");
    record_.outcome = StepOutcome::kDeferred;
    target.deferred.push_back(std::move(event));
    return;
  }
  deliver_to_actor(target, event, chooser);
}

void World::deliver_to_actor(Node& target, const Event& event, Chooser& chooser) {
  REPLSIM_ASSERT(target.actor != nullptr, "a running node without an actor");
  NodeContext ctx(*this, event.target, chooser);
  switch (event.kind) {
    case EventKind::kStart:
      target.starting = false;
      target.actor->on_start(ctx, target.disk.visible());
      return;
    case EventKind::kMessage:
      ++stats_.messages_delivered;
      record_.message = event.message;
      record_.message_sent = event.sent;
      target.actor->on_message(ctx, event.from, event.connection, *event.message);
      return;
    case EventKind::kConnection:
      record_.connection_event = event.control;
      target.actor->on_connection(ctx, event.control);
      return;
    case EventKind::kTimer:
      ++stats_.timers_fired;
      target.timers.erase(event.timer);
      target.actor->on_timer(ctx, event.timer);
      return;
    case EventKind::kDisk: {
      const DiskCompletion completion = target.disk.complete(*event.disk, now_);
      record_.disk_status = completion.status;
      target.actor->on_disk(ctx, completion);
      return;
    }
    case EventKind::kFault:
    case EventKind::kSegment:
    case EventKind::kKeepalive:
      break;
  }
  REPLSIM_ASSERT(false, "unhandled event kind");
}

void World::send(NodeId from, NodeId to, MessagePtr message, Chooser& chooser) {
  REPLSIM_ASSERT(to.index < nodes_.size(), "send to an unknown node");
  ++stats_.messages_sent;
  if (network_.blocked(from, to)) {
    ++stats_.messages_partitioned;
    return;
  }
  const LinkConfig& link = network_.link_config(from, to);
  Rng& stream = network_.link_stream(from, to);
  if (footprint_ != nullptr) footprint_->write(StepFootprint::link(from.index, to.index));  // its FIFO clamp
  if (chooser.chance(stream, ChoiceKind::kMessageLoss, link.loss)) {
    ++stats_.messages_lost;
    return;
  }
  const bool duplicated = chooser.chance(stream, ChoiceKind::kMessageDuplicate, link.duplicate);
  const int copies = duplicated ? 2 : 1;
  if (duplicated) ++stats_.messages_duplicated;
  for (int copy = 0; copy < copies; ++copy) {
    TimePoint arrival = now_ + chooser.delay(stream, ChoiceKind::kMessageDelay, link.latency);
    int64_t& last_arrival = network_.last_arrival_ns(from, to);
    if (chooser.chance(stream, ChoiceKind::kMessageReorder, link.reorder)) {
      ++stats_.messages_reordered;  // may overtake: no FIFO clamp
    } else {
      arrival = std::max(arrival, TimePoint::from_ns(last_arrival));
      last_arrival = arrival.ns_since_origin();
    }
    Event event;
    event.time = arrival;
    event.kind = EventKind::kMessage;
    event.target = to;
    event.from = from;
    event.sent = now_;
    event.message = message;
    push(std::move(event));
  }
}

DiskOpId World::submit_disk(NodeId id, DiskRequest request, Chooser& chooser) {
  Node& target = node(id);
  ++stats_.disk_ops;
  request.id = DiskOpId{++target.next_disk_op};
  const Distribution* latency = &config_->disk.write_latency;
  if (request.kind == DiskOpKind::kFsync) latency = &config_->disk.fsync_latency;
  if (request.kind == DiskOpKind::kRead) latency = &config_->disk.read_latency;
  if (request.kind == DiskOpKind::kTruncate) latency = &config_->disk.write_latency;
  Duration took = chooser.delay(target.disk_stream, ChoiceKind::kDiskLatency, *latency);
  if (target.disk.fault_active(DiskFaultKind::kSlow, now_)) took = took * config_->disk.slow_factor;
  // One queue per disk: requests complete in the order they were issued.
  const TimePoint done = std::max(now_, target.disk_busy_until) + took;
  target.disk_busy_until = done;
  Event event;
  event.time = done;
  event.kind = EventKind::kDisk;
  event.target = id;
  event.incarnation = target.incarnation;
  const DiskOpId op = request.id;
  event.disk = std::make_shared<const DiskRequest>(std::move(request));
  push(std::move(event));
  return op;
}

void World::stop_node(Node& target) {
  // A fault's: it changes an incarnation, which drop_stale_events asks
  // after only when a fault told it to ask all.
  REPLSIM_ASSERT(changes_since_drop_.all, "only a fault stops a process");
  target.status = NodeStatus::kCrashed;
  target.actor.reset();
  target.timers.clear();
  target.deferred.clear();
  target.disk_busy_until = now_;
  ++target.incarnation;  // in-flight timers and disk requests of the old process die with it
}

void World::start_node(NodeId id) {
  Node& target = node(id);
  target.status = NodeStatus::kUp;
  target.powered_off = false;
  target.starting = true;
  target.actor = (*factory_)(id);
  REPLSIM_ASSERT(target.actor != nullptr, "the actor factory returned nothing");
  Event event;
  event.time = now_;
  event.kind = EventKind::kStart;
  event.target = id;
  event.incarnation = target.incarnation;
  push(std::move(event));
}

void World::apply_fault(const Fault& fault, Chooser& chooser) {
  changes_since_drop_.all = true;
  if (footprint_ != nullptr) footprint_->make_global();
  ++stats_.faults_applied;
  std::visit(
      [&](const auto& f) {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, CrashFault>) {
          if (node(f.node).status != NodeStatus::kCrashed) {
            stop_node(node(f.node));
            end_process_connections(f.node, true, chooser);
          }
        } else if constexpr (std::is_same_v<F, PowerLossFault>) {
          Node& target = node(f.node);
          if (target.status != NodeStatus::kCrashed) stop_node(target);
          end_process_connections(f.node, false, chooser);
          target.powered_off = true;
          target.disk.lose_power(chooser, target.disk_stream, config_->disk.torn_write_probability);
        } else if constexpr (std::is_same_v<F, RestartFault>) {
          // Restarting a running process is a crash and a start.
          if (node(f.node).status != NodeStatus::kCrashed) {
            stop_node(node(f.node));
            end_process_connections(f.node, true, chooser);
          }
          start_node(f.node);
        } else if constexpr (std::is_same_v<F, PauseFault>) {
          Node& target = node(f.node);
          if (target.status == NodeStatus::kUp) target.status = NodeStatus::kPaused;
        } else if constexpr (std::is_same_v<F, ResumeFault>) {
          Node& target = node(f.node);
          if (target.status != NodeStatus::kPaused) return;
          target.status = NodeStatus::kUp;
          std::vector<Event> deferred = std::move(target.deferred);
          target.deferred.clear();
          for (Event& event : deferred) {
            event.time = now_;  // re-sequenced in their original order
            push(std::move(event));
          }
        } else if constexpr (std::is_same_v<F, PartitionFault>) {
          network_.block_all(f.blocked);
        } else if constexpr (std::is_same_v<F, HealFault>) {
          network_.heal();
        } else if constexpr (std::is_same_v<F, LinkFault>) {
          for (const auto& [from, to] : f.links) network_.set_link_config(from, to, f.config);
        } else if constexpr (std::is_same_v<F, ClockFault>) {
          NodeClock& clock = node(f.node).clock;
          if (f.offset) clock.set_offset(now_, *f.offset);
          if (f.drift_ppm) clock.set_drift(now_, *f.drift_ppm);
        } else if constexpr (std::is_same_v<F, DiskFault>) {
          node(f.node).disk.start_fault(f.kind, now_ + f.duration);
        } else if constexpr (std::is_same_v<F, CorruptFault>) {
          Node& target = node(f.node);
          target.disk.corrupt_one(chooser, target.disk_stream);
        }
      },
      fault);
}

namespace {

// A note's data into the trace hash, structurally: as deterministic as
// hashing its text, without building the text on every step.
void hash_json(Hasher& h, const nlohmann::json& j) {
  h.add(static_cast<uint64_t>(j.type()));
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      h.add(static_cast<uint64_t>(j.size()));
      for (const auto& [key, value] : j.items()) {
        h.add(std::string_view(key));
        hash_json(h, value);
      }
      return;
    case nlohmann::json::value_t::array:
      h.add(static_cast<uint64_t>(j.size()));
      for (const auto& value : j) hash_json(h, value);
      return;
    case nlohmann::json::value_t::string: h.add(std::string_view(j.get_ref<const std::string&>())); return;
    case nlohmann::json::value_t::boolean: h.add(j.get<bool>()); return;
    case nlohmann::json::value_t::number_integer: h.add(j.get<int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: h.add(j.get<uint64_t>()); return;
    case nlohmann::json::value_t::number_float: {
      const double d = j.get<double>();
      uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      h.add(bits);
      return;
    }
    default: return;  // null, discarded, binary: the type tag says it all
  }
}

}  // namespace

void World::finish_step() {
  ++stats_.steps;
  Hasher h(trace_hash_);
  // Small fields packed into one word: one mixing round instead of four.
  const uint64_t packed = static_cast<uint64_t>(record_.kind) | (static_cast<uint64_t>(record_.outcome) << 8) |
                          (static_cast<uint64_t>(record_.node.index) << 16) |
                          (static_cast<uint64_t>(record_.from.index) << 40);
  h.add(record_.time.ns_since_origin()).add(packed);
  if (record_.message) h.add(record_.message->fingerprint());
  if (record_.kind == EventKind::kTimer) h.add(record_.timer.kind).add(record_.timer.argument);
  if (record_.connection.valid()) h.add(record_.connection.value);
  if (record_.connection_event) {
    h.add(static_cast<uint64_t>(record_.connection_event->kind)).add(static_cast<uint64_t>(record_.connection_event->reason));
  }
  if (record_.disk) {
    h.add(record_.disk->id.value).add(static_cast<uint64_t>(record_.disk->kind)).add(record_.disk->file);
    h.add(hash_bytes(record_.disk->bytes)).add(static_cast<uint64_t>(record_.disk_status));
  }
  if (record_.fault) h.add(fault_to_json(*record_.fault, config_->node_names).dump());
  for (const Note& note : record_.notes) hash_json(h.add(note.kind), note.data);
  for (const OperationEvent& op : record_.operations) op.hash_into(h);
  for (const ProtocolEvent& event : record_.protocol_events) event.hash_into(h);
  trace_hash_ = h.value();
  record_.trace_hash = trace_hash_;
}

namespace {



// The nodes' names under `renaming`: node i is called what node
// renaming[i] is.
std::vector<std::string> renamed_names(const std::vector<std::string>& names, const NodeRenaming& renaming) {
  REPLSIM_ASSERT(renaming.size() <= names.size(), "a renaming of the world's nodes");
  std::vector<std::string> renamed = names;
  for (size_t i = 0; i < renaming.size(); ++i) renamed[i] = names[renaming[i]];
  return renamed;
}

// An event but its time: `names` are the world's node names; a pending
// fault names its nodes by them, renamed as the nodes are (rare: only a
// pending fault copies them).
uint64_t event_content_fingerprint(const Event& event, const std::vector<std::string>& names,
                                   const NodeRenaming* renaming) {
  Hasher h;
  h.rename_nodes(renaming);
  h.add(static_cast<uint64_t>(event.kind));
  h.add_node(event.target.index).add_node(event.from.index);
  if (event.message) h.add(event.message->fingerprint(renaming));
  if (event.kind == EventKind::kTimer) h.add(event.timer.kind).add(event.timer.argument);
  h.add(event.connection.value).add(event.forward).add(event.handed).add(event.ack_check);
  if (event.kind == EventKind::kConnection) {
    h.add(static_cast<uint64_t>(event.control.kind)).add(static_cast<uint64_t>(event.control.reason));
  }
  if (event.disk) {
    h.add(static_cast<uint64_t>(event.disk->kind)).add(event.disk->file).add(event.disk->bytes);
    h.add(static_cast<uint64_t>(event.disk->record_count));
  }
  if (event.fault) h.add(fault_to_json(*event.fault, renaming ? renamed_names(names, *renaming) : names).dump());
  return h.value();
}

// An event's hash, its time relative to `now`. `keep`: the event sits in
// this world's queue, where it never changes, so its content's unrenamed
// hash is kept in it (a deferred event sits in a node that copies of the
// world share, and is hashed afresh).
uint64_t event_fingerprint(const Event& event, TimePoint now, const std::vector<std::string>& names,
                           const NodeRenaming* renaming, bool keep) {
  const auto fresh = [&] { return event_content_fingerprint(event, names, renaming); };
  const uint64_t content =
      renaming == nullptr && keep
          ? event.content_fingerprint.get_or(fresh, "a queued event changed after it was pushed (its kept hash is stale)")
          : fresh();
  return Hasher().add((event.time - now).count_ns()).add(content).value();
}

// The name tied_event_names gives an event: its content, and a disk
// request's id counted back from its node's next one, as the node's
// fingerprint numbers them (states with one key hold the same names).
uint64_t event_name(const Event& event, const std::vector<std::string>& names, uint64_t next_disk_op) {
  const uint64_t content = event.content_fingerprint.get_or(
      [&] { return event_content_fingerprint(event, names, nullptr); },
      "a queued event changed after it was pushed (its kept hash is stale)");
  REPLSIM_ASSERT(!event.disk || event.disk->id.value <= next_disk_op, "a disk request's id was handed out");
  return Hasher().add(content).add(event.disk ? next_disk_op - event.disk->id.value : 0).value();
}

}  // namespace

std::vector<uint64_t> World::tied_event_names() const {
  const std::vector<const Event*> live = tied_live_events();
  std::vector<uint64_t> names;
  names.reserve(live.size());
  for (const Event* e : live) names.push_back(event_name(*e, config_->node_names, nodes_[e->target.index]->next_disk_op));
  return names;
}

bool World::stale_unless_all_live(const Event& event, bool all_live, bool stays_pending) const {
#ifdef NDEBUG
  return !all_live && is_stale(event, stays_pending);
#else
  const bool stale = is_stale(event, stays_pending);
  REPLSIM_ASSERT(!stale || !all_live, "an event went stale though nothing was recorded since drop_stale_events");
  return stale;
#endif
}

size_t World::tied_event_count() const {
  // With nothing recorded since drop_stale_events (an explorer's every
  // state, asked once a state) every pending event is live, and the heap's
  // keys tell which are due first. Debug builds ask each, as fingerprint does.
  if (!all_pending_live()) return tied_live_events().size();
  size_t count = 0;
  queue_.for_each_earliest([&count](const Event&) { ++count; });
#ifndef NDEBUG
  REPLSIM_ASSERT(count == tied_live_events().size(), "an event went stale though nothing was recorded since drop_stale_events");
#endif
  return count;
}

std::vector<const Event*> World::tied_live_events() const {
  // The earliest instant with a live event: staleness is asked only of the
  // events at each instant tried, earliest first (the first usually has one).
  std::vector<const Event*> live;
  std::optional<TimePoint> after;
  for (size_t instants = 0; live.empty(); ++instants) {
    REPLSIM_ASSERT(instants <= queue_.size(), "each instant tried holds a pending event");
    std::optional<TimePoint> first;
    queue_.for_each_pending([&](const Event& e) {
      if ((!after || e.time > *after) && (!first || e.time < *first)) first = e.time;
    });
    if (!first) return {};
    queue_.for_each_pending([&](const Event& e) {
      if (e.time == *first && !is_stale(e, true)) live.push_back(&e);
    });
    after = first;
  }
  // pop_next's order: the tied events by sequence.
  std::sort(live.begin(), live.end(), [](const Event* a, const Event* b) { return a->sequence < b->sequence; });
  return live;
}

std::vector<const Event*> World::live_events() const {
  std::vector<const Event*> live;
  queue_.for_each_pending([&](const Event& event) {
    if (!is_stale(event, true)) live.push_back(&event);
  });
  return live;
}

// A node's state but its deferred events. Unrenamed, it is kept in the node
// until the node changes; Debug builds check that the kept value is current.
uint64_t World::own_fingerprint(const Node& n, const NodeRenaming* renaming) {
  const auto fresh = [&] {
    Hasher h;
    h.rename_nodes(renaming);
    h.add(static_cast<uint64_t>(n.status)).add(n.powered_off).add(n.starting).add(n.incarnation);
    Hasher actor_context = h.part();
    actor_context.number_disk_ops(n.next_disk_op);
    h.add(n.actor ? n.actor->fingerprint(actor_context) : 0).add(n.disk.fingerprint()).add(n.clock.fingerprint());
    for (const auto& [key, generation] : n.timers) h.add(key.kind).add(key.argument);
    // How many nonces the node drew decides the ones it draws next (the only
    // draw an explorer's chooser leaves to the stream), and actors keep
    // nonces: two nodes equal but for it would merge and part again at the
    // next nonce, so one key would not stand for one future. A count, not
    // the stream, so that interchangeable nodes stay interchangeable. Timer
    // generations never leave the world.
    h.add(n.nonces_drawn);
    return h.value();
  };
  if (renaming != nullptr) return fresh();
  return n.own_fingerprint.get_or(fresh, "a node changed without going through World::node (its kept hash is stale)");
}

uint64_t World::fingerprint(const NodeRenaming* renaming) const {
  // The node hashed at each position, when renamed: built only then, since
  // the unrenamed fingerprint is the explorer's per-state hot path.
  std::vector<uint32_t> at_position;
  if (renaming != nullptr) {
    at_position.assign(nodes_.size(), UINT32_MAX);
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      const uint32_t to = i < renaming->size() ? (*renaming)[i] : i;
      REPLSIM_ASSERT(to < nodes_.size() && at_position[to] == UINT32_MAX, "a renaming is a permutation of the nodes");
      at_position[to] = i;
    }
  }
  const std::vector<std::string>& names = config_->node_names;
  Hasher h;
  h.rename_nodes(renaming);
  for (uint32_t position = 0; position < nodes_.size(); ++position) {
    const Node& n = *nodes_[renaming != nullptr ? at_position[position] : position];
    h.add(own_fingerprint(n, renaming));
    for (const Event& event : n.deferred) h.add(event_fingerprint(event, now_, names, renaming, false));
  }
  h.add(network_.fingerprint(renaming, now_));
  // The next connection's id: actors keep connection ids, so two worlds
  // that would hand out different ones do not go on alike. Hashed as it is,
  // not relative like a node's disk operation ids: it is the world's, and a
  // node's kept hash must not change when another node connects.
  h.add(next_connection_);
  for (const auto& [id, c] : connections_) c->hash_into(h, now_);
  // Pending events as a multiset: the heap's layout depends on insertion
  // history, so combine per-event hashes with an order-independent sum.
  uint64_t events = 0;
  // In the explorer's every state no pending event is stale: asking again
  // would cost as much as the drop did.
  const bool all_live = all_pending_live();
  queue_.for_each_pending([&](const Event& event) {
    if (!stale_unless_all_live(event, all_live, true)) events += mix64(event_fingerprint(event, now_, names, renaming, true));
  });
  h.add(events);
  return h.value();
}

bool World::same_state(const World& other) const {
  if (nodes_.size() != other.nodes_.size() || !(network_ == other.network_)) return false;
  if (connections_.size() != other.connections_.size()) return false;
  for (auto a = connections_.begin(), b = other.connections_.begin(); a != connections_.end(); ++a, ++b) {
    Hasher ha, hb;
    a->second->hash_into(ha, now_);
    b->second->hash_into(hb, other.now_);
    if (a->first != b->first || ha.value() != hb.value()) return false;
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& a = *nodes_[i];
    const Node& b = *other.nodes_[i];
    if (a.status != b.status || a.powered_off != b.powered_off || a.starting != b.starting ||
        a.incarnation != b.incarnation ||
        !(a.disk == b.disk) || !(a.clock == b.clock)) {
      return false;
    }
    if ((a.actor == nullptr) != (b.actor == nullptr)) return false;
    if (a.actor && !a.actor->equals(*b.actor)) return false;
    if (a.timers.size() != b.timers.size()) return false;
    for (auto ia = a.timers.begin(), ib = b.timers.begin(); ia != a.timers.end(); ++ia, ++ib) {
      if (ia->first != ib->first) return false;
    }
    if (a.deferred.size() != b.deferred.size()) return false;
  }
  // Pending events: compare canonical orders, then payloads exactly.
  const auto canonical = [](const World& w) {
    std::vector<std::pair<uint64_t, const Event*>> keyed;
    for (const Event* event : w.live_events()) {
      keyed.push_back({event_fingerprint(*event, w.now_, w.config_->node_names, nullptr, true), event});
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    return keyed;
  };
  const auto mine = canonical(*this);
  const auto theirs = canonical(other);
  if (mine.size() != theirs.size()) return false;
  for (size_t i = 0; i < mine.size(); ++i) {
    if (mine[i].first != theirs[i].first) return false;
    const Event& a = *mine[i].second;
    const Event& b = *theirs[i].second;
    if ((a.message == nullptr) != (b.message == nullptr)) return false;
    if (a.message && !a.message->equals(*b.message)) return false;
    if ((a.disk == nullptr) != (b.disk == nullptr)) return false;
    if (a.disk && !(a.disk->bytes == b.disk->bytes && a.disk->file == b.disk->file)) return false;
    if ((a.fault == nullptr) != (b.fault == nullptr)) return false;
    if (a.fault && !(*a.fault == *b.fault)) return false;
  }
  return true;
}

}  // namespace replsim
