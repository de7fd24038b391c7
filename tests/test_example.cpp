// The example register through the platform: scenario documents run by the
// harness, as `replsim run` runs them.
#include <doctest/doctest.h>

#include "checker/linearizability.h"
#include "model/example/demo.h"
#include "harness/runner.h"

using namespace replsim;
using namespace replsim::harness;
using Json = nlohmann::json;

namespace {

// The demo's cluster and workload for `duration`, clients stopping at `stop`,
// with `faults` and every check of the register.
Json register_document(const std::string& duration, const std::string& stop, Json faults, bool skips_fsync = false) {
  Json doc = example::demo_scenario(1, true, false);
  doc["duration"] = duration;
  doc["workload"]["stop"] = stop;
  doc["faults"] = std::move(faults);
  doc["protocol"]["options"]["primary_skips_fsync"] = skips_fsync;
  doc["checks"] = {"linearizable", "no_lost_acked_writes", "replicas_agree", "invariants", {{"converges_within", "3s"}}};
  return doc;
}

ScenarioRun run_document(const Json& doc, uint64_t seed) { return run_scenario(parse_scenario(doc, "test"), seed); }

size_t count(const ScenarioRun& run, checker::EventType type, const std::string& f) {
  size_t n = 0;
  for (const checker::HistoryEvent& e : run.history) n += e.type == type && e.f == f ? 1 : 0;
  return n;
}

const CheckOutcome& outcome(const ScenarioRun& run, const std::string& name) {
  for (const CheckOutcome& c : run.checks) {
    if (c.name == name) return c;
  }
  FAIL("no check " << name);
  return run.checks.front();
}

}  // namespace

TEST_CASE("the example register survives the demo fault schedule on many seeds") {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const Json doc = example::demo_scenario(seed, true, false);
    const ScenarioRun run = run_document(doc, seed);
    CAPTURE(seed);
    CHECK(run.verdict == "pass");
    CHECK(count(run, checker::EventType::kOk, "write") > 500);
    CHECK(count(run, checker::EventType::kOk, "read") > 500);
    CHECK(run.world.stats().faults_applied == doc["faults"].size());
    CHECK(run.world.stats().messages_lost > 0);
    CHECK(run.world.stats().messages_duplicated > 0);
  }
}

TEST_CASE("power loss of a backup loses no acknowledged write") {
  Json faults = Json::array();
  for (int ms = 1000; ms < 9000; ms += 1000) {
    const std::string backup = ms / 1000 % 2 == 0 ? "s2" : "s3";
    faults.push_back({{"at", std::to_string(ms) + "ms"}, {"type", "powerloss"}, {"node", backup}});
    faults.push_back({{"at", std::to_string(ms + 300) + "ms"}, {"type", "restart"}, {"node", backup}});
  }
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const ScenarioRun run = run_document(register_document("12s", "9s", faults), seed);
    CAPTURE(seed);
    CHECK(run.verdict == "pass");
  }
}

TEST_CASE("the checks catch a primary that acknowledges writes it never fsynced") {
  const Json power_loss = Json::array({{{"at", "2s"}, {"type", "powerloss"}, {"node", "s1"}},
                                       {{"at", "2500ms"}, {"type", "restart"}, {"node", "s1"}}});
  const ScenarioRun run = run_document(register_document("6s", "4s", power_loss, true), 1);
  const CheckOutcome& lost = outcome(run, "no_lost_acked_writes");
  REQUIRE(lost.verdict == CheckVerdict::kFail);
  CHECK(lost.details.front().starts_with("acked_write_durable"));
  CHECK(outcome(run, "linearizable").verdict == CheckVerdict::kFail);
  // The check reads what is on the disk, so the bug shows even before a
  // power loss makes anyone lose data; the correct server passes the same run.
  const ScenarioRun calm = run_document(register_document("6s", "4s", Json::array(), true), 1);
  CHECK(outcome(calm, "no_lost_acked_writes").verdict == CheckVerdict::kFail);
  const ScenarioRun fixed = run_document(register_document("6s", "4s", power_loss, false), 1);
  CHECK(fixed.verdict == "pass");
}

TEST_CASE("a torn or corrupt log tail is cut at restart and repaired from the primary") {
  const Json faults = Json::array({{{"at", "2s"}, {"type", "disk_fault"}, {"node", "s3"}, {"kind", "corrupt"}},
                                   {{"at", "2100ms"}, {"type", "restart"}, {"node", "s3"}},
                                   {{"at", "3s"}, {"type", "powerloss"}, {"node", "s2"}},
                                   {{"at", "3100ms"}, {"type", "restart"}, {"node", "s2"}}});
  const ScenarioRun run = run_document(register_document("8s", "5s", faults), 2);
  CHECK(run.verdict == "pass");
}

TEST_CASE("every demo run's client history is linearizable by the fast path, and the fsync bug's is not") {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const Json doc = example::demo_scenario(seed, true, false);
    const ScenarioRun run = run_document(doc, seed);
    const checker::CheckResult result = checker::check_history(run.history, "register");
    CAPTURE(seed);
    CHECK(result.verdict == checker::Verdict::kLinearizable);
    CHECK(result.partitions.size() == doc["workload"]["keys"].get<size_t>());
    for (const auto& p : result.partitions) CHECK(p.fast_path);
  }
  const Json power_loss = Json::array({{{"at", "2s"}, {"type", "powerloss"}, {"node", "s1"}},
                                       {{"at", "2500ms"}, {"type", "restart"}, {"node", "s1"}}});
  const ScenarioRun buggy = run_document(register_document("6s", "4s", power_loss, true), 1);
  CHECK(checker::check_history(buggy.history, "register").verdict == checker::Verdict::kNotLinearizable);
}
