// The example primary/backup register as a scenario protocol
// ("example-register"): s1 is the primary (the leader and the master of g1,
// from its every start), the other servers are its backups (slaves of g1),
// clients are c1..cM. It has no replica statuses, so its files trigger
// faults on roles only.
#include "model/example/adapter.h"

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/registry.h"
#include "model/example/register_server.h"
#include "model/example/register_system.h"
#include "model/kit/workload_adapter.h"

namespace replsim::example {
namespace {

using harness::CheckOutcome;
using harness::RoleView;
using harness::Scenario;

const harness::Vocabulary& register_vocabulary() {
  static const harness::Vocabulary v = [] {
    harness::Vocabulary w;
    w.protocol = "example-register";
    w.description =
        "The engine's example: a primary/backup register. s1 is the primary and serves every operation; it "
        "appends each write to its log, fsyncs it, replicates it to every backup and acknowledges once all "
        "have it durable.";
    w.group_word = "group";
    w.roles = {{"leader", false, false, "the primary, s1", true},
               {"master", true, true, "the primary, s1: it serves every read and write", true},
               {"slave", true, false, "a backup", false}};
    w.healthy_status = "up";
    w.checks = {{"no_lost_acked_writes", "A write the primary acknowledged is not in its durable log."},
                {"replicas_agree", "Two servers' durable logs hold different entries at the same version."},
                {"single_master", "Two servers served writes at once (never: the primary is fixed)."},
                // Its read check compares a write's invocation with the read's completion.
                {"invariants", "A read returned a value never written to its key before the read completed.", false,
                 true}};
    w.history_model = "register";
    w.notes = {{"log_truncated", false}, {"recovered", false}, {"halted", false}};
    return w;
  }();
  return v;
}

// The register's own checks, over the clients' history as the checker pairs it.
class RegisterMonitor final : public harness::MonitorOf<RegisterMonitor> {
 public:
  CheckOutcome check(const std::string& name, const World& world,
                     const std::vector<checker::HistoryEvent>& history) const override {
    CheckOutcome outcome;
    outcome.name = name;
    if (name == "single_master") return outcome;  // one fixed primary: holds by construction
    std::vector<RegisterOp> ops;
    for (const checker::Operation& op : checker::pair_operations(history)) {
      RegisterOp r;
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
    for (const std::string& v : check_register_run(world, ops)) {
      if (v.starts_with(prefix)) outcome.details.push_back(v);
    }
    return outcome;
  }

  // One lane per server ("up", "halted", "down"); the primary s1 holds
  // "master g1" for good.
  RoleView role_view(const World& world) const override {
    RoleView view;
    view.healthy = true;
    const std::vector<NodeId> servers = register_servers(world);
    view.replicas.reserve(servers.size());
    for (NodeId id : servers) {
      const std::string& name = world.node_name(id);
      const auto* server = world.actor_as<RegisterServer>(id);
      const bool up = server != nullptr && !server->halted();
      if (server == nullptr) view.down.push_back(name);
      view.replicas.emplace_back(name, server == nullptr ? "down" : up ? "up" : "halted");
      view.healthy = view.healthy && up;
    }
    view.roles.push_back({"master g1", world.node_name(servers.front())});
    return view;
  }

  std::optional<std::string> unsettled(const World& world) const override {
    if (register_converged(world)) return std::nullopt;
    return "a server is down, halted, or behind the primary's log";
  }
};

class RegisterProtocol final : public harness::Protocol {
 public:
  const harness::Vocabulary& vocabulary() const override { return register_vocabulary(); }

  World make_world(const Scenario& s, uint64_t seed) const override {
    RegisterSystemConfig config;
    config.backups = s.cluster.servers - 1;
    config.clients = s.workload.clients;
    config.link = s.network;
    config.disk = s.disk;
    config.tcp = s.tcp;
    config.workload = kit::workload_options(s);
    if (s.protocol_options.contains("primary_skips_fsync")) {
      config.server.primary_skips_fsync = s.protocol_options["primary_skips_fsync"].get<bool>();
    }
    return make_register_world(config, seed);
  }

  std::vector<NodeId> role_holders(const World& world, const std::string& role, uint32_t) const override {
    std::vector<NodeId> servers = register_servers(world);
    if (role == "slave") return {servers.begin() + 1, servers.end()};
    REPLSIM_ASSERT(role == "leader" || role == "master", "a declared role");
    return {servers.front()};
  }

  std::unique_ptr<harness::RunMonitor> make_monitor(const Scenario&) const override {
    return std::make_unique<RegisterMonitor>();
  }

  // The backups: the primary is fixed (s1), and a backup's part depends on
  // nothing but its own log and the primary's view of it.
  std::vector<std::vector<NodeId>> interchangeable_servers(const Scenario& s) const override {
    std::vector<NodeId> backups;
    for (uint32_t i = 1; i < s.cluster.servers; ++i) backups.push_back(NodeId{i});
    if (backups.size() < 2) return {};
    return {backups};
  }

  void check_scenario(const Scenario& s) const override {
    const Json& options = s.protocol_options;
    reject_unknown_keys(options, "/protocol/options", {"primary_skips_fsync"});
    if (options.contains("primary_skips_fsync") && !options["primary_skips_fsync"].is_boolean()) {
      throw InputError("/protocol/options/primary_skips_fsync", "true or false",
                       describe_json(options["primary_skips_fsync"]));
    }
    if (s.cluster.data_groups != 1) {
      throw InputError("/cluster/data_groups", "1: the example register is one group", std::to_string(s.cluster.data_groups));
    }
  }
};

}  // namespace

void register_example_protocol() { harness::register_protocol(std::make_unique<RegisterProtocol>()); }

}  // namespace replsim::example
