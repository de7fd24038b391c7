#include "model/fastcfs/options.h"

#include "base/input_error.h"
#include "base/json_input.h"

namespace replsim::fastcfs {
namespace {

bool read_bool(const nlohmann::json& value, const std::string& path) {
  if (!value.is_boolean()) throw InputError(path, "true or false", describe_json(value));
  return value.get<bool>();
}

uint32_t read_count(const nlohmann::json& value, const std::string& path, uint32_t low, uint32_t high) {
  if (!value.is_number_integer() || value.get<int64_t>() < low || value.get<int64_t>() > high) {
    throw InputError(path, "a whole number from " + std::to_string(low) + " to " + std::to_string(high),
                     describe_json(value));
  }
  return static_cast<uint32_t>(value.get<int64_t>());
}

Duration read_bounded_duration(const nlohmann::json& value, const std::string& path, Duration low, Duration high) {
  const Duration d = read_duration(value, path);
  if (d < low || d > high) {
    throw InputError(path, "a duration from " + format_duration(low) + " to " + format_duration(high),
                     describe_json(value));
  }
  return d;
}

}  // namespace

const std::set<std::string>& known_mutations() {
  static const std::set<std::string> ids = [] {
    std::set<std::string> all;
    for (int i = 1; i <= 27; ++i) all.insert("M" + std::to_string(i));
    return all;
  }();
  return ids;
}

FastcfsOptions read_fastcfs_options(const nlohmann::json& options, const std::string& path) {
  reject_unknown_keys(options, path,
                      {"election_quorum", "leader_lost_timeout", "max_wait_time", "max_shutdown_duration",
                       "vote_node_enabled", "resume_master_role", "failover", "master_policy", "replication_quorum",
                       "deactive_on_failures", "connect_timeout", "network_timeout",
                       "replica_channels_between_two_servers", "slave_binlog_check_last_rows",
                       "local_binlog_check_last_seconds", "binlog_call_fsync", "read_rule", "mutations"});
  FastcfsOptions o;
  const auto at = [&](const char* key) { return json_path(path, key); };
  if (options.contains("election_quorum")) {
    const std::string q = read_choice(options["election_quorum"], at("election_quorum"), {"auto", "any", "majority"});
    o.election_quorum = q == "auto" ? ElectionQuorum::kAuto : q == "any" ? ElectionQuorum::kAny : ElectionQuorum::kMajority;
  }
  if (options.contains("replication_quorum")) {
    const std::string q =
        read_choice(options["replication_quorum"], at("replication_quorum"), {"auto", "any", "majority", "smart"});
    o.replication_quorum = q == "auto"  ? ReplicationQuorum::kAuto
                           : q == "any" ? ReplicationQuorum::kAny
                           : q == "majority" ? ReplicationQuorum::kMajority
                                             : ReplicationQuorum::kSmart;
  }
  if (options.contains("read_rule")) {
    const std::string r = read_choice(options["read_rule"], at("read_rule"), {"master", "any", "slave"});
    o.read_rule = r == "master" ? ReadRule::kMaster : r == "any" ? ReadRule::kAny : ReadRule::kSlave;
  }
  if (options.contains("master_policy")) {
    const std::string p = read_string(options["master_policy"], at("master_policy"));
    if (p == "strict") {
      o.master_policy_strict = true;
    } else if (p == "timeout") {
      o.master_policy_strict = false;
    } else if (p.starts_with("timeout:")) {
      o.master_policy_strict = false;
      const std::string seconds = p.substr(8);
      if (seconds.empty() || seconds.size() > 6 || seconds.find_first_not_of("0123456789") != std::string::npos) {
        throw InputError(at("master_policy"), "\"strict\", \"timeout\" or \"timeout:N\" with N seconds",
                         describe_json(options["master_policy"]));
      }
      o.master_policy_timeout = Duration::s(std::stoll(seconds));
    } else {
      throw InputError(at("master_policy"), "\"strict\", \"timeout\" or \"timeout:N\" with N seconds",
                       describe_json(options["master_policy"]));
    }
  }
  const auto flag = [&](const char* key, bool& target) {
    if (options.contains(key)) target = read_bool(options[key], at(key));
  };
  flag("vote_node_enabled", o.vote_node_enabled);
  flag("resume_master_role", o.resume_master_role);
  flag("failover", o.failover);
  flag("binlog_call_fsync", o.binlog_call_fsync);
  const auto timer = [&](const char* key, Duration& target, Duration low, Duration high) {
    if (options.contains(key)) target = read_bounded_duration(options[key], at(key), low, high);
  };
  timer("leader_lost_timeout", o.leader_lost_timeout, Duration::s(1), Duration::s(3600));
  timer("max_wait_time", o.max_wait_time, Duration::s(1), Duration::s(3600));
  timer("max_shutdown_duration", o.max_shutdown_duration, Duration::s(60), Duration::s(86400));
  timer("connect_timeout", o.connect_timeout, Duration::ms(100), Duration::s(3600));
  timer("network_timeout", o.network_timeout, Duration::ms(100), Duration::s(3600));
  timer("local_binlog_check_last_seconds", o.local_binlog_check_last_seconds, Duration::zero(), Duration::s(3600));
  const auto count = [&](const char* key, uint32_t& target, uint32_t low, uint32_t high) {
    if (options.contains(key)) target = read_count(options[key], at(key), low, high);
  };
  count("deactive_on_failures", o.deactive_on_failures, 1, 1000);
  count("replica_channels_between_two_servers", o.replica_channels_between_two_servers, 1, 256);
  count("slave_binlog_check_last_rows", o.slave_binlog_check_last_rows, 0, 1'000'000);
  if (options.contains("mutations")) {
    const nlohmann::json& list = options["mutations"];
    if (!list.is_array()) throw InputError(at("mutations"), "a list of mutation ids like [\"M1\"]", describe_json(list));
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string item_path = json_path(at("mutations"), i);
      const std::string id = read_string(list[i], item_path);
      if (!known_mutations().contains(id)) {
        throw InputError(item_path, "a mutation id from M1 to M27 (fastcfs-protocol.md §7)", describe_json(list[i]));
      }
      o.mutations.insert(id);
    }
  }
  return o;
}

}  // namespace replsim::fastcfs
