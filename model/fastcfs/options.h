// FastCFS protocol options, by FastCFS's own configuration names, with its
// defaults (fastcfs-protocol.md §1.1 and §5). A scenario's
// protocol.options object is read into this; unknown names are errors.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "base/time.h"

namespace replsim::fastcfs {

enum class ElectionQuorum : uint8_t { kAuto, kAny, kMajority };
enum class ReplicationQuorum : uint8_t { kAuto, kAny, kMajority, kSmart };
enum class ReadRule : uint8_t { kMaster, kAny, kSlave };

struct FastcfsOptions {
  // [leader-election]
  ElectionQuorum election_quorum = ElectionQuorum::kAuto;
  Duration leader_lost_timeout = Duration::s(3);
  Duration max_wait_time = Duration::s(30);
  Duration max_shutdown_duration = Duration::s(300);  // 60 s .. 86400 s
  bool vote_node_enabled = false;
  // [master-election]
  bool resume_master_role = true;
  bool failover = true;
  bool master_policy_strict = true;               // "strict", or "timeout[:N]"
  Duration master_policy_timeout = Duration::s(60);
  // [data-replication]
  ReplicationQuorum replication_quorum = ReplicationQuorum::kAuto;
  uint32_t deactive_on_failures = 3;
  // server.conf
  Duration connect_timeout = Duration::s(10);
  Duration network_timeout = Duration::s(60);
  uint32_t replica_channels_between_two_servers = 2;
  uint32_t slave_binlog_check_last_rows = 5;
  Duration local_binlog_check_last_seconds = Duration::s(5);
  bool binlog_call_fsync = true;
  // client.conf
  ReadRule read_rule = ReadRule::kMaster;
  // Deliberate bugs of §7 to re-introduce, "M1" .. "M27".
  std::set<std::string> mutations;
  bool operator==(const FastcfsOptions&) const = default;
};

// Reads protocol.options at `path`; InputError names the key and the
// expected values, with a "did you mean" for misspellings.
FastcfsOptions read_fastcfs_options(const nlohmann::json& options, const std::string& path);

// The mutation ids of §7, M1 .. M27.
const std::set<std::string>& known_mutations();

}  // namespace replsim::fastcfs
