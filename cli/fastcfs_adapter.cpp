// FastCFS as a scenario protocol ("fastcfs"): servers s1..sN hold every data
// group (one server group), clients c1..cM run the workload, keys map to
// data groups by hash. Role selectors read the live state: the leader is the
// server that considers itself leader, a group's master is the leader's
// appointment. Checks read the FastcfsMonitor's invariants (§6).
#include <cmath>
#include <set>

#include "cli/protocol_adapter.h"
#include "model/fastcfs/system.h"
#include "sim/assert.h"
#include "sim/input_error.h"

namespace replsim::cli {
namespace {

using fastcfs::FastcfsMonitor;

class FastcfsRunMonitor final : public RunMonitor {
 public:
  explicit FastcfsRunMonitor(const fastcfs::ClusterConfig& cluster) : monitor(cluster) {}
  void observe(const World& world, const StepRecord& step) override { monitor.observe(world, step); }
  void finish(const World& world) override { monitor.finish(world); }
  nlohmann::json to_json() const override {
    nlohmann::json violations = nlohmann::json::array();
    for (const fastcfs::Violation& v : monitor.violations()) {
      violations.push_back({{"invariant", v.invariant}, {"at", format_duration(v.at.since_origin())}, {"text", v.text}});
    }
    return {{"transitions", monitor.transitions()}, {"acked_writes", monitor.acked_writes()}, {"violations", violations}};
  }
  FastcfsMonitor monitor;
};

fastcfs::ClusterConfig cluster_of(const Scenario& s) {
  if (s.cluster.replicas != s.cluster.servers) {
    throw InputError(s.file + ": /cluster/replicas",
                     "the number of servers (" + std::to_string(s.cluster.servers) +
                         "): the fastcfs model runs one server group holding every data group",
                     std::to_string(s.cluster.replicas));
  }
  fastcfs::ClusterConfig c;
  c.servers = s.cluster.servers;
  c.data_groups = s.cluster.data_groups;
  c.options = fastcfs::read_fastcfs_options(s.protocol_options, s.file + ": /protocol/options");
  return c;
}

class FastcfsAdapter final : public ProtocolAdapter {
 public:
  World make_world(const Scenario& s, uint64_t seed) const override {
    fastcfs::FastcfsSystemConfig config;
    config.cluster = cluster_of(s);
    config.clients = s.workload.clients;
    config.link = s.network;
    config.disk = s.disk;
    apply_workload(s, config.client);
    return fastcfs::make_fastcfs_world(config, seed);
  }

  std::vector<NodeId> servers(const World& world) const override { return fastcfs::fastcfs_servers(world); }

  std::optional<NodeId> resolve_role(const World& world, const NodeSelector& selector, Chooser& chooser,
                                     Rng& stream) const override {
    const std::vector<NodeId> all = servers(world);
    switch (selector.kind) {
      case NodeSelector::Kind::kNamed: return world.find_node(selector.name);
      case NodeSelector::Kind::kLeader: return fastcfs::current_leader(world);
      case NodeSelector::Kind::kMasterOf: return fastcfs::current_master(world, selector.group - 1);
      case NodeSelector::Kind::kSlaveOf: {
        const auto master = fastcfs::current_master(world, selector.group - 1);
        if (!master) return std::nullopt;
        std::vector<NodeId> slaves;
        for (NodeId id : all) {
          if (id != *master) slaves.push_back(id);
        }
        if (slaves.empty()) return std::nullopt;
        return slaves[chooser.pick(stream, ChoiceKind::kFaultTarget, slaves.size())];
      }
      case NodeSelector::Kind::kAny: return all[chooser.pick(stream, ChoiceKind::kFaultTarget, all.size())];
    }
    return std::nullopt;
  }

  bool triggered(const World& world, const StepRecord& step, const FaultTrigger& trigger) const override {
    for (const Note& note : step.notes) {
      bool event = false;
      if (!trigger.enters.empty()) {
        event = note.kind == "ds_status" && note.data.at("status") == trigger.enters && note.data.contains("from") &&
                (trigger.group == 0 || note.data.at("dg").get<uint32_t>() == trigger.group);
      } else if (trigger.becomes == "leader") {
        event = note.kind == "leader" && note.data.at("leader") == world.node_name(step.node);
      } else if (trigger.becomes == "master") {
        event = note.kind == "master" && (trigger.group == 0 || note.data.at("dg").get<uint32_t>() == trigger.group);
      }
      if (!event) continue;
      if (!trigger.node || trigger.node->kind == NodeSelector::Kind::kAny) return true;
      if (trigger.node->kind == NodeSelector::Kind::kNamed) {
        if (world.find_node(trigger.node->name) == step.node) return true;
        continue;
      }
      if (trigger.node->kind == NodeSelector::Kind::kLeader && fastcfs::current_leader(world) == step.node) return true;
      const uint32_t g = trigger.node->group;
      if (trigger.node->kind == NodeSelector::Kind::kMasterOf && fastcfs::current_master(world, g - 1) == step.node) {
        return true;
      }
      if (trigger.node->kind == NodeSelector::Kind::kSlaveOf && fastcfs::current_master(world, g - 1) != step.node) {
        return true;
      }
    }
    return false;
  }

  void collect_history(const World&, const StepRecord& step,
                       std::vector<checker::HistoryEvent>& history) const override {
    collect_client_notes(step, history);
  }

  std::string history_model() const override { return "register"; }

  std::unique_ptr<RunMonitor> make_monitor(const Scenario& scenario) const override {
    return std::make_unique<FastcfsRunMonitor>(cluster_of(scenario));
  }

  CheckOutcome check(const World&, const std::vector<checker::HistoryEvent>&, const RunMonitor* monitor,
                     const std::string& name) const override {
    CheckOutcome outcome;
    outcome.name = name;
    const auto* m = dynamic_cast<const FastcfsRunMonitor*>(monitor);
    REPLSIM_ASSERT(m != nullptr, "the fastcfs adapter's runs carry its monitor");
    std::set<std::string> invariants;
    if (name == "no_lost_acked_writes") invariants = {"S5"};
    else if (name == "single_master") invariants = {"S1", "S2"};
    else if (name == "replicas_agree") invariants = {"S3", "S4", "S7", "S13"};
    else invariants = {"S1", "S3", "S4", "S6", "S7", "S8", "S9", "S10", "S11", "S13"};  // invariants
    for (const fastcfs::Violation& v : m->monitor.violations_of(invariants)) {
      outcome.details.push_back(v.invariant + " at " + format_duration(v.at.since_origin()) + ": " + v.text);
      if (v.write) outcome.writes.push_back({std::to_string(v.write->first), std::to_string(v.write->second)});
    }
    return outcome;
  }

  bool converged(const World& world) const override { return fastcfs::fastcfs_converged(world); }
  std::string convergence_gap(const World& world) const override { return fastcfs::convergence_gap(world); }

  // A lane per server and data group with the DS's own status (the truth a
  // report shows; the leader's view may lag), the leader, and each group's
  // master in the leader's view.
  reports::RoleView role_view(const Scenario& scenario, const World& world) const override {
    reports::RoleView view;
    view.healthy = true;
    const uint32_t groups = scenario.cluster.data_groups;
    for (NodeId id : servers(world)) {
      const std::string name = world.node_name(id);
      const fastcfs::FastcfsServer* s = fastcfs::server_at(world, id);
      if (s == nullptr) view.down.push_back(name);
      for (uint32_t g = 0; g < groups; ++g) {
        const std::string status = s == nullptr ? "down" : s->halted() ? "halted" : to_string(s->my_status(g));
        view.healthy = view.healthy && status == "ACTIVE";
        view.replicas.push_back({name + " g" + std::to_string(g + 1), status});
      }
    }
    const auto leader = fastcfs::current_leader(world);
    view.roles.push_back({"leader", leader ? world.node_name(*leader) : ""});
    view.healthy = view.healthy && leader.has_value();
    for (uint32_t g = 0; g < groups; ++g) {
      const auto master = fastcfs::current_master(world, g);
      view.roles.push_back({"master g" + std::to_string(g + 1), master ? world.node_name(*master) : ""});
      view.healthy = view.healthy && master.has_value();
    }
    return view;
  }
  // The notes of the write path and of channels, which come with every
  // update, never change a status or a role (a status change notes
  // ds_status; leader and master changes note leader, leader_lost, master_set).
  bool may_change_view(const Note& note) const override {
    static const std::set<std::string> kQuiet = {"ack", "transition", "channel_closed", "sequence_refused",
                                                 "apply_skipped", "rpc_failed_channel_kept", "quorum_majority",
                                                 "quorum_degraded"};
    return !kQuiet.contains(note.kind);
  }
  std::string healthy_status() const override { return "ACTIVE"; }
};

}  // namespace

std::unique_ptr<ProtocolAdapter> make_fastcfs_adapter() { return std::make_unique<FastcfsAdapter>(); }

}  // namespace replsim::cli
