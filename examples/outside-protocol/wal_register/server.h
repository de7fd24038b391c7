// The WAL register's server: a key-value register on one node that makes
// every write durable in a write-ahead log before it acknowledges it.
//
// Writes are appended to the log as they arrive; a group-commit timer fsyncs
// whatever has been appended every `fsync_interval`, and the writes an fsync
// covers are then applied and acknowledged. Reads see applied writes only,
// so a value a client has read never disappears. A restarted server reads
// the log's intact prefix, fsyncs it (a process crash leaves unsynced
// records in the OS cache, and a later power loss would drop them), and
// serves again once that fsync completes. A disk error halts the server
// (fail-stop): it cannot tell what its log holds any more.
//
// The deliberate bug `ack_before_fsync` acknowledges (and applies) a write
// once its append completes, before the group commit makes it durable, the
// way "fsync every second" modes of real stores do: a power loss then loses
// acknowledged writes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/actor.h"
#include "wal_register/log.h"
#include "wal_register/messages.h"

namespace wal_register {

struct ServerOptions {
  replsim::Duration fsync_interval = replsim::Duration::ms(20);
  bool ack_before_fsync = false;
  bool operator==(const ServerOptions&) const = default;
};

enum class ServerStatus : uint8_t { kRecovering, kServing, kHalted };
// As the vocabulary names them: "RECOVERING", "SERVING", "HALTED".
const char* to_string(ServerStatus status);

class Server final : public replsim::ActorOf<Server> {
 public:
  explicit Server(ServerOptions options) : options_(options) {}

  void on_start(replsim::Context& ctx, const replsim::DiskImage& disk) override;
  void on_message(replsim::Context& ctx, replsim::NodeId from, replsim::ConnectionId connection,
                  const replsim::Message& message) override;
  void on_timer(replsim::Context& ctx, replsim::TimerKey key) override;
  void on_disk(replsim::Context& ctx, const replsim::DiskCompletion& completion) override;
  nlohmann::json describe() const override;

  bool operator==(const Server&) const = default;
  void hash_into(replsim::Hasher& h) const;

  ServerStatus status() const { return status_; }
  // Every write the server has taken, durable or not.
  const std::vector<LogEntry>& log() const { return log_; }
  uint64_t synced() const { return synced_; }

 private:
  // A write waiting for its group commit, to acknowledge then.
  struct Waiting {
    replsim::NodeId client;
    uint64_t op = 0;
    bool operator==(const Waiting&) const = default;
  };

  void enter(replsim::Context& ctx, ServerStatus status);
  void on_write(replsim::Context& ctx, replsim::NodeId from, const WriteRequest& write);
  void request_fsync(replsim::Context& ctx);
  void on_append(replsim::Context& ctx, const replsim::DiskCompletion& completion);
  void on_fsync(replsim::Context& ctx, const replsim::DiskCompletion& completion);
  // Applies the log up to `version` (1-based) and acknowledges the writes it reaches.
  void apply_through(replsim::Context& ctx, uint64_t version);

  ServerOptions options_;
  ServerStatus status_ = ServerStatus::kRecovering;
  std::vector<LogEntry> log_;
  uint64_t synced_ = 0;   // log entries known durable
  uint64_t applied_ = 0;  // log entries in store_
  std::map<replsim::DiskOpId, uint64_t> appends_;  // append in flight -> its version
  std::map<replsim::DiskOpId, uint64_t> fsyncs_;   // fsync in flight -> the versions it covers
  std::map<uint64_t, Waiting> waiting_;            // version -> the client to acknowledge
  std::map<uint64_t, uint64_t> store_;             // key -> applied value
  std::map<uint32_t, uint64_t> last_op_;           // client node -> its latest write taken
};

}  // namespace wal_register
