// A protocol defined only in this file, run by the platform like any other:
// registered through harness/registry.h, named by a scenario document, run by
// the runner `replsim run` uses, judged by the platform's checks and its own.
// Nothing under the platform (or the project's protocol list) names it; the
// last case reads the sources to make sure.
//
// The protocol, "test-mirror-pair": s1 is the primary and serves every
// client operation, s2 its backup. The primary mirrors each write to the
// backup (retransmitting until acknowledged) and acknowledges the client once
// the backup holds it; reads see acknowledged writes only. Everything is in
// memory. Its check, acked_writes_on_backup, is judged as the run goes: when
// a client hears that its write succeeded, the backup must already hold it.
// The deliberate bug reply_before_mirror acknowledges at once.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "base/assert.h"
#include "base/input_error.h"
#include "cli/run_command.h"
#include "explore/self_check.h"
#include "harness/registry.h"
#include "harness/report_files.h"
#include "harness/runner.h"
#include "model/kit/workload_adapter.h"

using namespace replsim;
using namespace replsim::harness;

namespace {

constexpr const char* kProtocolName = "test-mirror-pair";
constexpr const char* kOwnCheck = "acked_writes_on_backup";
constexpr NodeId kPrimary{0};
constexpr NodeId kBackup{1};

struct PairWrite {
  static constexpr const char* kName = "PairWrite";
  uint64_t op = 0, key = 0, value = 0;
  bool operator==(const PairWrite&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(key).add(value); }
  std::string describe() const { return fmt::format("op={} key={} value={}", op, key, value); }
};
struct PairRead {
  static constexpr const char* kName = "PairRead";
  uint64_t op = 0, key = 0;
  bool operator==(const PairRead&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(key); }
  std::string describe() const { return fmt::format("op={} key={}", op, key); }
};
struct PairReply {
  static constexpr const char* kName = "PairReply";
  uint64_t op = 0, value = 0;  // value 0: a read of a key never written
  bool operator==(const PairReply&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(value); }
  std::string describe() const { return fmt::format("op={} value={}", op, value); }
};
struct Mirror {
  static constexpr const char* kName = "Mirror";
  uint64_t index = 0, key = 0, value = 0;  // index: 1-based place in the primary's log
  bool operator==(const Mirror&) const = default;
  void hash_into(Hasher& h) const { h.add(index).add(key).add(value); }
  std::string describe() const { return fmt::format("index={} key={} value={}", index, key, value); }
};
struct MirrorAck {
  static constexpr const char* kName = "MirrorAck";
  uint64_t held = 0;  // entries the backup holds
  bool operator==(const MirrorAck&) const = default;
  void hash_into(Hasher& h) const { h.add(held); }
  std::string describe() const { return fmt::format("held={}", held); }
};

struct Entry {
  uint64_t key = 0, value = 0;
  bool operator==(const Entry&) const = default;
};

// Both servers: the primary (kPrimary) and the backup run the same class.
class PairServer final : public ActorOf<PairServer> {
 public:
  static constexpr TimerKey kRetransmitTimer{1, 0};
  static constexpr uint64_t kRetransmitBatchMax = 32;

  PairServer(bool reply_before_mirror, bool hash_skips_log)
      : reply_before_mirror_(reply_before_mirror), hash_skips_log_(hash_skips_log) {}

  void on_start(Context& ctx, const DiskImage&) override {
    if (ctx.self() == kPrimary) ctx.set_timer(kRetransmitTimer, Duration::ms(20));
  }
  void on_message(Context& ctx, NodeId from, ConnectionId, const Message& message) override;
  void on_timer(Context& ctx, TimerKey key) override {
    REPLSIM_ASSERT(key == kRetransmitTimer && ctx.self() == kPrimary, "only the primary retransmits");
    const uint64_t end = std::min<uint64_t>(log_.size(), backup_held_ + kRetransmitBatchMax);
    for (uint64_t i = backup_held_ + 1; i <= end; ++i) mirror(ctx, i);
    ctx.set_timer(kRetransmitTimer, Duration::ms(20));
  }
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return {{"log", log_.size()}, {"committed", committed_}}; }

  bool operator==(const PairServer&) const = default;
  void hash_into(Hasher& h) const {
    h.add(reply_before_mirror_).add(backup_held_).add(committed_);
    if (!hash_skips_log_) {
      for (const Entry& e : log_) h.add(e.key).add(e.value);
    }
    for (const auto& [key, value] : store_) h.add(key).add(value);
    for (const auto& [index, waiting] : waiting_) h.add(index).add(waiting.first.index).add(waiting.second);
    for (const auto& [client, op] : last_op_) h.add(client).add(op);
  }

  bool holds(uint64_t value) const {
    return std::any_of(log_.begin(), log_.end(), [&](const Entry& e) { return e.value == value; });
  }
  size_t log_size() const { return log_.size(); }

 private:
  void mirror(Context& ctx, uint64_t index) {
    const Entry& e = log_[index - 1];
    ctx.send(kBackup, make_message(Mirror{index, e.key, e.value}));
  }
  void on_write(Context& ctx, NodeId from, const PairWrite& write);
  // The entries up to `index` are acknowledged: apply them and answer their clients.
  void commit_through(Context& ctx, uint64_t index);

  bool reply_before_mirror_;
  bool hash_skips_log_;  // a deliberate bug for the explorer's self-check: equal fingerprints, unequal logs
  std::vector<Entry> log_;
  uint64_t backup_held_ = 0;  // primary: the backup's last report
  uint64_t committed_ = 0;    // primary: entries applied and answered
  std::map<uint64_t, uint64_t> store_;
  std::map<uint64_t, std::pair<NodeId, uint64_t>> waiting_;  // index -> (client, op)
  std::map<uint32_t, uint64_t> last_op_;                     // client node -> its latest write taken
};

void PairServer::on_message(Context& ctx, NodeId from, ConnectionId, const Message& message) {
  if (const auto* mirrored = message.as<Mirror>()) {
    if (mirrored->index == log_.size() + 1) log_.push_back({mirrored->key, mirrored->value});
    ctx.send(from, make_message(MirrorAck{log_.size()}));  // a gap or a duplicate: says where to resend from
  } else if (const auto* ack = message.as<MirrorAck>()) {
    backup_held_ = ack->held;
    commit_through(ctx, std::min<uint64_t>(backup_held_, log_.size()));
  } else if (const auto* write = message.as<PairWrite>()) {
    on_write(ctx, from, *write);
  } else if (const auto* read = message.as<PairRead>()) {
    const auto it = store_.find(read->key);
    ctx.send(from, make_message(PairReply{read->op, it == store_.end() ? 0 : it->second}));
  }
}

void PairServer::on_write(Context& ctx, NodeId from, const PairWrite& write) {
  REPLSIM_ASSERT(ctx.self() == kPrimary, "clients write to the primary");
  uint64_t& last = last_op_[from.index];
  if (write.op <= last) return;  // a duplicated datagram
  last = write.op;
  log_.push_back({write.key, write.value});
  waiting_[log_.size()] = {from, write.op};
  mirror(ctx, log_.size());
  if (reply_before_mirror_) commit_through(ctx, log_.size());  // the bug
}

void PairServer::commit_through(Context& ctx, uint64_t index) {
  REPLSIM_ASSERT(index <= log_.size(), "committing past the log");
  for (; committed_ < index; ++committed_) {
    const Entry& e = log_[committed_];
    store_[e.key] = e.value;
    const auto it = waiting_.find(committed_ + 1);
    if (it == waiting_.end()) continue;
    ctx.send(it->second.first, make_message(PairReply{it->second.second, e.value}));
    waiting_.erase(it);
  }
}

class PairClient final : public ActorOf<PairClient> {
 public:
  PairClient(uint32_t index, kit::WorkloadOptions workload) : workload_(index, workload) {}
  void on_start(Context& ctx, const DiskImage&) override { workload_.start(ctx); }
  void on_message(Context& ctx, NodeId, ConnectionId, const Message& message) override {
    const auto* reply = message.as<PairReply>();
    if (reply == nullptr || !workload_.outstanding() || workload_.outstanding()->op != reply->op) return;
    workload_.complete(ctx, OperationPhase::kOk, reply->value);
  }
  void on_timer(Context& ctx, TimerKey key) override {
    if (workload_.on_timer(ctx, key) != kit::ClosedLoopWorkload::Tick::kIssue) return;
    const kit::WorkloadOp& op = *workload_.outstanding();
    if (op.is_write) ctx.send(kPrimary, make_message(PairWrite{op.op, op.key, op.value}));
    else ctx.send(kPrimary, make_message(PairRead{op.op, op.key}));
  }
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return workload_.describe(); }
  bool operator==(const PairClient&) const = default;
  void hash_into(Hasher& h) const { workload_.hash_into(h); }

 private:
  kit::ClosedLoopWorkload workload_;
};

// Judges acked_writes_on_backup step by step; the rest is the base class's
// defaults (a lane per server, up or down) but for when the pair has settled.
class PairMonitor final : public MonitorOf<PairMonitor> {
 public:
  void observe(const World& world, const StepRecord& step) override {
    for (const OperationEvent& e : step.operations) {
      if (e.f != "write") continue;
      if (e.phase == OperationPhase::kInvoke) {
        REPLSIM_ASSERT(e.value.has_value(), "a write's invocation carries its value");
        writing_[e.process] = {e.key, static_cast<uint64_t>(*e.value)};
        continue;
      }
      if (e.phase != OperationPhase::kOk) continue;
      const auto& [key, value] = writing_.at(e.process);
      const auto* backup = world.actor_as<PairServer>(kBackup);
      if (backup != nullptr && backup->holds(value)) continue;
      violations_.push_back(fmt::format("write of {} to key {} by c{} was acknowledged at {} before the backup held it",
                                        value, key, e.process + 1, format_duration(step.time.since_origin())));
      writes_.push_back({key, std::to_string(value)});
    }
  }
  CheckOutcome check(const std::string& name, const World&, const std::vector<checker::HistoryEvent>&) const override {
    REPLSIM_ASSERT(name == kOwnCheck, "the protocol's only check");
    return CheckOutcome{name, CheckVerdict::kPass, violations_, writes_, {}};
  }
  std::optional<std::string> unsettled(const World& world) const override {
    if (auto down = RunMonitor::unsettled(world)) return down;
    const auto* primary = world.actor_as<PairServer>(kPrimary);
    const auto* backup = world.actor_as<PairServer>(kBackup);
    if (backup->log_size() < primary->log_size()) return std::string("the backup is behind the primary");
    return std::nullopt;
  }
  void hash_into(Hasher& h) const override {
    for (const auto& [client, write] : writing_) h.add(client).add(write.first).add(write.second);
    h.add(static_cast<uint64_t>(violations_.size()));
  }

 private:
  std::map<uint32_t, std::pair<std::string, uint64_t>> writing_;  // client -> its write in flight
  std::vector<std::string> violations_;
  std::vector<std::pair<std::string, std::string>> writes_;
};

class MirrorPairProtocol final : public Protocol {
 public:
  const Vocabulary& vocabulary() const override {
    static const Vocabulary v = [] {
      Vocabulary w;
      w.protocol = kProtocolName;
      w.description = "A test's primary/backup pair in memory: the primary acknowledges a write once the backup holds it.";
      w.roles = {{"primary", false, true, "s1: serves every operation", false}, {"backup", false, false, "s2", false}};
      w.checks = {{kOwnCheck, "A client heard its write succeed before the backup held it."}};
      return w;
    }();
    return v;
  }
  World make_world(const Scenario& s, uint64_t seed) const override {
    WorldConfig config;
    config.seed = seed;
    config.link = s.network;
    config.node_names = {"s1", "s2"};
    for (uint32_t i = 1; i <= s.workload.clients; ++i) config.node_names.push_back("c" + std::to_string(i));
    const bool bug = s.protocol_options.value("reply_before_mirror", false);
    const bool hash_bug = s.protocol_options.value("hash_skips_log", false);
    const kit::WorkloadOptions workload = kit::workload_options(s);
    return World(std::move(config), [=](NodeId id) -> std::unique_ptr<Actor> {
      if (id.index < 2) return std::make_unique<PairServer>(bug, hash_bug);
      return std::make_unique<PairClient>(id.index - 2, workload);
    });
  }
  std::vector<NodeId> role_holders(const World&, const std::string& role, uint32_t) const override {
    REPLSIM_ASSERT(role == "primary" || role == "backup", "a declared role");
    return {role == "primary" ? kPrimary : kBackup};
  }
  std::unique_ptr<RunMonitor> make_monitor(const Scenario&) const override { return std::make_unique<PairMonitor>(); }
  void check_scenario(const Scenario& s) const override {
    reject_unknown_keys(s.protocol_options, "/protocol/options", {"reply_before_mirror", "hash_skips_log"});
    for (const char* option : {"reply_before_mirror", "hash_skips_log"}) {
      const Json& bug = s.protocol_options.value(option, Json(false));
      if (!bug.is_boolean()) throw InputError(std::string("/protocol/options/") + option, "true or false", describe_json(bug));
    }
    if (s.cluster.servers != 2) throw InputError("/cluster/servers", "2: a primary and its backup", std::to_string(s.cluster.servers));
  }
};

void register_test_protocol() {
  static std::once_flag once;
  std::call_once(once, [] { register_protocol(std::make_unique<MirrorPairProtocol>()); });
}

// Over lossy links, a partition between the pair (clients still reach the
// primary) and its heal: writes wait for the backup meanwhile, and the pair
// settles after.
Json scenario_document(bool reply_before_mirror) {
  return Json::parse(R"({
    "version": 1, "name": "test-mirror-pair", "seed": 5, "duration": "8s",
    "protocol": { "name": "test-mirror-pair", "options": { "reply_before_mirror": false } },
    "cluster": { "servers": 2 },
    "network": { "latency": { "dist": "uniform", "min": "200us", "max": "2ms" }, "loss": 0.02 },
    "workload": { "clients": 2, "keys": 3, "rate": 200, "timeout": "300ms", "start": "200ms", "stop": "6s" },
    "faults": [ { "at": "2s", "type": "partition", "groups": [["primary"], ["backup"]] },
                { "at": "3s", "type": "heal" } ],
    "checks": [ "linearizable", "acked_writes_on_backup", { "converges_within": "1s" } ]
  })")
      .patch(Json::array({{{"op", "replace"}, {"path", "/protocol/options/reply_before_mirror"}, {"value", reply_before_mirror}}}));
}

const CheckOutcome& outcome_of(const ScenarioRun& run, const std::string& check) {
  const auto it = std::find_if(run.checks.begin(), run.checks.end(), [&](const CheckOutcome& c) { return c.name == check; });
  REQUIRE(it != run.checks.end());
  return *it;
}

// Whether `replsim run`'s summary has the line "  CHECK  VERDICT".
bool summary_says(const std::string& summary, const std::string& check, const std::string& verdict) {
  std::istringstream lines(summary);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first, second, rest;
    if (words >> first >> second && !(words >> rest) && first == check && second == verdict) return true;
  }
  return false;
}

std::filesystem::path fresh_folder(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(REPLSIM_BINARY_DIR) / "outside-tree" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("a protocol defined in a test passes the platform's checks and its own through the runner replsim run uses") {
  register_test_protocol();
  const Scenario scenario = parse_scenario(scenario_document(false), "test-mirror-pair.json");
  const std::filesystem::path dir = fresh_folder("pass");
  const ScenarioRun run = run_into_folder(scenario, scenario.seed, dir, false);
  CHECK(run.protocol == find_protocol(kProtocolName));
  REQUIRE(run.faults.size() == 2);
  for (const AppliedFault& fault : run.faults) CHECK(fault.fault.has_value());
  CHECK(run.history.size() > 500);  // the clients did work, so the checks judged something
  for (const char* check : {"linearizable", kOwnCheck, "converges_within"}) {
    CAPTURE(check);
    CHECK(outcome_of(run, check).verdict == CheckVerdict::kPass);
    CHECK(outcome_of(run, check).details.empty());
  }
  CHECK(run.verdict == "pass");
  CHECK(exit_code(run) == 0);
  // run.json speaks the test protocol's vocabulary.
  std::ifstream file(dir / "run.json");
  const Json written = Json::parse(file);
  CHECK(written["vocabulary"]["protocol"] == kProtocolName);
  CHECK(std::filesystem::exists(dir / "report.html"));
}

TEST_CASE("a test protocol's deliberate bug fails its own check as the runner and replsim run name it") {
  register_test_protocol();
  const Scenario scenario = parse_scenario(scenario_document(true), "test-mirror-pair-bug.json");
  const ScenarioRun run = run_scenario(scenario, scenario.seed);
  CHECK(outcome_of(run, kOwnCheck).verdict == CheckVerdict::kFail);
  REQUIRE_FALSE(outcome_of(run, kOwnCheck).details.empty());
  CHECK(outcome_of(run, kOwnCheck).details.front().find("before the backup held it") != std::string::npos);
  CHECK(run.check_operations.contains(kOwnCheck));  // the report can show those writes
  // The primary alone serves reads, so the clients' history stays linearizable.
  CHECK(outcome_of(run, "linearizable").verdict == CheckVerdict::kPass);
  CHECK(failed_checks(run) == std::vector<std::string>{kOwnCheck});
  CHECK(run.verdict == "fail");
  CHECK(exit_code(run) == 1);

  // The command's own path: a file on disk, `replsim run FILE`.
  const std::filesystem::path dir = fresh_folder("bug");
  std::ofstream(dir / "scenario.json") << scenario_document(true).dump(2);
  std::ostringstream out;
  cli::RunOptions options;
  options.file = (dir / "scenario.json").string();
  options.out_dir = (dir / "run").string();
  CHECK(cli::run_run(options, out) == 1);
  CAPTURE(out.str());
  CHECK(summary_says(out.str(), kOwnCheck, "FAIL"));
  CHECK(summary_says(out.str(), "linearizable", "pass"));
  CHECK(out.str().find("verdict    fail (expected pass): UNEXPECTED") != std::string::npos);
}

TEST_CASE("the loader asks a test protocol what it can run") {
  register_test_protocol();
  Json document = scenario_document(false);
  document["protocol"]["options"] = {{"reply_before_mirorr", true}};
  CHECK_THROWS_WITH_AS(parse_scenario(document, "typo.json"), doctest::Contains("/protocol/options"), InputError);
  document["protocol"]["options"] = {{"reply_before_mirror", "yes"}};
  CHECK_THROWS_WITH_AS(parse_scenario(document, "string.json"), doctest::Contains("true or false"), InputError);
  document = scenario_document(false);
  document["cluster"]["servers"] = 3;
  CHECK_THROWS_WITH_AS(parse_scenario(document, "three.json"), doctest::Contains("a primary and its backup"), InputError);
  document = scenario_document(false);
  document["checks"] = Json::array({"replicas_agree"});  // another protocol's check
  CHECK_THROWS_AS(parse_scenario(document, "foreign-check.json"), InputError);
}

TEST_CASE("no platform file names the protocol defined in a test") {
  namespace fs = std::filesystem;
  const fs::path root = REPLSIM_SOURCE_DIR;
  const auto mentions = [](const fs::path& file, const std::string& word) {
    std::ifstream in(file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(word) != std::string::npos;
  };
  size_t files_read = 0;
  for (const char* folder : {"base", "sim", "checker", "reports", "harness", "cli", "model", "cmake"}) {
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root / folder)) {
      if (!entry.is_regular_file()) continue;
      ++files_read;
      CAPTURE(entry.path().string());
      CHECK_FALSE(mentions(entry.path(), kProtocolName));
      CHECK_FALSE(mentions(entry.path(), kOwnCheck));
    }
  }
  CHECK(files_read > 100);
  // The search finds the words where they are.
  CHECK(mentions(root / "tests" / "test_protocol_outside_tree.cpp", kProtocolName));
}

TEST_CASE("explore's self-check passes the test protocol, and names the actor whose hash leaves out a field") {
  register_test_protocol();
  Json document = scenario_document(false);
  document.erase("faults");
  explore::SelfCheckOptions options;
  options.steps = 5'000;
  const explore::SelfCheckReport clean = explore::self_check(parse_scenario(document, "pair.json"), options);
  CHECK(clean.problems.empty());
  CHECK(clean.copies_checked >= 5);
  CHECK(clean.fingerprints_compared > 100);
  document["protocol"]["options"]["hash_skips_log"] = true;
  const explore::SelfCheckReport broken = explore::self_check(parse_scenario(document, "pair.json"), options);
  REQUIRE_FALSE(broken.problems.empty());
  CHECK_MESSAGE(broken.problems.front().find("s2 has the fingerprint of an earlier, unequal state") != std::string::npos,
                broken.problems.front());
}
