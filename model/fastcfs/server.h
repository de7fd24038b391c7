// One FastCFS data server (faststore's fs_serverd) as a pure actor.
//
// It plays every role the spec gives a server: candidate and voter in the
// leader election (§1.4), follower pinging the leader or leader pushing
// status changes and electing data-group masters (§1.5), master running the
// write path (§3), slave applying RPCs and recovering through the binlog
// fetch rounds (§4). Each concern has its own source file:
//   server.cpp              start, restart (T1), persistence, dispatch, the 1 s tick
//   server_cluster.cpp      leader election, join, ping, leader check, applying pushes
//   server_push.cpp         the push connection, the follower's and the leader's end
//   server_transport.cpp    calls, the ping connection, connection ends
//   server_election.cpp     data-group master election and set_master
//   server_replication.cpp  write path, channels, RPCs, slave apply, quorum
//   server_recovery.cpp     the recovery rounds and the ONLINE round
//
// Servers talk over connections as faststore does: each server's own
// replication channels to every peer (replica port), a follower's ping and
// push connections to the leader (cluster port), and a connection per call
// for the rest (status queries, the leader notify, reports, the swap's
// requests, recovery fetches) (server_transport.cpp).
//
// Where the model simplifies FastCFS, docs/FASTCFS_MODEL.md says how and why.
// The server reports what the checkers need through notes: "ds_status"
// (every status change of a DS in its owner's view, with the transition),
// "leader" / "master" (roles taken and given up), "ack" (a write the master
// acknowledged, with its DV), "apply" (a slave applied an RPC),
// "transition" (coverage counters of §2.3), "violation" (an assertion of
// the protocol's own expectations, e.g. a strict-sequence breach it caught).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "base/fifo.h"
#include "base/flat_map.h"
#include "base/hashed_part.h"
#include "model/fastcfs/layout.h"
#include "model/fastcfs/messages.h"
#include "model/fastcfs/options.h"
#include "model/fastcfs/types.h"
#include "sim/actor.h"

namespace replsim::fastcfs {

// The answer timeout faststore hard-codes for its short cluster calls
// (cluster_relationship.c: cluster_get_server_status_ex, cluster_get_ds_status,
// cluster_unset_master each declare `network_timeout = 3`).
constexpr Duration kShortCallTimeout = Duration::s(3);

class FastcfsServer final : public ActorOf<FastcfsServer> {
 public:
  FastcfsServer(uint32_t index, ClusterConfig config);

  void on_start(Context& ctx, const DiskImage& disk) override;
  void on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& message) override;
  void on_connection(Context& ctx, const ConnectionEvent& event) override;
  void on_timer(Context& ctx, TimerKey key) override;
  void on_disk(Context& ctx, const DiskCompletion& completion) override;
  nlohmann::json describe() const override;

  bool operator==(const FastcfsServer&) const = default;
  void hash_into(Hasher& h) const;

  // ---- read-only views for checkers and tests ----
  uint32_t index() const { return me_; }
  bool is_leader() const { return leader_ == me_; }
  std::optional<uint32_t> leader() const { return leader_; }
  const std::optional<uint32_t>& master_of(uint32_t dg) const { return cluster_view_->master[dg]; }
  const DsView& view(uint32_t dg, uint32_t server) const { return cluster_view_->ds[dg][server]; }
  DsStatus my_status(uint32_t dg) const { return groups_[dg]->status; }
  // Acts as master: the group's master is me and my DS's is_master is set
  // (check_myself_master and the protocol's other master checks).
  bool acts_as_master(uint32_t dg) const;
  // Acts as master and takes new writes: no master swap drains me (only
  // the service's write admission reads master_swapping).
  bool takes_writes(uint32_t dg) const;
  uint64_t current_dv(uint32_t dg) const { return groups_[dg]->current_dv; }
  uint64_t confirmed_dv(uint32_t dg) const { return groups_[dg]->confirmed_dv; }
  const std::vector<BinlogRecord>& binlog(uint32_t dg) const { return groups_[dg]->binlog; }
  const FlatMap<uint64_t, uint64_t>& data(uint32_t dg) const { return groups_[dg]->data; }
  bool writes_pending(uint32_t dg) const;
  const TransitionCounts& transitions() const { return cluster_view_->transitions; }
  uint32_t data_groups() const { return config_.data_groups; }
  const ClusterConfig& config() const { return config_; }
  // Whether I hold a replica of `dg` (my server group's data groups).
  bool holds_dg(uint32_t dg) const { return my_dgs_.contains(dg); }
  bool halted() const { return halted_; }
  // Holds DV `dv` of `dg` as the record of a write to `key`.
  bool holds(uint32_t dg, uint64_t dv, uint64_t key) const;
  bool majority_mode_on(uint32_t dg) const { return groups_[dg]->need_majority; }
  // A resume-master swap cleared the old master's flag in the leader's memory.
  bool swapping_in_view(uint32_t dg) const { return swap_ && swap_->dg == dg; }
  uint64_t rollbacks(uint32_t dg) const { return groups_[dg]->rollbacks; }

 private:
  // ---- per-DG replica state (Appendix C) ----
  // Where a request came from: the node and the connection to answer on.
  struct Inbound {
    NodeId from;
    ConnectionId connection;
  };
  struct PendingWrite {
    ConnectionId client;  // the client's connection: the answer goes back on it
    uint64_t seq = 0;
    uint64_t req_id = 0;
    uint64_t key = 0;
    uint64_t value = 0;
    bool operator==(const PendingWrite&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct InFlight {  // the write the DG's data thread is on (stop-and-wait)
    PendingWrite write;
    uint64_t dv = 0;
    uint32_t waiting = 0;    // RPCs not yet resolved
    uint32_t successes = 0;  // RPCs answered OK
    bool binlog_written = false;
    bool in_quorum_wait = false;
    bool released_by_cleanup = false;
    TimePoint started;  // local time the DV was assigned
    bool operator==(const InFlight&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct HeldRpc {  // an RPC an ONLINE slave holds (§2.4 step 6)
    uint32_t from = 0;         // the master
    ConnectionId connection;   // its channel, which the answer goes back on
    RpcCallReq rpc;
    bool operator==(const HeldRpc&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  enum class RecoveryStep : uint8_t { kIdle, kWaitChannel, kFetching, kConfirming, kBackoff };
  struct Recovery {
    RecoveryStep step = RecoveryStep::kIdle;
    bool in_progress = false;
    DsStatus previous = DsStatus::kOffline;  // status before T2/T3
    bool online_round = false;               // the next/current round is the online round
    TimePoint round_start;
    uint64_t seq = 0;                        // outstanding request
    uint32_t tries = 0;                      // EAGAIN tries / channel waits / empty replies
    uint32_t consecutive_failures = 0;
    uint64_t until_version = 0;
    uint64_t repl_version = 0;
    uint64_t fetch_after = 0;                // reader position
    std::vector<FetchedRecord> fetched;
    bool operator==(const Recovery&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct Group {
    DsStatus status = DsStatus::kInit;
    std::vector<BinlogRecord> binlog;
    FlatMap<uint64_t, uint64_t> data;
    uint64_t current_dv = 0;
    uint64_t confirmed_dv = 0;
    uint64_t rpc_last_version = 0;
    std::optional<uint32_t> old_master;   // last non-NULL master (§1.6)
    bool is_my_term = false;
    bool master_swapping = false;
    bool need_majority = false;
    bool startup_rollback_done = true;
    Fifo<PendingWrite> queue;
    std::optional<InFlight> in_flight;
    std::vector<uint64_t> quorum_waiting;          // DVs of writes waiting for confirmation
    FlatMap<uint32_t, uint32_t> detect_chain;     // slave -> passes while not majority-active
    uint32_t cleanup_passes = 0;
    std::map<uint64_t, uint64_t> idempotency;      // req_id -> DV (replicated requests)
    std::map<uint64_t, Err> results;               // req_id -> final answer (master side)
    std::vector<HeldRpc> held;
    Recovery recovery;
    uint64_t rollbacks = 0;
    Fifo<ReportDsStatusReq> reports;  // to the leader in this order; the head is in flight if report_seq != 0
    uint64_t report_seq = 0;
    // The group's file (binlog and data records): how many records it holds,
    // and the position of each binlog record in it (a truncation's target).
    uint64_t file_records = 0;
    std::vector<uint64_t> binlog_pos;
    // A binlog fsync of the file is in flight, and appends since it began
    // want another: only a group's file is fsynced as its binlog grows.
    bool fsync_in_flight = false;
    bool fsync_again = false;
    bool operator==(const Group&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };

  // ---- replication channels (§3.4) ----
  enum class ChannelStage : uint8_t { kNone, kConnecting, kSyncing };
  struct OutstandingRpc {
    uint32_t dg = 0;
    uint64_t dv = 0;
    bool operator==(const OutstandingRpc&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  // One of my own outbound replication connections to a peer.
  struct Channel {
    ChannelStage stage = ChannelStage::kNone;
    uint64_t version = 0;  // bumped on every stage change (ACTIVE_CONFIRM's repl_version)
    ConnectionId connection;
    TimePoint next_connect;
    // Connects that failed in a row (faststore's connection_info.fail_count):
    // the next attempt waits 1, 2, 4, 8, 16, then 32 s from this one's start.
    uint32_t connect_failures = 0;
    bool connected = false;  // this attempt's TCP connect succeeded (on_connect_success)
    TimePoint last_sent;
    bool test_outstanding = false;
    TimePoint expect_since;  // waiting for an answer since (RPC or active test)
    FlatMap<uint64_t, OutstandingRpc> outstanding;  // rpc id -> the write it replicates
    bool operator==(const Channel&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };

  // ---- leader's view of each server (§1.3, §1.4.5) ----
  struct Peer {
    ServerStatus status = ServerStatus::kOffline;
    TimePoint last_ping;            // accepted ping or activation
    TimePoint status_changed;       // zero: never changed
    TimePoint push_heard;           // anything received on its push connection (idle timeout)
    TimePoint push_sent;            // last_net_comm_time: the last push or active test sent
    bool joined = false;
    // The server's is_leader flag in my memory (FSClusterServerInfo): set for
    // the leader I follow or am, cleared for the others on a leader change
    // (M13 leaves a former leader's set).
    bool leader_flag = false;
    bool inactive = false;          // in the brain-split probe list
    uint64_t probe_seq = 0;
    TimePoint probe_sent;
    bool probe_ok = true;           // the last probe was answered in time
    std::set<std::pair<uint32_t, uint32_t>> push_pending;  // (dg, server) events
    uint64_t push_seq = 0;          // a push or active test in flight when non-zero
    ConnectionId push_connection;   // notify_ctx.task: the follower's joined push connection
    bool operator==(const Peer&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct GroupElection {
    TimePoint start;  // zero: not started
    bool in_queue = false;
    bool in_delay_queue = false;
    bool reselect = false;
    bool operator==(const GroupElection&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct Swap {  // resume-master swap in progress (§1.5.5)
    uint32_t dg = 0;
    uint32_t old_master = 0;
    uint32_t new_master = 0;
    uint32_t polls = 0;
    uint64_t seq = 0;
    uint8_t phase = 0;  // 1 unset sent, 2 polling old, 3 recheck old, 4 asking new
    uint64_t old_dv = 0;
    bool operator==(const Swap&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };

  // ---- relationship thread (§1.4.1) ----
  enum class Relation : uint8_t { kIdle, kQuery, kBackoff, kPreSet, kCommit, kJoining, kPinging };
  // The follower's push connection to its leader generation's leader
  // (server_push_handler_run): joined, then (the activation only sent) it
  // only receives.
  enum class PushStage : uint8_t { kClosed, kJoining, kActive };
  struct PushLink {
    std::optional<uint32_t> leader;  // last_leader: whose generation this link serves
    ConnectionId connection;
    PushStage stage = PushStage::kClosed;
    uint64_t seq = 0;                // the join in flight
    TimePoint last_heard;            // last_net_comm_time: anything received on it
    bool operator==(const PushLink&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  struct Selection {
    TimePoint start;
    Duration backoff = Duration::s(1);
    uint64_t seq = 0;
    std::vector<std::optional<ServerStatusRecord>> answers;
    uint32_t awaiting = 0;
    uint32_t successes = 0;
    bool aborted = false;
    bool operator==(const Selection&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };

  // server.cpp
  void boot_from_disk(Context& ctx, const DiskImage& disk);
  void tick(Context& ctx);
  void sync_cluster_info(Context& ctx);
  void persist_cluster_info(Context& ctx);
  void persist_confirmed(Context& ctx, uint32_t dg);
  void unlink_confirmed(Context& ctx, uint32_t dg);
  void append_binlog(Context& ctx, uint32_t dg, BinlogRecord record);
  void write_data(Context& ctx, uint32_t dg, uint64_t key, uint64_t value);
  void truncate_binlog_after(Context& ctx, uint32_t dg, uint64_t dv);
  void rewrite_group_file(Context& ctx, uint32_t dg);
  void count(Context& ctx, Transition t, uint32_t dg);
  void set_my_status(Context& ctx, uint32_t dg, DsStatus status, Transition t, bool report);
  void report_my_status(Context& ctx, uint32_t dg);
  void violation(Context& ctx, const std::string& invariant, const std::string& text);
  bool has(const std::string& mutation) const { return config_.options.mutations.contains(mutation); }
  // Every server of the simulation: only for "is this node a server" and sizes.
  uint32_t n() const { return config_.servers; }
  uint32_t dg_count() const { return config_.data_groups; }
  // My server group (CLUSTER_SERVER_ARRAY) and its data groups
  // (CLUSTER_DATA_GROUP_ARRAY): every data group here has exactly these
  // servers as members, so r() is both the cluster size and the replica count.
  auto cluster() const { return cluster_.indices(); }
  auto my_dgs() const { return my_dgs_.indices(); }
  uint32_t r() const { return cluster_.size(); }
  bool in_cluster(uint32_t server) const { return cluster_.contains(server); }
  NodeId node(uint32_t server) const { return NodeId{server}; }
  uint64_t next_seq() { return ++seq_; }
  int64_t local_ns(const Context& ctx) const { return ctx.local_now().ns_since_origin(); }

  // server_cluster.cpp
  void relationship_step(Context& ctx);
  void start_selection(Context& ctx);
  void query_statuses(Context& ctx);
  void on_status_answers_complete(Context& ctx);
  void start_notify(Context& ctx, uint8_t phase);
  void on_notify_complete(Context& ctx);
  ServerStatusRecord my_status_record() const;
  bool quorum_ok(uint32_t count) const;
  void set_leader(Context& ctx, uint32_t leader);
  void unset_leader(Context& ctx, const char* why);
  void step_down(Context& ctx, const char* why);
  void send_join(Context& ctx);
  void send_ping(Context& ctx);
  void relation_deadline(Context& ctx);
  void on_ping_failed(Context& ctx);
  void after(Context& ctx, Duration delay);
  void leader_check(Context& ctx);
  void deactivate_server(Context& ctx, uint32_t server, const char* why);
  void activate_server(Context& ctx, uint32_t server);
  void set_server_status(Context& ctx, uint32_t server, ServerStatus status);
  bool leader_apply_ds(Context& ctx, uint32_t dg, uint32_t server, DsStatus status, bool from_ping);
  void notify_change(uint32_t dg, uint32_t server, bool notify_self);
  void raise_cluster_version();
  void apply_push_entry(Context& ctx, const DsEntry& entry);
  std::vector<DsEntry> ping_entries(bool all);
  void on_get_server_status(Context& ctx, const Inbound& in, const GetServerStatusReq& m);
  void on_get_server_status_resp(Context& ctx, const Inbound& in, const GetServerStatusResp& m);
  void on_next_leader(Context& ctx, const Inbound& in, const NextLeaderReq& m);
  void on_next_leader_resp(Context& ctx, const Inbound& in, const NextLeaderResp& m);
  void on_join_leader(Context& ctx, const Inbound& in, const JoinLeaderReq& m);
  void on_join_leader_resp(Context& ctx, const Inbound& in, const JoinLeaderResp& m);
  void on_ping_leader(Context& ctx, const Inbound& in, const PingLeaderReq& m);
  void on_ping_leader_resp(Context& ctx, const Inbound& in, const PingLeaderResp& m);
  void apply_ping_entries(Context& ctx, uint32_t server, const std::vector<DsEntry>& entries);

  // server_push.cpp: the push connection, both ends
  void push_generation(Context& ctx, uint32_t leader);
  void push_handler_step(Context& ctx);
  void close_push_link(Context& ctx);
  void on_push_link_answer(Context& ctx, Err err);
  void push_link_closed(Context& ctx, const char* why);
  void on_push(Context& ctx, const Inbound& in, const PushDsStatusReq& m);
  void on_push_join(Context& ctx, const Inbound& in, const JoinLeaderReq& m);
  void on_activate(Context& ctx, const Inbound& in, const PingLeaderReq& m);
  void pump_push(Context& ctx, uint32_t follower);
  void on_push_resp(Context& ctx, const Inbound& in, const PushDsStatusResp& m);
  void on_push_test(Context& ctx, const Inbound& in, const ChannelTest& m);
  void check_push_idle(Context& ctx);
  void close_idle_server_tasks(Context& ctx);
  bool touch_inbound(Context& ctx, uint32_t peer, ConnectionId connection);
  void push_task_closed(Context& ctx, uint32_t follower, const char* why);
  void on_call_failed(Context& ctx, uint32_t peer, const Message& original);
  void call_timed_out(Context& ctx, uint64_t connection);
  Duration answer_timeout(const Message& request) const;
  void on_report(Context& ctx, const Inbound& in, const ReportDsStatusReq& m);

  // server_election.cpp
  uint64_t known_dv(uint32_t dg, uint32_t server) const;
  void queue_election(Context& ctx, uint32_t dg, bool delayed);
  void run_elections(Context& ctx);
  void on_timer_elections(Context& ctx);
  Err select_master(Context& ctx, uint32_t dg, uint32_t& chosen);
  // `reason`: election, resume, reselect, new leader, server deactivated.
  // Masters by value, not reference: callers pass master_of(dg), which the
  // call changes (and may clone away, base/hashed_part.h).
  void set_master(Context& ctx, uint32_t dg, std::optional<uint32_t> old_master, std::optional<uint32_t> new_master,
                  const char* reason);
  void unset_all_masters(Context& ctx);
  void on_master_change(Context& ctx, uint32_t dg, std::optional<uint32_t> old_master, std::optional<uint32_t> new_master);
  void maybe_resume_master(Context& ctx, uint32_t dg, uint32_t server);
  void swap_step(Context& ctx);
  void send_swap_request(Context& ctx, uint32_t target, MessagePtr request);
  void swap_rollback(Context& ctx);
  void on_unset_master(Context& ctx, const Inbound& in, const UnsetMasterReq& m);
  void on_get_ds_status(Context& ctx, const Inbound& in, const GetDsStatusReq& m);
  void on_ds_status_resp(Context& ctx, const DsStatusResp& m);
  void on_reselect(Context& ctx, const Inbound& in, const ReselectMasterReq& m);
  void trigger_reselect(Context& ctx, uint32_t g);

  // server_replication.cpp
  void channels_tick(Context& ctx);
  void connect_channel(Context& ctx, uint32_t peer, uint32_t index);
  void close_channel(Context& ctx, uint32_t peer, uint32_t index, const char* why);
  // A group's RPCs always take the channel its 1-based id picks
  // (replication_caller.c push_to_slave_queues: data_group_id % count); dg
  // here is the 0-based index.
  uint32_t channel_index_for(uint32_t peer, uint32_t dg) const {
    const size_t count = channels_to(peer).size();
    REPLSIM_ASSERT(count > 0, "a group's RPCs go to a server of my group");
    return static_cast<uint32_t>((dg + 1) % count);
  }
  const Channel& channel_for(uint32_t peer, uint32_t dg) const { return channels_to(peer)[channel_index_for(peer, dg)]; }
  // My outbound replication channels to `peer`, by index: none to a server
  // outside my server group (a join from one is refused). As read: a span
  // must not live across a call that may change a channel (base/hashed_part.h).
  std::span<const Channel> channels_to(uint32_t peer) const {
    const auto [first, count] = channel_row(peer);
    return std::span<const Channel>(channels_->rows).subspan(first, count);
  }
  // The channel to change: taken only on a path that changes it, since it
  // clones the channels that copies of me share.
  Channel& channel_to_change(uint32_t peer, uint32_t index) {
    const auto [first, count] = channel_row(peer);
    REPLSIM_ASSERT(index < count, "a channel of the peer's row");
    return channels_.write().rows[first + index];
  }
  // Where `peer`'s row of channels starts, and how long it is.
  std::pair<size_t, size_t> channel_row(uint32_t peer) const {
    if (!in_cluster(peer)) return {0, 0};
    const size_t per_peer = config_.options.replica_channels_between_two_servers;
    REPLSIM_ASSERT(channels_->rows.size() == r() * per_peer, "a row of channels per server of my group");
    return {(peer - cluster_.first) * per_peer, per_peer};
  }
  void on_join_server(Context& ctx, const Inbound& in, const JoinServerReq& m);
  void on_join_server_resp(Context& ctx, const Inbound& in, const JoinServerResp& m);
  void on_channel_test(Context& ctx, const Inbound& in, const ChannelTest& m);
  void on_client_write(Context& ctx, const Inbound& in, const ClientWriteReq& m);
  void on_client_read(Context& ctx, const Inbound& in, const ClientReadReq& m);
  void on_get_master(Context& ctx, const Inbound& in, const GetMasterReq& m);
  static bool in_progress(const Group& group, uint64_t req_id);
  void start_next_write(Context& ctx, uint32_t dg);
  void resolve_rpc(Context& ctx, uint32_t dg, uint64_t dv, bool success);
  void finish_fanout(Context& ctx, uint32_t dg);
  void complete_write(Context& ctx, uint32_t dg, Err err);
  void on_rpc(Context& ctx, const Inbound& in, const RpcCallReq& m);
  Err apply_rpc(Context& ctx, uint32_t dg, const RpcCallReq& m);
  void release_held(Context& ctx, uint32_t dg);
  void on_rpc_resp(Context& ctx, const Inbound& in, const RpcCallResp& m);
  void offline_slave(Context& ctx, uint32_t dg, uint32_t slave, Transition t, bool local);
  void on_confirmed_report(Context& ctx, uint32_t dg);
  void release_quorum_waiters(Context& ctx, uint32_t dg);
  void end_master_term(Context& ctx, uint32_t dg, uint32_t new_master);
  void rollback_to(Context& ctx, uint32_t dg, uint64_t confirmed, const std::map<uint64_t, uint64_t>* master_data);
  bool majority(uint32_t successes) const;
  bool need_majority_mode() const;
  bool need_detect_mode() const;
  uint32_t active_count(uint32_t dg) const;
  void quorum_passes(Context& ctx);

  // server_transport.cpp
  void call(Context& ctx, uint32_t peer, MessagePtr request);
  void report_to_leader(Context& ctx, const ReportDsStatusReq& report);
  void send_next_report(Context& ctx, uint32_t dg);
  void on_report_resp(Context& ctx, const ReportDsStatusResp& m);
  void send_to_leader(Context& ctx, MessagePtr message);
  void close_ping_connection(Context& ctx);
  bool answered_call(Context& ctx, ConnectionId connection, const Message& m);
  void connection_established(Context& ctx, const ConnectionEvent& event);
  void connection_closed(Context& ctx, const ConnectionEvent& event);

  // server_recovery.cpp
  void queue_recovery(Context& ctx, uint32_t dg, Duration after);
  void recovery_timer(Context& ctx, uint32_t dg);
  void start_round(Context& ctx, uint32_t dg);
  void send_fetch(Context& ctx, uint32_t dg, bool first);
  void on_fetch(Context& ctx, const Inbound& in, const FetchBinlogReq& m);
  void on_fetch_resp(Context& ctx, const Inbound& in, const FetchBinlogResp& m);
  void finish_fetch(Context& ctx, uint32_t dg);
  void on_active_confirm(Context& ctx, const Inbound& in, const ActiveConfirmReq& m);
  void on_active_confirm_resp(Context& ctx, const ActiveConfirmResp& m);
  void recovery_failed(Context& ctx, uint32_t dg, const char* why);
  void abandon_recovery(Context& ctx, uint32_t dg);
  void wipe_binlog(Context& ctx, uint32_t dg);
  void recovery_succeeded(Context& ctx, uint32_t dg);

  // A group's state as it is; a reference to it must not live across a call
  // that may change the group (base/hashed_part.h).
  const Group& my_group(uint32_t dg) const { return *groups_[dg]; }
  // The group to change: taken only on a path that changes it, since it
  // clones a group that copies of me share.
  Group& my_group_to_change(uint32_t dg) { return groups_[dg].write(); }

  // A DS's view, or a group's master, to change: taken only on a path that
  // changes it, since it clones the view that copies of me share.
  DsView& view_to_change(uint32_t dg, uint32_t server) { return cluster_view_.write().ds[dg][server]; }
  std::optional<uint32_t>& master_to_change(uint32_t dg) { return cluster_view_.write().master[dg]; }
  const GroupElection& election(uint32_t dg) const { return cluster_view_->elections[dg]; }
  GroupElection& election_to_change(uint32_t dg) { return cluster_view_.write().elections[dg]; }

  const Peer& peer(uint32_t server) const { return peers_->rows[server]; }
  // The peer to change: taken only on a path that changes it (it clones the
  // table that copies of me share).
  Peer& peer_to_change(uint32_t server) { return peers_.write().rows[server]; }

  // ---- state ----
  uint32_t me_;
  ClusterConfig config_;
  IndexRange cluster_;
  IndexRange my_dgs_;
  uint64_t seq_ = 0;
  int64_t up_time_ns_ = 0;            // local clock at start
  int64_t last_shutdown_ns_ = 0;      // data_group.info's last write before this start
  bool halted_ = false;               // terminated itself (binlog I/O failure): a dead process

  // cluster (§1.4)
  std::optional<uint32_t> leader_;
  std::optional<uint32_t> next_leader_;
  uint64_t cluster_version_ = 0;      // CV
  uint64_t leader_version_ = 0;       // the leader's generation I joined (or mine as leader)
  uint64_t leader_key_ = 0;
  bool leader_hint_ = false;          // persisted "I was leader"
  int64_t last_heartbeat_ns_ = 0;
  uint64_t info_synced_cv_ = 0;       // the CV data_group.info was last written at
  TimePoint info_synced_at_;          // its last write or mtime refresh

  Relation relation_ = Relation::kIdle;
  // Written only while no leader is known (a heartbeat never does).
  HashedPart<Selection> selection_;
  uint64_t relation_seq_ = 0;         // outstanding join/ping
  ConnectionId ping_connection_;      // mine to the leader: joins and pings
  PushLink push_;                     // mine to the leader: its pushes to me
  TimePoint ping_start_;
  uint32_t ping_failures_ = 0;

  // Shared by copies of me until a step changes a peer: the leader's pings,
  // pushes and probes do, a follower's heartbeats do not.
  struct PeerTable {
    std::vector<Peer> rows;
    bool operator==(const PeerTable&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  HashedPart<PeerTable> peers_;
  std::optional<Swap> swap_;

  // The data servers as I know them, each group's master, the leader's
  // elections and the transitions I made: shared by copies of me until a
  // step changes a status, a DV, a master or an election (a heartbeat
  // changes none). Read through view(), master_of() and election(), changed
  // through view_to_change(), master_to_change(), election_to_change(),
  // count(), or cluster_view_.write() for the election queue.
  struct ClusterView {
    std::vector<std::vector<DsView>> ds;  // [dg][server]
    std::vector<std::optional<uint32_t>> master;
    std::vector<GroupElection> elections;  // as leader, by data group
    Fifo<uint32_t> election_queue;
    TransitionCounts transitions{};
    bool operator==(const ClusterView&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  HashedPart<ClusterView> cluster_view_;
  // Each group shared by copies until a step changes it (heartbeats never
  // do): read through my_group, changed through my_group_to_change.
  std::vector<HashedPart<Group>> groups_;
  // Per group, the (current, confirmed) DVs my last ping carried: every ping
  // may change them, so they live outside the group.
  std::vector<std::pair<uint64_t, uint64_t>> last_reported_;

  // Outbound, a row of replica_channels_between_two_servers per server of
  // my group, in index order (channels_to), shared by copies of me until a
  // step changes one (RPCs and their answers, tests, connects, closes).
  struct ChannelTable {
    std::vector<Channel> rows;
    bool operator==(const ChannelTable&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  HashedPart<ChannelTable> channels_;
  // (peer, connection): the peers' replication connections that joined,
  // each with the time of its last read or write (sf_nio's idle clock).
  // faststore marks the connection's task (replica_deal_join_server_req),
  // not a slot per channel: any joined connection carries RPCs until it
  // closes, so a late join on a stale connection does not silence the live
  // one. One map, not one per peer: a server's copy allocates it once.
  FlatMap<std::pair<uint32_t, uint64_t>, TimePoint> inbound_;
  // The followers' ping connections that joined me as leader (the
  // RELATIONSHIP tasks of cluster_deal_join_leader), with the time of the
  // last read or write on each. They outlive my leadership, as the tasks do.
  struct PingTask {
    uint32_t peer = 0;
    TimePoint last_io;
    bool operator==(const PingTask&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  FlatMap<uint64_t, PingTask> ping_tasks_;
  // Short-lived connections of mine that carry one request each: what was
  // asked, of whom, until the answer (or the connection's end).
  struct OpenCall {
    uint32_t peer = 0;
    KeptMessage request;
    bool operator==(const OpenCall&) const = default;
    void hash_into(Hasher& h) const;  // every field == compares
  };
  FlatMap<uint64_t, OpenCall> calls_;
};

}  // namespace replsim::fastcfs
