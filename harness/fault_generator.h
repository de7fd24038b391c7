// Drawing a fault schedule from a scenario's fault_generator.
//
// A pure function of (scenario, seed), on its own stream ("fault-generator"),
// so a seed always draws the same schedule and the schedule never shifts the
// protocol's or the network's draws. With swarm testing each seed switches
// whole families off at random (at least one stays on), which finds bugs that
// a steady mix of every fault hides. Faults arrive per family as a Poisson
// process over [start, duration - quiet_period); each is paired with its undo
// (restart, resume, heal, clock back, link restored) after a drawn duration,
// and everything is a plain scenario fault on named servers, so a drawn
// schedule can be written out as an explicit faults list and replayed.
#pragma once

#include <string>
#include <vector>

#include "harness/scenario.h"

namespace replsim::harness {

struct DrawnSchedule {
  std::vector<FaultSpec> faults;           // in time order
  std::vector<std::string> families_on;    // after swarm selection
};

DrawnSchedule draw_fault_schedule(const Scenario& scenario, uint64_t seed);

// The scenario with its generated faults made explicit (appended to its
// faults, sorted by time) and the generator removed.
Scenario with_drawn_faults(const Scenario& scenario, const DrawnSchedule& drawn);
inline Scenario with_drawn_faults(const Scenario& scenario, uint64_t seed) {
  return with_drawn_faults(scenario, draw_fault_schedule(scenario, seed));
}

}  // namespace replsim::harness
