// A node's virtual disk: files of checksummed records, with the page cache.
//
// Semantics follow LazyFS / turmoil-fs. A completed write is *visible* (in the
// OS cache) but not *durable* until an fsync of its file completes. A process
// crash keeps the cache, so visible data survives it (and stays undurable);
// a power loss drops everything not fsynced and may leave a torn fragment of
// the first unsynced record of the file written last. There is no background
// writeback: unsynced data is never persisted by itself, the worst case a
// protocol must survive.
//
// Files hold records rather than bytes because that is how the protocols
// write (binlog entries, state snapshots). Each record carries a checksum
// computed when it was written, so torn writes and silent corruption are
// visible to the reader as records whose checksum does not match, the way
// real storage engines detect them.
//
// Faults are windows in true time: fsync errors (the data stays unsynced),
// a full disk (writes fail), slow I/O (latency multiplied), read errors; and
// corruption, which flips a byte of one durable record at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/copy_on_write.h"
#include "base/kept_hash.h"
#include "sim/choice.h"
#include "sim/ids.h"
#include "base/time.h"

namespace replsim {

struct DiskRecord {
  std::string bytes;
  uint32_t checksum = 0;

  static DiskRecord make(std::string bytes);
  bool intact() const;
  bool operator==(const DiskRecord&) const = default;
};

enum class DiskOpKind : uint8_t { kAppend, kReplace, kTruncate, kFsync, kRead };
enum class DiskStatus : uint8_t { kOk, kIoError, kNoSpace };
const char* to_string(DiskOpKind kind);
const char* to_string(DiskStatus status);

struct DiskRequest {
  DiskOpId id;
  DiskOpKind kind = DiskOpKind::kAppend;
  std::string file;
  std::string bytes;          // append, replace
  size_t record_count = 0;    // truncate: records to keep
  bool operator==(const DiskRequest&) const = default;
};

struct DiskCompletion {
  DiskOpId id;
  DiskOpKind kind = DiskOpKind::kAppend;
  std::string file;
  DiskStatus status = DiskStatus::kOk;
  std::vector<DiskRecord> records;  // read: the file's visible records
};

enum class DiskFaultKind : uint8_t { kFsyncError, kFull, kSlow, kReadError };
const char* to_string(DiskFaultKind kind);

// What a restarting actor reads: the visible files at the moment it starts.
class DiskImage {
 public:
  explicit DiskImage(const std::map<std::string, std::vector<DiskRecord>>* files) : files_(files) {}
  // Records of `file`, empty when the file does not exist.
  const std::vector<DiskRecord>& records(const std::string& file) const;
  bool empty() const { return files_->empty(); }

 private:
  const std::map<std::string, std::vector<DiskRecord>>* files_;
};

struct DiskConfig {
  Distribution write_latency = Distribution::fixed(Duration::us(100));
  Distribution fsync_latency = Distribution::fixed(Duration::ms(2));
  Distribution read_latency = Distribution::fixed(Duration::us(100));
  double torn_write_probability = 0.5;  // on power loss with unsynced data
  int64_t slow_factor = 20;             // latency multiplier of a slow disk
  bool operator==(const DiskConfig&) const = default;
};

class Disk {
 public:
  Disk() = default;

  // Performs `request` now (its completion time) and reports the outcome.
  DiskCompletion complete(const DiskRequest& request, TimePoint now);

  // Power loss: every file returns to its durable content; with
  // torn_write_probability the file appended to last keeps a fragment of its
  // first unsynced record.
  void lose_power(Chooser& chooser, Rng& stream, double torn_write_probability);
  // Flips one byte of one durable, intact record chosen by the chooser.
  // Returns false when there is nothing to corrupt.
  bool corrupt_one(Chooser& chooser, Rng& stream);

  void start_fault(DiskFaultKind kind, TimePoint until);
  bool fault_active(DiskFaultKind kind, TimePoint now) const;

  // Valid until the disk next changes.
  DiskImage visible() const { return DiskImage(&files_->visible); }
  // Durable content, as a power loss without tearing would leave it.
  std::map<std::string, std::vector<DiskRecord>> durable() const;
  size_t unsynced_record_count() const;

  // This disk's own copy of the files it shares with its copies (they share
  // them until one changes), its kept hash dropped: see World::unshare.
  void unshare() { write(); }

  bool operator==(const Disk& other) const { return *files_ == *other.files_; }
  uint64_t fingerprint() const;

 private:
  // Per file: visible = records; durable = records[0, durable_prefix) +
  // durable_tail. Appends after an fsync leave durable_tail empty, so the
  // common case is a prefix length, not a copy.
  struct Durability {
    size_t durable_prefix = 0;
    std::vector<DiskRecord> durable_tail;
    bool operator==(const Durability&) const = default;
  };

  struct Files {
    std::map<std::string, std::vector<DiskRecord>> visible;
    std::map<std::string, Durability> durability;
    std::optional<std::string> last_appended_file;
    std::map<DiskFaultKind, int64_t> fault_until_ns;
    bool operator==(const Files&) const = default;
  };

  // The files, this disk's own, for a change: clears the kept hash.
  Files& write();
  void keep_durable_before(Files& files, const std::string& file, size_t index);
  uint64_t fresh_fingerprint() const;

  // Shared by copies of the disk until one of them changes: a node's disk
  // changes far more rarely than its process, and the explorer copies the
  // node at every step it takes.
  CopyOnWrite<Files> files_;
  // fingerprint()'s value, kept until a change (write() clears it).
  KeptHash kept_hash_;
};

}  // namespace replsim
