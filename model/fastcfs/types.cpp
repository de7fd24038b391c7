#include "model/fastcfs/types.h"

#include <charconv>

#include "base/assert.h"

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

std::vector<uint64_t> record_numbers(std::string_view text) {
  std::vector<uint64_t> out;
  size_t at = 0;
  // Each pass reads a token of at least one character: bounded by the text.
  for (size_t pass = 0; pass <= text.size(); ++pass) {
    while (at < text.size() && text[at] == ' ') ++at;
    if (at == text.size()) break;
    const bool negative = text[at] == '-';
    if (negative) ++at;
    uint64_t value = 0;
    const auto [next, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc()) break;
    out.push_back(negative ? uint64_t{0} - value : value);
    at = static_cast<size_t>(next - text.data());
  }
  REPLSIM_ASSERT(out.size() <= text.size(), "a number per character at most");
  return out;
}

}  // namespace replsim::fastcfs
