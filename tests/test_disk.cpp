#include <doctest/doctest.h>

#include <map>

#include "sim/disk.h"

using namespace replsim;

namespace {

using Files = std::map<std::string, std::vector<std::string>>;

struct DiskDriver {
  Disk disk;
  uint64_t next_id = 0;
  TimePoint now;

  DiskCompletion run(DiskOpKind kind, const std::string& file, std::string bytes = {}, size_t count = 0) {
    DiskRequest request;
    request.id = DiskOpId{++next_id};
    request.kind = kind;
    request.file = file;
    request.bytes = std::move(bytes);
    request.record_count = count;
    return disk.complete(request, now);
  }
};

Files contents(const std::map<std::string, std::vector<DiskRecord>>& files) {
  Files out;
  for (const auto& [name, records] : files) {
    if (records.empty()) continue;
    for (const DiskRecord& r : records) out[name].push_back(r.bytes);
  }
  return out;
}

Files visible_contents(const Disk& disk, const std::vector<std::string>& names) {
  Files out;
  for (const std::string& name : names) {
    for (const DiskRecord& r : disk.visible().records(name)) out[name].push_back(r.bytes);
  }
  return out;
}

Files without_empty(Files files) {
  std::erase_if(files, [](const auto& entry) { return entry.second.empty(); });
  return files;
}

}  // namespace

TEST_CASE("writes are visible at once and durable only after fsync of their file") {
  DiskDriver d;
  CHECK(d.run(DiskOpKind::kAppend, "log", "a").status == DiskStatus::kOk);
  d.run(DiskOpKind::kAppend, "meta", "m");
  CHECK(d.disk.visible().records("log").size() == 1);
  CHECK(d.disk.durable().empty());
  d.run(DiskOpKind::kFsync, "log");
  CHECK(contents(d.disk.durable()) == Files{{"log", {"a"}}});
  CHECK(d.disk.unsynced_record_count() == 1);  // meta was never synced
}

TEST_CASE("property: power loss loses exactly the unsynced writes, a crash nothing") {
  const std::vector<std::string> names{"a", "b"};
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed, "disk-property");
    RandomChooser chooser;
    DiskDriver d;
    Files visible_model;
    Files durable_model;
    for (int step = 0; step < 40; ++step) {
      const std::string& file = names[rng.below(2)];
      const std::string bytes = "r" + std::to_string(step);
      switch (rng.below(5)) {
        case 0:
        case 1:
          d.run(DiskOpKind::kAppend, file, bytes);
          visible_model[file].push_back(bytes);
          break;
        case 2:
          d.run(DiskOpKind::kReplace, file, bytes);
          visible_model[file] = {bytes};
          break;
        case 3: {
          const size_t keep = rng.below(visible_model[file].size() + 1);
          d.run(DiskOpKind::kTruncate, file, {}, keep);
          visible_model[file].resize(std::min(keep, visible_model[file].size()));
          break;
        }
        case 4:
          d.run(DiskOpKind::kFsync, file);
          durable_model[file] = visible_model[file];
          break;
      }
    }
    CAPTURE(seed);
    // A crash of the process changes nothing on the disk: the OS cache
    // survives, synced or not.
    CHECK(visible_contents(d.disk, names) == without_empty(visible_model));
    CHECK(contents(d.disk.durable()) == without_empty(durable_model));

    Disk powered_off = d.disk;
    powered_off.lose_power(chooser, rng, /*torn_write_probability=*/0.0);
    CHECK(visible_contents(powered_off, names) == without_empty(durable_model));
    CHECK(powered_off.unsynced_record_count() == 0);
  }
}

TEST_CASE("a torn write leaves a fragment whose checksum fails") {
  RandomChooser chooser;
  Rng rng(1, "torn");
  DiskDriver d;
  d.run(DiskOpKind::kAppend, "log", "first record");
  d.run(DiskOpKind::kFsync, "log");
  d.run(DiskOpKind::kAppend, "log", "second record, never synced");
  d.disk.lose_power(chooser, rng, /*torn_write_probability=*/1.0);
  const auto& records = d.disk.visible().records("log");
  REQUIRE(records.size() == 2);
  CHECK(records[0].intact());
  CHECK(records[0].bytes == "first record");
  CHECK_FALSE(records[1].intact());
  CHECK(records[1].bytes.size() < std::string("second record, never synced").size());
}

TEST_CASE("silent corruption flips a durable record and the checksum catches it") {
  RandomChooser chooser;
  Rng rng(1, "corrupt");
  DiskDriver d;
  CHECK_FALSE(d.disk.corrupt_one(chooser, rng));  // nothing durable yet
  d.run(DiskOpKind::kAppend, "log", "payload");
  d.run(DiskOpKind::kFsync, "log");
  CHECK(d.disk.corrupt_one(chooser, rng));
  const auto completion = d.run(DiskOpKind::kRead, "log");
  REQUIRE(completion.records.size() == 1);
  CHECK_FALSE(completion.records[0].intact());
}

TEST_CASE("fault windows: fsync errors keep data unsynced, a full disk refuses writes, reads fail") {
  DiskDriver d;
  d.run(DiskOpKind::kAppend, "log", "x");
  d.disk.start_fault(DiskFaultKind::kFsyncError, d.now + Duration::s(1));
  CHECK(d.run(DiskOpKind::kFsync, "log").status == DiskStatus::kIoError);
  CHECK(d.disk.durable().empty());
  d.disk.start_fault(DiskFaultKind::kFull, d.now + Duration::s(1));
  CHECK(d.run(DiskOpKind::kAppend, "log", "y").status == DiskStatus::kNoSpace);
  CHECK(d.disk.visible().records("log").size() == 1);
  d.disk.start_fault(DiskFaultKind::kReadError, d.now + Duration::s(1));
  CHECK(d.run(DiskOpKind::kRead, "log").status == DiskStatus::kIoError);

  d.now = d.now + Duration::s(1);  // every window has closed
  CHECK(d.run(DiskOpKind::kFsync, "log").status == DiskStatus::kOk);
  CHECK(d.run(DiskOpKind::kAppend, "log", "y").status == DiskStatus::kOk);
  CHECK(d.run(DiskOpKind::kRead, "log").records.size() == 2);
  CHECK(contents(d.disk.durable()) == Files{{"log", {"x"}}});
}

TEST_CASE("an unsynced truncate comes undone by power loss") {
  RandomChooser chooser;
  Rng rng(1, "truncate");
  DiskDriver d;
  for (const char* r : {"1", "2", "3"}) d.run(DiskOpKind::kAppend, "log", r);
  d.run(DiskOpKind::kFsync, "log");
  d.run(DiskOpKind::kTruncate, "log", {}, 1);
  CHECK(d.disk.visible().records("log").size() == 1);
  d.disk.lose_power(chooser, rng, 0.0);
  CHECK(d.disk.visible().records("log").size() == 3);
}

TEST_CASE("a copied disk shares its files until one of them changes: the other keeps its content and fingerprint") {
  DiskDriver a;
  a.run(DiskOpKind::kAppend, "log", "x");
  a.run(DiskOpKind::kFsync, "log");
  a.run(DiskOpKind::kAppend, "log", "y");
  const uint64_t before = a.disk.fingerprint();
  DiskDriver b{a.disk, a.next_id, a.now};
  REQUIRE(b.disk.fingerprint() == before);  // kept: a change must drop it
  REQUIRE(b.disk == a.disk);
  // A read changes nothing, so it takes nothing of its own.
  CHECK(b.run(DiskOpKind::kRead, "log").records.size() == 2);
  CHECK(&b.disk.visible().records("log") == &a.disk.visible().records("log"));
  b.run(DiskOpKind::kTruncate, "log", {}, 5);  // past the end: no change either
  CHECK(&b.disk.visible().records("log") == &a.disk.visible().records("log"));

  b.run(DiskOpKind::kAppend, "log", "z");
  CHECK(visible_contents(a.disk, {"log"}) == Files{{"log", {"x", "y"}}});
  CHECK(visible_contents(b.disk, {"log"}) == Files{{"log", {"x", "y", "z"}}});
  CHECK(a.disk.fingerprint() == before);
  CHECK(b.disk.fingerprint() != before);
  CHECK_FALSE(b.disk == a.disk);
  b.run(DiskOpKind::kTruncate, "log", {}, 2);
  CHECK(b.disk == a.disk);
  CHECK(b.disk.fingerprint() == before);
}

TEST_CASE("a corruption with nothing durable to flip leaves the disk as it was, fingerprint included") {
  RandomChooser chooser;
  Rng rng(1, "corrupt");
  DiskDriver d;
  d.run(DiskOpKind::kAppend, "log", "unsynced");
  d.run(DiskOpKind::kAppend, "other", "unsynced too");
  const Disk before = d.disk;
  const uint64_t fingerprint = d.disk.fingerprint();
  CHECK_FALSE(d.disk.corrupt_one(chooser, rng));
  CHECK(d.disk == before);
  CHECK(d.disk.fingerprint() == fingerprint);
}
