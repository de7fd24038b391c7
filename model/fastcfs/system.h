// The FastCFS model as a runnable system: world construction, and the
// invariants of fastcfs-protocol.md §6 judged on every step.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/flat_map.h"
#include "base/hashed_part.h"
#include "model/fastcfs/client.h"
#include "model/fastcfs/server.h"
#include "sim/world.h"

namespace replsim::fastcfs {

struct FastcfsSystemConfig {
  ClusterConfig cluster;
  uint32_t clients = 3;
  FastcfsClientOptions client;  // servers / data_groups / read_rule are filled in
  LinkConfig link;
  DiskConfig disk;
  TcpConfig tcp;
};

// Servers are s1 .. sN (nodes 0 .. N-1), clients c1 .. cM after them.
World make_fastcfs_world(const FastcfsSystemConfig& config, uint64_t seed);
std::vector<NodeId> fastcfs_servers(const World& world);
// The server actor of node `id`, or nullptr when it is down.
const FastcfsServer* server_at(const World& world, NodeId id);

// The leader of the server group `servers`: a live server of it that
// considers itself leader (the lowest when several do). Each server group
// elects its own (ClusterConfig::replicas).
std::optional<NodeId> current_leader(const World& world, IndexRange servers);
// The master of data group `dg` (0-based) in its server group's leader's view.
std::optional<NodeId> current_master(const World& world, uint32_t dg);
// The cluster's shape as a live server knows it (owned by that server, valid
// until the world steps); nullptr when none is up.
const ClusterConfig* live_cluster_config(const World& world);

// L1: every server up and not halted, in each server group one leader all
// its servers agree on, every data group with a master, every DS ACTIVE in
// its own and the leader's view, and every slave holding exactly the
// master's binlog and bytes.
bool fastcfs_converged(const World& world);
// Why the cluster is not settled, in one phrase; empty when it is.
std::string convergence_gap(const World& world);

// Transitions of §2.3 reached so far, summed over live servers and those
// that crashed (the monitor keeps the counts of every incarnation).
struct Violation {
  std::string invariant;  // "S1" ..
  TimePoint at;
  std::string text;       // names the nodes and the versions
  // S5: the acknowledged write that is missing (key, value), so a report can
  // show the client's operation.
  std::optional<std::pair<uint64_t, uint64_t>> write;
};

// Watches a run step by step. Safety invariants are asserted on every step
// where the state they read can have changed; S2 and S12 are monitors
// (recorded, judged only by the checks that ask for them).
class FastcfsMonitor {
 public:
  explicit FastcfsMonitor(const ClusterConfig& cluster)
      : cluster_(cluster),
        leaders_(server_group_count(cluster), 0),
        split_groups_(leaders_.size(), false),
        findings_(cluster.servers) {}

  void observe(const World& world, const StepRecord& step);
  // Checks that need the finished run (S5 against the final master).
  void finish(const World& world);

  const std::vector<Violation>& violations() const { return ledger_->violations; }
  std::vector<Violation> violations_of(const std::set<std::string>& invariants) const;
  // T1 .. T18 counts seen in the run (index 1..18).
  const TransitionCounts& transitions() const { return transitions_; }
  uint64_t acked_writes() const { return ledger_->acked_count; }
  // What decides later verdicts (not the coverage counts), for a search's
  // visited set.
  void hash_into(Hasher& h) const;

 private:
  void add(const std::string& invariant, TimePoint at, std::string text,
           std::optional<std::pair<uint64_t, uint64_t>> write = std::nullopt);
  void check_masters(const World& world, const StepRecord& step);
  struct ServerFindings;
  void read_server(const World& world, NodeId id, TimePoint at, ServerFindings& found);
  void check_replicas(const World& world, const StepRecord& step);
  void check_note(const World& world, const StepRecord& step, const Note& note);
  void check_operation(const OperationEvent& op);
  void check_acked_on(const World& world, NodeId master, uint32_t dg, TimePoint at);

  ClusterConfig cluster_;
  static constexpr size_t kViolationsKeptPerInvariant = 50;
  // Acks a master sent, by written value (unique per write), until a
  // client receives one: then the write is acked(g, v).
  struct SentAck {
    uint32_t dg = 0;
    uint64_t dv = 0;
    uint64_t key = 0;
  };
  // What only client operations, acks, violations and restarts change:
  // far fewer steps than a search takes. A search copies the monitor
  // with every state, so the copies share it (and its hash) until one of
  // them changes it, through ledger().
  struct Ledger {
    std::vector<Violation> violations;
    FlatMap<std::string, size_t> per_invariant;  // violations seen; the first kViolationsKeptPerInvariant kept
    std::map<uint64_t, SentAck> sent_acks;
    std::map<std::pair<uint32_t, uint64_t>, uint64_t> written;  // (client, op) -> value of writes in progress
    // acked (dg, dv) -> (key, value), for S5.
    std::map<std::pair<uint32_t, uint64_t>, std::pair<uint64_t, uint64_t>> acked;
    uint64_t acked_count = 0;
    FlatMap<uint32_t, TimePoint> last_start;  // server -> when its current process began
    FlatMap<uint32_t, uint32_t> incarnations;  // server -> its incarnation at the last step
    void hash_into(Hasher& h) const;
  };
  Ledger& ledger() { return ledger_.write(); }
  HashedPart<Ledger> ledger_;
  TransitionCounts transitions_{};  // coverage only: not hashed
  // S6: the confirmed DV each master had last, per (server, dg).
  FlatMap<std::pair<uint32_t, uint32_t>, uint64_t> confirmed_seen_;
  std::vector<uint32_t> leaders_;    // per server group, counted anew on each server step
  std::vector<bool> split_groups_;  // per server group: more than one leader at the last step
  // What check_masters found of one server when it last read it. A server's
  // state changes only at its own steps, and at faults, after which its
  // incarnation differs; so at another server's step its findings are
  // repeated from here rather than read again. A step then reads only its
  // own server, which lets a model checker's partial-order reduction tell
  // two servers' steps independent. A function of the servers' states: not
  // hashed.
  struct ServerFindings {
    bool read = false;
    uint32_t incarnation = 0;
    bool leader = false;
    std::vector<std::pair<std::string, std::string>> standing;  // (invariant, text): what its state breaks
  };
  std::vector<ServerFindings> findings_;  // per server
};

}  // namespace replsim::fastcfs
