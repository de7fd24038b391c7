#include "sim/disk.h"

#include "base/assert.h"
#include "base/hash.h"
#include "base/input_error.h"

namespace replsim {
namespace {
uint32_t checksum_of(const std::string& bytes) {
  return static_cast<uint32_t>(hash_bytes(bytes) >> 32);
}
}  // namespace

DiskRecord DiskRecord::make(std::string bytes) {
  DiskRecord record;
  record.checksum = checksum_of(bytes);
  record.bytes = std::move(bytes);
  return record;
}

bool DiskRecord::intact() const { return checksum == checksum_of(bytes); }

const char* to_string(DiskOpKind kind) {
  switch (kind) {
    case DiskOpKind::kAppend: return "append";
    case DiskOpKind::kReplace: return "replace";
    case DiskOpKind::kTruncate: return "truncate";
    case DiskOpKind::kFsync: return "fsync";
    case DiskOpKind::kRead: return "read";
  }
  return "unknown";
}

const char* to_string(DiskStatus status) {
  switch (status) {
    case DiskStatus::kOk: return "ok";
    case DiskStatus::kIoError: return "io_error";
    case DiskStatus::kNoSpace: return "no_space";
  }
  return "unknown";
}

const char* to_string(DiskFaultKind kind) {
  switch (kind) {
    case DiskFaultKind::kFsyncError: return "fsync_error";
    case DiskFaultKind::kFull: return "full";
    case DiskFaultKind::kSlow: return "slow";
    case DiskFaultKind::kReadError: return "read_error";
  }
  return "unknown";
}

const std::vector<DiskRecord>& DiskImage::records(const std::string& file) const {
  static const std::vector<DiskRecord> kNone;
  const auto it = files_->find(file);
  return it == files_->end() ? kNone : it->second;
}

Disk::Files& Disk::write() {
  kept_hash_.clear();
  return files_.write();
}

void Disk::keep_durable_before(Files& files, const std::string& file, size_t index) {
  // Visible records from `index` on are about to change; the durable ones
  // among them move into the durable tail first.
  Durability& d = files.durability[file];
  if (index >= d.durable_prefix) return;
  const std::vector<DiskRecord>& records = files.visible[file];
  std::vector<DiskRecord> tail(records.begin() + static_cast<ptrdiff_t>(index),
                               records.begin() + static_cast<ptrdiff_t>(d.durable_prefix));
  tail.insert(tail.end(), d.durable_tail.begin(), d.durable_tail.end());
  d.durable_tail = std::move(tail);
  d.durable_prefix = index;
}

DiskCompletion Disk::complete(const DiskRequest& request, TimePoint now) {
  DiskCompletion done{request.id, request.kind, request.file, DiskStatus::kOk, {}};
  switch (request.kind) {
    case DiskOpKind::kAppend:
    case DiskOpKind::kReplace: {
      if (fault_active(DiskFaultKind::kFull, now)) {
        done.status = DiskStatus::kNoSpace;
        return done;
      }
      Files& files = write();
      std::vector<DiskRecord>& records = files.visible[request.file];
      if (request.kind == DiskOpKind::kReplace) {
        keep_durable_before(files, request.file, 0);
        records.clear();
      }
      records.push_back(DiskRecord::make(request.bytes));
      files.last_appended_file = request.file;
      return done;
    }
    case DiskOpKind::kTruncate: {
      const auto found = files_->visible.find(request.file);
      if (found != files_->visible.end() && request.record_count >= found->second.size()) return done;
      Files& files = write();
      std::vector<DiskRecord>& records = files.visible[request.file];
      if (request.record_count < records.size()) {
        keep_durable_before(files, request.file, request.record_count);
        records.resize(request.record_count);
      }
      return done;
    }
    case DiskOpKind::kFsync: {
      if (fault_active(DiskFaultKind::kFsyncError, now)) {
        // Like Linux after an I/O error: the call fails and the data it was
        // meant to persist stays undurable.
        done.status = DiskStatus::kIoError;
        return done;
      }
      Files& files = write();
      Durability& d = files.durability[request.file];
      d.durable_prefix = files.visible[request.file].size();
      d.durable_tail.clear();
      return done;
    }
    case DiskOpKind::kRead: {
      if (fault_active(DiskFaultKind::kReadError, now)) {
        done.status = DiskStatus::kIoError;
        return done;
      }
      const auto it = files_->visible.find(request.file);
      if (it != files_->visible.end()) done.records = it->second;
      return done;
    }
  }
  REPLSIM_ASSERT(false, "unknown disk op kind");
}

void Disk::lose_power(Chooser& chooser, Rng& stream, double torn_write_probability) {
  Files& files = write();
  std::optional<DiskRecord> torn;
  if (files.last_appended_file) {
    const auto& records = files.visible[*files.last_appended_file];
    const Durability& d = files.durability[*files.last_appended_file];
    const bool has_unsynced_append = d.durable_tail.empty() && records.size() > d.durable_prefix;
    if (has_unsynced_append && chooser.chance(stream, ChoiceKind::kTornWrite, torn_write_probability)) {
      DiskRecord fragment = records[d.durable_prefix];
      const size_t keep = fragment.bytes.empty()
                              ? 0
                              : chooser.pick(stream, ChoiceKind::kTornWrite, fragment.bytes.size());
      fragment.bytes.resize(keep);  // the checksum still describes the whole record
      if (fragment.intact()) fragment.checksum ^= 1;  // an empty record's prefix is itself
      torn = std::move(fragment);
    }
  }
  std::map<std::string, std::vector<DiskRecord>> after = durable();
  if (torn) after[*files.last_appended_file].push_back(std::move(*torn));
  files.visible = std::move(after);
  files.durability.clear();
  for (const auto& [file, records] : files.visible) {
    // A torn fragment is on the platter, so it is as durable as the rest.
    files.durability[file].durable_prefix = records.size();
  }
  files.last_appended_file.reset();
}

bool Disk::corrupt_one(Chooser& chooser, Rng& stream) {
  struct Target {
    std::string file;
    size_t index;
  };
  std::vector<Target> targets;
  for (const auto& [file, records] : files_->visible) {
    const auto it = files_->durability.find(file);
    const size_t durable_prefix = it == files_->durability.end() ? 0 : it->second.durable_prefix;
    for (size_t i = 0; i < durable_prefix; ++i) {
      if (records[i].intact() && !records[i].bytes.empty()) targets.push_back({file, i});
    }
  }
  if (targets.empty()) return false;
  const Target& target = targets[chooser.pick(stream, ChoiceKind::kCorruptTarget, targets.size())];
  DiskRecord& record = write().visible[target.file][target.index];
  const size_t byte = chooser.pick(stream, ChoiceKind::kCorruptTarget, record.bytes.size());
  record.bytes[byte] = static_cast<char>(record.bytes[byte] ^ 0x5a);
  REPLSIM_ASSERT(!record.intact(), "corruption must be caught by the checksum");
  return true;
}

void Disk::start_fault(DiskFaultKind kind, TimePoint until) { write().fault_until_ns[kind] = until.ns_since_origin(); }

bool Disk::fault_active(DiskFaultKind kind, TimePoint now) const {
  const auto it = files_->fault_until_ns.find(kind);
  return it != files_->fault_until_ns.end() && now.ns_since_origin() < it->second;
}

std::map<std::string, std::vector<DiskRecord>> Disk::durable() const {
  std::map<std::string, std::vector<DiskRecord>> result;
  for (const auto& [file, records] : files_->visible) {
    const auto it = files_->durability.find(file);
    if (it == files_->durability.end()) continue;  // never synced
    const Durability& d = it->second;
    if (d.durable_prefix == 0 && d.durable_tail.empty()) continue;
    std::vector<DiskRecord> content(records.begin(), records.begin() + static_cast<ptrdiff_t>(d.durable_prefix));
    content.insert(content.end(), d.durable_tail.begin(), d.durable_tail.end());
    result.emplace(file, std::move(content));
  }
  return result;
}

size_t Disk::unsynced_record_count() const {
  size_t count = 0;
  for (const auto& [file, records] : files_->visible) {
    const auto it = files_->durability.find(file);
    const size_t prefix = it == files_->durability.end() ? 0 : it->second.durable_prefix;
    count += records.size() - prefix;
  }
  return count;
}

uint64_t Disk::fingerprint() const {
  return kept_hash_.get_or([this] { return fresh_fingerprint(); }, "a disk changed without clearing its kept hash");
}

uint64_t Disk::fresh_fingerprint() const {
  const Files& files = *files_;
  Hasher h;
  for (const auto& [file, records] : files.visible) {
    h.add(file).add(static_cast<uint64_t>(records.size()));
    for (const DiskRecord& r : records) h.add(r.bytes).add(r.checksum);
  }
  for (const auto& [file, d] : files.durability) {
    h.add(file).add(static_cast<uint64_t>(d.durable_prefix)).add(static_cast<uint64_t>(d.durable_tail.size()));
    for (const DiskRecord& r : d.durable_tail) h.add(r.bytes).add(r.checksum);
  }
  for (const auto& [kind, until] : files.fault_until_ns) h.add(static_cast<uint64_t>(kind)).add(until);
  return h.value();
}

}  // namespace replsim
