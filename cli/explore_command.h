// `replsim explore FILE [--strategy bfs|dfs|random-walk|pct|swarm]
//  [--depth-max D] [--faults-max K] [--fault-types T,...] [--states-max N]
//  [--memory-mb-max M] [--time-limit T] [--shard K/N] [--baseline FILE] [--out DIR]`: searches
//  the scenario's runs (explore/explorer.h), writes DIR/explore.json and, for
//  a violation, DIR/counterexample.json with its run folder.
#pragma once

#include <ostream>
#include <string>

#include "explore/explorer.h"

namespace replsim::cli {

struct ExploreCommandOptions {
  std::string file;
  explore::ExploreOptions search;
  std::string fault_types;   // comma-separated; empty: the scenario's
  std::string fault_nodes;   // comma-separated servers; empty: every server
  std::string time_limit;    // "10m"; empty: none
  std::string delay_cap;     // empty: the default
  std::string fixed_kinds;   // comma-separated question kinds answered by their first option
  std::string from;          // hybrid search from this virtual time; empty: from the start
  std::string shard = "1/1"; // K/N, as fuzz's
  std::string from_when;     // a hybrid start at a protocol event, as JSON; empty: none
  std::string baseline;      // a differential search's scenario before the change; empty: none
  bool self_check = false;   // check the protocol's copies and fingerprints instead of searching
  uint64_t self_check_steps = 20'000;
};

// Exit codes: 0 the search completed (within its depth bound) without a
// violation, 1 a violation (written and replayed), 2 bad input, 3 a bound
// stopped the search first.
int run_explore(ExploreCommandOptions options, std::ostream& out, std::ostream& progress);

}  // namespace replsim::cli
