// Symmetry reduction (explore/symmetry.h): a world hashed under a renaming
// of its nodes is its image's hash, and a search that merges a state with
// its images reaches the orbits a search without merging reaches.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "base/input_error.h"
#include "explore/explorer.h"
#include "harness/scenario.h"
#include "model/example/register_server.h"
#include "model/example/register_system.h"
#include "sim/choice.h"
#include "sim/fault.h"

using namespace replsim;
using Json = nlohmann::json;

namespace {

bool replicating(const World& world) {
  for (NodeId backup : {NodeId{1}, NodeId{2}}) {
    const auto* server = world.actor_as<example::RegisterServer>(backup);
    if (server == nullptr || server->log().empty()) return false;
  }
  return true;
}

// s1 the primary, s2 and s3 its backups, one client writing: with fixed
// latencies nothing the simulator draws tells the backups apart.
World register_world_writing() {
  example::RegisterSystemConfig config;
  config.clients = 1;
  config.link.latency = Distribution::fixed(Duration::ms(1));
  config.workload.read_percent = 0;
  World world = example::make_register_world(config, 7);
  RandomChooser chooser;
  // Until the first write's replication is in flight to both backups.
  for (int steps = 0; steps < 1000 && !replicating(world); ++steps) REQUIRE(world.step(chooser) != nullptr);
  REQUIRE(replicating(world));
  return world;
}

std::string scenario_file(const std::string& name) {
  return std::string(REPLSIM_SOURCE_DIR) + "/scenarios/explore/" + name + ".json";
}

explore::ExploreResult search(const std::string& name, const std::string& symmetry, const std::string& strategy = "bfs") {
  explore::ExploreOptions options;
  options.strategy = strategy;
  options.symmetry = symmetry;
  options.out_dir = (std::filesystem::path(REPLSIM_BINARY_DIR) / "symmetry-tests" / (name + "-" + symmetry)).string();
  std::filesystem::remove_all(options.out_dir);
  std::ostringstream progress;
  const std::string file = scenario_file(name);
  return explore::explore(harness::load_scenario_document(file), file, options, progress);
}

}  // namespace

TEST_CASE("a world crashed at one backup hashes, with the backups renamed, as the world crashed at the other") {
  const World base = register_world_writing();
  REQUIRE(base.node_count() == 4);  // s1 s2 s3 c1
  REQUIRE(base.pending_event_count() > 2);
  const NodeRenaming identity = {0, 1, 2, 3};
  const NodeRenaming swap_backups = {0, 2, 1, 3};
  const NodeRenaming swap_primary = {1, 0, 2, 3};
  CHECK(base.fingerprint(&identity) == base.fingerprint());
  CHECK(base.fingerprint(&swap_backups) == base.fingerprint());  // nothing tells the backups apart yet

  RandomChooser chooser;
  World crashed_s2 = base, crashed_s3 = base, crashed_s1 = base;
  crashed_s2.apply_fault(CrashFault{NodeId{1}}, chooser);
  crashed_s3.apply_fault(CrashFault{NodeId{2}}, chooser);
  crashed_s1.apply_fault(CrashFault{NodeId{0}}, chooser);
  CHECK(crashed_s2.fingerprint() != crashed_s3.fingerprint());
  CHECK(crashed_s2.fingerprint(&swap_backups) == crashed_s3.fingerprint());
  CHECK(crashed_s3.fingerprint(&swap_backups) == crashed_s2.fingerprint());
  // The primary is no backup: the renaming that swaps it with s2 maps the
  // world crashed at s2 to no world crashed at s1.
  CHECK(crashed_s2.fingerprint(&swap_primary) != crashed_s1.fingerprint());

  // The images stay images as the worlds go on (the same instants: the
  // simulator takes events in time order and draws nothing here).
  crashed_s2.run_until(TimePoint::origin() + Duration::ms(40), chooser);
  crashed_s3.run_until(TimePoint::origin() + Duration::ms(40), chooser);
  CHECK(crashed_s2.fingerprint() != crashed_s3.fingerprint());
  CHECK(crashed_s2.fingerprint(&swap_backups) == crashed_s3.fingerprint());
}

TEST_CASE("a search merging each state with its images reaches every orbit a search without merging reaches") {
  const explore::ExploreResult off = search("register-clean", "off");
  const explore::ExploreResult on = search("register-clean", "on");
  const explore::ExploreResult count = search("register-clean", "count");
  for (const explore::ExploreResult* r : {&off, &on, &count}) {
    REQUIRE(r->exit_code == 0);
    CHECK(r->summary["complete"] == true);
  }
  const Json& sym = on.summary["symmetry"];
  CHECK(sym["interchangeable"] == Json::array({Json::array({"s2", "s3"})}));
  CHECK(sym["renamings"] == 1);
  // "count" searches the same states as "off" and finds them in fewer orbits.
  CHECK(count.summary["states_distinct"] == off.summary["states_distinct"]);
  const uint64_t states_off = off.summary["states_distinct"].get<uint64_t>();
  const uint64_t orbits = count.summary["symmetry"]["orbits"].get<uint64_t>();
  CHECK(orbits < states_off);
  CHECK(2 * orbits > states_off);  // two backups: an orbit has one or two states
  // The merging search keeps one state per orbit, and the same orbits.
  CHECK(on.summary["states_distinct"].get<uint64_t>() == orbits);
  CHECK(sym["orbits"].get<uint64_t>() == orbits);
  CHECK(sym["orbit_digest"] == count.summary["symmetry"]["orbit_digest"]);
  CHECK(on.summary["depth_reached"] == off.summary["depth_reached"]);
  CHECK(on.summary["judged"].get<uint64_t>() < off.summary["judged"].get<uint64_t>());
}

TEST_CASE("with the reduction BFS still finds the canary by its shortest path, and DFS and BFS agree on the orbits") {
  const explore::ExploreResult off = search("register-canary", "off");
  const explore::ExploreResult on = search("register-canary", "on");
  REQUIRE(off.exit_code == 1);
  REQUIRE(on.exit_code == 1);
  CHECK(on.summary["violation"]["replayed"] == true);
  CHECK(on.summary["violation"]["checks"] == off.summary["violation"]["checks"]);
  CHECK(on.summary["violation"]["transitions"] == off.summary["violation"]["transitions"]);

  const explore::ExploreResult dfs = search("register-clean", "on", "dfs");
  const explore::ExploreResult bfs = search("register-clean", "on");
  CHECK(dfs.exit_code == 0);
  CHECK(dfs.summary["states_distinct"] == bfs.summary["states_distinct"]);
}

TEST_CASE("servers the search's faults may hit are set apart from those they may not") {
  const Json document = harness::load_scenario_document(scenario_file("register-clean"));
  std::ostringstream progress;
  std::map<std::string, Json> summaries;
  for (const auto& [name, nodes] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"s2", {"s2"}}, {"s2 s3", {"s2", "s3"}}}) {
    explore::ExploreOptions options;
    options.symmetry = "on";
    options.fault_nodes = nodes;
    options.out_dir = (std::filesystem::path(REPLSIM_BINARY_DIR) / "symmetry-tests" / "fault-nodes").string();
    const explore::ExploreResult r = explore::explore(document, "clean", options, progress);
    CHECK(r.exit_code == 0);
    summaries[name] = r.summary;
  }
  // Only s2 may crash: s2 and s3 are no longer alike, and nothing merges.
  CHECK(summaries["s2"]["symmetry"]["interchangeable"] == Json::array());
  CHECK(summaries["s2"]["symmetry"]["renamings"] == 0);
  // Both may: they stay alike.
  CHECK(summaries["s2 s3"]["symmetry"]["interchangeable"] == Json::array({Json::array({"s2", "s3"})}));
}

TEST_CASE("FastCFS declares no interchangeable servers, so the reduction leaves its search as it was") {
  // faststore breaks election ties by server id (FASTCFS_MODEL.md): which
  // server leads depends on its name, not only on its state.
  const Json document = {{"version", 1},
                         {"name", "symmetry-fastcfs"},
                         {"duration", "20s"},
                         {"protocol", {{"name", "fastcfs"}}},
                         {"cluster", {{"servers", 3}, {"replicas", 3}, {"data_groups", 1}}},
                         {"network", {{"latency", {{"dist", "fixed"}, {"value", "1ms"}}}}},
                         {"workload",
                          {{"clients", 1}, {"keys", 1}, {"rate", 20}, {"mix", {{"write", 1.0}, {"read", 0.0}}},
                           {"timeout", "1s"}, {"start", "5s"}, {"ops_max", 1}}},
                         {"checks", {"linearizable"}}};
  std::map<std::string, Json> summaries;
  for (const char* mode : {"off", "on"}) {
    explore::ExploreOptions options;
    options.symmetry = mode;
    options.states_max = 300;
    options.out_dir = (std::filesystem::path(REPLSIM_BINARY_DIR) / "symmetry-tests" / "fastcfs").string();
    std::ostringstream progress;
    const explore::ExploreResult r = explore::explore(document, "symmetry-fastcfs", options, progress);
    CHECK(r.exit_code == 3);
    summaries[mode] = r.summary;
  }
  CHECK(summaries["on"]["symmetry"]["interchangeable"] == Json::array());
  CHECK(summaries["on"]["symmetry"]["renamings"] == 0);
  CHECK(summaries["on"]["transitions"] == summaries["off"]["transitions"]);
}

TEST_CASE("explore refuses an unknown symmetry mode, and symmetry for the strategies without a visited set") {
  const Json document = harness::load_scenario_document(scenario_file("register-clean"));
  std::ostringstream progress;
  explore::ExploreOptions options;
  options.symmetry = "sometimes";
  CHECK_THROWS_AS(explore::explore(document, "x", options, progress), InputError);
  for (const char* strategy : {"random-walk", "pct"}) {
    options.symmetry = "on";
    options.strategy = strategy;
    CHECK_THROWS_AS(explore::explore(document, "x", options, progress), InputError);
  }
}
