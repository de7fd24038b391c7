#include <doctest/doctest.h>

#include "sim/clock.h"
#include "sim/world.h"
#include "tests/probe_actor.h"

using namespace replsim;
using namespace replsim::testing;

TEST_CASE("a clock reads true time plus its offset, at its drift rate") {
  NodeClock clock;
  const TimePoint t0 = TimePoint::origin() + Duration::s(10);
  CHECK(clock.local(t0) == t0);
  clock.set_offset(t0, Duration::s(2));
  CHECK(clock.local(t0) == t0 + Duration::s(2));
  clock.set_drift(t0, 100'000);  // 10% fast
  CHECK(clock.local(t0 + Duration::s(10)) == t0 + Duration::s(2) + Duration::s(11));
  CHECK(clock.true_delay(Duration::ms(1100)) == Duration::ms(1000));
  clock.set_drift(t0 + Duration::s(10), -100'000);  // now 10% slow, no jump
  CHECK(clock.local(t0 + Duration::s(20)) == t0 + Duration::s(2) + Duration::s(11) + Duration::s(9));
}

TEST_CASE("a timer never fires before its local delay has elapsed") {
  NodeClock clock;
  clock.set_drift(TimePoint::origin(), 333);
  for (int64_t ns : {1LL, 7LL, 999'999LL, 1'000'000'007LL}) {
    const Duration local_delay = Duration::ns(ns);
    const Duration true_delay = clock.true_delay(local_delay);
    CHECK(clock.local(TimePoint::origin() + true_delay) - clock.local(TimePoint::origin()) >= local_delay);
  }
}

TEST_CASE("skewed timers fire at the skewed time") {
  // n2 runs 25% fast with a 5 s offset, n3 runs 20% slow; each sets a 1 s timer.
  std::vector<ProbePlan> plans(3, ProbePlan{{}, 0, Duration::s(1)});
  World world = make_probe_world(3, plans);
  RandomChooser chooser;
  world.apply_fault(ClockFault{NodeId{1}, Duration::s(5), 250'000}, chooser);
  world.apply_fault(ClockFault{NodeId{2}, std::nullopt, -200'000}, chooser);
  std::map<uint32_t, TimePoint> fired_at;
  world.run_until(TimePoint::origin() + Duration::s(5), chooser, [&](const StepRecord& r) {
    if (r.kind == EventKind::kTimer) fired_at[r.node.index] = r.time;
  });
  CHECK(fired_at.at(0) == TimePoint::origin() + Duration::s(1));
  CHECK(fired_at.at(1) == TimePoint::origin() + Duration::ms(800));
  CHECK(fired_at.at(2) == TimePoint::origin() + Duration::ms(1250));
  // Each saw exactly its 1 s elapse on its own clock.
  CHECK(probe(world, 1).timer_fired_local_ns().at(0) == Duration::s(6).count_ns());
  CHECK(probe(world, 2).timer_fired_local_ns().at(0) == Duration::s(1).count_ns());
  CHECK(world.local_now(NodeId{1}) == TimePoint::origin() + Duration::s(5) + Duration::ms(6250));
}
