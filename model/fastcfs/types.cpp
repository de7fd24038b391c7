#include "model/fastcfs/types.h"

namespace replsim::fastcfs {

const char* to_string(DsStatus status) {
  switch (status) {
    case DsStatus::kInit: return "INIT";
    case DsStatus::kRebuilding: return "REBUILDING";
    case DsStatus::kOffline: return "OFFLINE";
    case DsStatus::kRecovering: return "RECOVERING";
    case DsStatus::kOnline: return "ONLINE";
    case DsStatus::kActive: return "ACTIVE";
  }
  return "?";
}

std::optional<DsStatus> ds_status_from_string(std::string_view name) {
  for (uint8_t s = 0; s <= 5; ++s) {
    if (name == to_string(static_cast<DsStatus>(s))) return static_cast<DsStatus>(s);
  }
  return std::nullopt;
}

const char* to_string(ServerStatus status) {
  switch (status) {
    case ServerStatus::kOffline: return "OFFLINE";
    case ServerStatus::kOnline: return "ONLINE";
    case ServerStatus::kActive: return "ACTIVE";
  }
  return "?";
}

const char* to_string(Err err) {
  switch (err) {
    case Err::kOk: return "OK";
    case Err::kNotLeader: return "NOT_LEADER";
    case Err::kLeaderVersionInconsistent: return "LEADER_VERSION_INCONSISTENT";
    case Err::kBinlogInconsistent: return "BINLOG_INCONSISTENT";
    case Err::kNotMaster: return "NOT_MASTER";
    case Err::kNotActive: return "NOT_ACTIVE";
    case Err::kNoServer: return "NO_SERVER";
    case Err::kAgain: return "EAGAIN";
    case Err::kBusy: return "EBUSY";
    case Err::kInvalid: return "EINVAL";
    case Err::kExists: return "EEXIST";
    case Err::kNotFound: return "ENOENT";
    case Err::kOverflow: return "EOVERFLOW";
    case Err::kPermission: return "EPERM";
  }
  return "?";
}

bool retriable(Err err) {
  return err == Err::kNotMaster || err == Err::kNotActive || err == Err::kNoServer || err == Err::kAgain;
}

}  // namespace replsim::fastcfs
