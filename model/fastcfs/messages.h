// Messages of the FastCFS model, named after the commands of
// fastcfs-protocol.md Appendix A. A request/response pair shares a `seq` the
// requester chose, so a late answer to an abandoned request is recognised
// and dropped, the way a closed connection drops it in FastCFS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/fastcfs/types.h"
#include "base/hash.h"
#include "sim/message.h"

namespace replsim::fastcfs {

// ---- cluster port: leader election (§1.4.2, §1.4.3) -----------------------

struct GetServerStatusReq {  // 201
  static constexpr const char* kName = "GET_SERVER_STATUS";
  uint64_t seq = 0;
  bool sender_is_leader = false;
  bool operator==(const GetServerStatusReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(sender_is_leader); }
  std::string describe() const { return "seq=" + std::to_string(seq) + " is_leader=" + std::to_string(sender_is_leader); }
};

// The ranking record of §1.4.2. Times are the server's local clock in ns.
struct ServerStatusRecord {
  uint32_t server = 0;
  int64_t up_time_ns = 0;
  uint64_t cluster_version = 0;
  int64_t last_heartbeat_ns = 0;   // 0: never
  int64_t last_shutdown_ns = 0;
  bool is_leader = false;
  bool leader_hint = false;
  bool operator==(const ServerStatusRecord&) const = default;
  void hash_into(Hasher& h) const {
    h.add(server).add(up_time_ns).add(cluster_version).add(last_heartbeat_ns).add(last_shutdown_ns).add(is_leader).add(leader_hint);
  }
};

struct GetServerStatusResp {  // 202
  static constexpr const char* kName = "GET_SERVER_STATUS_RESP";
  uint64_t seq = 0;
  ServerStatusRecord status;
  bool operator==(const GetServerStatusResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq); status.hash_into(h); }
  std::string describe() const {
    return "seq=" + std::to_string(seq) + " cv=" + std::to_string(status.cluster_version) +
           " is_leader=" + std::to_string(status.is_leader);
  }
};

// PRE_SET_NEXT_LEADER (73, phase 1) and COMMIT_NEXT_LEADER (74, phase 2).
struct NextLeaderReq {
  static constexpr const char* kName = "NEXT_LEADER";
  uint64_t seq = 0;
  uint8_t phase = 1;
  uint32_t leader = 0;
  bool operator==(const NextLeaderReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(phase)).add(leader); }
  std::string describe() const {
    return std::string(phase == 1 ? "PRE_SET" : "COMMIT") + " leader=s" + std::to_string(leader + 1);
  }
};

struct NextLeaderResp {
  static constexpr const char* kName = "NEXT_LEADER_RESP";
  uint64_t seq = 0;
  uint8_t phase = 1;
  Err err = Err::kOk;
  bool operator==(const NextLeaderResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(phase)).add(static_cast<uint64_t>(err)); }
  std::string describe() const { return "phase=" + std::to_string(phase) + " " + to_string(err); }
};

// ---- cluster port: follower <-> leader (§1.4.5, §1.4.6, §2.2) -------------

// JOIN_LEADER_REQ (65), on the follower's ping connection, or with `push`
// on its push connection (server_push = 1: the follower activates on it
// next, and the leader pushes on it).
struct JoinLeaderReq {
  static constexpr const char* kName = "JOIN_LEADER";
  uint64_t seq = 0;
  bool push = false;  // server_push: the push connection joins, then activates on it
  bool operator==(const JoinLeaderReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(push); }
  std::string describe() const { return push ? "push" : "ping"; }
};

struct JoinLeaderResp {
  static constexpr const char* kName = "JOIN_LEADER_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  uint64_t leader_version = 0;
  bool operator==(const JoinLeaderResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(err)).add(leader_version); }
  std::string describe() const { return std::string(to_string(err)) + " leader_version=" + std::to_string(leader_version); }
};

// PING_LEADER_REQ (69); ACTIVATE_SERVER (67) is the same body with every DG
// and `activate` set.
struct PingLeaderReq {
  static constexpr const char* kName = "PING_LEADER";
  uint64_t seq = 0;
  uint64_t leader_version = 0;
  bool activate = false;  // ACTIVATE_SERVER_REQ: the same body, on the push connection
  std::vector<DsEntry> entries;  // my own DSs whose (current, confirmed) changed
  bool operator==(const PingLeaderReq&) const = default;
  void hash_into(Hasher& h) const {
    h.add(seq).add(leader_version).add(activate);
    hash_vector(h, entries);
  }
  std::string describe() const {
    return std::string(activate ? "ACTIVATE" : "PING") + " entries=" + std::to_string(entries.size());
  }
};

struct PingLeaderResp {
  static constexpr const char* kName = "PING_LEADER_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  bool operator==(const PingLeaderResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(err)); }
  std::string describe() const { return to_string(err); }
};

// PUSH_DS_STATUS_REQ (79): the leader's coalesced state of changed DSs.
struct PushDsStatusReq {
  static constexpr const char* kName = "PUSH_DS_STATUS";
  uint64_t seq = 0;
  uint64_t cluster_version = 0;
  uint64_t leader_version = 0;
  std::vector<DsEntry> entries;
  bool operator==(const PushDsStatusReq&) const = default;
  void hash_into(Hasher& h) const {
    h.add(seq).add(cluster_version).add(leader_version);
    hash_vector(h, entries);
  }
  std::string describe() const {
    std::string s = "cv=" + std::to_string(cluster_version);
    for (const DsEntry& e : entries) {
      s += " g" + std::to_string(e.dg + 1) + "/s" + std::to_string(e.server + 1) + "=" + to_string(e.view.status) +
           (e.view.is_master ? "*" : "");
    }
    return s;
  }
};

struct PushDsStatusResp {
  static constexpr const char* kName = "PUSH_DS_STATUS_RESP";
  uint64_t seq = 0;
  bool operator==(const PushDsStatusResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq); }
  std::string describe() const { return "seq=" + std::to_string(seq); }
};

// REPORT_DS_STATUS_REQ (63), from the DS owner or from the DG master.
struct ReportDsStatusReq {
  static constexpr const char* kName = "REPORT_DS_STATUS";
  uint32_t reporter = 0;
  uint32_t ds_server = 0;
  uint32_t dg = 0;
  DsStatus status = DsStatus::kOffline;
  // No data versions: FSProtoReportDSStatusReq carries none; they reach
  // the leader in pings only.
  uint64_t seq = 0;  // the reporter's, to match the answer
  bool operator==(const ReportDsStatusReq&) const = default;
  void hash_into(Hasher& h) const {
    h.add(reporter).add(ds_server).add(dg).add(static_cast<uint64_t>(status)).add(seq);
  }
  std::string describe() const {
    return "g" + std::to_string(dg + 1) + "/s" + std::to_string(ds_server + 1) + "=" + to_string(status);
  }
};

// REPORT_DS_STATUS_RESP: the leader's answer, whatever it did with the report
// (cluster_deal_report_ds_status answers errors too).
struct ReportDsStatusResp {
  static constexpr const char* kName = "REPORT_DS_STATUS_RESP";
  uint64_t seq = 0;
  uint32_t dg = 0;
  bool operator==(const ReportDsStatusResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(dg); }
  std::string describe() const { return "seq=" + std::to_string(seq) + " g" + std::to_string(dg + 1); }
};

// RESELECT_MASTER_REQ (61).
struct ReselectMasterReq {
  static constexpr const char* kName = "RESELECT_MASTER";
  uint32_t dg = 0;
  // The sender, whose DS the leader must hold as master (the request's
  // server_id; cluster_deal_reselect_master answers EPERM otherwise).
  uint32_t server = 0;
  bool operator==(const ReselectMasterReq&) const = default;
  void hash_into(Hasher& h) const { h.add(dg).add(server); }
  std::string describe() const { return "g" + std::to_string(dg + 1) + " from s" + std::to_string(server + 1); }
};

// RESELECT_MASTER_RESP (62): the sender waits for it
// (cluster_relationship_report_reselect_master_to_leader).
struct ReselectMasterResp {
  static constexpr const char* kName = "RESELECT_MASTER_RESP";
  Err err = Err::kOk;
  bool operator==(const ReselectMasterResp&) const = default;
  void hash_into(Hasher& h) const { h.add(static_cast<uint64_t>(err)); }
  std::string describe() const { return to_string(err); }
};

// UNSET_MASTER_REQ (75) and GET_DS_STATUS_REQ (77), the resume-master swap
// of §1.5.5.
struct UnsetMasterReq {
  static constexpr const char* kName = "UNSET_MASTER";
  uint64_t seq = 0;
  uint32_t dg = 0;
  uint64_t leader_key = 0;
  bool operator==(const UnsetMasterReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(dg).add(leader_key); }
  std::string describe() const { return "g" + std::to_string(dg + 1); }
};

struct GetDsStatusReq {
  static constexpr const char* kName = "GET_DS_STATUS";
  uint64_t seq = 0;
  uint32_t dg = 0;
  bool operator==(const GetDsStatusReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(dg); }
  std::string describe() const { return "g" + std::to_string(dg + 1); }
};

struct DsStatusResp {  // 76 and 78
  static constexpr const char* kName = "DS_STATUS_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  bool is_master = false;
  DsStatus status = DsStatus::kInit;
  uint64_t dealing_count = 0;
  uint64_t data_version = 0;
  bool operator==(const DsStatusResp&) const = default;
  void hash_into(Hasher& h) const {
    h.add(seq).add(static_cast<uint64_t>(err)).add(is_master).add(static_cast<uint64_t>(status)).add(dealing_count).add(data_version);
  }
  std::string describe() const {
    return std::string(to_string(err)) + " dealing=" + std::to_string(dealing_count) + " dv=" + std::to_string(data_version);
  }
};

// ---- replica port: channels, RPC, recovery (§3.4, §4.3, §2.4) -------------

// JOIN_SERVER_REQ (81), the first message on a replication channel the
// sender opened: it is the sender's channel `channel` (0-based).
struct JoinServerReq {
  static constexpr const char* kName = "JOIN_SERVER";
  uint32_t channel = 0;
  bool operator==(const JoinServerReq&) const = default;
  void hash_into(Hasher& h) const { h.add(channel); }
  std::string describe() const { return "channel=" + std::to_string(channel); }
};

struct JoinServerResp {
  static constexpr const char* kName = "JOIN_SERVER_RESP";
  uint32_t channel = 0;
  bool operator==(const JoinServerResp&) const = default;
  void hash_into(Hasher& h) const { h.add(channel); }
  std::string describe() const { return "channel=" + std::to_string(channel); }
};

// ACTIVE_TEST (117) on an idle channel, and its answer.
struct ChannelTest {
  static constexpr const char* kName = "ACTIVE_TEST";
  bool response = false;
  bool operator==(const ChannelTest&) const = default;
  void hash_into(Hasher& h) const { h.add(response); }
  std::string describe() const { return response ? "resp" : "req"; }
};

// RPC_CALL_REQ (99), one part per message, on the master's channel.
struct RpcCallReq {
  static constexpr const char* kName = "RPC_CALL";
  uint64_t rpc = 0;   // master-chosen id for the answer
  uint32_t dg = 0;
  uint64_t dv = 0;
  uint64_t req_id = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const RpcCallReq&) const = default;
  void hash_into(Hasher& h) const { h.add(rpc).add(dg).add(dv).add(req_id).add(key).add(value); }
  std::string describe() const {
    return "g" + std::to_string(dg + 1) + " dv=" + std::to_string(dv) + " key=" + std::to_string(key) +
           " value=" + std::to_string(value);
  }
};

struct RpcCallResp {  // 100; an error makes the master close the channel
  static constexpr const char* kName = "RPC_CALL_RESP";
  uint64_t rpc = 0;
  Err err = Err::kOk;
  bool operator==(const RpcCallResp&) const = default;
  void hash_into(Hasher& h) const { h.add(rpc).add(static_cast<uint64_t>(err)); }
  std::string describe() const { return "rpc=" + std::to_string(rpc) + " " + to_string(err); }
};

// FETCH_BINLOG_FIRST_REQ (83) when `first`, FETCH_BINLOG_NEXT_REQ (85)
// otherwise (with `after_dv`: the position the slave's reader is at).
struct FetchBinlogReq {
  static constexpr const char* kName = "FETCH_BINLOG";
  uint64_t seq = 0;
  uint32_t dg = 0;
  bool first = true;
  uint64_t last_dv = 0;
  bool catch_up = false;
  std::vector<BinlogRecord> last_rows;  // my last N binlog lines
  bool operator==(const FetchBinlogReq&) const = default;
  void hash_into(Hasher& h) const {
    h.add(seq).add(dg).add(first).add(last_dv).add(catch_up);
    hash_vector(h, last_rows);
  }
  std::string describe() const {
    return std::string(first ? "FIRST" : "NEXT") + " g" + std::to_string(dg + 1) + " after=" + std::to_string(last_dv) +
           (catch_up ? " catch_up" : "");
  }
};

struct FetchBinlogResp {  // 84 / 86
  static constexpr const char* kName = "FETCH_BINLOG_RESP";
  uint64_t seq = 0;
  uint32_t dg = 0;
  Err err = Err::kOk;
  bool is_last = false;
  bool is_restore = false;
  bool is_online = false;
  uint64_t repl_version = 0;
  uint64_t until_version = 0;
  std::vector<FetchedRecord> records;
  // Restore only: the master's current bytes of every key, read by the
  // slave's rollback (§4.4) instead of one SLICE_READ per range.
  std::vector<std::pair<uint64_t, uint64_t>> master_data;
  bool operator==(const FetchBinlogResp&) const = default;
  void hash_into(Hasher& h) const {
    h.add(seq).add(dg).add(static_cast<uint64_t>(err)).add(is_last).add(is_restore).add(is_online).add(repl_version).add(until_version);
    hash_vector(h, records);
    h.add(static_cast<uint64_t>(master_data.size()));
    for (const auto& [k, v] : master_data) h.add(k).add(v);
  }
  std::string describe() const {
    return std::string(to_string(err)) + " g" + std::to_string(dg + 1) + " records=" + std::to_string(records.size()) +
           (is_last ? " last" : "") + (is_restore ? " restore" : "") +
           (is_online ? " online until=" + std::to_string(until_version) : "");
  }
};

// ACTIVE_CONFIRM_REQ (87).
struct ActiveConfirmReq {
  static constexpr const char* kName = "ACTIVE_CONFIRM";
  uint64_t seq = 0;
  uint32_t dg = 0;
  uint64_t repl_version = 0;
  bool operator==(const ActiveConfirmReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(dg).add(repl_version); }
  std::string describe() const { return "g" + std::to_string(dg + 1) + " repl_version=" + std::to_string(repl_version); }
};

struct ActiveConfirmResp {
  static constexpr const char* kName = "ACTIVE_CONFIRM_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  bool operator==(const ActiveConfirmResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(err)); }
  std::string describe() const { return to_string(err); }
};

// ---- service port: clients (§3.1, §3.8) ----------------------------------

struct GetMasterReq {  // 51
  static constexpr const char* kName = "GET_MASTER";
  uint64_t seq = 0;
  uint32_t dg = 0;
  bool operator==(const GetMasterReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(dg); }
  std::string describe() const { return "g" + std::to_string(dg + 1); }
};

struct GetMasterResp {
  static constexpr const char* kName = "GET_MASTER_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  uint32_t master = 0;
  bool operator==(const GetMasterResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(err)).add(master); }
  std::string describe() const { return std::string(to_string(err)) + " master=s" + std::to_string(master + 1); }
};

struct ClientWriteReq {  // SLICE_WRITE (25)
  static constexpr const char* kName = "SLICE_WRITE";
  uint64_t seq = 0;
  uint64_t req_id = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const ClientWriteReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(req_id).add(key).add(value); }
  std::string describe() const { return "key=" + std::to_string(key) + " value=" + std::to_string(value); }
};

struct ClientReadReq {  // SLICE_READ (27)
  static constexpr const char* kName = "SLICE_READ";
  uint64_t seq = 0;
  uint64_t key = 0;
  bool operator==(const ClientReadReq&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(key); }
  std::string describe() const { return "key=" + std::to_string(key); }
};

struct ClientResp {
  static constexpr const char* kName = "CLIENT_RESP";
  uint64_t seq = 0;
  Err err = Err::kOk;
  uint64_t value = 0;  // reads: 0 = no data
  bool operator==(const ClientResp&) const = default;
  void hash_into(Hasher& h) const { h.add(seq).add(static_cast<uint64_t>(err)).add(value); }
  std::string describe() const { return std::string(to_string(err)) + " value=" + std::to_string(value); }
};

}  // namespace replsim::fastcfs
