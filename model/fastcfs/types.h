// Value types of the FastCFS data-server model: replica (DS) statuses,
// server statuses as the leader sees them, binlog records, and the error
// codes the protocol answers with (fastcfs-protocol.md §2.1, §1.3, §3.7,
// Appendix A).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"

namespace replsim::fastcfs {

// §2.1, with FastCFS's numeric values.
enum class DsStatus : uint8_t { kInit = 0, kRebuilding = 1, kOffline = 2, kRecovering = 3, kOnline = 4, kActive = 5 };
const char* to_string(DsStatus status);
std::optional<DsStatus> ds_status_from_string(std::string_view name);

// §1.3: only meaningful on the leader.
enum class ServerStatus : uint8_t { kOffline = 0, kOnline = 1, kActive = 2 };
const char* to_string(ServerStatus status);

// The transitions of §2.3, counted by the model so tests can assert each
// one is reached. T18 counts pings that carried a status the leader applied.
enum class Transition : uint8_t {
  kT1 = 1, kT2, kT3, kT4, kT5, kT6, kT7, kT8, kT9, kT10, kT11, kT12, kT13, kT14, kT15, kT16, kT17, kT18
};
constexpr size_t kTransitionCount = 18;
using TransitionCounts = std::array<uint64_t, kTransitionCount + 1>;  // index 1..18

// Error codes (Appendix A and errno values the protocol uses).
enum class Err : uint8_t {
  kOk = 0,
  kNotLeader,
  kLeaderVersionInconsistent,
  kBinlogInconsistent,
  kNotMaster,   // retriable
  kNotActive,   // retriable
  kNoServer,    // retriable
  kAgain,       // EAGAIN, retriable
  kBusy,        // EBUSY
  kInvalid,     // EINVAL
  kExists,      // EEXIST
  kNotFound,    // ENOENT
  kOverflow,    // EOVERFLOW
  kPermission,  // EPERM
};
const char* to_string(Err err);
bool retriable(Err err);

// One replica-binlog line (§3.7): `dv source op_type key`. Records carry no
// data in FastCFS; the model keeps the bytes the write left in `value` only
// so a restart can rebuild the data map from the same file (see
// docs/FASTCFS_MODEL.md). Binlog comparisons (§4.3) use dv, op and key only.
struct BinlogRecord {
  uint64_t dv = 0;
  char op = 'w';      // 'w' write, 'N' no-op
  char source = 'C';  // C master, c slave RPC, r replay, R rollback
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const BinlogRecord&) const = default;
  // The binlog content FastCFS compares: dv, op type and the block.
  bool same_entry(const BinlogRecord& other) const { return dv == other.dv && op == other.op && key == other.key; }
  void hash_into(Hasher& h) const { h.add(dv).add(static_cast<uint64_t>(op)).add(static_cast<uint64_t>(source)).add(key).add(value); }
};

// What a slave ships to a master in FETCH_BINLOG_FIRST and what the master
// answers: records, each with the master's current bytes of its key for
// replay (§4.5).
struct FetchedRecord {
  uint64_t dv = 0;
  char op = 'w';
  uint64_t key = 0;
  bool has_value = false;  // false: the master has no data for the key (ENODATA)
  uint64_t current_value = 0;
  bool operator==(const FetchedRecord&) const = default;
  void hash_into(Hasher& h) const {
    h.add(dv).add(static_cast<uint64_t>(op)).add(key).add(has_value).add(current_value);
  }
};

// One DS as a server's view holds it (Appendix C).
struct DsView {
  DsStatus status = DsStatus::kInit;
  bool is_master = false;
  uint64_t current_dv = 0;
  uint64_t confirmed_dv = 0;
  bool operator==(const DsView&) const = default;
  void hash_into(Hasher& h) const {
    h.add(static_cast<uint64_t>(status)).add(is_master).add(current_dv).add(confirmed_dv);
  }
};

// An entry of PUSH_DS_STATUS (§1.4.5) and of PING_LEADER (§1.4.6).
struct DsEntry {
  uint32_t dg = 0;       // 0-based
  uint32_t server = 0;   // 0-based server index
  DsView view;
  bool operator==(const DsEntry&) const = default;
  void hash_into(Hasher& h) const {
    h.add(dg).add(server);
    view.hash_into(h);
  }
};

// The numbers of one of the model's disk records, as `istream >> uint64_t`
// reads them: decimals separated by spaces, a leading '-' negating modulo
// 2^64 (a local clock before the epoch), stopping at the first token that
// is not one. A restart parses every record, so no stream is built.
std::vector<uint64_t> record_numbers(std::string_view text);

template <typename T>
void hash_vector(Hasher& h, const std::vector<T>& items) {
  h.add(static_cast<uint64_t>(items.size()));
  for (const T& item : items) item.hash_into(h);
}

}  // namespace replsim::fastcfs
