// The swarm strategy (swarm.cpp says how it works): many small, diversified
// depth-first searches in place of one large one.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "explore/explorer.h"
#include "harness/scenario.h"

namespace replsim::explore {

ExploreResult explore_swarm(const nlohmann::json& document, const harness::Scenario& scenario,
                            const ExploreOptions& options, std::ostream& progress);

}  // namespace replsim::explore
