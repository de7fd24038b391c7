#include "explore/symmetry.h"

#include <algorithm>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/runner.h"

namespace replsim::explore {
namespace {

// Appends to `renamings` every permutation of `classes[c..]` on top of `base`.
void permute(const std::vector<std::vector<NodeId>>& classes, size_t c, const NodeRenaming& base,
             std::vector<NodeRenaming>& renamings) {
  if (c == classes.size()) {
    renamings.push_back(base);
    return;
  }
  std::vector<uint32_t> images;
  for (NodeId n : classes[c]) images.push_back(n.index);
  // Bounded: the caller checked the product of the classes' factorials.
  do {
    NodeRenaming next = base;
    for (size_t i = 0; i < classes[c].size(); ++i) next[classes[c][i].index] = images[i];
    permute(classes, c + 1, next, renamings);
  } while (std::next_permutation(images.begin(), images.end()));
}

// Each declared set as two: the servers faults may hit, and the others.
std::vector<std::vector<NodeId>> split_by_fault_nodes(const std::vector<std::vector<NodeId>>& declared,
                                                      const World& world, const std::vector<std::string>& fault_nodes) {
  if (fault_nodes.empty()) return declared;
  std::vector<std::vector<NodeId>> split;
  for (const std::vector<NodeId>& set : declared) {
    std::vector<NodeId> hit, spared;
    for (NodeId n : set) {
      const bool target = std::find(fault_nodes.begin(), fault_nodes.end(), world.node_name(n)) != fault_nodes.end();
      (target ? hit : spared).push_back(n);
    }
    split.push_back(hit);
    split.push_back(spared);
  }
  return split;
}

}  // namespace

Symmetry symmetry_of(const harness::Scenario& scenario, const World& world,
                     const std::vector<std::string>& fault_nodes) {
  Symmetry symmetry;
  size_t renamings_total = 1;
  std::vector<bool> in_a_class(world.node_count(), false);  // classes are disjoint, or a renaming maps two nodes to one
  for (std::vector<NodeId> alike : split_by_fault_nodes(
           harness::protocol_of(scenario).interchangeable_servers(scenario), world, fault_nodes)) {
    for (NodeId n : alike) REPLSIM_ASSERT(n.index < world.node_count(), "an interchangeable server is a node of the world");
    std::sort(alike.begin(), alike.end());
    REPLSIM_ASSERT(std::adjacent_find(alike.begin(), alike.end()) == alike.end(), "a server is in a set once");
    if (alike.size() < 2) continue;
    for (NodeId n : alike) {
      REPLSIM_ASSERT(!in_a_class[n.index], "a server is in one set of interchangeable servers at most");
      in_a_class[n.index] = true;
    }
    for (size_t k = 2; k <= alike.size() && renamings_total <= kRenamingsMax; ++k) renamings_total *= k;
    symmetry.classes.push_back(alike);
  }
  if (renamings_total > kRenamingsMax) {
    throw InputError("--symmetry", "at most " + std::to_string(kRenamingsMax) + " permutations of interchangeable servers",
                     "more for this scenario's servers");
  }
  NodeRenaming identity(world.node_count());
  for (uint32_t i = 0; i < identity.size(); ++i) identity[i] = i;
  permute(symmetry.classes, 0, identity, symmetry.renamings);
  REPLSIM_ASSERT(!symmetry.renamings.empty() && symmetry.renamings.front() == identity,
                 "next_permutation starts from the sorted order: the identity comes first");
  symmetry.renamings.erase(symmetry.renamings.begin());
  return symmetry;
}

uint64_t canonical_key(const Symmetry& symmetry, const std::function<uint64_t(const NodeRenaming*)>& hash) {
  uint64_t key = hash(nullptr);
  for (const NodeRenaming& r : symmetry.renamings) key = std::min(key, hash(&r));
  return key;
}

nlohmann::json symmetry_to_json(const std::string& mode, const Symmetry& symmetry, const World& world) {
  nlohmann::json classes = nlohmann::json::array();
  for (const std::vector<NodeId>& c : symmetry.classes) {
    nlohmann::json names = nlohmann::json::array();
    for (NodeId n : c) names.push_back(world.node_name(n));
    classes.push_back(names);
  }
  return {{"mode", mode},
          {"interchangeable", classes},
          {"renamings", symmetry.renamings.size()}};
}

}  // namespace replsim::explore
