// The explorer's self-check, as DSLabs does for its model checker: a
// search merges states by fingerprint and branches them by copying, so it
// is sound only if, for every actor and monitor, copy, equality and
// fingerprint agree. This walks a run with the simulator's choices (and
// faults now and then) and checks, for the protocol the scenario names:
//   - a copied run has the same state, fingerprint and monitor hash, and
//     every actor's copy is equal to it with the same fingerprint;
//   - the copy and the original, driven on, stay identical (same trace hash
//     and fingerprint): nothing outside the copied state steers a run;
//   - two actor states with one fingerprint are equal: a hash_into that
//     leaves out a field shows up as soon as that field alone differs;
//   - a copy rid of its stale events after every step (as the explorer
//     keeps its states, World::drop_stale_events) goes on as one that keeps
//     them, tied events taken last first: the same tied events, questions,
//     fingerprint and trace;
//   - two events tied at one instant that --por sleep would call
//     independent (their steps' footprints, sim/step_footprint.h) end in one
//     state taken in either order: a read or write the footprints miss
//     shows up as two orders that part. The dependent pairs (neither step
//     global) are taken in both orders too, and those that still meet are
//     counted: what footprints finer than a node could leave out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/scenario.h"

namespace replsim::explore {

struct SelfCheckOptions {
  uint64_t steps = 20'000;         // of the walk
  uint64_t copy_every = 500;       // steps between copies checked
  uint64_t follow_steps = 200;     // a copy and its original driven on side by side
  uint64_t fault_every = 2'000;    // steps between faults the walk fires (crash, power loss, pause, isolate, undo)
  uint64_t commute_every = 50;     // steps between states whose tied events are taken in both orders
  size_t tied_events_max = 6;      // of those tied events, the first this many
  size_t remembered_max = 20'000;  // actor states kept to compare fingerprints against
};

struct SelfCheckReport {
  uint64_t steps = 0;
  uint64_t faults = 0;
  uint64_t copies_checked = 0;
  uint64_t fingerprints_compared = 0;  // repeats of an actor fingerprint whose states were compared
  uint64_t tied_pairs = 0;              // pairs of tied events looked at
  uint64_t tied_pairs_independent = 0;  // of those, the ones footprints call independent
  // Of the dependent pairs, neither step global, those whose two orders still
  // end in one state (a node's closes of two connections): what a reduction
  // with footprints finer than a node could leave out.
  uint64_t tied_pairs_dependent_commuting = 0;
  uint64_t stale_events_dropped = 0;    // by the copies rid of them
  uint64_t ties_followed = 0;           // steps of those copies that chose among tied events
  std::vector<std::string> problems;   // empty: the check passed
};

SelfCheckReport self_check(const harness::Scenario& scenario, const SelfCheckOptions& options);

}  // namespace replsim::explore
