// A FastCFS client (fastcfs-protocol.md §3.1, §3.8) running a closed-loop
// register workload: one operation at a time, each a write of a value unique
// to that write or a read, on keys that stand for blocks.
//
// It finds a data group's master with GET_MASTER (asking the servers in
// turn), caches it, and on a retriable error (NOT_MASTER, NOT_ACTIVE,
// NO_SERVER, EAGAIN) or an unanswered request re-resolves and retries with
// exponential backoff. Retries to the same master keep the request id (the
// master deduplicates them), whatever made them retry; a write to another
// master takes a fresh id, as fs_client.c's do_slice_write does. The
// operation's own timeout ends it as indeterminate ("info"). Reads follow read_rule: "master" reads from the
// master, "any"/"slave" from a server the client picks.
//
// It keeps a connection per server (fs_client's connection pool): a request
// whose connection closes, or that gets no answer in time (the connection is
// then closed), is retried like an error. The workload (what to do and
// when, the operation's timeout, the typed operations for the history) is
// the kit's closed-loop workload.
#pragma once

#include <optional>
#include <vector>

#include "model/fastcfs/layout.h"
#include "model/fastcfs/options.h"
#include "model/kit/workload.h"
#include "sim/actor.h"

namespace replsim::fastcfs {

struct FastcfsClientOptions {
  uint32_t servers = 3;
  uint32_t data_groups = 1;
  uint32_t replicas = 0;  // servers per server group (ClusterConfig::replicas)
  ReadRule read_rule = ReadRule::kMaster;
  kit::WorkloadOptions workload;
  Duration request_timeout = Duration::ms(500); // per attempt: then re-resolve and retry
  Duration backoff_min = Duration::ms(20);
  Duration backoff_max = Duration::s(5);
  bool operator==(const FastcfsClientOptions&) const = default;
};

class FastcfsClient final : public ActorOf<FastcfsClient> {
 public:
  // Servers are nodes 0 .. servers-1.
  FastcfsClient(uint32_t client_index, FastcfsClientOptions options);

  void on_start(Context& ctx, const DiskImage& disk) override;
  void on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& message) override;
  void on_connection(Context& ctx, const ConnectionEvent& event) override;
  void on_timer(Context& ctx, TimerKey key) override;
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return workload_.describe(); }

  bool operator==(const FastcfsClient&) const = default;
  void hash_into(Hasher& h) const;

  uint64_t ops_issued() const { return workload_.ops_issued(); }

 private:
  // The outstanding operation as FastCFS's client library pursues it.
  struct Op {
    uint64_t op = 0;
    bool is_write = false;
    uint64_t key = 0;
    uint64_t value = 0;
    uint32_t dg = 0;
    uint64_t req_id = 0;
    std::optional<uint32_t> req_master;  // the master req_id was last sent to
    uint64_t seq = 0;            // the request in flight
    uint32_t server = 0;         // the server it went to
    bool resolving = false;      // waiting for GET_MASTER
    uint32_t attempts = 0;
    Duration backoff;
    bool operator==(const Op&) const = default;
  };

  void issue(Context& ctx, const kit::WorkloadOp& workload_op);
  void attempt(Context& ctx);
  void retry(Context& ctx, bool forget_master);
  void finish(Context& ctx, uint64_t value);
  void send(Context& ctx, uint32_t server, MessagePtr request);
  void drop_connection(Context& ctx, uint32_t server);
  // The servers of `dg`'s server group: the only ones the client asks about
  // it (simple_connection_manager.c init_data_group_array).
  IndexRange members(uint32_t dg) const;

  uint32_t client_index_;
  FastcfsClientOptions options_;
  kit::ClosedLoopWorkload workload_;
  uint64_t seq_ = 0;
  uint32_t next_server_ = 0;  // whom to ask GET_MASTER next
  std::vector<std::optional<uint32_t>> masters_;  // cached per data group
  std::vector<ConnectionId> connections_;         // per server, while open
  std::optional<Op> op_;
};

}  // namespace replsim::fastcfs
