// Violations a search goes past (ExploreOptions::known): which ones, and
// how explore.json counts them. Internal to explore/.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "explore/explorer.h"

namespace replsim::explore {

// Whether every element of `signature` is one of options.known.
bool is_known(const std::vector<std::string>& signature, const ExploreOptions& options);

// Counts a violation the search went past into `known` (explore.json's
// known_violations: an entry per signature, joined by "; ", with the
// signature, the judgements that found it and the fewest transitions to
// it).
void add_known_violation(nlohmann::json& known, const std::vector<std::string>& signature, uint64_t judgements,
                         uint32_t transitions);
// Folds another summary's known_violations into `known`, the same way: a
// swarm's members, merged shards.
void add_known_violations(nlohmann::json& known, const nlohmann::json& other);

}  // namespace replsim::explore
