// The example primary/backup register as a scenario protocol
// ("example-register"): s1 is the primary (the leader and the master of g1),
// the other servers are backups (slaves of g1), clients are c1..cM. It has
// no replica statuses, so "enters" triggers never fire for it.
#include <algorithm>

#include "cli/protocol_adapter.h"
#include "model/example/register_server.h"
#include "model/example/register_system.h"
#include "sim/assert.h"

namespace replsim::cli {
namespace {

class ExampleRegisterAdapter final : public ProtocolAdapter {
 public:
  World make_world(const Scenario& s, uint64_t seed) const override {
    example::RegisterSystemConfig config;
    config.backups = s.cluster.servers - 1;
    config.clients = s.workload.clients;
    config.link = s.network;
    config.disk = s.disk;
    apply_workload(s, config.client);
    if (s.protocol_options.contains("primary_skips_fsync")) {
      config.server.primary_skips_fsync = s.protocol_options["primary_skips_fsync"].get<bool>();
    }
    return example::make_register_world(config, seed);
  }

  std::vector<NodeId> servers(const World& world) const override { return example::register_servers(world); }

  std::optional<NodeId> resolve_role(const World& world, const NodeSelector& selector, Chooser& chooser,
                                     Rng& stream) const override {
    const std::vector<NodeId> all = servers(world);
    switch (selector.kind) {
      case NodeSelector::Kind::kNamed: return world.find_node(selector.name);
      case NodeSelector::Kind::kLeader:
      case NodeSelector::Kind::kMasterOf: return all.front();
      case NodeSelector::Kind::kSlaveOf:
        if (all.size() < 2) return std::nullopt;
        return all[1 + chooser.pick(stream, ChoiceKind::kFaultTarget, all.size() - 1)];
      case NodeSelector::Kind::kAny: return all[chooser.pick(stream, ChoiceKind::kFaultTarget, all.size())];
    }
    return std::nullopt;
  }

  bool triggered(const World& world, const StepRecord& step, const FaultTrigger& trigger) const override {
    // The primary "becomes" leader and master each time it starts.
    if (trigger.becomes.empty() || step.kind != EventKind::kStart || step.node != servers(world).front()) return false;
    return !trigger.node || trigger.node->kind != NodeSelector::Kind::kNamed ||
           world.find_node(trigger.node->name) == step.node;
  }

  void collect_history(const World&, const StepRecord& step,
                       std::vector<checker::HistoryEvent>& history) const override {
    collect_client_notes(step, history);
  }

  std::string history_model() const override { return "register"; }

  std::unique_ptr<RunMonitor> make_monitor(const Scenario&) const override { return nullptr; }

  CheckOutcome check(const World& world, const std::vector<checker::HistoryEvent>& history, const RunMonitor*,
                     const std::string& name) const override {
    CheckOutcome outcome;
    outcome.name = name;
    if (name == "single_master") return outcome;  // one fixed primary: holds by construction
    std::vector<example::RegisterOp> ops;
    for (const checker::Operation& op : checker::pair_operations(history)) {
      example::RegisterOp r;
      r.process = static_cast<uint32_t>(op.process);
      r.is_write = op.f == "write";
      r.key = std::stoull(op.key);
      const checker::Edn& value = r.is_write ? op.input : op.output;
      r.value = value.kind == checker::Edn::Kind::kInt ? static_cast<uint64_t>(value.integer) : 0;
      r.invoked = TimePoint::from_ns(op.invoke_time);
      r.completed = TimePoint::from_ns(op.complete_time);
      r.outcome = op.outcome == checker::Outcome::kOk ? "ok" : "info";
      ops.push_back(r);
    }
    const char* prefix = name == "no_lost_acked_writes" ? "acked_write_durable"
                         : name == "replicas_agree"     ? "replicas_agree"
                                                        : "read_of_written_value";  // invariants
    for (const std::string& v : example::check_register_run(world, ops)) {
      if (v.starts_with(prefix)) outcome.details.push_back(v);
    }
    return outcome;
  }

  bool converged(const World& world) const override { return example::register_converged(world); }
  std::string convergence_gap(const World& world) const override {
    return converged(world) ? "" : "a server is down, halted, or behind the primary's log";
  }

  // One lane per server ("up", "halted", "down"); the primary s1 holds the
  // one role, "master g1", for good.
  reports::RoleView role_view(const Scenario&, const World& world) const override {
    reports::RoleView view;
    view.healthy = true;
    for (NodeId id : servers(world)) {
      const std::string name = world.node_name(id);
      const auto* server = dynamic_cast<const example::RegisterServer*>(world.actor(id));
      const std::string status = server == nullptr ? "down" : server->halted() ? "halted" : "up";
      if (server == nullptr) view.down.push_back(name);
      view.replicas.push_back({name, status});
      view.healthy = view.healthy && status == "up";
    }
    view.roles.push_back({"master g1", world.node_name(servers(world).front())});
    return view;
  }
  bool may_change_view(const Note&) const override { return true; }  // its notes are rare
  std::string healthy_status() const override { return "up"; }
};

}  // namespace

std::unique_ptr<ProtocolAdapter> make_example_adapter() { return std::make_unique<ExampleRegisterAdapter>(); }

}  // namespace replsim::cli
