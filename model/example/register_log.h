// The replicated log of the example register and its on-disk encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/disk.h"
#include "base/hash.h"

namespace replsim::example {

inline constexpr const char* kLogFile = "register.log";

struct LogEntry {
  uint64_t version = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const LogEntry&) const = default;
};

std::string encode_entry(const LogEntry& entry);
std::optional<LogEntry> decode_entry(const std::string& bytes);

// The longest prefix of intact, well-formed, consecutively numbered records:
// what a restarting server may trust. A torn or corrupt record and
// everything after it are discarded.
std::vector<LogEntry> recover_log(const std::vector<DiskRecord>& records);

void hash_log(Hasher& h, const std::vector<LogEntry>& log);

}  // namespace replsim::example
