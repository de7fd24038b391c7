// The server's write-ahead log: one disk record per write, in the order the
// server took them. A record holds who wrote it (the client's node and
// operation number, so a restarted server still drops a duplicate) and the
// write itself.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/disk.h"

namespace wal_register {

inline constexpr const char* kLogFile = "wal";

struct LogEntry {
  uint32_t client_node = 0;
  uint64_t op = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const LogEntry&) const = default;
};

inline std::string encode_entry(const LogEntry& e) {
  return std::to_string(e.client_node) + " " + std::to_string(e.op) + " " + std::to_string(e.key) + " " +
         std::to_string(e.value);
}

// The entries of the log's intact prefix: reading stops at the first record
// whose checksum fails (a torn write at power loss, or corruption), since
// nothing after it can be trusted to be in order.
inline std::vector<LogEntry> decode_log(const std::vector<replsim::DiskRecord>& records) {
  std::vector<LogEntry> entries;
  for (const replsim::DiskRecord& record : records) {
    LogEntry e;
    unsigned long long op = 0, key = 0, value = 0;
    if (!record.intact() || std::sscanf(record.bytes.c_str(), "%u %llu %llu %llu", &e.client_node, &op, &key, &value) != 4) {
      break;
    }
    e.op = op;
    e.key = key;
    e.value = value;
    entries.push_back(e);
  }
  return entries;
}

}  // namespace wal_register
