#include <doctest/doctest.h>

#include <fstream>
#include <functional>

#include "model/fastcfs/options.h"
#include "base/input_error.h"
#include "harness/scenario.h"

using namespace replsim;
using namespace replsim::harness;

namespace {

const std::string kScenarios = std::string(REPLSIM_SOURCE_DIR) + "/scenarios";

Json read_json(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

Scenario parse(const Json& doc) { return parse_scenario(doc, "t.json"); }

}  // namespace

TEST_CASE("the format page's example loads with every value in place") {
  const Scenario s = load_scenario_file(kScenarios + "/examples/format-example.json");
  CHECK(s.name == "master-crash-while-slave-online");
  CHECK(s.seed == 7);
  CHECK(s.duration == Duration::s(60));
  CHECK(s.protocol == "fastcfs");
  CHECK(s.cluster.servers == 3);
  CHECK(s.network.latency == Distribution::uniform(Duration::us(200), Duration::ms(2)));
  CHECK(s.disk.fsync_latency == Distribution(LogNormalDist{Duration::ms(2), Duration::ms(20)}));
  CHECK(s.workload.stop == Duration::s(50));
  REQUIRE(s.faults.size() == 6);
  CHECK(s.faults[0].at == Duration::s(5));
  CHECK(s.faults[5].type == "restart");  // ours: the crashed master returns so the cluster can converge
  CHECK(s.faults[0].node->name == "s3");
  REQUIRE(s.faults[2].when.has_value());
  CHECK(s.faults[2].when->enters == "ONLINE");
  CHECK(s.faults[2].when->group == 1);
  CHECK(s.faults[2].node->kind == NodeSelector::Kind::kRole);
  CHECK(s.faults[2].node->name == "master");
  CHECK(s.faults[2].node->group == 1);
  REQUIRE(s.faults[3].groups.size() == 2);
  CHECK(s.faults[3].groups[0][0].name == "s1");
  CHECK(s.faults[3].groups[1][1].name == "s3");
  REQUIRE(s.checks.size() == 4);
  CHECK(s.checks[3].name == "converges_within");
  CHECK(s.checks[3].within == Duration::s(30));
  CHECK(s.expect.verdict == "pass");
}

TEST_CASE("every fault type, trigger, selector and the generator load") {
  const Scenario s =
      load_scenario_file(kScenarios + "/examples/every-fault-and-generator.json");
  std::set<std::string> types;
  for (const FaultSpec& f : s.faults) types.insert(f.type);
  CHECK(types.size() == scenario_fault_types().size());
  CHECK(s.faults[0].node->kind == NodeSelector::Kind::kRole);
  CHECK(s.faults[0].node->name == "slave");
  CHECK(s.faults[2].node->kind == NodeSelector::Kind::kRole);
  CHECK(s.faults[2].node->name == "leader");
  CHECK(s.faults[5].node->kind == NodeSelector::Kind::kAny);
  CHECK(s.faults[8].offset == Duration::zero() - Duration::ms(1500));
  CHECK(s.faults[8].drift_ppm == 200);
  CHECK(s.faults[11].when->becomes == "leader");
  CHECK(s.faults[11].after == Duration::ms(500));
  REQUIRE(s.fault_generator.has_value());
  CHECK(s.fault_generator->families.size() == 4);
  CHECK(s.fault_generator->families.at("partition").shapes.size() == 4);
  CHECK(s.fault_generator->families.at("crash").duration.has_value());
  CHECK(s.expect.check == "no_lost_acked_writes");
  const fastcfs::FastcfsOptions o = fastcfs::read_fastcfs_options(s.protocol_options, "/protocol/options");
  CHECK_FALSE(o.master_policy_strict);
  CHECK(o.master_policy_timeout == Duration::s(30));
  CHECK(o.replication_quorum == fastcfs::ReplicationQuorum::kSmart);
  CHECK(o.mutations == std::set<std::string>{"M2"});
  CHECK(o.max_wait_time == Duration::s(30));  // FastCFS's default where the file says nothing
}

TEST_CASE("bad scenarios name the file, the JSON path, what was expected and what was found") {
  const Json base = read_json(kScenarios + "/examples/format-example.json");
  struct Case {
    std::function<void(Json&)> edit;
    const char* path;
    const char* found_part;
  };
  const Case cases[] = {
      {[](Json& d) { d["durration"] = "1s"; }, "t.json:/durration", "did you mean \"duration\""},
      {[](Json& d) { d["version"] = 2; }, "t.json:/version", "the number 2"},
      {[](Json& d) { d.erase("name"); }, "t.json:/name", "nothing"},
      {[](Json& d) { d["duration"] = 60; }, "t.json:/duration", "the number 60"},
      {[](Json& d) { d["protocol"]["name"] = "fastcf"; }, "t.json:/protocol/name", "did you mean \"fastcfs\""},
      {[](Json& d) { d["protocol"]["options"]["replication_quorum"] = "majorty"; },
       "t.json:/protocol/options/replication_quorum", "did you mean \"majority\""},
      {[](Json& d) { d["protocol"]["options"]["leader_lost_timout"] = "3s"; },
       "t.json:/protocol/options/leader_lost_timout", "did you mean \"leader_lost_timeout\""},
      {[](Json& d) { d["protocol"]["options"]["mutations"] = {"M28"}; }, "t.json:/protocol/options/mutations/0",
       "\"M28\""},
      {[](Json& d) { d["protocol"]["options"]["master_policy"] = "timeout:x"; }, "t.json:/protocol/options/master_policy",
       "\"timeout:x\""},
      {[](Json& d) { d["cluster"]["replicas"] = 4; }, "t.json:/cluster/replicas", "the number 4"},
      {[](Json& d) { d["network"]["loss"] = 1.5; }, "t.json:/network/loss", "1.5"},
      {[](Json& d) { d["workload"]["mix"]["read"] = 0.6; }, "t.json:/workload/mix", "write"},
      {[](Json& d) { d["workload"]["stop"] = "70s"; }, "t.json:/workload", "stop 70s"},
      {[](Json& d) { d["faults"][3]["node"] = "s4"; }, "t.json:/faults/3/node", "the unknown key"},
      {[](Json& d) { d["faults"][0]["node"] = "s4"; }, "t.json:/faults/0/node", "\"s4\""},
      {[](Json& d) { d["faults"][0]["node"] = "leadr"; }, "t.json:/faults/0/node", "did you mean \"leader\""},
      {[](Json& d) { d["faults"][0]["type"] = "crsh"; }, "t.json:/faults/0/type", "did you mean \"crash\""},
      {[](Json& d) { d["faults"][0]["at"] = "61s"; }, "t.json:/faults/0/at", "61s"},
      {[](Json& d) { d["faults"][0].erase("at"); }, "t.json:/faults/0", "neither"},
      {[](Json& d) { d["faults"][2]["when"]["enters"] = "ONLNE"; }, "t.json:/faults/2/when/enters",
       "did you mean \"ONLINE\""},
      {[](Json& d) { d["faults"][2]["when"]["group"] = "g2"; }, "t.json:/faults/2/when/group", "\"g2\""},
      {[](Json& d) { d["faults"][2]["node"] = "master:g9"; }, "t.json:/faults/2/node", "\"g9\""},
      {[](Json& d) { d["faults"][3]["groups"] = {{"s1"}}; }, "t.json:/faults/3/groups", "an array of 1 items"},
      {[](Json& d) { d["faults"][0]["at"] = "5 s"; }, "t.json:/faults/0/at", "\"5 s\""},
      {[](Json& d) { d["checks"][0] = "linearisable"; }, "t.json:/checks/0", "did you mean \"linearizable\""},
      {[](Json& d) { d["checks"][3]["converges_within"] = "soon"; }, "t.json:/checks/3/converges_within", "\"soon\""},
      {[](Json& d) { d["expect"]["verdict"] = "passes"; }, "t.json:/expect/verdict", "did you mean \"pass\""},
      {[](Json& d) { d["expect"] = {{"verdict", "fail"}, {"check", "replicas_agree"}}; }, "t.json:/expect/check",
       "\"replicas_agree\""},
      {[](Json& d) { d["fault_generator"] = {{"families", {{"crash", {{"rat", 1}}}}}}; },
       "t.json:/fault_generator/families/crash/rat", "did you mean \"rate\""},
      {[](Json& d) { d["fault_generator"] = {{"families", {{"meteor", {{"rate", 1}}}}}}; },
       "t.json:/fault_generator/families/meteor", "the unknown key"},
      {[](Json& d) { d["fault_generator"] = {{"families", Json::object()}, {"quiet_period", "90s"}}; },
       "t.json:/fault_generator", "0s + 90s"},
  };
  for (const Case& c : cases) {
    Json doc = base;
    c.edit(doc);
    CAPTURE(c.path);
    try {
      parse(doc);
      FAIL("accepted a bad scenario");
    } catch (const InputError& error) {
      CHECK(error.path() == c.path);
      CHECK(error.found().find(c.found_part) != std::string::npos);
      CHECK_FALSE(error.expected().empty());
    }
  }
}

TEST_CASE("a file that is not JSON gets its line and column") {
  const std::string path = std::string(REPLSIM_BINARY_DIR) + "/broken-scenario.json";
  std::ofstream(path) << "{\n  \"version\": 1,\n  \"name\": \"x\" \"duration\": \"1s\"\n}\n";
  try {
    load_scenario_file(path);
    FAIL("accepted broken JSON");
  } catch (const InputError& error) {
    CHECK(error.path().starts_with(path + ":3:"));  // the line of the missing comma
  }
  CHECK_THROWS_AS(load_scenario_file(path + ".missing"), InputError);
}

TEST_CASE("every FastCFS option the schema names is one the reader knows") {
  const Json schema = read_json(kScenarios + "/schema.json");
  // Every FastCFS option the schema names is one the reader knows: a wrong
  // type for it is reported at its own path, never as an unknown key.
  for (const auto& [key, value] : schema["$defs"]["fastcfs_options"]["properties"].items()) {
    CAPTURE(key);
    try {
      fastcfs::read_fastcfs_options(Json{{key, Json::object()}}, "/o");
      FAIL("accepted an object as an option value");
    } catch (const InputError& error) {
      CHECK(error.path() == "/o/" + key);
      CHECK(error.found().find("unknown key") == std::string::npos);
    }
  }
}
