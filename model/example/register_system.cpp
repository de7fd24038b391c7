#include "model/example/register_system.h"

#include <fmt/format.h>

#include "base/assert.h"

namespace replsim::example {
namespace {
// The register names its servers s1, s2, … and its clients c1, c2, ….
bool is_server(const World& world, NodeId id) { return world.node_name(id).starts_with("s"); }
}  // namespace

World make_register_world(const RegisterSystemConfig& config, uint64_t seed) {
  WorldConfig world;
  world.seed = seed;
  world.link = config.link;
  world.disk = config.disk;
  world.tcp = config.tcp;
  const uint32_t servers = config.backups + 1;
  for (uint32_t i = 1; i <= servers; ++i) world.node_names.push_back("s" + std::to_string(i));
  for (uint32_t i = 1; i <= config.clients; ++i) world.node_names.push_back("c" + std::to_string(i));
  const NodeId primary{0};
  std::vector<NodeId> backups;
  for (uint32_t i = 1; i < servers; ++i) backups.push_back({i});
  const kit::WorkloadOptions workload = config.workload;
  const RegisterOptions server = config.server;
  ActorFactory factory = [=](NodeId id) -> std::unique_ptr<Actor> {
    if (id.index < servers) return std::make_unique<RegisterServer>(primary, backups, server);
    return std::make_unique<RegisterClient>(id.index - servers, primary, workload);
  };
  return World(std::move(world), std::move(factory));
}

std::vector<NodeId> register_servers(const World& world) {
  std::vector<NodeId> servers;
  servers.reserve(world.node_count());  // one allocation: the timeline asks at every fault
  for (uint32_t i = 0; i < world.node_count(); ++i) {
    if (is_server(world, {i})) servers.push_back({i});
  }
  return servers;
}

// Asked after every step while a fault is unsettled: it walks the nodes in
// place rather than list the servers first.
bool register_converged(const World& world) {
  const RegisterServer* primary = nullptr;  // the first server
  for (uint32_t i = 0; i < world.node_count(); ++i) {
    if (!is_server(world, {i})) continue;
    const auto* server = world.actor_as<RegisterServer>({i});
    if (server == nullptr || server->halted()) return false;
    if (primary == nullptr) primary = server;
    if (server->synced_version() != primary->log().size()) return false;
  }
  REPLSIM_ASSERT(primary != nullptr, "a register world has a primary");
  return true;
}

std::vector<std::string> check_register_run(const World& world, const std::vector<RegisterOp>& ops) {
  std::vector<std::string> violations;
  const std::vector<NodeId> servers = register_servers(world);
  std::vector<std::vector<LogEntry>> durable_logs;
  for (NodeId server : servers) {
    const auto durable = world.disk(server).durable();
    const auto it = durable.find(kLogFile);
    durable_logs.push_back(it == durable.end() ? std::vector<LogEntry>{} : recover_log(it->second));
  }

  std::map<uint64_t, const LogEntry*> primary_by_value;
  for (const LogEntry& e : durable_logs.front()) primary_by_value[e.value] = &e;
  for (const RegisterOp& op : ops) {
    if (!op.is_write || op.outcome != "ok") continue;
    if (!primary_by_value.contains(op.value)) {
      violations.push_back(fmt::format(
          "acked_write_durable: write of {} to key {} by c{} was acknowledged at {} but is not in the "
          "primary's durable log",
          op.value, op.key, op.process + 1, format_duration(op.completed.since_origin())));
    }
  }

  for (size_t a = 0; a < servers.size(); ++a) {
    for (size_t b = a + 1; b < servers.size(); ++b) {
      const size_t common = std::min(durable_logs[a].size(), durable_logs[b].size());
      for (size_t i = 0; i < common; ++i) {
        if (durable_logs[a][i] == durable_logs[b][i]) continue;
        violations.push_back(fmt::format("replicas_agree: {} and {} hold different entries at version {}",
                                         world.node_name(servers[a]), world.node_name(servers[b]), i + 1));
        break;
      }
    }
  }

  std::map<uint64_t, const RegisterOp*> writes_by_value;
  for (const RegisterOp& op : ops) {
    if (op.is_write) writes_by_value[op.value] = &op;
  }
  for (const RegisterOp& op : ops) {
    if (op.is_write || op.outcome != "ok" || op.value == 0) continue;
    const auto it = writes_by_value.find(op.value);
    if (it == writes_by_value.end() || it->second->key != op.key || it->second->invoked > op.completed) {
      violations.push_back(fmt::format("read_of_written_value: read of key {} by c{} returned {}, never written there",
                                       op.key, op.process + 1, op.value));
    }
  }
  return violations;
}

}  // namespace replsim::example
