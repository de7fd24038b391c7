// FastCFS with more servers than replicas (issue 12 §4): the servers form
// server groups, each an independent faststore cluster (its own leader and
// masters) holding a contiguous range of the data groups, as cluster.conf
// lays a cluster out; a scenario that cannot be laid out is refused at load.
#include <doctest/doctest.h>

#include <string>

#include "base/input_error.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "model/fastcfs/system.h"
#include "sim/choice.h"

using namespace replsim;
using namespace replsim::harness;

namespace {

fastcfs::ClusterConfig shape(uint32_t servers, uint32_t data_groups, uint32_t replicas) {
  fastcfs::ClusterConfig c;
  c.servers = servers;
  c.data_groups = data_groups;
  c.replicas = replicas;
  return c;
}

fastcfs::FastcfsSystemConfig six_servers() {
  fastcfs::FastcfsSystemConfig c;
  c.cluster = shape(6, 4, 3);
  c.clients = 2;
  c.client.workload.keys = 8;
  c.client.workload.first_op_after = Duration::s(1);
  return c;
}

// Six servers run until both server groups settled.
World settled_six_servers(uint64_t seed) {
  World world = fastcfs::make_fastcfs_world(six_servers(), seed);
  RandomChooser chooser;
  world.run_until(TimePoint::origin() + Duration::s(15), chooser);
  REQUIRE(fastcfs::convergence_gap(world) == "");
  return world;
}

std::string leader_name(const World& world, fastcfs::IndexRange servers) {
  const auto leader = fastcfs::current_leader(world, servers);
  return leader ? world.node_name(*leader) : "none";
}

nlohmann::json cluster_document(uint32_t servers, uint32_t data_groups, uint32_t replicas) {
  return {{"version", 1},
          {"name", "shape"},
          {"duration", "10s"},
          {"protocol", {{"name", "fastcfs"}}},
          {"cluster", {{"servers", servers}, {"data_groups", data_groups}, {"replicas", replicas}}},
          {"checks", {"invariants"}}};
}

}  // namespace

// fs_cluster_cfg.c maps each data group to one server group; the FastCFS
// docs give each group a contiguous range; the preset master is the DG's
// ordinal within its group modulo the group's size (server_group_info.c).
TEST_CASE("fastcfs layout: server groups of `replicas` servers, contiguous data-group ranges, preset by ordinal") {
  const fastcfs::ClusterConfig six = shape(6, 6, 3);
  CHECK(fastcfs::server_group_count(six) == 2);
  CHECK(fastcfs::servers_of_group(1, six) == fastcfs::IndexRange{3, 6});
  CHECK(fastcfs::dgs_of_group(0, six) == fastcfs::IndexRange{0, 3});
  CHECK(fastcfs::server_group_of_dg(3, six) == 1);
  CHECK(fastcfs::members_of_dg(3, six) == fastcfs::IndexRange{3, 6});
  for (uint32_t g = 0; g < 6; ++g) CHECK(fastcfs::preset_master(g, six) == g);  // DG4 -> s4: ordinal 0 of group 2
  // Nine servers, 64 data groups: ranges [1, 21], [22, 42], [43, 64] in 1-based ids.
  const fastcfs::ClusterConfig nine = shape(9, 64, 3);
  CHECK(fastcfs::dgs_of_group(0, nine) == fastcfs::IndexRange{0, 21});
  CHECK(fastcfs::dgs_of_group(1, nine) == fastcfs::IndexRange{21, 42});
  CHECK(fastcfs::dgs_of_group(2, nine) == fastcfs::IndexRange{42, 64});
  CHECK(fastcfs::preset_master(21, nine) == 3);  // DG22 -> s4
  CHECK(fastcfs::preset_master(42, nine) == 6);  // DG43 -> s7
  CHECK(fastcfs::preset_master(63, nine) == 6);  // DG64: ordinal 21, 21 % 3 = 0 -> s7
  CHECK(fastcfs::preset_master(64 - 20, nine) == 8);  // DG45: ordinal 2 -> s9
  // Every data group lands in the group whose range holds it.
  for (uint32_t g = 0; g < 64; ++g) CHECK(fastcfs::dgs_of_group(fastcfs::server_group_of_dg(g, nine), nine).contains(g));
  // replicas 0 (or = servers): one group holding everything, preset g % n.
  const fastcfs::ClusterConfig one = shape(3, 5, 0);
  CHECK(fastcfs::server_group_count(one) == 1);
  CHECK(fastcfs::preset_master(4, one) == 1);
}

TEST_CASE("fastcfs: six servers form two clusters, each with its own leader, masters and replicas") {
  const World world = settled_six_servers(3);
  const auto first = fastcfs::current_leader(world, {0, 3});
  const auto second = fastcfs::current_leader(world, {3, 6});
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->index < 3);
  CHECK(second->index >= 3);
  for (uint32_t index = 0; index < 6; ++index) {
    const fastcfs::FastcfsServer* s = fastcfs::server_at(world, NodeId{index});
    CHECK(s->leader() == (index < 3 ? first->index : second->index));  // each follows its own group's leader
    CHECK(s->holds_dg(0) == (index < 3));
    CHECK(s->holds_dg(3) == (index >= 3));
  }
  for (uint32_t g = 0; g < 4; ++g) {
    CHECK(fastcfs::current_master(world, g) == NodeId{fastcfs::preset_master(g, six_servers().cluster)});
  }
  // Every data group took writes and replicated them within its group only.
  for (uint32_t g = 0; g < 4; ++g) {
    const uint32_t master = fastcfs::preset_master(g, six_servers().cluster);
    CHECK(fastcfs::server_at(world, NodeId{master})->current_dv(g) > 0);
    const uint32_t outsider = master < 3 ? 3 : 0;
    CHECK(fastcfs::server_at(world, NodeId{outsider})->binlog(g).empty());
  }
}

TEST_CASE("fastcfs: a crashed leader of one server group leaves the other group's leader and masters alone") {
  World world = settled_six_servers(5);
  RandomChooser chooser;
  const auto first = fastcfs::current_leader(world, {0, 3});
  REQUIRE(first.has_value());
  const std::string second = leader_name(world, {3, 6});
  const auto g3 = fastcfs::current_master(world, 2), g4 = fastcfs::current_master(world, 3);
  world.schedule_fault(world.now() + Duration::ms(1), CrashFault{*first});
  // Past leader_lost_timeout and the election of a new leader in group 1.
  bool second_group_moved = false;
  world.run_until(world.now() + Duration::s(40), chooser, [&](const StepRecord&) {
    second_group_moved |= leader_name(world, {3, 6}) != second || fastcfs::current_master(world, 2) != g3 ||
                          fastcfs::current_master(world, 3) != g4;
  });
  CHECK_FALSE(second_group_moved);
  const auto new_first = fastcfs::current_leader(world, {0, 3});
  REQUIRE(new_first.has_value());
  CHECK(*new_first != *first);
  CHECK(fastcfs::current_master(world, 0).has_value());
  CHECK(fastcfs::current_master(world, 1).has_value());
}

// validate refuses what run would refuse: both come through the protocol's
// check at load.
TEST_CASE("fastcfs: a cluster that cannot form equal server groups, or leaves one without a data group, is refused") {
  CHECK_NOTHROW(parse_scenario(cluster_document(6, 4, 3), "six.json"));
  CHECK_NOTHROW(parse_scenario(cluster_document(9, 3, 3), "nine.json"));
  CHECK_THROWS_WITH_AS(parse_scenario(cluster_document(7, 4, 3), "seven.json"), doctest::Contains("/cluster/replicas"),
                       InputError);
  CHECK_THROWS_WITH_AS(parse_scenario(cluster_document(9, 2, 3), "few-groups.json"),
                       doctest::Contains("/cluster/data_groups"), InputError);
}

TEST_CASE("fastcfs: the nine-server scenario runs every check and passes, three leaders at once") {
  const Scenario s = load_scenario_file(std::string(REPLSIM_SOURCE_DIR) + "/scenarios/fastcfs/nine-servers-three-groups.json");
  ScenarioRun run = run_scenario(s, s.seed);
  CHECK(run.verdict == "pass");
  CHECK(run.checks.size() == 7);
  for (const CheckOutcome& c : run.checks) CHECK_MESSAGE(c.verdict == CheckVerdict::kPass, c.name);
  uint32_t leaders = 0;
  for (uint32_t index = 0; index < 9; ++index) {
    const fastcfs::FastcfsServer* server = fastcfs::server_at(run.world, NodeId{index});
    REQUIRE(server != nullptr);
    leaders += server->is_leader() ? 1 : 0;
  }
  CHECK(leaders == 3);
}
