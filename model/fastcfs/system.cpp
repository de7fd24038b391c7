#include "model/fastcfs/system.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "base/assert.h"

namespace replsim::fastcfs {

// Note kinds are compared as views: their sizes first, without a strlen
// (the monitor asks of every note of every explored step).
using namespace std::string_view_literals;

World make_fastcfs_world(const FastcfsSystemConfig& config, uint64_t seed) {
  WorldConfig world;
  world.seed = seed;
  world.link = config.link;
  world.disk = config.disk;
  world.tcp = config.tcp;
  const uint32_t servers = config.cluster.servers;
  for (uint32_t i = 1; i <= servers; ++i) world.node_names.push_back("s" + std::to_string(i));
  for (uint32_t i = 1; i <= config.clients; ++i) world.node_names.push_back("c" + std::to_string(i));
  FastcfsClientOptions client = config.client;
  client.servers = servers;
  client.data_groups = config.cluster.data_groups;
  client.replicas = config.cluster.replicas;
  client.read_rule = config.cluster.options.read_rule;
  const ClusterConfig cluster = config.cluster;
  ActorFactory factory = [=](NodeId id) -> std::unique_ptr<Actor> {
    if (id.index < servers) return std::make_unique<FastcfsServer>(id.index, cluster);
    return std::make_unique<FastcfsClient>(id.index - servers, client);
  };
  return World(std::move(world), std::move(factory));
}

std::vector<NodeId> fastcfs_servers(const World& world) {
  std::vector<NodeId> servers;
  for (uint32_t i = 0; i < world.node_count(); ++i) {
    if (world.node_name({i}).starts_with("s")) servers.push_back({i});
  }
  return servers;
}

const FastcfsServer* server_at(const World& world, NodeId id) {
  if (world.node_status(id) != NodeStatus::kUp) return nullptr;
  return world.actor_as<FastcfsServer>(id);
}

std::optional<NodeId> current_leader(const World& world, IndexRange servers) {
  REPLSIM_ASSERT(servers.last <= world.node_count(), "a server group of the world");
  for (uint32_t index : servers.indices()) {
    const FastcfsServer* s = server_at(world, NodeId{index});
    if (s != nullptr && s->is_leader()) return NodeId{index};
  }
  return std::nullopt;
}

const ClusterConfig* live_cluster_config(const World& world) {
  for (uint32_t index = 0; index < world.node_count(); ++index) {  // servers first, then clients
    if (world.node_status(NodeId{index}) != NodeStatus::kUp) continue;
    const auto* s = world.actor_as<FastcfsServer>(NodeId{index});
    if (s == nullptr) return nullptr;  // a client: no server is up
    return &s->config();
  }
  return nullptr;
}

std::optional<NodeId> current_master(const World& world, uint32_t dg) {
  const ClusterConfig* cluster = live_cluster_config(world);
  if (cluster == nullptr) return std::nullopt;
  const auto leader = current_leader(world, members_of_dg(dg, *cluster));
  if (!leader) return std::nullopt;
  const auto master = server_at(world, *leader)->master_of(dg);
  if (!master) return std::nullopt;
  return NodeId{*master};
}

bool fastcfs_converged(const World& world) { return convergence_gap(world).empty(); }

namespace {

// Why data group `g` of a settled server group is not settled yet.
std::string data_group_gap(const World& world, const FastcfsServer& leader, uint32_t g, IndexRange members) {
  const std::string group = "g" + std::to_string(g + 1);
  const auto master_index = leader.master_of(g);
  if (!master_index) return group + " has no master";
  const FastcfsServer* master = server_at(world, NodeId{*master_index});
  const std::string master_name = world.node_name(NodeId{*master_index});
  if (!master->acts_as_master(g)) return group + ": " + master_name + " does not act as master";
  if (!master->takes_writes(g)) return group + ": " + master_name + " refuses writes, a master swap left unfinished";
  for (uint32_t index : members.indices()) {
    const NodeId id{index};
    const FastcfsServer* s = server_at(world, id);
    const std::string ds = group + "/" + world.node_name(id);
    if (s->my_status(g) != DsStatus::kActive) return ds + " is " + to_string(s->my_status(g));
    if (leader.view(g, index).status != DsStatus::kActive) {
      return ds + " is " + to_string(leader.view(g, index).status) + " in the leader's view";
    }
    if (s->master_of(g) != master_index) return ds + " does not know the master";
    if (index == *master_index) continue;
    const auto& mine = s->binlog(g);
    const auto& theirs = master->binlog(g);
    const bool idle = !master->writes_pending(g);
    const size_t slack = idle ? 0 : 1;  // the update in flight: either side may hold it first
    if (mine.size() > theirs.size() + slack || mine.size() + slack < theirs.size()) {
      return ds + " holds " + std::to_string(mine.size()) + " binlog records, the master " + std::to_string(theirs.size());
    }
    if (idle && s->data(g) != master->data(g)) return ds + "'s bytes differ from the master's";
    for (size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i) {
      if (!mine[i].same_entry(theirs[i])) return ds + "'s binlog differs from the master's at DV " + std::to_string(mine[i].dv);
    }
  }
  return "";
}

}  // namespace

std::string convergence_gap(const World& world) {
  const std::vector<NodeId> servers = fastcfs_servers(world);
  for (NodeId id : servers) {
    const FastcfsServer* s = server_at(world, id);
    if (s == nullptr) return world.node_name(id) + " is down";
    if (s->halted()) return world.node_name(id) + " terminated itself";
  }
  const ClusterConfig& cluster = *live_cluster_config(world);  // every server is up here
  const uint32_t server_groups = server_group_count(cluster);
  for (uint32_t k = 0; k < server_groups; ++k) {
    const IndexRange members = servers_of_group(k, cluster);
    // One group reads as before; several name the group.
    const std::string where = server_groups == 1 ? "" : " in server group " + std::to_string(k + 1);
    const auto leader_id = current_leader(world, members);
    if (!leader_id) return "no leader" + where;
    const FastcfsServer* leader = server_at(world, *leader_id);
    for (uint32_t index : members.indices()) {
      if (server_at(world, NodeId{index})->leader() != leader_id->index) {
        return world.node_name(NodeId{index}) + " does not follow the leader " + world.node_name(*leader_id);
      }
    }
    for (uint32_t g : dgs_of_group(k, cluster).indices()) {
      std::string gap = data_group_gap(world, *leader, g, members);
      if (!gap.empty()) return gap;
    }
  }
  return "";
}

// ---- the monitor ---------------------------------------------------------------

namespace {

// The status edges of §2.3 (self view), by transition.
bool legal_edge(const std::string& t, DsStatus from, DsStatus to) {
  using S = DsStatus;
  if (t == "T2") return from == S::kInit && to == S::kRebuilding;
  if (t == "T3") return from == S::kOffline && to == S::kRecovering;
  if (t == "T4") return (from == S::kRebuilding || from == S::kRecovering) && to == S::kOnline;
  if (t == "T6") return from == S::kOnline && to == S::kActive;
  if (t == "T7") return (from == S::kRebuilding || from == S::kRecovering || from == S::kOnline) &&
                        (to == S::kInit || to == S::kOffline);
  if (t == "T8" || t == "T9" || t == "T10" || t == "T11" || t == "T13" || t == "T14" || t == "T16") return from == S::kActive && to == S::kOffline;
  if (t == "T15") return to == S::kActive;
  return false;
}

std::string server_name(uint32_t index) { return "s" + std::to_string(index + 1); }

}  // namespace

void FastcfsMonitor::add(const std::string& invariant, TimePoint at, std::string text,
                         std::optional<std::pair<uint64_t, uint64_t>> write) {
  Ledger& l = ledger();
  if (l.per_invariant[invariant]++ >= kViolationsKeptPerInvariant) return;
  l.violations.push_back(Violation{invariant, at, std::move(text), write});
}

std::vector<Violation> FastcfsMonitor::violations_of(const std::set<std::string>& invariants) const {
  std::vector<Violation> out;
  for (const Violation& v : ledger_->violations) {
    if (invariants.contains(v.invariant)) out.push_back(v);
  }
  return out;
}

void FastcfsMonitor::observe(const World& world, const StepRecord& step) {
  // A process begins at its restart, not at its start event, which a
  // crash and restart in one instant can put after other events: S11 gives
  // a replica restarted while a write was in flight the benefit of the
  // doubt, and one whose start event is still queued is already wiped.
  for (uint32_t index = 0; index < cluster_.servers; ++index) {
    const uint32_t incarnation = world.incarnation(NodeId{index});
    const auto seen = ledger_->incarnations.find(index);
    if (seen != ledger_->incarnations.end() && seen->second == incarnation) continue;
    Ledger& l = ledger();
    l.incarnations[index] = incarnation;
    l.last_start[index] = step.time;
  }
  for (const OperationEvent& op : step.operations) check_operation(op);
  bool state_changed = false;
  for (const Note& note : step.notes) {
    check_note(world, step, note);
    state_changed |= note.kind == "ds_status"sv || note.kind == "master_set"sv || note.kind == "master"sv ||
                     note.kind == "restore"sv || note.kind == "restore_wipe"sv || note.kind == "end_term_rollback"sv;
  }
  const bool server_step = step.node.index < cluster_.servers;
  if (server_step) check_masters(world, step);
  if (state_changed) check_replicas(world, step);
}

void FastcfsMonitor::check_operation(const OperationEvent& op) {
  if (op.f != "write") return;
  const std::pair<uint32_t, uint64_t> id{op.process, op.op};
  if (op.phase == OperationPhase::kInvoke) {
    if (ledger_->written.size() < 1'000'000) ledger().written[id] = static_cast<uint64_t>(op.value.value_or(0));
    return;
  }
  // acked(g, v): a client received success for the update that got DV v.
  if (!ledger_->written.contains(id)) return;
  Ledger& l = ledger();
  const auto written = l.written.find(id);
  const uint64_t value = written->second;
  l.written.erase(written);
  if (op.phase != OperationPhase::kOk) return;
  const auto it = l.sent_acks.find(value);
  if (it != l.sent_acks.end()) {
    l.acked[{it->second.dg, it->second.dv}] = {it->second.key, value};
    ++l.acked_count;
    l.sent_acks.erase(it);
  }
}

void FastcfsMonitor::check_note(const World& world, const StepRecord& step, const Note& note) {
  const uint32_t node = step.node.index;
  if (note.kind == "transition"sv) {
    const std::string& t = note.data.at("t").get_ref<const std::string&>();  // "T1" .. "T18"
    REPLSIM_ASSERT(t.size() > 1 && t[0] == 'T', "a transition note names T1 .. T18");
    size_t index = 0;
    const auto [end, error] = std::from_chars(t.data() + 1, t.data() + t.size(), index);
    REPLSIM_ASSERT(error == std::errc() && end == t.data() + t.size() && index >= 1 && index <= kTransitionCount,
                   "a transition note names T1 .. T18");
    ++transitions_[index];
    return;
  }
  if (note.kind == "violation"sv) {
    return add(note.data.at("invariant").get<std::string>(), step.time,
               server_name(node) + ": " + note.data.at("text").get<std::string>());
  }
  if (note.kind == "ds_status"sv && note.data.contains("from")) {
    const std::string t = note.data.at("transition").get<std::string>();
    const auto from = ds_status_from_string(note.data.at("from").get<std::string>());
    const auto to = ds_status_from_string(note.data.at("status").get<std::string>());
    REPLSIM_ASSERT(from && to, "ds_status notes name statuses");
    if (!legal_edge(t, *from, *to)) {
      add("S8", step.time, fmt::format("{} g{}: {} -> {} by {} is not an edge of §2.3", server_name(node),
                                       note.data.at("dg").get<uint32_t>(), to_string(*from), to_string(*to), t));
    }
    return;
  }
  if (note.kind == "master_set"sv) {
    // S9 and S10, on the leader at the moment it appointed the master.
    const FastcfsServer* leader = server_at(world, step.node);
    const uint32_t g = note.data.at("dg").get<uint32_t>() - 1;
    if (leader == nullptr || note.data.at("new").is_null()) return;
    const uint32_t chosen = std::stoul(note.data.at("new").get<std::string>().substr(1)) - 1;
    const IndexRange members = members_of_dg(g, cluster_);
    for (uint32_t s : members.indices()) {
      if (s != chosen && leader->view(g, s).status == DsStatus::kActive) {
        add("S9", step.time, fmt::format("g{}: after {} became master {} is still ACTIVE in the leader's view", g + 1,
                                         server_name(chosen), server_name(s)));
      }
    }
    const FastcfsOptions& o = cluster_.options;
    // S10 is the election rule; a resume swap checks equal DVs itself.
    if (o.failover && o.master_policy_strict && note.data.at("reason") == "election") {
      const auto& dvs = note.data.at("dvs");  // in member order
      const uint64_t chosen_dv = dvs.at(chosen - members.first).get<uint64_t>();
      for (uint32_t s : members.indices()) {
        const uint64_t dv = dvs.at(s - members.first).get<uint64_t>();
        if (dv > chosen_dv) {
          add("S10", step.time, fmt::format("g{}: {} chosen with DV {} while {} had DV {} (leader's view)", g + 1,
                                            server_name(chosen), chosen_dv, server_name(s), dv));
        }
      }
    }
    return;
  }
  if (note.kind == "master"sv) {
    check_acked_on(world, step.node, note.data.at("dg").get<uint32_t>() - 1, step.time);
    return;
  }
  if (note.kind == "ack"sv) {
    const uint32_t g = note.data.at("dg").get<uint32_t>() - 1;
    const uint64_t dv = note.data.at("dv").get<uint64_t>();
    const uint64_t key = note.data.at("key").get<uint64_t>();
    if (ledger_->sent_acks.size() < 1'000'000) ledger().sent_acks[note.data.at("value").get<uint64_t>()] = SentAck{g, dv, key};
    // S2 (monitor): nobody else acts as master of g while this one acks.
    // An old master a swap drained keeps the role until its push arrives,
    // but takes and holds no write: it does not count.
    const IndexRange members = members_of_dg(g, cluster_);
    for (uint32_t index : members.indices()) {
      const NodeId id{index};
      const FastcfsServer* s = server_at(world, id);
      if (id != step.node && s != nullptr && s->acts_as_master(g) && (s->takes_writes(g) || s->writes_pending(g))) {
        add("S2", step.time, fmt::format("g{}: {} acked DV {} while {} also acts as master", g + 1, server_name(node), dv,
                                         server_name(id.index)));
      }
    }
    // S11: a majority of replicas applied v before the ack (majority mode).
    // A replica that crashed or restarted while the update was in flight
    // may have applied it and answered before it died (the spec counts RPC
    // successes): it gets the benefit of the doubt.
    const FastcfsServer* master = server_at(world, step.node);
    if (master != nullptr && master->majority_mode_on(g) && note.data.value("released", "") != "cleanup") {
      const TimePoint write_began = step.time - Duration::ns(note.data.at("in_flight_ns").get<int64_t>());
      uint32_t holders = 0;
      for (uint32_t index : members.indices()) {
        const NodeId id{index};
        const FastcfsServer* s = server_at(world, id);
        const auto started = ledger_->last_start.find(id.index);
        const bool restarted = started != ledger_->last_start.end() && started->second >= write_began;
        if (s == nullptr || restarted) {
          ++holders;
          continue;
        }
        // Q7: an ONLINE slave answers success for DVs its fetch will cover.
        if (s->holds(g, dv, key) || s->my_status(g) == DsStatus::kOnline) ++holders;
      }
      if (holders < members.size() / 2 + 1) {
        add("S11", step.time, fmt::format("g{}: {} acked DV {} held by only {} of {} replicas", g + 1,
                                          server_name(node), dv, holders, members.size()));
      }
    }
  }
}

void FastcfsMonitor::check_acked_on(const World& world, NodeId master_id, uint32_t g, TimePoint at) {
  const FastcfsServer* master = server_at(world, master_id);
  if (master == nullptr) return;
  // Found first, added after: add() writes the ledger, which may clone it
  // away from under a loop over it.
  std::vector<std::pair<uint64_t, std::pair<uint64_t, uint64_t>>> missing;  // (dv, (key, value))
  for (const auto& [where, write] : ledger_->acked) {
    if (where.first == g && !master->holds(g, where.second, write.first)) missing.emplace_back(where.second, write);
  }
  for (const auto& [dv, write] : missing) {
    add("S5", at,
        fmt::format("g{}: acknowledged DV {} (key {}, value {}) is missing from {}, master now", g + 1, dv, write.first,
                    write.second, server_name(master_id.index)),
        write);
  }
}

void FastcfsMonitor::finish(const World& world) {
  for (uint32_t g = 0; g < cluster_.data_groups; ++g) {
    if (const auto master = current_master(world, g)) check_acked_on(world, *master, g, world.now());
  }
}

// S1, S6 per server and S12 over each server group, after every server step:
// cheap reads of the leader and the masters.
void FastcfsMonitor::check_masters(const World& world, const StepRecord& step) {
  std::vector<uint32_t>& leaders = leaders_;  // per server group: each elects its own
  std::fill(leaders.begin(), leaders.end(), 0);
  bool leadership_changed = false;
  for (uint32_t index = 0; index < cluster_.servers; ++index) {  // servers are nodes 0 .. n-1
    const NodeId id{index};
    if (world.node_status(id) != NodeStatus::kUp) continue;  // as server_at, without reading the server
    ServerFindings& found = findings_[index];
    if (index == step.node.index || !found.read || found.incarnation != world.incarnation(id)) {
      const bool was_leader = found.read && found.leader;
      read_server(world, id, step.time, found);
      leadership_changed |= found.leader != was_leader;
    } else {
      for (const auto& [invariant, text] : found.standing) add(invariant, step.time, text);
    }
    leaders[server_group_of_server(index, cluster_)] += found.leader ? 1 : 0;
  }
  // A change of leadership makes S12's count depend on every server: it is
  // read from them then (the same values, as they are kept), so that the
  // step's reads show it.
  if (leadership_changed) {
    for (uint32_t index = 0; index < cluster_.servers; ++index) {
      const FastcfsServer* s = server_at(world, NodeId{index});
      REPLSIM_ASSERT((s != nullptr && s->is_leader()) == (findings_[index].read && findings_[index].leader &&
                                                          world.node_status(NodeId{index}) == NodeStatus::kUp),
                     "a server's kept leadership is its own");
    }
  }
  for (size_t k = 0; k < leaders.size(); ++k) {
    const bool split = leaders[k] > 1;
    if (split && !split_groups_[k]) {
      const std::string where = leaders.size() == 1 ? "" : fmt::format(" of server group {}", k + 1);
      add("S12", step.time, fmt::format("{} servers{} consider themselves leader", leaders[k], where));
    }
    split_groups_[k] = split;
  }
}

// One server's S1 and S6, recorded at `at`; `found` keeps what its state
// breaks (S6's fall of the confirmed DV is an event, not a state: not kept).
void FastcfsMonitor::read_server(const World& world, NodeId id, TimePoint at, ServerFindings& found) {
  found = ServerFindings{true, world.incarnation(id), false, {}};
  const FastcfsServer* s = server_at(world, id);
  if (s == nullptr) return;
  found.leader = s->is_leader();
  const auto stand = [&](const char* invariant, std::string text) {
    add(invariant, at, text);
    found.standing.emplace_back(invariant, std::move(text));
  };
  const uint32_t server_group = server_group_of_server(id.index, cluster_);
  const IndexRange members = servers_of_group(server_group, cluster_);
  for (uint32_t g : dgs_of_group(server_group, cluster_).indices()) {
    if (s->is_leader()) {
      uint32_t flagged = 0;
      for (uint32_t t : members.indices()) flagged += s->view(g, t).is_master ? 1 : 0;
      const auto m = s->master_of(g);
      if (flagged > 1 || (m && !s->view(g, *m).is_master && !s->swapping_in_view(g))) {
        stand("S1", fmt::format("g{}: leader {} has {} DSs flagged master", g + 1, server_name(id.index), flagged));
      }
    }
    if (s->acts_as_master(g)) {
      if (s->confirmed_dv(g) > s->current_dv(g)) {
        stand("S6", fmt::format("g{}: master {} has confirmed DV {} above current {}", g + 1, server_name(id.index),
                                s->confirmed_dv(g), s->current_dv(g)));
      }
      uint64_t& seen = confirmed_seen_[{id.index, g}];
      if (s->confirmed_dv(g) < seen && s->rollbacks(g) == 0) {
        add("S6", at, fmt::format("g{}: master {} confirmed DV fell from {} to {} without a rollback", g + 1,
                                  server_name(id.index), seen, s->confirmed_dv(g)));
      }
      seen = s->confirmed_dv(g);
    } else {
      confirmed_seen_.erase({id.index, g});
    }
  }
}

// S3, S4, S7, S13 where statuses or masters changed.
void FastcfsMonitor::check_replicas(const World& world, const StepRecord& step) {
  for (uint32_t g = 0; g < cluster_.data_groups; ++g) {
    const IndexRange members = members_of_dg(g, cluster_);
    std::vector<const FastcfsServer*> active;
    for (uint32_t index : members.indices()) {
      const NodeId id{index};
      const FastcfsServer* s = server_at(world, id);
      if (s == nullptr) continue;
      // S7: the slave's own RPC-applied records are consecutive.
      const auto& log = s->binlog(g);
      for (size_t i = 1; i < log.size(); ++i) {
        if (log[i].dv != log[i - 1].dv + 1) {
          add("S7", step.time, fmt::format("g{}: {}'s binlog jumps from DV {} to {}", g + 1, server_name(id.index),
                                           log[i - 1].dv, log[i].dv));
          break;
        }
      }
      if (s->my_status(g) == DsStatus::kActive) active.push_back(s);
    }
    // S3: ACTIVE replicas agree on every DV both have confirmed.
    for (size_t a = 0; a < active.size(); ++a) {
      for (size_t b = a + 1; b < active.size(); ++b) {
        const auto& x = active[a]->binlog(g);
        const auto& y = active[b]->binlog(g);
        const uint64_t upto = std::min(active[a]->confirmed_dv(g), active[b]->confirmed_dv(g));
        size_t i = 0, j = 0;
        while (i < x.size() && j < y.size() && x[i].dv <= upto && y[j].dv <= upto) {
          if (x[i].dv < y[j].dv) ++i;
          else if (y[j].dv < x[i].dv) ++j;
          else {
            if (!x[i].same_entry(y[j])) {
              add("S3", step.time, fmt::format("g{}: DV {} differs between {} (key {}) and {} (key {})", g + 1, x[i].dv,
                                               server_name(active[a]->index()), x[i].key,
                                               server_name(active[b]->index()), y[j].key));
              break;
            }
            ++i;
            ++j;
          }
        }
      }
    }
    // S4 (quiescent form) and S13: a slave ACTIVE in its own, the master's
    // and the leader's view, with the master idle, holds the master's binlog
    // and bytes exactly.
    const auto master_id = current_master(world, g);
    const auto leader_id = current_leader(world, members);
    if (!master_id || !leader_id) continue;
    const FastcfsServer* master = server_at(world, *master_id);
    const FastcfsServer* leader = server_at(world, *leader_id);
    if (master == nullptr || !master->acts_as_master(g) || master->writes_pending(g)) continue;
    for (const FastcfsServer* s : active) {
      if (s == master || master->view(g, s->index()).status != DsStatus::kActive ||
          leader->view(g, s->index()).status != DsStatus::kActive) {
        continue;
      }
      if (s->current_dv(g) > master->current_dv(g) || s->binlog(g).size() != master->binlog(g).size()) {
        add("S4", step.time, fmt::format("g{}: ACTIVE slave {} has DV {} ({} records), master {} has DV {} ({} records)",
                                         g + 1, server_name(s->index()), s->current_dv(g), s->binlog(g).size(),
                                         server_name(master->index()), master->current_dv(g), master->binlog(g).size()));
      } else if (s->data(g) != master->data(g)) {
        add("S13", step.time, fmt::format("g{}: ACTIVE slave {}'s bytes differ from master {}'s at DV {}", g + 1,
                                          server_name(s->index()), server_name(master->index()), master->current_dv(g)));
      }
    }
  }
}

void FastcfsMonitor::Ledger::hash_into(Hasher& h) const {
  h.add(static_cast<uint64_t>(violations.size()));
  // Past the violations kept, a count changes nothing the monitor does or
  // reports: hashed as it is, a violation that stands would make every
  // later state new to a search that goes past it (--known, --baseline).
  for (const auto& [invariant, count] : per_invariant) {
    h.add(invariant).add(static_cast<uint64_t>(std::min(count, kViolationsKeptPerInvariant)));
  }
  for (const auto& [value, ack] : sent_acks) h.add(value).add(ack.dg).add(ack.dv).add(ack.key);
  for (const auto& [op, value] : written) h.add(op.first).add(op.second).add(value);
  for (const auto& [dv, write] : acked) h.add(dv.first).add(dv.second).add(write.first).add(write.second);
  h.add(acked_count);
  for (const auto& [server, at] : last_start) h.add(server).add(at.ns_since_origin());
  for (const auto& [server, incarnation] : incarnations) h.add(server).add(incarnation);
}

void FastcfsMonitor::hash_into(Hasher& h) const {
  ledger_.hash_into(h);
  for (const auto& [replica, dv] : confirmed_seen_) h.add(replica.first).add(replica.second).add(dv);
  for (bool split : split_groups_) h.add(split);
}

}  // namespace replsim::fastcfs
