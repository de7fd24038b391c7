#include "explore/fault_actions.h"

#include <algorithm>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/protocol.h"

namespace replsim::explore {
namespace {

FaultAction named_action(const std::string& type, const std::string& node, NodeId id) {
  FaultAction a;
  a.spec.type = type;
  a.spec.path = "explore: " + type + (node.empty() ? "" : " " + node);
  if (!node.empty()) a.spec.node = harness::NodeSelector{harness::NodeSelector::Kind::kNamed, node, 0, node};
  a.node = id;
  a.kind = type == "restart"   ? FaultActionKind::kRestart
           : type == "resume"  ? FaultActionKind::kResume
           : type == "isolate" ? FaultActionKind::kIsolate
           : type == "heal"    ? FaultActionKind::kHeal
                               : FaultActionKind::kStop;
  REPLSIM_ASSERT(a.kind != FaultActionKind::kStop || type == "crash" || type == "powerloss" || type == "pause",
                 "an explorable fault type or its undo");
  return a;
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
      if (wanted(type) && target) actions.push_back(named_action(type, name, id));
    }
    if (wanted("crash") || wanted("powerloss")) actions.push_back(named_action("restart", name, id));
    if (wanted("pause")) actions.push_back(named_action("resume", name, id));
  }
  if (wanted("isolate")) actions.push_back(named_action("heal", "", NodeId{0}));
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
    const NodeStatus status = a.kind == FaultActionKind::kHeal ? NodeStatus::kUp : world.node_status(a.node);
    bool on = false;
    switch (a.kind) {
      case FaultActionKind::kRestart: on = status == NodeStatus::kCrashed; break;
      case FaultActionKind::kResume: on = status == NodeStatus::kPaused; break;
      case FaultActionKind::kHeal: on = isolated.has_value(); break;
      case FaultActionKind::kIsolate: on = budget_left && status == NodeStatus::kUp && !isolated; break;
      case FaultActionKind::kStop: on = budget_left && status == NodeStatus::kUp; break;
    }
    if (on) enabled.push_back(i);
  }
  return enabled;
}

void track_isolated(const FaultAction& action, std::optional<NodeId>& isolated) {
  if (action.kind == FaultActionKind::kIsolate) isolated = action.node;
  if (action.kind == FaultActionKind::kHeal) isolated.reset();
}

}  // namespace replsim::explore
