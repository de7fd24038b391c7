// The FastCFS model: determinism, copyable worlds, the transition coverage
// of §2.3 over the scenario library, the mutations' own test, and the
// monitor's invariants on hand-made steps.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>

#include "cli/protocols.h"
#include "cli/scenario_run.h"
#include "model/fastcfs/system.h"
#include "sim/choice.h"
#include "sim/input_error.h"

using namespace replsim;
using namespace replsim::cli;

namespace {

std::string scenarios_dir(const std::string& folder) { return std::string(REPLSIM_SOURCE_DIR) + "/scenarios/" + folder; }

Scenario load(const std::string& path) { return load_scenario_file(path, protocol_catalog()); }

ScenarioRun run(const Scenario& s, uint64_t seed) { return run_scenario(s, seed, *make_adapter(s.protocol)); }

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(scenarios_dir(folder))) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

fastcfs::FastcfsSystemConfig small_config() {
  fastcfs::FastcfsSystemConfig c;
  c.cluster.servers = 3;
  c.cluster.data_groups = 2;
  c.clients = 2;
  c.client.keys = 4;
  c.client.first_op_after = Duration::s(1);
  return c;
}

}  // namespace

TEST_CASE("fastcfs: the same scenario and seed give the same trace; another seed another") {
  const Scenario s = load(scenarios_dir("fastcfs") + "/master-crash-failover.json");
  const ScenarioRun a = run(s, 5);
  const ScenarioRun b = run(s, 5);
  const ScenarioRun c = run(s, 6);
  CHECK(a.world.trace_hash() == b.world.trace_hash());
  CHECK(a.world.stats().steps == b.world.stats().steps);
  CHECK(a.world.trace_hash() != c.world.trace_hash());
  CHECK(scenario_run_to_json(s, 5, a).dump() == scenario_run_to_json(s, 5, b).dump());
}

TEST_CASE("fastcfs: a copied world runs on exactly like the original") {
  World original = fastcfs::make_fastcfs_world(small_config(), 11);
  RandomChooser chooser;
  original.run_until(TimePoint::origin() + Duration::s(8), chooser);
  World copy = original;
  CHECK(copy.same_state(original));
  CHECK(copy.fingerprint() == original.fingerprint());
  RandomChooser chooser_a, chooser_b;
  original.run_until(TimePoint::origin() + Duration::s(15), chooser_a);
  copy.run_until(TimePoint::origin() + Duration::s(15), chooser_b);
  CHECK(copy.trace_hash() == original.trace_hash());
  CHECK(copy.same_state(original));
  CHECK(fastcfs::fastcfs_converged(original));  // a healthy cluster settles: leader, masters, ACTIVE replicas
}

TEST_CASE("fastcfs: a fault-free cluster elects one leader, appoints preset masters, and every replica turns ACTIVE") {
  World world = fastcfs::make_fastcfs_world(small_config(), 3);
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::s(10), chooser);
  REQUIRE(fastcfs::convergence_gap(world) == "");
  const auto leader = fastcfs::current_leader(world);
  REQUIRE(leader.has_value());
  for (uint32_t g = 0; g < 2; ++g) {
    // With every server ACTIVE and fresh, the preset master wins (§1.5.2).
    CHECK(fastcfs::current_master(world, g) == NodeId{fastcfs::preset_master(g, 3)});
  }
  uint32_t leaders = 0;
  for (NodeId id : fastcfs::fastcfs_servers(world)) leaders += fastcfs::server_at(world, id)->is_leader() ? 1 : 0;
  CHECK(leaders == 1);
}

TEST_CASE("fastcfs: the scenario library reaches every transition T1-T18 of §2.3") {
  std::map<std::string, uint64_t> reached;
  std::map<std::string, std::string> where;
  for (const std::string& file : files_in("fastcfs")) {
    const Scenario s = load(file);
    const ScenarioRun r = run(s, s.seed);
    CHECK_MESSAGE(r.as_expected, file);
    const nlohmann::json monitor = r.monitor->to_json();
    for (const auto& [t, count] : monitor.at("transitions").items()) {
      reached[t] += count.get<uint64_t>();
      if (!where.contains(t)) where[t] = std::filesystem::path(file).filename().string();
    }
  }
  for (int t = 1; t <= 18; ++t) {
    const std::string name = "T" + std::to_string(t);
    CHECK_MESSAGE(reached[name] > 0, name << " is reached by no scenario in scenarios/fastcfs/");
  }
  MESSAGE("first reached in: " << nlohmann::json(where).dump());
}

TEST_CASE("fastcfs: every mutation scenario fails as it expects, and passes without its mutation") {
  const std::vector<std::string> files = files_in("mutations");
  REQUIRE_FALSE(files.empty());
  for (const std::string& file : files) {
    Scenario s = load(file);
    REQUIRE_MESSAGE(s.protocol_options.contains("mutations"), file);
    REQUIRE_MESSAGE(s.expect.verdict == "fail", file);
    const ScenarioRun mutated = run(s, s.seed);
    CHECK_MESSAGE(mutated.as_expected, file << " should fail " << s.expect.check);
    s.protocol_options["mutations"] = nlohmann::json::array();
    const ScenarioRun control = run(s, s.seed);
    CHECK_MESSAGE(control.verdict == "pass", file << " fails even without its mutation");
  }
}

TEST_CASE("fastcfs: protocol options are read by FastCFS's names; mutations are checked") {
  const fastcfs::FastcfsOptions o = fastcfs::read_fastcfs_options(
      {{"replication_quorum", "any"}, {"master_policy", "timeout:20"}, {"network_timeout", "2s"}, {"mutations", {"M1", "M24"}}},
      "/protocol/options");
  CHECK(o.replication_quorum == fastcfs::ReplicationQuorum::kAny);
  CHECK_FALSE(o.master_policy_strict);
  CHECK(o.master_policy_timeout == Duration::s(20));
  CHECK(o.network_timeout == Duration::s(2));
  CHECK(o.mutations == std::set<std::string>{"M1", "M24"});
  CHECK_THROWS_AS(fastcfs::read_fastcfs_options({{"mutations", {"M99"}}}, "/protocol/options"), InputError);
  CHECK_THROWS_AS(fastcfs::read_fastcfs_options({{"replication_qourum", "any"}}, "/protocol/options"), InputError);
}

TEST_CASE("fastcfs: keys spread over data groups; preset masters round-robin") {
  std::map<uint32_t, int> per_group;
  for (uint64_t key = 0; key < 1000; ++key) ++per_group[fastcfs::data_group_of(key, 4)];
  REQUIRE(per_group.size() == 4);
  for (const auto& [g, count] : per_group) CHECK(count > 150);
  CHECK(fastcfs::preset_master(0, 3) == 0);
  CHECK(fastcfs::preset_master(1, 3) == 1);
  CHECK(fastcfs::preset_master(4, 3) == 1);
}

TEST_CASE("fastcfs monitor: an illegal status edge is an S8 violation; a legal one is not") {
  World world = fastcfs::make_fastcfs_world(small_config(), 1);
  fastcfs::ClusterConfig cluster = small_config().cluster;
  fastcfs::FastcfsMonitor monitor(cluster);
  StepRecord step;
  step.kind = EventKind::kMessage;
  step.node = NodeId{0};
  step.time = TimePoint::origin() + Duration::s(1);
  step.notes.push_back({"ds_status", {{"dg", 1}, {"from", "RECOVERING"}, {"status", "ONLINE"}, {"transition", "T4"}}});
  monitor.observe(world, step);
  CHECK(monitor.violations_of({"S8"}).empty());
  step.notes = {{"ds_status", {{"dg", 1}, {"from", "RECOVERING"}, {"status", "ACTIVE"}, {"transition", "T6"}}}};
  monitor.observe(world, step);
  const auto s8 = monitor.violations_of({"S8"});
  REQUIRE(s8.size() == 1);
  CHECK(s8[0].text.find("RECOVERING -> ACTIVE by T6") != std::string::npos);
}

TEST_CASE("fastcfs monitor: a master chosen below another replica's DV breaks S10 under the strict policy only") {
  World world = fastcfs::make_fastcfs_world(small_config(), 1);
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::s(6), chooser);
  const auto leader = fastcfs::current_leader(world);
  REQUIRE(leader.has_value());
  StepRecord step;
  step.kind = EventKind::kTimer;
  step.node = *leader;
  step.time = world.now();
  step.notes.push_back({"master_set", {{"dg", 1}, {"reason", "election"}, {"old", nullptr}, {"new", "s2"},
                                       {"dvs", {10, 7, 9}}}});
  fastcfs::ClusterConfig strict = small_config().cluster;
  fastcfs::FastcfsMonitor monitor(strict);
  monitor.observe(world, step);
  CHECK(monitor.violations_of({"S10"}).size() == 2);  // s1 (DV 10) and s3 (DV 9) were both ahead of s2 (DV 7)
  fastcfs::ClusterConfig timeout = strict;
  timeout.options.master_policy_strict = false;
  fastcfs::FastcfsMonitor lenient(timeout);
  lenient.observe(world, step);
  CHECK(lenient.violations_of({"S10"}).empty());
}
