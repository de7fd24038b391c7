// Symmetry reduction: a search merges a state with its images under the
// permutations of interchangeable servers, which the protocol declares
// (harness::Protocol::interchangeable_servers). The scenario cannot set
// them apart during a search: its own faults fire only in a hybrid
// prefix, and what it gives each node (clock, disk, links) is part of the
// state the renaming moves with the node. A state's key is the
// smallest of its fingerprints under every such renaming, so the visited
// set holds one state per orbit, and the search's states shrink by up to
// the group's size.
//
// Sound only when the declaration is: renaming the servers must map every
// run to a run. `count` mode searches every state without merging and
// counts the orbits, so that a complete search with and without the
// reduction can be compared (the same orbits, the same verdicts).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/hash.h"
#include "harness/scenario.h"
#include "sim/world.h"

namespace replsim::explore {

struct Symmetry {
  std::vector<std::vector<NodeId>> classes;  // sets of two or more servers, each in node order
  std::vector<NodeRenaming> renamings;       // every permutation within the classes, identity excluded
};

// Permutations a search may try on each state.
inline constexpr size_t kRenamingsMax = 720;

// What `scenario`'s protocol declares for `world`, each set split into the
// servers the search's faults may hit (`fault_nodes`, empty: all) and the
// rest: a search that may crash s2 but not s3 tells them apart. More than
// kRenamingsMax permutations is an InputError naming --symmetry.
Symmetry symmetry_of(const harness::Scenario& scenario, const World& world,
                     const std::vector<std::string>& fault_nodes);

// The smallest of hash(nullptr) and hash(r) over the renamings.
uint64_t canonical_key(const Symmetry& symmetry, const std::function<uint64_t(const NodeRenaming*)>& hash);

// explore.json's "symmetry": the mode, the classes by name, the number of
// renamings.
nlohmann::json symmetry_to_json(const std::string& mode, const Symmetry& symmetry, const World& world);

}  // namespace replsim::explore
