// The faults a search may fire in a state: those that spend the budget
// (crash, powerloss, pause, isolate a server) and the free ones that undo
// them (restart, resume, heal), each as the scenario fault `replsim run`
// fires from a schedule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "sim/world.h"

namespace replsim::explore {

// What an action does to its server, decoded from its spec's type once:
// which actions are enabled is asked at every state.
enum class FaultActionKind { kStop, kRestart, kResume, kIsolate, kHeal };  // kStop: crash, powerloss, pause

struct FaultAction {
  harness::FaultSpec spec;  // a named node; `at` is set when a path fires it
  NodeId node;              // the server it acts on (unused for heal)
  FaultActionKind kind = FaultActionKind::kStop;
  // All but the undo actions (restart, resume, heal) spend the search's fault budget.
  bool spends_budget() const { return kind == FaultActionKind::kStop || kind == FaultActionKind::kIsolate; }
};

// The fault types a search can fire, with the undo each one has.
const std::vector<std::string>& explorable_fault_types();

// Every action on the servers of `world` for `types` (explorable), in a
// fixed order: the search's fault indexes point into it. The budgeted ones
// hit only the servers named in `nodes` (empty: every server); the undo
// actions stay for every server, since a hybrid prefix may have crashed or
// paused any. A name that is no server is an InputError naming
// --fault-nodes.
std::vector<FaultAction> fault_actions(const World& world, const std::vector<std::string>& types,
                                       const std::vector<std::string>& nodes);

// The indexes of the actions that may fire now: undo actions always, the
// others while `budget_left`; `isolated` is the server the search cut off
// (at most one partition at a time).
std::vector<uint32_t> enabled_actions(const World& world, const std::vector<FaultAction>& actions, bool budget_left,
                                      std::optional<NodeId> isolated);

// The server the search's partition cuts off after `action` fired:
// isolate sets it, heal clears it.
void track_isolated(const FaultAction& action, std::optional<NodeId>& isolated);

}  // namespace replsim::explore
