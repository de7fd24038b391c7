// `replsim merge` for sampled searches: joins the explore.json of the
// shards of one random-walk, pct or swarm search (explore --shard K/N) into
// one, as the unsharded search would report it: counts summed, the
// violation of the lowest sample index. Shards of different searches are
// refused (an InputError naming the file).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace replsim::explore {

// Writes out_dir/explore.json. Exit codes: 1 a violation, 3 none (a sample
// proves nothing).
int merge_explorations(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out);

}  // namespace replsim::explore
