// FastCFS as a scenario protocol ("fastcfs"): servers s1..sN form N/R
// server groups of R = replicas servers, each holding a contiguous range of
// the data groups (cluster.conf); clients c1..cM run the workload, keys map
// to data groups by hash. Roles read the live state: a server group's leader
// is its server that considers itself leader, a data group's master is its
// server group leader's appointment. Checks read the FastcfsMonitor's
// invariants (§6).
#include "model/fastcfs/adapter.h"

#include <algorithm>
#include <set>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/registry.h"
#include "model/fastcfs/system.h"
#include "model/kit/workload_adapter.h"

namespace replsim::fastcfs {
namespace {

using harness::CheckOutcome;
using harness::RoleView;
using harness::Scenario;

const harness::Vocabulary& fastcfs_vocabulary() {
  static const harness::Vocabulary v = [] {
    harness::Vocabulary w;
    w.protocol = "fastcfs";
    w.description =
        "FastCFS's data server (faststore): per server group a leader elected among its servers, per data group a master "
        "the leader appoints and slaves replicated synchronously, replica statuses with binlog catch-up "
        "(docs/FASTCFS_MODEL.md).";
    w.group_word = "data group";
    w.roles = {{"leader", false, false,
                "a server group's leader: it appoints its data groups' masters and tracks their replicas' status (one, "
                "chosen on the fault stream, when there are several server groups)",
                true},
               {"master", true, true, "the data group's master in the leader's view: it serves the group's writes", true},
               {"slave", true, false, "a server of the data group other than its master (one, chosen on the fault stream)",
                false}};
    w.statuses = {{"INIT", "#90a4ae", "a new replica with no data yet"},
                  {"REBUILDING", "#8e24aa", "copying the whole group from the master"},
                  {"OFFLINE", "#e53935", "out of date or unreachable; will recover"},
                  {"RECOVERING", "#ffb300", "fetching the master's binlog"},
                  {"ONLINE", "#9ccc65", "in the last catch-up round: receives new writes"},
                  {"ACTIVE", "#2e7d32", "caught up and serving"}};
    w.healthy_status = "ACTIVE";
    w.checks = {{"no_lost_acked_writes", "A write the cluster acknowledged to a client is gone: the master no longer holds it.",
                 true},
                {"single_master", "Two servers acted as master of one data group at the same time."},
                {"replicas_agree", "Replicas disagree about data both consider committed."},
                {"invariants", "One of FastCFS's safety invariants (fastcfs-protocol.md §6, S1-S13) broke."}};
    w.history_model = "register";
    // The write path's and the channels' notes come with every update and
    // never change a status or a role (a status change notes ds_status;
    // leader and master changes note leader, leader_lost, master_set).
    for (const char* quiet : {"ack", "transition", "channel_closed", "sequence_refused", "apply_skipped",
                              "rpc_failed_channel_kept", "quorum_majority", "quorum_degraded",
                              "push_connection_closed", "activation_refused", "reselect_refused"}) {
      w.notes.push_back({quiet, true});
    }
    for (const char* loud : {"binlog_record_dropped", "ds_status", "election_dropped", "end_term_rollback",
                             "first_boot", "halted", "leader", "leader_lost", "log_truncated", "master",
                             "master_lost", "master_set",
                             "recovery_abandoned", "recovery_failed", "restore", "restore_wipe", "resume_master",
                             "resume_master_failed", "server_active", "server_deactivated", "server_offline",
                             "startup_rollback",
                             "violation"}) {
      w.notes.push_back({loud, false});
    }
    // FastcfsMonitor::check_note reads the data of these alone.
    const std::set<std::string> data_read = {"ack", "ds_status", "master", "master_set", "transition", "violation"};
    for (harness::NoteDeclaration& note : w.notes) note.data_read = data_read.contains(note.kind);
    return w;
  }();
  return v;
}

// The scenario's cluster as server groups; what cannot be laid out is an
// input error, raised at load so `validate` refuses what `run` would.
ClusterConfig cluster_of(const Scenario& s) {
  const harness::ClusterSpec& shape = s.cluster;
  if (shape.servers % shape.replicas != 0) {
    // faststore allows groups of different sizes; the scenario has one
    // replica count, and a server in no group cannot start.
    throw InputError("/cluster/replicas",
                     "a divisor of the number of servers (" + std::to_string(shape.servers) +
                         "): the servers form servers / replicas server groups of `replicas` servers",
                     std::to_string(shape.replicas));
  }
  if (shape.data_groups < shape.servers / shape.replicas) {
    // fs_cluster_cfg.c get_ids: a server group without data_group_ids is refused.
    throw InputError("/cluster/data_groups",
                     "at least one data group per server group (" + std::to_string(shape.servers / shape.replicas) + ")",
                     std::to_string(shape.data_groups));
  }
  ClusterConfig c;
  c.servers = shape.servers;
  c.data_groups = shape.data_groups;
  c.replicas = shape.replicas;
  c.options = read_fastcfs_options(s.protocol_options, "/protocol/options");
  return c;
}

class FastcfsRunMonitor final : public harness::MonitorOf<FastcfsRunMonitor> {
 public:
  explicit FastcfsRunMonitor(const ClusterConfig& cluster) : cluster_(cluster), monitor_(cluster) {}

  void observe(const World& world, const StepRecord& step) override { monitor_.observe(world, step); }
  void finish(const World& world) override { monitor_.finish(world); }
  void hash_into(Hasher& h) const override { monitor_.hash_into(h); }

  CheckOutcome check(const std::string& name, const World&, const std::vector<checker::HistoryEvent>&) const override {
    CheckOutcome outcome;
    outcome.name = name;
    std::set<std::string> invariants;
    if (name == "no_lost_acked_writes") invariants = {"S5"};
    else if (name == "single_master") invariants = {"S1", "S2"};
    else if (name == "replicas_agree") invariants = {"S3", "S4", "S7", "S13"};
    else invariants = {"S1", "S3", "S4", "S6", "S7", "S8", "S9", "S10", "S11", "S13"};  // invariants
    for (const Violation& v : monitor_.violations_of(invariants)) {
      outcome.details.push_back(v.invariant + " at " + format_duration(v.at.since_origin()) + ": " + v.text);
      if (v.write) outcome.writes.push_back({std::to_string(v.write->first), std::to_string(v.write->second)});
      outcome.rules.push_back(v.invariant);
    }
    std::sort(outcome.rules.begin(), outcome.rules.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;  // S2 before S11
    });
    outcome.rules.erase(std::unique(outcome.rules.begin(), outcome.rules.end()), outcome.rules.end());
    return outcome;
  }

  // A lane per server and data group it holds with the DS's own status (the
  // truth a report shows; the leader's view may lag), each server group's
  // leader, and each data group's master in its leader's view.
  RoleView role_view(const World& world) const override {
    RoleView view;
    view.groups_healthy.assign(cluster_.data_groups, true);
    for (NodeId id : fastcfs_servers(world)) {
      const std::string name = world.node_name(id);
      const FastcfsServer* s = server_at(world, id);
      if (s == nullptr) view.down.push_back(name);
      const uint32_t server_group = server_group_of_server(id.index, cluster_);
      for (uint32_t g : dgs_of_group(server_group, cluster_).indices()) {
        const std::string status = s == nullptr ? "down" : s->halted() ? "halted" : to_string(s->my_status(g));
        if (status != "ACTIVE") view.groups_healthy[g] = false;
        view.replicas.push_back({name + " g" + std::to_string(g + 1), status});
      }
    }
    // A group's master is what its leader says: without a leader, none of
    // the server group's data groups is served.
    const uint32_t server_groups = server_group_count(cluster_);
    bool every_leader = true;
    for (uint32_t k = 0; k < server_groups; ++k) {
      const auto leader = current_leader(world, servers_of_group(k, cluster_));
      const std::string lane = server_groups == 1 ? "leader" : "leader sg" + std::to_string(k + 1);
      view.roles.push_back({lane, leader ? world.node_name(*leader) : ""});
      every_leader &= leader.has_value();
      for (uint32_t g : dgs_of_group(k, cluster_).indices()) {
        if (!leader) view.groups_healthy[g] = false;
      }
    }
    for (uint32_t g = 0; g < cluster_.data_groups; ++g) {
      const auto master = current_master(world, g);
      view.roles.push_back({"master g" + std::to_string(g + 1), master ? world.node_name(*master) : ""});
      if (!master) view.groups_healthy[g] = false;
    }
    view.healthy = std::all_of(view.groups_healthy.begin(), view.groups_healthy.end(), [](bool h) { return h; }) &&
                   every_leader;
    return view;
  }

  std::optional<std::string> unsettled(const World& world) const override {
    std::string gap = convergence_gap(world);
    if (gap.empty()) return std::nullopt;
    return gap;
  }

  nlohmann::json to_json() const override {
    nlohmann::json violations = nlohmann::json::array();
    for (const Violation& v : monitor_.violations()) {
      violations.push_back({{"invariant", v.invariant}, {"at", format_duration(v.at.since_origin())}, {"text", v.text}});
    }
    nlohmann::json transitions = nlohmann::json::object();
    const TransitionCounts& counts = monitor_.transitions();
    for (size_t t = 1; t < counts.size(); ++t) {
      if (counts[t] > 0) transitions["T" + std::to_string(t)] = counts[t];
    }
    return {{"transitions", transitions}, {"acked_writes", monitor_.acked_writes()}, {"violations", violations}};
  }

 private:
  ClusterConfig cluster_;
  FastcfsMonitor monitor_;
};

class FastcfsProtocol final : public harness::Protocol {
 public:
  const harness::Vocabulary& vocabulary() const override { return fastcfs_vocabulary(); }

  World make_world(const Scenario& s, uint64_t seed) const override {
    FastcfsSystemConfig config;
    config.cluster = cluster_of(s);
    config.clients = s.workload.clients;
    config.link = s.network;
    config.disk = s.disk;
    config.tcp = s.tcp;
    config.client.workload = kit::workload_options(s);
    return make_fastcfs_world(config, seed);
  }

  uint32_t group_of_key(const Scenario& s, const std::string& key) const override {
    REPLSIM_ASSERT(!key.empty() && key.find_first_not_of("0123456789") == std::string::npos,
                   "FastCFS clients name keys by number");
    return data_group_of(std::stoull(key), cluster_of(s).data_groups) + 1;
  }

  std::vector<NodeId> role_holders(const World& world, const std::string& role, uint32_t group) const override {
    const ClusterConfig* cluster = live_cluster_config(world);
    if (cluster == nullptr) return {};
    if (role == "leader") {  // every server group's leader: the fault stream picks one
      std::vector<NodeId> leaders;
      for (uint32_t k = 0; k < server_group_count(*cluster); ++k) {
        if (const auto leader = current_leader(world, servers_of_group(k, *cluster))) leaders.push_back(*leader);
      }
      return leaders;
    }
    REPLSIM_ASSERT(group >= 1, "master and slave are per data group");
    const auto master = current_master(world, group - 1);
    if (role == "master") return master ? std::vector<NodeId>{*master} : std::vector<NodeId>{};
    REPLSIM_ASSERT(role == "slave", "a declared role");
    std::vector<NodeId> slaves;
    if (!master) return slaves;
    for (uint32_t index : members_of_dg(group - 1, *cluster).indices()) {
      if (index != master->index) slaves.push_back(NodeId{index});
    }
    return slaves;
  }

  std::unique_ptr<harness::RunMonitor> make_monitor(const Scenario& scenario) const override {
    return std::make_unique<FastcfsRunMonitor>(cluster_of(scenario));
  }

  void check_scenario(const Scenario& s) const override { cluster_of(s); }
};

}  // namespace

void register_fastcfs_protocol() { harness::register_protocol(std::make_unique<FastcfsProtocol>()); }

}  // namespace replsim::fastcfs
