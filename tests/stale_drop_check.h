// A check shared by the tests of World::drop_stale_events: a world that
// drops its stale events after every step must go on as one that keeps them.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>

#include "sim/choice.h"
#include "sim/world.h"

namespace replsim::testing {

// Steps `kept` and a copy that drops its stale events after every step,
// until `end`: after each step the copy's pending events must be those a
// drop that asks every event leaves, and its fingerprint the original's.
// Returns how many events the copy dropped.
inline size_t dropped_stepping_beside(World& kept, TimePoint end) {
  World dropping = kept;
  RandomChooser chooser;
  size_t dropped = 0;
  uint64_t steps = 0;
  for (; steps < 100'000 && kept.now() < end; ++steps) {
    const bool stepped = kept.step(chooser) != nullptr;
    REQUIRE((dropping.step(chooser) != nullptr) == stepped);
    if (!stepped) break;
    dropped += dropping.drop_stale_events();
    REQUIRE(dropping.fingerprint() == kept.fingerprint());  // kept asks every event, every time
    World asked_all = kept;  // never dropped: its drop asks every event
    asked_all.drop_stale_events();
    REQUIRE(asked_all.pending_event_count() == dropping.pending_event_count());
  }
  CHECK(steps > 1'000);
  CHECK(dropping.trace_hash() == kept.trace_hash());
  return dropped;
}

}  // namespace replsim::testing
