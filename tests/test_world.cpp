#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "base/copy_on_write.h"
#include "base/fifo.h"
#include "base/flat_map.h"
#include "base/hashed_part.h"
#include "model/example/register_system.h"
#include "sim/world.h"
#include "tests/probe_actor.h"
#include "tests/stale_drop_check.h"

using namespace replsim;
using namespace replsim::testing;

namespace {

LinkConfig fixed_latency(Duration d) {
  LinkConfig link;
  link.latency = Distribution::fixed(d);
  return link;
}

void run_to_end(World& world, Chooser& chooser) {
  while (world.step(chooser) != nullptr) {
  }
}

// Picks the last of any tie: the opposite of the queue's own order.
class LastTieChooser final : public Chooser {
 public:
  size_t next_event(std::span<const EventChoice> ready) override {
    ++ties_seen;
    return ready.size() - 1;
  }
  bool chance(Rng& stream, ChoiceKind kind, double p) override { return random.chance(stream, kind, p); }
  Duration delay(Rng& stream, ChoiceKind kind, const Distribution& d) override { return random.delay(stream, kind, d); }
  size_t pick(Rng& stream, ChoiceKind kind, size_t count) override { return random.pick(stream, kind, count); }
  int ties_seen = 0;
  RandomChooser random;
};

// Answers every yes/no question with yes and counts the questions by kind.
class AlwaysYesChooser final : public Chooser {
 public:
  size_t next_event(std::span<const EventChoice>) override { return 0; }
  bool chance(Rng&, ChoiceKind kind, double) override {
    ++asked[kind];
    return true;
  }
  Duration delay(Rng&, ChoiceKind kind, const Distribution& d) override {
    ++asked[kind];
    return d.lowest();
  }
  size_t pick(Rng&, ChoiceKind kind, size_t) override {
    ++asked[kind];
    return 0;
  }
  std::map<ChoiceKind, int> asked;
};

}  // namespace

TEST_CASE("events at the same time are delivered in the order they were scheduled") {
  World world = make_probe_world(2, {ProbePlan{{NodeId{1}}, 50, Duration::zero()}}, fixed_latency(Duration::ms(1)));
  RandomChooser chooser;
  std::vector<uint64_t> times;
  world.run_until(TimePoint::origin() + Duration::s(1), chooser, [&](const StepRecord& r) {
    if (r.kind == EventKind::kMessage) times.push_back(static_cast<uint64_t>(r.time.ns_since_origin()));
  });
  const auto& got = probe(world, 1).received();
  REQUIRE(got.size() == 50);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == i);
  CHECK(std::all_of(times.begin(), times.end(), [](uint64_t t) { return t == 1'000'000; }));
}

TEST_CASE("the chooser decides among tied events, and every draw goes through it") {
  World world = make_probe_world(2, {ProbePlan{{NodeId{1}}, 10, Duration::zero()}}, fixed_latency(Duration::ms(1)));
  LastTieChooser last;
  run_to_end(world, last);
  const auto& got = probe(world, 1).received();
  REQUIRE(got.size() == 10);
  CHECK(got.front().seq == 9);  // the latest-scheduled tie went first
  CHECK(last.ties_seen > 0);

  // Loss is 0 in the config, yet a chooser that says "yes" to every chance
  // drops every message: the decision is the chooser's, not a hidden draw.
  World lossy = make_probe_world(2, {ProbePlan{{NodeId{1}}, 10, Duration::zero()}});
  AlwaysYesChooser yes;
  run_to_end(lossy, yes);
  CHECK(probe(lossy, 1).received().empty());
  CHECK(yes.asked[ChoiceKind::kMessageLoss] == 10);
  CHECK(yes.asked[ChoiceKind::kDiskLatency] > 0);
}

TEST_CASE("timer slack fires a timer late by a draw from its node's timer stream, and only when set") {
  const Distribution slack = Distribution::uniform(Duration::zero(), Duration::ms(30));
  const auto questions = [](std::optional<Distribution> timer_slack) {
    World world = make_probe_world(1, {ProbePlan{{}, 0, Duration::ms(100)}});
    world.set_timer_slack(std::move(timer_slack));
    AlwaysYesChooser counting;
    run_to_end(world, counting);
    return counting.asked[ChoiceKind::kTimerSlack];
  };
  CHECK(questions(std::nullopt) == 0);
  CHECK(questions(slack) == 1);  // one timer, one question

  const auto fired_ns = [](std::optional<Distribution> timer_slack, uint64_t seed) {
    World world = make_probe_world(1, {ProbePlan{{}, 0, Duration::ms(100)}}, {}, seed);
    world.set_timer_slack(std::move(timer_slack));
    RandomChooser random;
    run_to_end(world, random);
    REQUIRE(probe(world, 0).timer_fired_local_ns().size() == 1);
    return probe(world, 0).timer_fired_local_ns().front();
  };
  std::set<int64_t> seen;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    CHECK(fired_ns(std::nullopt, seed) == Duration::ms(100).count_ns());
    const int64_t late = fired_ns(slack, seed);
    CHECK(late >= Duration::ms(100).count_ns());
    CHECK(late <= Duration::ms(130).count_ns());
    CHECK(fired_ns(slack, seed) == late);
    seen.insert(late);
  }
  CHECK(seen.size() > 10);
}

TEST_CASE("a paused node gets nothing until it resumes, then everything in order") {
  World world = make_probe_world(2, {ProbePlan{{NodeId{1}}, 20, Duration::zero()}, ProbePlan{{}, 0, Duration::ms(5)}},
                                 fixed_latency(Duration::ms(1)));
  world.schedule_fault(TimePoint::origin() + Duration::us(1), PauseFault{NodeId{1}});
  world.schedule_fault(TimePoint::origin() + Duration::ms(100), ResumeFault{NodeId{1}});
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::ms(99), chooser);
  CHECK(world.node_status(NodeId{1}) == NodeStatus::kPaused);
  CHECK(probe(world, 1).received().empty());
  CHECK(probe(world, 1).timer_fired_local_ns().empty());
  std::vector<TimePoint> timer_times;
  world.run_until(TimePoint::origin() + Duration::s(1), chooser, [&](const StepRecord& r) {
    if (r.kind == EventKind::kTimer && r.outcome == StepOutcome::kDelivered) timer_times.push_back(r.time);
  });
  const auto& got = probe(world, 1).received();
  REQUIRE(got.size() == 20);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == i);
  CHECK(timer_times == std::vector<TimePoint>{TimePoint::origin() + Duration::ms(100)});
}

TEST_CASE("a crashed node drops messages and timers, and a restart rebuilds it from its disk") {
  World world = make_probe_world(2, {ProbePlan{}, ProbePlan{{}, 0, Duration::ms(50)}}, fixed_latency(Duration::ms(1)));
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::ms(10), chooser);  // n2 booted and fsynced its boot record
  world.apply_fault(CrashFault{NodeId{1}}, chooser);
  CHECK(world.actor(NodeId{1}) == nullptr);
  const uint32_t incarnation = world.incarnation(NodeId{1});
  world.run_until(TimePoint::origin() + Duration::ms(100), chooser);
  CHECK(world.stats().timers_fired == 0);  // the 50 ms timer died with the process

  world.schedule_fault(world.now(), RestartFault{NodeId{1}});
  world.run_until(TimePoint::origin() + Duration::ms(200), chooser);
  CHECK(world.incarnation(NodeId{1}) == incarnation);
  CHECK(world.node_status(NodeId{1}) == NodeStatus::kUp);
  CHECK(probe(world, 1).boots_seen_on_disk() == 1);
  CHECK(probe(world, 1).timer_fired_local_ns().size() == 1);  // the new process's own timer

  world.apply_fault(PowerLossFault{NodeId{1}}, chooser);
  world.apply_fault(RestartFault{NodeId{1}}, chooser);
  world.run_until(TimePoint::origin() + Duration::ms(300), chooser);
  CHECK(probe(world, 1).boots_seen_on_disk() == 2);  // both boot records were fsynced
}

TEST_CASE("messages to a crashed node are dropped and counted") {
  World world = make_probe_world(2, {ProbePlan{{NodeId{1}}, 5, Duration::zero()}}, fixed_latency(Duration::ms(1)));
  world.schedule_fault(TimePoint::origin() + Duration::us(10), CrashFault{NodeId{1}});
  RandomChooser chooser;
  run_to_end(world, chooser);
  CHECK(world.stats().messages_to_down_node == 5);
}

TEST_CASE("a copied world is the same state and continues identically") {
  example::RegisterSystemConfig config;
  config.workload.think_time = Duration::ms(5);
  World world = example::make_register_world(config, 9);
  // Faults before and after the copy: a crash and restart, a one-way cut,
  // a backup's power loss, a lossy and duplicating network.
  world.schedule_fault(TimePoint::origin() + Duration::s(2), CrashFault{NodeId{2}});
  world.schedule_fault(TimePoint::origin() + Duration::s(4), RestartFault{NodeId{2}});
  world.schedule_fault(TimePoint::origin() + Duration::s(5), PartitionFault{partition_shapes::one_way({NodeId{0}}, {NodeId{1}}), "one_way"});
  world.schedule_fault(TimePoint::origin() + Duration::s(6), HealFault{});
  world.schedule_fault(TimePoint::origin() + Duration::s(7), PowerLossFault{NodeId{1}});
  world.schedule_fault(TimePoint::origin() + Duration::s(8), RestartFault{NodeId{1}});
  LinkConfig lossy;
  lossy.loss = 0.2;
  lossy.duplicate = 0.1;
  std::vector<DirectedPair> all_links;
  for (uint32_t a = 0; a < world.node_count(); ++a) {
    for (uint32_t b = 0; b < world.node_count(); ++b) all_links.push_back({{a}, {b}});
  }
  world.schedule_fault(TimePoint::origin() + Duration::s(9), LinkFault{all_links, lossy});
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::ms(4500), chooser);

  World copy = world;
  CHECK(copy.fingerprint() == world.fingerprint());
  CHECK(copy.same_state(world));
  for (uint32_t i = 0; i < world.node_count(); ++i) {
    const Actor* a = world.actor({i});
    const Actor* b = copy.actor({i});
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a == nullptr) continue;
    CHECK(a->equals(*b));
    CHECK(a->fingerprint() == b->fingerprint());
    CHECK(a->clone()->fingerprint() == a->fingerprint());
  }

  world.run_until(TimePoint::origin() + Duration::s(12), chooser);
  RandomChooser other_chooser;
  copy.run_until(TimePoint::origin() + Duration::s(12), other_chooser);
  CHECK(copy.trace_hash() == world.trace_hash());
  CHECK(copy.fingerprint() == world.fingerprint());
  CHECK(copy.same_state(world));

  copy.step(chooser);
  CHECK(copy.fingerprint() != world.fingerprint());
  CHECK_FALSE(copy.same_state(world));
}

TEST_CASE("a value shared by copies is cloned by the first change, and the other holders keep theirs") {
  CopyOnWrite<std::vector<int>> a(std::vector<int>{1, 2});
  const CopyOnWrite<std::vector<int>> b = a;
  CHECK(&*a == &*b);  // shared: the copy cost a reference count
  a.write().push_back(3);
  CHECK(&*a != &*b);
  CHECK(*a == std::vector<int>{1, 2, 3});
  CHECK(*b == std::vector<int>{1, 2});
  const int* before = &(*a)[0];
  a.write().front() = 7;  // its own now: changed in place
  CHECK(&(*a)[0] == before);
  CHECK(*a == std::vector<int>{7, 2, 3});
}

namespace {
// A value that counts how often it is hashed.
struct CountedValue {
  std::vector<int> items;
  static inline int hashed = 0;
  bool operator==(const CountedValue&) const = default;
  void hash_into(Hasher& h) const {
    ++hashed;
    for (int i : items) h.add(static_cast<uint64_t>(i));
  }
};

uint64_t hash_of(const HashedPart<CountedValue>& part) {
  Hasher h;
  part.hash_into(h);
  return h.value();
}
}  // namespace

TEST_CASE("a hashed part is shared by copies until one writes it, and keeps its hash until then") {
  HashedPart<CountedValue> a(CountedValue{{1, 2}});
  const uint64_t before = hash_of(a);
  const HashedPart<CountedValue> b = a;
  CHECK(&*a == &*b);
  CHECK(a == b);
  CountedValue::hashed = 0;
  CHECK(hash_of(a) == before);
  CHECK(hash_of(b) == before);
#ifdef NDEBUG
  CHECK(CountedValue::hashed == 0);  // kept, and carried by the copy (Debug builds always hash, to check it)
#endif
  a.write().items.push_back(3);
  CHECK(&*a != &*b);
  CHECK(!(a == b));
  CHECK(hash_of(a) != before);  // the write forgot the kept hash
  CHECK(hash_of(b) == before);
  CHECK(b->items == std::vector<int>{1, 2});
  // Equal values held apart compare and hash alike.
  const HashedPart<CountedValue> c(CountedValue{{1, 2}});
  CHECK(c == b);
  CHECK(hash_of(c) == before);
}

TEST_CASE("a fifo keeps its order through pops and pushes, and a copy holds and compares by its live items") {
  Fifo<int> queue;
  std::deque<int> model;  // what it must behave as
  for (int i = 0; i < 1000; ++i) {
    queue.push_back(i);
    model.push_back(i);
    if (i % 3 != 0) {
      REQUIRE(queue.front() == model.front());
      queue.pop_front();
      model.pop_front();
    }
    REQUIRE(queue.size() == model.size());
    REQUIRE(queue.back() == model.back());
  }
  const Fifo<int> copy = queue;
  CHECK(std::equal(copy.begin(), copy.end(), model.begin(), model.end()));
  CHECK(copy == queue);
  queue.pop_front();
  CHECK_FALSE(copy == queue);
  while (!queue.empty()) queue.pop_front();
  CHECK(queue.size() == 0);
  CHECK(queue == Fifo<int>());
}

TEST_CASE("a flat map answers as a std::map through random inserts, erases and lookups, and iterates in key order") {
  FlatMap<uint32_t, uint64_t> map;
  std::map<uint32_t, uint64_t> model;  // what it must behave as
  Rng rng(5, "flat map");
  for (uint64_t i = 0; i < 20'000; ++i) {
    const auto key = static_cast<uint32_t>(rng.below(64));
    switch (rng.below(4)) {
      case 0:
      case 1:
        map[key] = i;
        model[key] = i;
        break;
      case 2: REQUIRE(map.erase(key) == model.erase(key)); break;
      default: {
        const auto it = map.find(key);
        REQUIRE((it != map.end()) == model.contains(key));
        if (it != map.end()) REQUIRE(it->second == model.at(key));
      }
    }
    REQUIRE(map.size() == model.size());
  }
  CHECK(std::equal(map.begin(), map.end(), model.begin(), model.end(),
                   [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; }));
  const FlatMap<uint32_t, uint64_t> copy = map;
  CHECK(copy == map);
  const size_t odd = erase_if(map, [](const auto& entry) { return entry.first % 2 == 1; });
  CHECK(odd == static_cast<size_t>(std::count_if(model.begin(), model.end(), [](const auto& e) { return e.first % 2 == 1; })));
  CHECK(std::all_of(map.begin(), map.end(), [](const auto& entry) { return entry.first % 2 == 0; }));
  CHECK_FALSE(copy == map);
}

TEST_CASE("the event queue pops in time and sequence order through pushes, pops, removals (few and many) and copies") {
  // Each event carries a payload naming its sequence: copies share pending
  // events, and one that pops a shared event must leave it whole for the
  // others.
  EventQueue queue;
  std::set<std::pair<int64_t, uint64_t>> model;  // (time, sequence) of what is pending
  Rng rng(6, "event queue");
  uint64_t sequence = 0;
  std::array<int, 2> removals_by_many{};  // removals of 1 to 4 events, and of more
  const auto push = [&](EventQueue& q, std::set<std::pair<int64_t, uint64_t>>& m) {
    Event e;
    e.time = TimePoint::origin() + Duration::ns(static_cast<int64_t>(rng.below(50)));
    e.sequence = sequence++;
    e.fault = std::make_shared<const Fault>(CrashFault{NodeId{static_cast<uint32_t>(e.sequence)}});
    m.insert({e.time.ns_since_origin(), e.sequence});
    q.push(std::move(e));
  };
  const auto pop = [](EventQueue& q, std::set<std::pair<int64_t, uint64_t>>& m) {
    const Event e = q.pop();
    REQUIRE(std::pair{e.time.ns_since_origin(), e.sequence} == *m.begin());
    REQUIRE(e.fault != nullptr);
    REQUIRE(std::get<CrashFault>(*e.fault).node.index == e.sequence);
    m.erase(m.begin());
  };
  for (int i = 0; i < 5'000; ++i) {
    const uint64_t draw = rng.below(10);
    if (draw < 5 || model.empty()) {
      push(queue, model);
    } else if (draw < 9) {
      pop(queue, model);
    } else {
      // Every n-th sequence: few go (one at a time) or many (a repack).
      const uint64_t n = 2 + rng.below(12);
      const uint64_t r = rng.below(n);
      const size_t went = queue.remove_if([&](const Event& e) { return e.sequence % n == r; });
      REQUIRE(went == static_cast<size_t>(std::erase_if(model, [&](const auto& k) { return k.second % n == r; })));
      if (went > 0) ++removals_by_many[went > 4 ? 1 : 0];
    }
    REQUIRE(queue.size() == model.size());
    if (i % 500 == 0) {  // a copy goes on as the original, and alone
      EventQueue copy = queue;
      auto copy_model = model;
      for (int j = 0; j < 20; ++j) push(copy, copy_model);
      // Removals from the copy, few and many, take events it shares.
      for (const uint64_t n : {uint64_t{40}, uint64_t{3}}) {
        const size_t went = copy.remove_if([&](const Event& e) { return e.sequence % n == 1; });
        REQUIRE(went == static_cast<size_t>(std::erase_if(copy_model, [&](const auto& k) { return k.second % n == 1; })));
      }
      while (!copy.empty()) pop(copy, copy_model);
      REQUIRE(queue.size() == model.size());
    }
    if (i % 500 == 250) {  // so does a copy assigned over a queue that held other events
      EventQueue assigned;
      std::set<std::pair<int64_t, uint64_t>> discarded;
      for (int j = 0; j < 5; ++j) push(assigned, discarded);
      assigned = queue;
      auto assigned_model = model;
      REQUIRE(assigned.size() == model.size());
      for (int j = 0; j < 20; ++j) push(assigned, assigned_model);
      while (!assigned.empty()) pop(assigned, assigned_model);
      REQUIRE(queue.size() == model.size());
    }
  }
  while (!queue.empty()) pop(queue, model);
  CHECK(model.empty());
  CHECK(removals_by_many[0] > 10);
  CHECK(removals_by_many[1] > 10);
}

TEST_CASE("copies of a world share its nodes until one steps: the others keep their state, fingerprint and future") {
  example::RegisterSystemConfig config;
  config.workload.think_time = Duration::ms(5);
  World world = example::make_register_world(config, 4);
  world.schedule_fault(TimePoint::origin() + Duration::s(1), CrashFault{NodeId{1}});
  world.schedule_fault(TimePoint::origin() + Duration::s(3), RestartFault{NodeId{1}});
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::ms(500), chooser);
  const uint64_t at_copy = world.fingerprint();  // fills every node's kept hash
  World stepped = world;
  World kept = world;
  RandomChooser stepped_chooser;
  stepped.run_until(TimePoint::origin() + Duration::s(5), stepped_chooser);
  CHECK(stepped.fingerprint() != at_copy);
  // The nodes `stepped` changed were cloned first: the world it was copied
  // from is as it was, and so is the copy that has not moved.
  CHECK(world.fingerprint() == at_copy);
  CHECK(kept.same_state(world));
  RandomChooser world_chooser, kept_chooser;
  world.run_until(TimePoint::origin() + Duration::s(5), world_chooser);
  kept.run_until(TimePoint::origin() + Duration::s(5), kept_chooser);
  CHECK(world.trace_hash() == stepped.trace_hash());
  CHECK(kept.trace_hash() == stepped.trace_hash());
  CHECK(kept.fingerprint() == stepped.fingerprint());
  CHECK(world.same_state(stepped));
}

namespace {

// Reads its disk `reads` times at start and keeps one of the ids (the
// first or the last), and draws `nonces` nonces it throws away: its state
// is the kept id alone, what the world hands out next is the world's.
class KeepsOneDiskOp final : public ActorOf<KeepsOneDiskOp> {
 public:
  KeepsOneDiskOp(int reads, bool keep_first, int nonces) : reads_(reads), keep_first_(keep_first), nonces_(nonces) {}
  void on_start(Context& ctx, const DiskImage&) override {
    for (int i = 0; i < reads_; ++i) {
      const DiskOpId id = ctx.disk_read("f");
      if (i == 0 || !keep_first_) kept_ = id;
    }
    for (int i = 0; i < nonces_; ++i) ctx.random_nonce();
  }
  void on_message(Context&, NodeId, ConnectionId, const Message&) override {}
  void on_timer(Context&, TimerKey) override {}
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return kept_.value; }
  bool operator==(const KeepsOneDiskOp& other) const { return kept_ == other.kept_; }
  void hash_into(Hasher& h) const { h.add_disk_op(kept_.value); }

 private:
  int reads_;
  bool keep_first_;
  int nonces_;
  DiskOpId kept_;
};

uint64_t fingerprint_after_start(int reads, bool keep_first, int nonces) {
  WorldConfig config;
  config.node_names = {"n1"};
  World world(config, [=](NodeId) { return std::make_unique<KeepsOneDiskOp>(reads, keep_first, nonces); });
  RandomChooser chooser;
  run_to_end(world, chooser);  // the reads complete: no event is left
  return world.fingerprint();
}

}  // namespace

// The explorer merges states by fingerprint, so one fingerprint must stand
// for one future: what a node hands out next is part of it, as far as an
// actor can tell.
TEST_CASE("a world's fingerprint covers what its nodes hand out next: disk operation ids, relative, and nonces drawn") {
  // The last of 1 or of 3 reads kept: the same state, 0 operations after it.
  CHECK(fingerprint_after_start(1, false, 0) == fingerprint_after_start(3, false, 0));
  // The first read kept, id 1 either way, but 0 or 2 operations issued
  // after it: their next ids differ, and so do the states.
  CHECK(fingerprint_after_start(1, true, 0) != fingerprint_after_start(3, true, 0));
  // A nonce drawn and thrown away moves the node's next nonce.
  CHECK(fingerprint_after_start(1, false, 0) != fingerprint_after_start(1, false, 1));
}

namespace {

// At each tick, replaces, cancels or sets its other timers as its draw
// says (one step may replace a key twice and cancel another), and ticks
// again: timer events go stale in every way a step can make them.
class TimerJuggler final : public ActorOf<TimerJuggler> {
 public:
  void on_start(Context& ctx, const DiskImage&) override { ctx.set_timer(kTick, Duration::ms(10)); }
  void on_message(Context&, NodeId, ConnectionId, const Message&) override {}
  void on_timer(Context& ctx, TimerKey key) override {
    ++fired_;
    if (key != kTick) return;
    const TimerKey other{2, ctx.random_below(3)};
    switch (ctx.random_below(4)) {
      case 0:  // replaced twice in one step
        ctx.set_timer(other, Duration::ms(3));
        ctx.set_timer(other, Duration::ms(5));
        break;
      case 1:  // set, then cancelled in the same step
        ctx.set_timer(other, Duration::ms(4));
        ctx.cancel_timer(other);
        break;
      case 2: ctx.cancel_timer(other); break;
      default: ctx.set_timer(other, Duration::ms(15)); break;
    }
    ctx.set_timer(kTick, Duration::ms(10));
  }
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return fired_; }
  bool operator==(const TimerJuggler& other) const { return fired_ == other.fired_; }
  void hash_into(Hasher& h) const { h.add(fired_); }

 private:
  static constexpr TimerKey kTick{1, 0};
  uint64_t fired_ = 0;
};

}  // namespace

// drop_stale_events asks only the events whose timer key or connection
// changed since the last drop; a world that never dropped asks them all.
TEST_CASE("a world that drops stale timers after every step keeps what asking every event keeps") {
  WorldConfig config;
  config.node_names = {"n1", "n2"};
  World kept(config, [](NodeId) { return std::make_unique<TimerJuggler>(); });
  kept.schedule_fault(TimePoint::origin() + Duration::ms(500), CrashFault{NodeId{1}});
  kept.schedule_fault(TimePoint::origin() + Duration::ms(700), RestartFault{NodeId{1}});
  CHECK(dropped_stepping_beside(kept, TimePoint::origin() + Duration::s(6)) > 50);
}

TEST_CASE("the pending-event bound turns a flood into an assertion failure, not an exhausted machine") {
  // 3 nodes each send 2 x 1000 probes at start: 6000 pending events against
  // a bound of 1000. The assertion aborts, so the flood runs in a child,
  // whose stderr comes back through a pipe: it must be this assertion, not
  // any abort.
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  std::fflush(stdout);  // or the child would print the parent's buffered output again
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    dup2(pipe_fds[1], STDERR_FILENO);
    // The child dies by the abort alone: doctest's crash handler would
    // report a crashed case from the child too.
    std::signal(SIGABRT, SIG_DFL);
    std::freopen("/dev/null", "w", stdout);
    std::vector<ProbePlan> plans(3, ProbePlan{{NodeId{0}, NodeId{1}}, 1000, Duration::zero()});
    WorldConfig config;
    config.node_names = {"n1", "n2", "n3"};
    config.pending_events_max = 1000;
    World world(config, [&](NodeId id) { return std::make_unique<ProbeActor>(plans[id.index]); });
    RandomChooser chooser;
    while (world.step(chooser) != nullptr) {
    }
    std::_Exit(0);  // not reached when the bound holds
  }
  close(pipe_fds[1]);
  std::string stderr_text;
  char buffer[512];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) stderr_text.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CAPTURE(stderr_text);
  CHECK(stderr_text.find("replsim: assertion failed at ") == 0);
  CHECK(stderr_text.find("pending events over the bound: a protocol is flooding the world") != std::string::npos);
}

namespace {

// Answers next_event with a fixed index (and records how many were ready);
// every other question goes to the random chooser, whose streams live in
// the world and so are copied with it.
class ForcedTieChooser final : public Chooser {
 public:
  explicit ForcedTieChooser(size_t index) : index_(index) {}
  size_t next_event(std::span<const EventChoice> ready) override {
    ready_count = ready.size();
    return std::min(index_, ready.size() - 1);
  }
  bool chance(Rng& stream, ChoiceKind kind, double p) override { return random_.chance(stream, kind, p); }
  Duration delay(Rng& stream, ChoiceKind kind, const Distribution& d) override { return random_.delay(stream, kind, d); }
  size_t pick(Rng& stream, ChoiceKind kind, size_t count) override { return random_.pick(stream, kind, count); }
  size_t ready_count = 1;

 private:
  size_t index_;
  RandomChooser random_;
};

}  // namespace

TEST_CASE("an explorer can enumerate every order of simultaneous events by copying worlds") {
  // n1 and n3 each send a probe to n2 over 1 ms links: the probes arrive at
  // the same instant, and so do the three nodes' disk requests. A search
  // that branches on every tie and merges equal states by fingerprint must
  // find exactly the two orders in which n2 can receive the probes.
  const auto make = [] {
    return make_probe_world(3, {ProbePlan{{NodeId{1}}, 1, Duration::zero()}, ProbePlan{},
                                ProbePlan{{NodeId{1}}, 1, Duration::zero()}},
                            fixed_latency(Duration::ms(1)));
  };
  std::vector<World> frontier{make()};
  std::set<uint64_t> seen{frontier.front().fingerprint()};
  std::set<std::vector<uint32_t>> receive_orders;
  size_t branches = 0;
  for (int depth = 0; depth < 100 && !frontier.empty(); ++depth) {
    std::vector<World> next_frontier;
    for (const World& world : frontier) {
      if (world.idle()) {
        std::vector<uint32_t> order;
        for (const auto& r : probe(world, 1).received()) order.push_back(r.from);
        receive_orders.insert(order);
        continue;
      }
      World counting = world;
      ForcedTieChooser counter(0);
      counting.step(counter);
      for (size_t choice = 0; choice < counter.ready_count; ++choice) {
        World branch = world;
        ForcedTieChooser forced(choice);
        branch.step(forced);
        ++branches;
        if (seen.insert(branch.fingerprint()).second) next_frontier.push_back(std::move(branch));
      }
    }
    frontier = std::move(next_frontier);
  }
  CHECK(frontier.empty());
  CHECK(receive_orders == std::set<std::vector<uint32_t>>{{0, 2}, {2, 0}});
  CHECK(branches > seen.size());  // different orders of independent events met in the same state

  // The simulator's own chooser sees one of the two.
  World simulated = make();
  RandomChooser chooser;
  run_to_end(simulated, chooser);
  std::vector<uint32_t> order;
  for (const auto& r : probe(simulated, 1).received()) order.push_back(r.from);
  CHECK(receive_orders.contains(order));
}
