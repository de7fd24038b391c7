#include "explore/fault_actions.h"

#include <algorithm>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/protocol.h"

namespace replsim::explore {
namespace {

harness::FaultSpec named_fault(const std::string& type, const std::string& node) {
  harness::FaultSpec f;
  f.type = type;
  f.path = "explore: " + type + (node.empty() ? "" : " " + node);
  if (!node.empty()) f.node = harness::NodeSelector{harness::NodeSelector::Kind::kNamed, node, 0, node};
  return f;
}

}  // namespace

const std::vector<std::string>& explorable_fault_types() {
  static const std::vector<std::string> types = {"crash", "powerloss", "pause", "isolate"};
  return types;
}

std::vector<FaultAction> fault_actions(const World& world, const std::vector<std::string>& types,
                                       const std::vector<std::string>& nodes) {
  const auto wanted = [&](const char* type) { return std::find(types.begin(), types.end(), type) != types.end(); };
  const std::vector<NodeId> servers = harness::servers_of(world);
  std::vector<std::string> names;
  for (NodeId id : servers) names.push_back(world.node_name(id));
  for (const std::string& node : nodes) {
    if (std::find(names.begin(), names.end(), node) == names.end()) {
      throw InputError("--fault-nodes", "servers of the scenario (s1..s" + std::to_string(servers.size()) + ")",
                       "\"" + node + "\"");
    }
  }
  std::vector<FaultAction> actions;
  for (NodeId id : servers) {
    const std::string& name = world.node_name(id);
    const bool target = nodes.empty() || std::find(nodes.begin(), nodes.end(), name) != nodes.end();
    for (const char* type : {"crash", "powerloss", "pause", "isolate"}) {
      if (wanted(type) && target) actions.push_back({named_fault(type, name), id, true});
    }
    if (wanted("crash") || wanted("powerloss")) actions.push_back({named_fault("restart", name), id, false});
    if (wanted("pause")) actions.push_back({named_fault("resume", name), id, false});
  }
  if (wanted("isolate")) actions.push_back({named_fault("heal", ""), NodeId{0}, false});
  for (const std::string& type : types) {
    REPLSIM_ASSERT(std::find(explorable_fault_types().begin(), explorable_fault_types().end(), type) !=
                       explorable_fault_types().end(),
                   "the caller checked the fault types");
  }
  return actions;
}

std::vector<uint32_t> enabled_actions(const World& world, const std::vector<FaultAction>& actions, bool budget_left,
                                      std::optional<NodeId> isolated) {
  std::vector<uint32_t> enabled;
  for (uint32_t i = 0; i < actions.size(); ++i) {
    const FaultAction& a = actions[i];
    const std::string& type = a.spec.type;
    const NodeStatus status = type == "heal" ? NodeStatus::kUp : world.node_status(a.node);
    bool on = false;
    if (type == "restart") on = status == NodeStatus::kCrashed;
    else if (type == "resume") on = status == NodeStatus::kPaused;
    else if (type == "heal") on = isolated.has_value();
    else if (type == "isolate") on = budget_left && status == NodeStatus::kUp && !isolated;
    else on = budget_left && status == NodeStatus::kUp;  // crash, powerloss, pause
    REPLSIM_ASSERT(!on || a.spends_budget == (type != "restart" && type != "resume" && type != "heal"),
                   "only undo actions are free");
    if (on) enabled.push_back(i);
  }
  return enabled;
}

void track_isolated(const FaultAction& action, std::optional<NodeId>& isolated) {
  if (action.spec.type == "isolate") isolated = action.node;
  if (action.spec.type == "heal") isolated.reset();
}

}  // namespace replsim::explore
