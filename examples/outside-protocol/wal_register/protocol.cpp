#include "wal_register/protocol.h"

#include <fmt/format.h>

#include <set>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/registry.h"
#include "model/kit/workload_adapter.h"
#include "wal_register/client.h"
#include "wal_register/server.h"

namespace wal_register {
namespace {

using replsim::Json;
using replsim::NodeId;
using replsim::World;
using replsim::harness::CheckOutcome;
using replsim::harness::RoleView;
using replsim::harness::Scenario;

const NodeId kServer{0};  // s1: the servers come first in every world

const replsim::harness::Vocabulary& wal_vocabulary() {
  static const replsim::harness::Vocabulary v = [] {
    replsim::harness::Vocabulary w;
    w.protocol = "wal-register";
    w.description =
        "A key-value register on one server that logs every write ahead, fsyncs the log by group commit, and "
        "acknowledges a write once an fsync covers it.";
    w.roles = {{"server", false, true, "s1 while it serves reads and writes", true}};
    w.statuses = {{"RECOVERING", "#f9a825", "restarted: making its log durable before serving"},
                  {"SERVING", "#2e7d32", "serving reads and writes"},
                  {"HALTED", "#c62828", "stopped by a disk error"}};
    w.healthy_status = "SERVING";
    w.checks = {{"acked_writes_survive",
                 "A write the server acknowledged is missing from its log: the client was told it was stored, "
                 "and it was lost."}};
    w.history_model = "register";
    w.notes = {{"status", false}, {"log_truncated", false}};
    return w;
  }();
  return v;
}

// Judges acked_writes_survive, and shows the server's status and role.
class Monitor final : public replsim::harness::MonitorOf<Monitor> {
 public:
  CheckOutcome check(const std::string& name, const World& world,
                     const std::vector<replsim::checker::HistoryEvent>& history) const override {
    REPLSIM_ASSERT(name == "acked_writes_survive", "the protocol's only check");
    // The log as the disk holds it now: what a restart would recover.
    std::set<uint64_t> logged;
    for (const LogEntry& e : decode_log(world.disk(kServer).visible().records(kLogFile))) logged.insert(e.value);
    CheckOutcome outcome;
    for (const replsim::checker::Operation& op : replsim::checker::pair_operations(history)) {
      if (op.f != "write" || op.outcome != replsim::checker::Outcome::kOk) continue;
      REPLSIM_ASSERT(op.input.kind == replsim::checker::Edn::Kind::kInt, "the workload writes whole numbers");
      const auto value = static_cast<uint64_t>(op.input.integer);
      if (logged.contains(value)) continue;
      outcome.details.push_back(fmt::format("write of {} to key {} by c{}, acknowledged at {}, is not in s1's log",
                                            value, op.key, op.process + 1,
                                            replsim::format_duration(replsim::Duration::ns(op.complete_time))));
      outcome.writes.push_back({op.key, op.input.to_string()});
    }
    return outcome;
  }

  RoleView role_view(const World& world) const override {
    const auto* server = world.actor_as<Server>(kServer);
    const std::string status = server == nullptr ? "down" : to_string(server->status());
    RoleView view;
    view.replicas.push_back({"s1", status});
    if (server == nullptr) view.down.push_back("s1");
    view.roles.push_back({"server", status == "SERVING" ? "s1" : ""});
    view.healthy = status == "SERVING";
    return view;
  }

  std::optional<std::string> unsettled(const World& world) const override {
    const auto* server = world.actor_as<Server>(kServer);
    if (server == nullptr) return "s1 is down";
    if (server->status() != ServerStatus::kServing) return std::string("s1 is ") + to_string(server->status());
    return std::nullopt;
  }
};

ServerOptions server_options(const Json& options) {
  ServerOptions server;
  if (options.contains("ack_before_fsync")) server.ack_before_fsync = options["ack_before_fsync"].get<bool>();
  if (options.contains("fsync_interval")) {
    server.fsync_interval = replsim::read_duration(options["fsync_interval"], "/protocol/options/fsync_interval");
  }
  return server;
}

class WalProtocol final : public replsim::harness::Protocol {
 public:
  const replsim::harness::Vocabulary& vocabulary() const override { return wal_vocabulary(); }

  World make_world(const Scenario& s, uint64_t seed) const override {
    replsim::WorldConfig config;
    config.seed = seed;
    config.link = s.network;
    config.disk = s.disk;
    config.tcp = s.tcp;
    config.node_names.push_back("s1");
    for (uint32_t i = 1; i <= s.workload.clients; ++i) config.node_names.push_back("c" + std::to_string(i));
    const ServerOptions server = server_options(s.protocol_options);
    const replsim::kit::WorkloadOptions workload = replsim::kit::workload_options(s);
    replsim::ActorFactory factory = [=](NodeId id) -> std::unique_ptr<replsim::Actor> {
      if (id == kServer) return std::make_unique<Server>(server);
      return std::make_unique<Client>(id.index - 1, kServer, workload);
    };
    return World(std::move(config), std::move(factory));
  }

  std::vector<NodeId> role_holders(const World& world, const std::string& role, uint32_t) const override {
    REPLSIM_ASSERT(role == "server", "the protocol's only role");
    const auto* server = world.actor_as<Server>(kServer);
    if (server == nullptr || server->status() != ServerStatus::kServing) return {};
    return {kServer};
  }

  std::unique_ptr<replsim::harness::RunMonitor> make_monitor(const Scenario&) const override {
    return std::make_unique<Monitor>();
  }

  void check_scenario(const Scenario& s) const override {
    const Json& options = s.protocol_options;
    replsim::reject_unknown_keys(options, "/protocol/options", {"ack_before_fsync", "fsync_interval"});
    if (options.contains("ack_before_fsync") && !options["ack_before_fsync"].is_boolean()) {
      throw replsim::InputError("/protocol/options/ack_before_fsync", "true or false",
                                replsim::describe_json(options["ack_before_fsync"]));
    }
    const ServerOptions server = server_options(options);  // reads fsync_interval, or says where it is wrong
    if (server.fsync_interval <= replsim::Duration::zero()) {
      throw replsim::InputError("/protocol/options/fsync_interval", "a positive duration",
                                replsim::format_duration(server.fsync_interval));
    }
    if (s.cluster.servers != 1) {
      throw replsim::InputError("/cluster/servers", "1: the WAL register is one server", std::to_string(s.cluster.servers));
    }
    if (s.cluster.data_groups != 1) {
      throw replsim::InputError("/cluster/data_groups", "1: the WAL register is one group",
                                std::to_string(s.cluster.data_groups));
    }
  }
};

}  // namespace

void register_protocol() { replsim::harness::register_protocol(std::make_unique<WalProtocol>()); }

}  // namespace wal_register
