// TCP connections in the engine (sim/connection.h, docs/ENGINE.md): each
// behaviour the semantics promise, observed from the actors' side.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "base/assert.h"
#include "sim/world.h"
#include "tests/stale_drop_check.h"

using namespace replsim;
using replsim::testing::dropped_stepping_beside;

namespace {

struct Numbered {
  static constexpr const char* kName = "NUMBERED";
  uint64_t stream = 0;  // which of the talker's connections
  uint64_t n = 0;
  bool operator==(const Numbered&) const = default;
  void hash_into(Hasher& h) const { h.add(stream).add(n); }
  std::string describe() const { return std::to_string(stream) + "/" + std::to_string(n); }
};

struct TalkPlan {
  std::optional<NodeId> peer;        // connects to it at start
  uint32_t connections = 1;
  uint64_t messages = 0;             // per connection, one every `interval`
  Duration interval = Duration::ms(1);
  Duration first_after = Duration::ms(50);
  Duration stagger = Duration::zero();  // connection k starts k * stagger later
  bool keepalive = false;
  bool operator==(const TalkPlan&) const = default;
};

// Opens connections, sends numbered messages on them, and records what it
// receives and hears about its connections, with the local time.
class Talker final : public ActorOf<Talker> {
 public:
  explicit Talker(TalkPlan plan) : plan_(plan) {}

  void on_start(Context& ctx, const DiskImage&) override {
    if (!plan_.peer) return;
    for (uint32_t k = 0; k < plan_.connections; ++k) {
      connections_.push_back(ctx.connect(*plan_.peer));
      if (plan_.keepalive) ctx.set_keepalive(connections_.back(), true);
    }
    sent_.assign(plan_.connections, 0);
    for (uint32_t k = 0; plan_.messages > 0 && k < plan_.connections; ++k) {
      ctx.set_timer({1, k}, plan_.first_after + plan_.stagger * static_cast<int64_t>(k));
    }
  }
  void on_message(Context& ctx, NodeId, ConnectionId connection, const Message& message) override {
    const Numbered* m = message.as<Numbered>();
    REPLSIM_ASSERT(m != nullptr, "talkers send numbers");
    received.push_back({connection.value, m->stream, m->n, ctx.local_now()});
  }
  void on_connection(Context& ctx, const ConnectionEvent& event) override {
    heard.push_back({event, ctx.local_now()});
    if (event.kind == ConnectionEvent::Kind::kAccepted && plan_.keepalive) ctx.set_keepalive(event.connection, true);
  }
  void on_timer(Context& ctx, TimerKey key) override {
    const uint64_t k = key.argument;
    ctx.send(connections_[k], make_message(Numbered{k, sent_[k]}));
    if (++sent_[k] < plan_.messages) ctx.set_timer(key, plan_.interval);
  }
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return {{"received", received.size()}}; }
  bool operator==(const Talker&) const = default;
  void hash_into(Hasher& h) const {
    for (uint64_t n : sent_) h.add(n);
    h.add(static_cast<uint64_t>(received.size())).add(static_cast<uint64_t>(heard.size()));
  }

  struct Got {
    uint64_t connection;
    uint64_t stream;
    uint64_t n;
    TimePoint at;
    bool operator==(const Got&) const = default;
  };
  struct Heard {
    ConnectionEvent event;
    TimePoint at;
    bool operator==(const Heard&) const = default;
  };
  std::vector<Got> received;
  std::vector<Heard> heard;
  const std::vector<ConnectionId>& connections() const { return connections_; }

 private:
  TalkPlan plan_;
  std::vector<ConnectionId> connections_;
  std::vector<uint64_t> sent_;
};

World make_world(std::vector<TalkPlan> plans, LinkConfig link, TcpConfig tcp = {}, uint64_t seed = 7) {
  WorldConfig config;
  config.seed = seed;
  config.link = std::move(link);
  config.tcp = tcp;
  for (size_t i = 1; i <= plans.size(); ++i) config.node_names.push_back("n" + std::to_string(i));
  return World(config, [plans](NodeId id) { return std::make_unique<Talker>(plans[id.index]); });
}

// A connection that gives up on unacknowledged data after user_timeout and
// probes an idle peer every interval after idle, probes times.
TcpConfig timing_out_tcp(Duration user_timeout, Duration idle, Duration interval, uint32_t probes) {
  TcpConfig tcp;
  tcp.user_timeout = user_timeout;
  tcp.keepalive_idle = idle;
  tcp.keepalive_interval = interval;
  tcp.keepalive_probes = probes;
  return tcp;
}

LinkConfig fixed(Duration latency) {
  LinkConfig link;
  link.latency = Distribution::fixed(latency);
  return link;
}

const Talker& talker(const World& world, uint32_t index) {
  const Talker* t = world.actor_as<Talker>(NodeId{index});
  REQUIRE(t != nullptr);
  return *t;
}

void run_to(World& world, Duration until) {
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + until, chooser);
}

std::vector<const Talker::Heard*> heard_kind(const Talker& t, ConnectionEvent::Kind kind) {
  std::vector<const Talker::Heard*> out;
  for (const Talker::Heard& h : t.heard) {
    if (h.event.kind == kind) out.push_back(&h);
  }
  return out;
}

}  // namespace

TEST_CASE("on a connection messages arrive once and in order, whatever the link loses, doubles or reorders") {
  LinkConfig bad;
  bad.latency = Distribution::uniform(Duration::ms(1), Duration::ms(5));
  bad.loss = 0.3;
  bad.duplicate = 0.3;
  bad.reorder = 0.5;
  World world = make_world({TalkPlan{NodeId{1}, 1, 2000}, TalkPlan{}}, bad);
  run_to(world, Duration::s(60));
  const Talker& b = talker(world, 1);
  REQUIRE(b.received.size() == 2000);
  for (uint64_t i = 0; i < 2000; ++i) CHECK(b.received[i].n == i);
  CHECK(heard_kind(talker(world, 0), ConnectionEvent::Kind::kEstablished).size() == 1);
  CHECK(heard_kind(b, ConnectionEvent::Kind::kAccepted).size() == 1);
  CHECK(world.stats().segments_retransmitted > 200);
  CHECK(world.stats().messages_duplicated == 0);  // TCP drops what the link doubled
}

TEST_CASE("a lost segment costs at least the RTO floor of latency, never the message") {
  LinkConfig lossy = fixed(Duration::ms(2));
  lossy.loss = 0.1;
  World world = make_world({TalkPlan{NodeId{1}, 1, 500, Duration::ms(20)}, TalkPlan{}}, lossy);
  run_to(world, Duration::s(60));
  const Talker& b = talker(world, 1);
  REQUIRE(b.received.size() == 500);
  Duration worst = Duration::zero();
  for (const Talker::Got& g : b.received) {
    const TimePoint sent = TimePoint::origin() + Duration::ms(50) + Duration::ms(20) * static_cast<int64_t>(g.n);
    worst = std::max(worst, g.at - sent);
  }
  CHECK(worst >= Duration::ms(200));  // a retransmission timeout, 200 ms at least
  CHECK(worst < Duration::s(10));
}

TEST_CASE("two connections between the same nodes are independent: one overtakes the other") {
  // n1 opens two connections to n2. Connection 0's first message leaves at
  // 50 ms into a one-way cut that heals a microsecond later, so it waits for
  // its retransmission timer; connection 1's leaves at 51 ms and arrives at
  // once, ahead of it.
  TalkPlan plan{NodeId{1}, 2, 1, Duration::ms(1), Duration::ms(50)};
  plan.stagger = Duration::ms(1);
  World world = make_world({plan, TalkPlan{}}, fixed(Duration::ms(1)));
  world.schedule_fault(TimePoint::origin() + Duration::ms(50), PartitionFault{partition_shapes::one_way({NodeId{0}}, {NodeId{1}}), "one_way"});
  world.schedule_fault(TimePoint::origin() + Duration::ms(50) + Duration::us(1), HealFault{});
  run_to(world, Duration::s(10));
  const Talker& b = talker(world, 1);
  REQUIRE(b.received.size() == 2);
  const auto& ids = talker(world, 0).connections();
  CHECK(b.received[0].connection == ids[1].value);
  CHECK(b.received[0].at - TimePoint::origin() == Duration::ms(52));
  CHECK(b.received[1].connection == ids[0].value);
  CHECK(b.received[1].at - TimePoint::origin() >= Duration::ms(250));  // after its RTO
}

TEST_CASE("a crashed peer's host closes the connection, connecting to it is refused, and a restarted peer resets it") {
  TalkPlan plan{NodeId{1}, 1, 0};
  World world = make_world({plan, TalkPlan{}}, fixed(Duration::ms(1)));
  world.schedule_fault(TimePoint::origin() + Duration::s(1), CrashFault{NodeId{1}});
  run_to(world, Duration::s(2));
  const auto closed = heard_kind(talker(world, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0]->event.reason == CloseReason::kPeerClosed);
  CHECK(closed[0]->at - TimePoint::origin() < Duration::ms(1010));  // the kernel's FIN, a latency later

  // Connecting to the crashed process's live host: refused at once.
  World refused = make_world({TalkPlan{NodeId{1}, 1, 0}, TalkPlan{}}, fixed(Duration::ms(1)));
  refused.schedule_fault(TimePoint::origin(), CrashFault{NodeId{1}});
  run_to(refused, Duration::s(1));
  const auto refusals = heard_kind(talker(refused, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(refusals.size() == 1);
  CHECK(refusals[0]->event.reason == CloseReason::kRefused);
  CHECK(refusals[0]->at - TimePoint::origin() <= Duration::ms(2));

  // The peer's host loses power (no FIN) and comes back with a new process:
  // the next segment on the old connection meets a reset.
  World reset = make_world({TalkPlan{NodeId{1}, 1, 3, Duration::s(2), Duration::s(1)}, TalkPlan{}}, fixed(Duration::ms(1)));
  reset.schedule_fault(TimePoint::origin() + Duration::ms(1500), PowerLossFault{NodeId{1}});
  reset.schedule_fault(TimePoint::origin() + Duration::ms(2000), RestartFault{NodeId{1}});
  run_to(reset, Duration::s(10));
  const auto resets = heard_kind(talker(reset, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(resets.size() == 1);
  CHECK(resets[0]->event.reason == CloseReason::kReset);
  CHECK(resets[0]->at - TimePoint::origin() >= Duration::s(3));  // the send at 3 s met it
}

TEST_CASE("a powered-off peer: unacknowledged data times out after the user timeout, an idle end only with keepalive") {
  const TcpConfig tcp = timing_out_tcp(Duration::s(10), Duration::s(5), Duration::s(1), 3);
  // Data sent at 2 s to a peer that lost power at 1 s.
  World data = make_world({TalkPlan{NodeId{1}, 1, 1, Duration::ms(1), Duration::s(2)}, TalkPlan{}}, fixed(Duration::ms(1)), tcp);
  data.schedule_fault(TimePoint::origin() + Duration::s(1), PowerLossFault{NodeId{1}});
  run_to(data, Duration::s(60));
  const auto timed_out = heard_kind(talker(data, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(timed_out.size() == 1);
  CHECK(timed_out[0]->event.reason == CloseReason::kTimedOut);
  CHECK(timed_out[0]->at - TimePoint::origin() >= Duration::s(12));
  CHECK(timed_out[0]->at - TimePoint::origin() < Duration::s(12) + tcp.rto_max);
  CHECK(data.stats().segments_retransmitted >= 4);

  // An idle connection to the dead host: open for good without keepalive...
  World idle = make_world({TalkPlan{NodeId{1}, 1, 0}, TalkPlan{}}, fixed(Duration::ms(1)), tcp);
  idle.schedule_fault(TimePoint::origin() + Duration::s(1), PowerLossFault{NodeId{1}});
  run_to(idle, Duration::s(60));
  CHECK(heard_kind(talker(idle, 0), ConnectionEvent::Kind::kClosed).empty());
  // ... closed after idle + probes x interval with it.
  TalkPlan probing{NodeId{1}, 1, 0};
  probing.keepalive = true;
  World alive = make_world({probing, TalkPlan{}}, fixed(Duration::ms(1)), tcp);
  alive.schedule_fault(TimePoint::origin() + Duration::s(1), PowerLossFault{NodeId{1}});
  run_to(alive, Duration::s(60));
  const auto dead = heard_kind(talker(alive, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0]->event.reason == CloseReason::kTimedOut);
  // Idle from the SYN-ACK at 2 ms: probes at 5, 6 and 7 s after it, closed at 8 s.
  CHECK(dead[0]->at - TimePoint::origin() == Duration::ms(2) + Duration::s(5) + Duration::s(3));
}

TEST_CASE("a partition shorter than the timeout delays delivery, a longer one closes the sender") {
  TcpConfig tcp;
  tcp.user_timeout = Duration::s(10);
  const PartitionFault cut{partition_shapes::split({{NodeId{0}}, {NodeId{1}}}), "split"};
  World brief = make_world({TalkPlan{NodeId{1}, 1, 100, Duration::ms(50), Duration::s(1)}, TalkPlan{}},
                           fixed(Duration::ms(1)), tcp);
  brief.schedule_fault(TimePoint::origin() + Duration::s(2), cut);
  brief.schedule_fault(TimePoint::origin() + Duration::s(5), HealFault{});
  run_to(brief, Duration::s(60));
  const Talker& b = talker(brief, 1);
  REQUIRE(b.received.size() == 100);
  for (uint64_t i = 0; i < 100; ++i) CHECK(b.received[i].n == i);
  // What was sent during the cut arrived after the heal, in one burst.
  CHECK(b.received[25].at - TimePoint::origin() >= Duration::s(5));
  CHECK(heard_kind(talker(brief, 0), ConnectionEvent::Kind::kClosed).empty());

  World long_cut = make_world({TalkPlan{NodeId{1}, 1, 100, Duration::ms(50), Duration::s(1)}, TalkPlan{}},
                              fixed(Duration::ms(1)), tcp);
  long_cut.schedule_fault(TimePoint::origin() + Duration::s(2), cut);
  long_cut.schedule_fault(TimePoint::origin() + Duration::s(40), HealFault{});
  run_to(long_cut, Duration::s(60));
  const auto closed = heard_kind(talker(long_cut, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0]->event.reason == CloseReason::kTimedOut);
  CHECK(talker(long_cut, 1).received.size() < 100);
}

TEST_CASE("a cut way back: the data gets through, the sender's end times out unacknowledged") {
  TcpConfig tcp;
  tcp.user_timeout = Duration::s(10);
  World world = make_world({TalkPlan{NodeId{1}, 1, 1, Duration::ms(1), Duration::s(2)}, TalkPlan{}}, fixed(Duration::ms(1)), tcp);
  world.schedule_fault(TimePoint::origin() + Duration::s(1), PartitionFault{partition_shapes::one_way({NodeId{1}}, {NodeId{0}}), "one_way"});
  run_to(world, Duration::s(30));
  CHECK(talker(world, 1).received.size() == 1);
  const auto closed = heard_kind(talker(world, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0]->event.reason == CloseReason::kTimedOut);
  CHECK(closed[0]->at - TimePoint::origin() == Duration::s(12) + Duration::ms(1));
  // Healed before the timeout: nothing closes.
  World healed = make_world({TalkPlan{NodeId{1}, 1, 1, Duration::ms(1), Duration::s(2)}, TalkPlan{}}, fixed(Duration::ms(1)), tcp);
  healed.schedule_fault(TimePoint::origin() + Duration::s(1), PartitionFault{partition_shapes::one_way({NodeId{1}}, {NodeId{0}}), "one_way"});
  healed.schedule_fault(TimePoint::origin() + Duration::s(5), HealFault{});
  run_to(healed, Duration::s(30));
  CHECK(heard_kind(talker(healed, 0), ConnectionEvent::Kind::kClosed).empty());
}

// Linux completes a handshake only when a SYN-ACK gets back: across a cut
// way back the acceptor's process accepts nothing and the initiator's SYN
// is retransmitted (1, 3, 7 s ...) until the heal or the SYN retries end.
// Until stop 34 the engine took the cut SYN-ACK as one lost segment: the
// connection came up a second later, partition or not.
TEST_CASE("a connection request across a cut way back completes no handshake until the heal") {
  const PartitionFault cut_back{partition_shapes::one_way({NodeId{1}}, {NodeId{0}}), "one_way"};
  World healed = make_world({TalkPlan{NodeId{1}, 1, 1, Duration::ms(1), Duration::ms(100)}, TalkPlan{}}, fixed(Duration::ms(1)));
  healed.schedule_fault(TimePoint::origin(), cut_back);
  healed.schedule_fault(TimePoint::origin() + Duration::s(5), HealFault{});
  run_to(healed, Duration::s(30));
  const auto up = heard_kind(talker(healed, 0), ConnectionEvent::Kind::kEstablished);
  const auto accepted = heard_kind(talker(healed, 1), ConnectionEvent::Kind::kAccepted);
  REQUIRE(up.size() == 1);
  REQUIRE(accepted.size() == 1);
  // The SYN retransmitted at 7 s is the first to find the way back open.
  CHECK(accepted[0]->at - TimePoint::origin() == Duration::s(7) + Duration::ms(1));
  CHECK(up[0]->at - TimePoint::origin() == Duration::s(7) + Duration::ms(2));
  CHECK(talker(healed, 1).received.size() == 1);
  CHECK(heard_kind(talker(healed, 0), ConnectionEvent::Kind::kClosed).empty());

  World cut = make_world({TalkPlan{NodeId{1}, 1, 1, Duration::ms(1), Duration::ms(100)}, TalkPlan{}}, fixed(Duration::ms(1)));
  cut.schedule_fault(TimePoint::origin(), cut_back);
  run_to(cut, Duration::s(200));
  CHECK(heard_kind(talker(cut, 0), ConnectionEvent::Kind::kEstablished).empty());
  CHECK(talker(cut, 1).heard.empty());
  CHECK(talker(cut, 1).received.empty());
  const auto timed_out = heard_kind(talker(cut, 0), ConnectionEvent::Kind::kClosed);
  REQUIRE(timed_out.size() == 1);
  CHECK(timed_out[0]->event.reason == CloseReason::kTimedOut);
  CHECK(timed_out[0]->at - TimePoint::origin() >= Duration::s(127));
}

// tcp_close in SYN_SENT: the connect is abandoned at once, its SYN no
// longer retransmitted, what was queued behind it never sent. Until stop 34
// the engine sent a FIN behind the SYN, so a connect given up during a
// partition reached the peer, with its messages, after the heal.
TEST_CASE("a connection closed before its handshake completes never reaches the peer") {
  // The talker connects at 0 and sends at 100 ms; s1 cannot reach s2 until 5 s.
  struct Quitter final : public ActorOf<Quitter> {
    void on_start(Context& ctx, const DiskImage&) override {
      connection = ctx.connect(NodeId{1});
      ctx.send(connection, make_message(Numbered{0, 0}));
      ctx.set_timer({1, 0}, Duration::s(2));
    }
    void on_message(Context&, NodeId, ConnectionId, const Message&) override {}
    void on_connection(Context&, const ConnectionEvent& event) override { heard.push_back(event); }
    void on_timer(Context& ctx, TimerKey) override { ctx.close(connection); }
    void on_disk(Context&, const DiskCompletion&) override {}
    nlohmann::json describe() const override { return {}; }
    bool operator==(const Quitter&) const = default;
    void hash_into(Hasher& h) const { h.add(static_cast<uint64_t>(heard.size())); }
    ConnectionId connection;
    std::vector<ConnectionEvent> heard;
  };
  for (const bool crash : {false, true}) {
    CAPTURE(crash);
    WorldConfig config;
    config.seed = 7;
    config.link = fixed(Duration::ms(1));
    config.node_names = {"n1", "n2"};
    World world(config, [](NodeId id) -> std::unique_ptr<Actor> {
      if (id.index == 0) return std::make_unique<Quitter>();
      return std::make_unique<Talker>(TalkPlan{});
    });
    world.schedule_fault(TimePoint::origin(), PartitionFault{partition_shapes::one_way({NodeId{0}}, {NodeId{1}}), "one_way"});
    // Given up at 2 s: by the process (close) or with it (a crash, host up).
    if (crash) world.schedule_fault(TimePoint::origin() + Duration::s(2), CrashFault{NodeId{0}});
    world.schedule_fault(TimePoint::origin() + Duration::s(5), HealFault{});
    run_to(world, Duration::s(200));
    CHECK(talker(world, 1).heard.empty());
    CHECK(talker(world, 1).received.empty());
    if (crash) continue;  // a crashed process has no actor
    const Quitter* quitter = world.actor_as<Quitter>(NodeId{0});
    REQUIRE(quitter != nullptr);
    CHECK(quitter->heard.empty());
  }
}

// tcp_orphan_retries: a socket its process closed retransmits its data 8
// times (about 102.2 s with a 200 ms RTO floor), not tcp_retries2's 15
// (924.6 s), then drops it silently. Until stop 35 a closed connection's
// message could reach the peer up to 15 minutes late.
TEST_CASE("a closed connection's unacknowledged data is dropped after the orphan timeout, an open one's is not") {
  // Sends one message at 100 ms; closes the connection at 1 s when told to.
  struct Closer final : public ActorOf<Closer> {
    explicit Closer(bool closes) : close_it(closes) {}
    void on_start(Context& ctx, const DiskImage&) override {
      connection = ctx.connect(NodeId{1});
      ctx.set_timer({1, 0}, Duration::ms(100));
    }
    void on_message(Context&, NodeId, ConnectionId, const Message&) override {}
    void on_connection(Context&, const ConnectionEvent&) override {}
    void on_timer(Context& ctx, TimerKey key) override {
      if (key.kind == 2) return ctx.close(connection);
      ctx.send(connection, make_message(Numbered{0, 0}));
      if (close_it) ctx.set_timer({2, 0}, Duration::ms(900));
    }
    void on_disk(Context&, const DiskCompletion&) override {}
    nlohmann::json describe() const override { return {}; }
    bool operator==(const Closer&) const = default;
    void hash_into(Hasher& h) const { h.add(connection.value); }
    bool close_it = false;
    ConnectionId connection;
  };
  // The message's retransmissions: 0.3, 0.7, 1.5 ... 51.1 s, then 102.3 s,
  // past the orphan's 102.2 s.
  const auto delivered = [](bool close_it, Duration heal_at) {
    WorldConfig config;
    config.seed = 7;
    config.link = fixed(Duration::ms(1));
    config.node_names = {"n1", "n2"};
    World world(config, [close_it](NodeId id) -> std::unique_ptr<Actor> {
      if (id.index == 0) return std::make_unique<Closer>(close_it);
      return std::make_unique<Talker>(TalkPlan{});
    });
    world.schedule_fault(TimePoint::origin() + Duration::ms(50),
                         PartitionFault{partition_shapes::one_way({NodeId{0}}, {NodeId{1}}), "one_way"});
    world.schedule_fault(TimePoint::origin() + heal_at, HealFault{});
    run_to(world, Duration::s(300));
    return talker(world, 1).received.size();
  };
  CHECK(delivered(true, Duration::s(40)) == 1);   // retransmitted at 51.1 s
  CHECK(delivered(true, Duration::s(60)) == 0);   // the next try would be past the orphan timeout
  CHECK(delivered(false, Duration::s(60)) == 1);  // an open end keeps trying
}

TEST_CASE("a paused process hears its connections' messages and events when it resumes, in order") {
  World world = make_world({TalkPlan{NodeId{1}, 1, 20, Duration::ms(10), Duration::ms(100)}, TalkPlan{}}, fixed(Duration::ms(1)));
  world.schedule_fault(TimePoint::origin(), PauseFault{NodeId{1}});
  world.schedule_fault(TimePoint::origin() + Duration::s(2), ResumeFault{NodeId{1}});
  run_to(world, Duration::s(5));
  const Talker& b = talker(world, 1);
  REQUIRE(b.heard.size() == 1);
  CHECK(b.heard[0].event.kind == ConnectionEvent::Kind::kAccepted);
  CHECK(b.heard[0].at - TimePoint::origin() == Duration::s(2));
  REQUIRE(b.received.size() == 20);
  for (uint64_t i = 0; i < 20; ++i) CHECK(b.received[i].n == i);
  // The sender's connection came up without waiting for the resume: the kernel answers.
  const auto up = heard_kind(talker(world, 0), ConnectionEvent::Kind::kEstablished);
  REQUIRE(up.size() == 1);
  CHECK(up[0]->at - TimePoint::origin() == Duration::ms(2));
}

TEST_CASE("worlds with connections copy, compare and continue identically, and runs repeat") {
  LinkConfig lossy = fixed(Duration::ms(1));
  lossy.loss = 0.2;
  const auto make = [&] { return make_world({TalkPlan{NodeId{1}, 2, 300}, TalkPlan{NodeId{0}, 1, 300}}, lossy); };
  World world = make();
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::ms(150), chooser);
  REQUIRE_FALSE(world.connections().empty());
  World copy = world;
  CHECK(copy.fingerprint() == world.fingerprint());
  CHECK(copy.same_state(world));
  world.run_until(TimePoint::origin() + Duration::s(20), chooser);
  RandomChooser other;
  copy.run_until(TimePoint::origin() + Duration::s(20), other);
  CHECK(copy.trace_hash() == world.trace_hash());
  World again = make();
  again.run_until(TimePoint::origin() + Duration::s(20), chooser);
  CHECK(again.trace_hash() == world.trace_hash());
}

namespace {

// Chooses the last of the tied events (the queue's own order chooses the first).
class LastTieChooser final : public Chooser {
 public:
  size_t next_event(std::span<const EventChoice> ready) override { return ready.size() - 1; }
  bool chance(Rng& stream, ChoiceKind kind, double p) override { return random_.chance(stream, kind, p); }
  Duration delay(Rng& stream, ChoiceKind kind, const Distribution& d) override { return random_.delay(stream, kind, d); }
  size_t pick(Rng& stream, ChoiceKind kind, size_t count) override { return random_.pick(stream, kind, count); }

 private:
  RandomChooser random_;
};

}  // namespace

TEST_CASE("a chooser races connections' heads, never a connection's own messages") {
  // One message a millisecond on each of two connections over fixed 1 ms
  // links: the heads arrive at the same instants, and a chooser that always
  // takes the last tied event still delivers each connection in order.
  World world = make_world({TalkPlan{NodeId{1}, 2, 50, Duration::ms(1), Duration::ms(10)}, TalkPlan{}}, fixed(Duration::ms(1)));
  LastTieChooser chooser;
  world.run_until(TimePoint::origin() + Duration::s(2), chooser);
  const Talker& b = talker(world, 1);
  REQUIRE(b.received.size() == 100);
  std::map<uint64_t, uint64_t> next;
  bool interleaved = false;
  for (size_t i = 0; i < b.received.size(); ++i) {
    CHECK(b.received[i].n == next[b.received[i].connection]++);
    interleaved |= i > 0 && b.received[i].connection != b.received[i - 1].connection;
  }
  CHECK(interleaved);
}

// World::drop_stale_events asks only the events of the connections a step
// used, and of the timer keys it replaced or cancelled, since the last
// drop; a fingerprint right after a drop asks none. Connections exercise
// every kind of event that can go stale: superseded segments and
// acknowledgement checks (loss, cuts), keepalives, events the kernel took
// for a paused process, and a dead process's events. Timers a process
// supersedes are test_world.cpp's, and the register's and FastCFS's in
// test_explore.cpp's drop test.
TEST_CASE("a world that drops its stale events after every step keeps exactly the events that asking all of them keeps") {
  const TcpConfig tcp = timing_out_tcp(Duration::s(2), Duration::s(1), Duration::ms(500), 2);
  LinkConfig lossy = fixed(Duration::ms(1));
  lossy.loss = 0.1;
  TalkPlan first{NodeId{1}, 2, 200, Duration::ms(20), Duration::ms(50)};
  TalkPlan second{};
  TalkPlan third{NodeId{0}, 1, 100, Duration::ms(40), Duration::ms(60)};
  for (TalkPlan* plan : {&first, &second, &third}) plan->keepalive = true;
  World kept = make_world({first, second, third}, lossy, tcp);
  const auto at = [](int64_t ms) { return TimePoint::origin() + Duration::ms(ms); };
  kept.schedule_fault(at(1'000), PartitionFault{partition_shapes::split({{NodeId{0}}, {NodeId{1}, NodeId{2}}}), "split"});
  kept.schedule_fault(at(1'500), HealFault{});
  kept.schedule_fault(at(2'000), PartitionFault{partition_shapes::one_way({NodeId{1}}, {NodeId{0}}), "one_way"});
  kept.schedule_fault(at(5'000), HealFault{});
  kept.schedule_fault(at(5'500), PauseFault{NodeId{1}});
  kept.schedule_fault(at(6'500), ResumeFault{NodeId{1}});
  kept.schedule_fault(at(7'000), CrashFault{NodeId{2}});
  kept.schedule_fault(at(7'500), RestartFault{NodeId{2}});
  kept.schedule_fault(at(8'000), PowerLossFault{NodeId{1}});
  kept.schedule_fault(at(8'200), RestartFault{NodeId{1}});
  // Seed 7: 1,278 steps, 39 events dropped, 125 segments retransmitted,
  // two connections timed out and two reset.
  CHECK(dropped_stepping_beside(kept, at(12'000)) > 20);
  CHECK(kept.stats().segments_retransmitted > 0);
  CHECK(kept.stats().connections_timed_out > 0);
  CHECK(kept.stats().connections_reset > 0);
}

// A crashed process's host still sends its FIN; cut off, the FIN is given
// up on, and the dead end is told so in a step, not a fault: an event stale
// from its birth, which the next drop must ask (review finding, stop 46).
// The first version of the records missed it, and this test failed there
// (the dropping world's fingerprint differed, the dead end's event kept).
TEST_CASE("a drop asks the events a step tells a dead process's end, stale as they are pushed") {
  const TcpConfig tcp = timing_out_tcp(Duration::s(2), Duration::s(1), Duration::ms(500), 2);
  TalkPlan first{NodeId{1}, 2, 400, Duration::ms(10), Duration::ms(50)};
  TalkPlan second{NodeId{0}, 1, 400, Duration::ms(10), Duration::ms(60)};
  World kept = make_world({first, second}, fixed(Duration::ms(1)), tcp);
  const auto at = [](int64_t ms) { return TimePoint::origin() + Duration::ms(ms); };
  kept.schedule_fault(at(1'000), PartitionFault{partition_shapes::split({{NodeId{0}}, {NodeId{1}}}), "split"});
  kept.schedule_fault(at(1'100), CrashFault{NodeId{0}});
  kept.schedule_fault(at(9'000), HealFault{});
  kept.schedule_fault(at(9'500), RestartFault{NodeId{0}});
  CHECK(dropped_stepping_beside(kept, at(12'000)) > 0);
  CHECK(kept.stats().connections_timed_out > 0);
}
