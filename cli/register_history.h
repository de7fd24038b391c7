// The example register's client history as a checker history: the bridge
// between a protocol's notes and the protocol-agnostic checker.
#pragma once

#include <vector>

#include "checker/history.h"
#include "checker/linearizability.h"
#include "model/example/register_system.h"

namespace replsim::cli {

// Invocations and completions in the order the world stepped through them;
// a read's value 0 ("never written") becomes nil; pending ops stay open.
std::vector<checker::HistoryEvent> register_history_events(const example::RegisterHistory& history);

// Checks the history against a register per key (values are unique, so the
// fast path decides it).
checker::CheckResult check_register_history(const std::vector<checker::HistoryEvent>& events);

}  // namespace replsim::cli
