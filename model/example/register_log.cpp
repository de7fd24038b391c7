#include "model/example/register_log.h"

#include <charconv>

namespace replsim::example {

std::string encode_entry(const LogEntry& entry) {
  return std::to_string(entry.version) + " " + std::to_string(entry.key) + " " + std::to_string(entry.value);
}

std::optional<LogEntry> decode_entry(const std::string& bytes) {
  LogEntry entry;
  const char* cursor = bytes.data();
  const char* end = bytes.data() + bytes.size();
  for (uint64_t* field : {&entry.version, &entry.key, &entry.value}) {
    if (cursor < end && *cursor == ' ') ++cursor;
    const auto [next, error] = std::from_chars(cursor, end, *field);
    if (error != std::errc()) return std::nullopt;
    cursor = next;
  }
  if (cursor != end) return std::nullopt;
  return entry;
}

std::vector<LogEntry> recover_log(const std::vector<DiskRecord>& records) {
  std::vector<LogEntry> log;
  for (const DiskRecord& record : records) {
    if (!record.intact()) break;
    const std::optional<LogEntry> entry = decode_entry(record.bytes);
    if (!entry || entry->version != log.size() + 1) break;
    log.push_back(*entry);
  }
  return log;
}

void hash_log(Hasher& h, const std::vector<LogEntry>& log) {
  h.add(static_cast<uint64_t>(log.size()));
  for (const LogEntry& e : log) h.add(e.version).add(e.key).add(e.value);
}

}  // namespace replsim::example
