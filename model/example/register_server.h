// A server of the example primary/backup register.
//
// The smallest protocol that uses every part of the engine: clients send
// reads and writes to a fixed primary; the primary appends each write to its
// log, fsyncs it, replicates it to every backup and acknowledges the client
// once every backup has the write on its disk. Backups append, fsync and
// report their durable log length. Lost messages are repaired by a periodic
// retransmission; a restarted server trusts only the intact prefix of its
// log, fsyncs it again (the crash may have left it only in the OS cache) and
// carries on. Any disk error makes the server halt (fail-stop), the way many
// real storage servers panic rather than continue with unknown state.
//
// It exists to prove the engine end to end before the FastCFS model lands;
// there is no failover, so the primary's disk is the single truth.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "model/example/register_log.h"
#include "sim/actor.h"

namespace replsim::example {

struct RegisterOptions {
  Duration retransmit_interval = Duration::ms(50);
  Duration fsync_retry_interval = Duration::ms(10);
  uint64_t retransmit_batch_max = 64;
  // Deliberate bug for testing the checks: the primary never fsyncs its own
  // log, so a power loss of the primary loses acknowledged writes.
  bool primary_skips_fsync = false;
  bool operator==(const RegisterOptions&) const = default;
};

class RegisterServer final : public ActorOf<RegisterServer> {
 public:
  RegisterServer(NodeId primary, std::vector<NodeId> backups, RegisterOptions options);

  void on_start(Context& ctx, const DiskImage& disk) override;
  void on_message(Context& ctx, NodeId from, ConnectionId connection, const Message& message) override;
  void on_timer(Context& ctx, TimerKey key) override;
  void on_disk(Context& ctx, const DiskCompletion& completion) override;
  nlohmann::json describe() const override;

  bool operator==(const RegisterServer&) const = default;
  void hash_into(Hasher& h) const;

  const std::vector<LogEntry>& log() const { return log_; }
  uint64_t synced_version() const { return synced_version_; }
  uint64_t commit_version() const { return commit_version_; }
  bool halted() const { return halted_; }

 private:
  struct Waiting {
    NodeId client;
    uint64_t op = 0;
    bool operator==(const Waiting&) const = default;
  };
  struct LastOp {
    uint64_t op = 0;
    uint64_t version = 0;
    bool operator==(const LastOp&) const = default;
  };

  bool is_primary(const Context& ctx) const { return ctx.self() == primary_; }
  // Highest version the primary may replicate: durable on its own disk, or
  // merely appended under the primary_skips_fsync bug.
  uint64_t replicable_version() const;
  void halt(Context& ctx, const char* reason);
  void request_fsync(Context& ctx);
  void replicate(Context& ctx, size_t backup, uint64_t from_version, uint64_t to_version);
  void advance_commit(Context& ctx);
  void on_client_write(Context& ctx, NodeId from, uint64_t op, uint64_t key, uint64_t value);
  void on_replicate(Context& ctx, NodeId from, const LogEntry& entry);

  NodeId primary_;
  std::vector<NodeId> backups_;
  RegisterOptions options_;

  bool halted_ = false;
  std::vector<LogEntry> log_;
  uint64_t appended_version_ = 0;
  uint64_t synced_version_ = 0;
  std::map<DiskOpId, uint64_t> append_versions_;
  std::map<DiskOpId, uint64_t> fsync_covers_;

  // Primary only.
  std::vector<uint64_t> acked_;         // per backup: its reported durable length
  uint64_t commit_version_ = 0;
  uint64_t serving_from_version_ = 0;   // reads wait until commit reaches the recovered log
  std::map<uint64_t, uint64_t> store_;  // key -> committed value
  std::map<uint64_t, Waiting> waiting_; // version -> client to acknowledge
  std::map<uint32_t, LastOp> last_op_;  // client index -> its latest write, for retries
};

}  // namespace replsim::example
