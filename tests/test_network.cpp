#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "sim/world.h"
#include "tests/probe_actor.h"

using namespace replsim;
using namespace replsim::testing;

namespace {

constexpr uint64_t kSends = 100'000;

World sender_and_sink(LinkConfig link, uint64_t seed = 1) {
  return make_probe_world(2, {ProbePlan{{NodeId{1}}, kSends, Duration::zero()}}, std::move(link), seed);
}

void run_to_end(World& world) {
  RandomChooser chooser;
  while (world.step(chooser) != nullptr) {
  }
}

bool within_sigmas(double observed, double n, double p, double sigmas = 5) {
  return std::abs(observed - n * p) < sigmas * std::sqrt(n * p * (1 - p));
}

}  // namespace

TEST_CASE("loss drops the configured share of 100k sends") {
  for (double loss : {0.01, 0.1, 0.3}) {
    LinkConfig link;
    link.loss = loss;
    World world = sender_and_sink(link);
    run_to_end(world);
    const double lost = static_cast<double>(kSends - probe(world, 1).received().size());
    CAPTURE(loss);
    CHECK(within_sigmas(lost, kSends, loss));
    CHECK(world.stats().messages_lost == static_cast<uint64_t>(lost));
  }
}

TEST_CASE("duplication delivers the configured share twice") {
  LinkConfig link;
  link.duplicate = 0.05;
  World world = sender_and_sink(link);
  run_to_end(world);
  const double extra = static_cast<double>(probe(world, 1).received().size() - kSends);
  CHECK(within_sigmas(extra, kSends, 0.05));
  std::set<uint64_t> distinct;
  for (const auto& r : probe(world, 1).received()) distinct.insert(r.seq);
  CHECK(distinct.size() == kSends);  // nothing lost, only copies added
}

TEST_CASE("links are FIFO without reordering, and reorder lets messages overtake") {
  LinkConfig link;
  link.latency = Distribution::uniform(Duration::us(100), Duration::ms(5));
  {
    World world = sender_and_sink(link);
    run_to_end(world);
    const auto& got = probe(world, 1).received();
    REQUIRE(got.size() == kSends);
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == i);
  }
  link.reorder = 0.1;
  World world = sender_and_sink(link);
  run_to_end(world);
  const auto& got = probe(world, 1).received();
  REQUIRE(got.size() == kSends);
  size_t inversions = 0;
  for (size_t i = 1; i < got.size(); ++i) inversions += got[i].seq < got[i - 1].seq ? 1 : 0;
  CHECK(inversions > 100);
  CHECK(world.stats().messages_reordered > 0);
}

TEST_CASE("a partition blocks exactly the directed pairs it names") {
  const size_t n = 5;
  std::vector<ProbePlan> plans;
  for (uint32_t i = 0; i < n; ++i) {
    ProbePlan plan;
    for (uint32_t j = 0; j < n; ++j) {
      if (j != i) plan.targets.push_back({j});
    }
    plan.count = 1;
    plans.push_back(plan);
  }
  const std::vector<std::vector<DirectedPair>> shapes = {
      partition_shapes::one_way({{0}, {1}}, {{2}}),
      partition_shapes::split({{{0}, {1}}, {{2}, {3}}}),  // n5 named in no group keeps its links
      partition_shapes::isolate({4}, {{0}, {1}, {2}, {3}, {4}}),
      partition_shapes::ring({{0}, {1}, {2}, {3}, {4}}),
      partition_shapes::bridge({{0}, {1}, {2}, {3}, {4}}),
  };
  for (const auto& blocked : shapes) {
    World world = make_probe_world(n, plans);
    world.schedule_fault(TimePoint::origin(), PartitionFault{blocked, "test"});
    run_to_end(world);
    const std::set<DirectedPair> blocked_set(blocked.begin(), blocked.end());
    for (uint32_t from = 0; from < n; ++from) {
      for (uint32_t to = 0; to < n; ++to) {
        if (from == to) continue;
        const auto& got = probe(world, to).received();
        const bool delivered =
            std::any_of(got.begin(), got.end(), [&](const auto& r) { return r.from == from; });
        CAPTURE(from);
        CAPTURE(to);
        CHECK(delivered == !blocked_set.contains({NodeId{from}, NodeId{to}}));
      }
    }
  }
}

TEST_CASE("named shapes have the components and reach they promise") {
  const std::vector<NodeId> five{{0}, {1}, {2}, {3}, {4}};
  const auto network_with = [&](const std::vector<DirectedPair>& blocked) {
    Network net(1, {"a", "b", "c", "d", "e"}, LinkConfig{});
    net.block_all(blocked);
    return net;
  };
  CHECK(network_with({}).components().size() == 1);

  const Network isolated = network_with(partition_shapes::isolate({2}, five));
  CHECK(isolated.components() == std::vector<std::vector<NodeId>>{{{0}, {1}, {3}, {4}}, {{2}}});

  RandomChooser chooser;
  Rng stream(3, "faults");
  const Network halves = network_with(partition_shapes::majority_minority(five, chooser, stream));
  const auto groups = halves.components();
  REQUIRE(groups.size() == 2);
  CHECK(std::min(groups[0].size(), groups[1].size()) == 2);

  // Ring: every node reaches a majority directly, yet all stay connected.
  const Network ring = network_with(partition_shapes::ring(five));
  CHECK(ring.components().size() == 1);
  for (uint32_t a = 0; a < 5; ++a) {
    int direct = 1;
    for (uint32_t b = 0; b < 5; ++b) direct += (a != b && !ring.blocked({a}, {b})) ? 1 : 0;
    CHECK(direct == 3);
  }

  // Bridge: the halves reach each other only through the middle node.
  const Network bridge = network_with(partition_shapes::bridge(five));
  CHECK(bridge.blocked({0}, {4}));
  CHECK_FALSE(bridge.blocked({0}, {2}));
  CHECK(bridge.reachable({0}, {4}));
  CHECK(bridge.components().size() == 1);

  // One way: a cannot reach b directly or at all, while b reaches a.
  Network one_way(1, {"a", "b"}, LinkConfig{});
  one_way.block_all(partition_shapes::one_way({{0}}, {{1}}));
  CHECK_FALSE(one_way.reachable({0}, {1}));
  CHECK(one_way.reachable({1}, {0}));
  CHECK(one_way.components().size() == 2);

  Network healed = network_with(partition_shapes::isolate({0}, five));
  healed.heal();
  CHECK(healed.blocked_pairs().empty());
}

TEST_CASE("messages in flight when a partition starts are dropped on arrival") {
  LinkConfig link;
  link.latency = Distribution::fixed(Duration::ms(10));
  World world = make_probe_world(2, {ProbePlan{{NodeId{1}}, 10, Duration::zero()}}, link);
  world.schedule_fault(TimePoint::origin() + Duration::ms(5), PartitionFault{{{NodeId{0}, NodeId{1}}}, "test"});
  run_to_end(world);
  CHECK(probe(world, 1).received().empty());
  CHECK(world.stats().messages_partitioned == 10);
}

// A link's FIFO clamp delays the next message that does not overtake, and
// it need not be a message in flight's arrival (that one may have been
// reordered past it): two worlds that differ in a clamp still ahead must
// not share a key; once the clamp is past, it changes nothing.
TEST_CASE("the network's fingerprint holds the FIFO clamps still ahead, relative to now") {
  const auto clamped_at = [](int64_t ns) {
    Network net(1, {"a", "b", "c"}, LinkConfig{});
    net.last_arrival_ns(NodeId{0}, NodeId{1}) = ns;
    return net;
  };
  const TimePoint now = TimePoint::origin() + Duration::ms(10);
  const Network fresh = clamped_at(0);
  CHECK(clamped_at(Duration::ms(15).count_ns()).fingerprint(nullptr, now) != fresh.fingerprint(nullptr, now));
  CHECK(clamped_at(Duration::ms(15).count_ns()).fingerprint(nullptr, now) !=
        clamped_at(Duration::ms(16).count_ns()).fingerprint(nullptr, now));
  // Ahead by the same time, from another now: one future.
  CHECK(clamped_at(Duration::ms(15).count_ns()).fingerprint(nullptr, now) ==
        clamped_at(Duration::ms(16).count_ns()).fingerprint(nullptr, now + Duration::ms(1)));
  CHECK(clamped_at(Duration::ms(5).count_ns()).fingerprint(nullptr, now) == fresh.fingerprint(nullptr, now));
  CHECK(clamped_at(Duration::ms(10).count_ns()).fingerprint(nullptr, now) == fresh.fingerprint(nullptr, now));
  // Another link's clamp: apart.
  Network other = fresh;
  other.last_arrival_ns(NodeId{1}, NodeId{0}) = Duration::ms(15).count_ns();
  CHECK(other.fingerprint(nullptr, now) != clamped_at(Duration::ms(15).count_ns()).fingerprint(nullptr, now));
}
