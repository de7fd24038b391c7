#include "harness/run_json.h"

#include <fmt/format.h>

#include "reports/run_analysis.h"

namespace replsim::harness {

namespace {

// The faults as applied, each with its time in ns and its place in the scenario.
nlohmann::json applied_faults_to_json(const ScenarioRun& run) {
  nlohmann::json faults = nlohmann::json::array();
  for (const AppliedFault& f : run.faults) {
    nlohmann::json j = f.to_json(run.world.config().node_names);
    j["from_scenario"] = f.source;
    j["at_ns"] = f.at.ns_since_origin();
    faults.push_back(std::move(j));
  }
  return faults;
}

}  // namespace

nlohmann::json analyse(const Scenario& scenario, const ScenarioRun& run, bool list_operations) {
  reports::RunInputs inputs;
  inputs.list_operations = list_operations;
  inputs.duration_ns = scenario.duration.count_ns();
  inputs.operations = checker::pair_operations(run.history);
  inputs.faults = applied_faults_to_json(run);
  inputs.workload_from_ns = scenario.workload.start.count_ns();
  inputs.workload_to_ns = scenario.workload.stop.value_or(scenario.duration).count_ns();
  inputs.group_of_key = [&](const std::string& key) { return run.protocol->group_of_key(scenario, key); };
  std::vector<std::string> serving_roles;
  for (const RoleDeclaration& r : run.protocol->vocabulary().roles) {
    if (r.serves_writes) serving_roles.push_back(r.name);
  }
  inputs.timeline = run.timeline.to_json(scenario.duration.count_ns(), serving_roles);
  inputs.timeline["healthy_status"] = run.protocol->vocabulary().healthy_status;
  nlohmann::json analysis = reports::analyse_run(inputs);
  analysis["timeline"] = std::move(inputs.timeline);
  return analysis;
}

nlohmann::json explain_anomaly(const ScenarioRun& run) {
  nlohmann::json checks = nlohmann::json::array();
  std::string summary;
  for (const CheckOutcome& c : run.checks) {
    if (c.verdict != CheckVerdict::kFail) continue;
    const auto ops = run.check_operations.find(c.name);
    checks.push_back({{"name", c.name},
                      {"meaning", meaning_of(run.protocol->vocabulary(), c.name)},
                      {"violations", c.details},
                      {"ops", ops == run.check_operations.end() ? std::vector<size_t>{} : ops->second}});
    if (summary.empty()) {
      summary = c.name + " failed. " + meaning_of(run.protocol->vocabulary(), c.name);
      if (!c.details.empty()) summary += " First violation: " + c.details.front();
    }
  }
  if (summary.empty() && run.verdict == "undecided") {
    for (const CheckOutcome& c : run.checks) {
      if (c.verdict != CheckVerdict::kUndecided) continue;
      summary = c.name + " is undecided: " + (c.details.empty() ? std::string("no reason given") : c.details.front()) +
                ". No check failed, but the run cannot be called a pass.";
      break;
    }
  }
  if (summary.empty()) summary = run.checks.empty() ? "No checks ran." : "No anomaly: every check passed.";
  return {{"summary", summary}, {"checks", checks}, {"linearizability", run.linearizability_anomalies}};
}

nlohmann::json scenario_run_to_json(const Scenario& scenario, uint64_t seed, const ScenarioRun& run) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& c : run.checks) {
    checks.push_back({{"name", c.name}, {"verdict", to_string(c.verdict)}, {"violations", c.details}, {"rules", c.rules}});
  }
  const nlohmann::json faults = applied_faults_to_json(run);
  size_t acked = 0, indeterminate = 0, invoked = 0;
  for (const auto& e : run.history) {
    invoked += e.type == checker::EventType::kInvoke ? 1 : 0;
    acked += e.type == checker::EventType::kOk ? 1 : 0;
    indeterminate += e.type == checker::EventType::kInfo ? 1 : 0;
  }
  const WorldStats& s = run.world.stats();
  nlohmann::json j = {
      {"tool", "replsim"},
      {"scenario", scenario.name},
      {"file", scenario.file},
      {"protocol", scenario.protocol},
      {"seed", seed},
      {"duration", format_duration(scenario.duration)},
      {"duration_ns", scenario.duration.count_ns()},
      {"verdict", run.verdict},
      {"expected", scenario.expect.verdict},
      {"as_expected", run.as_expected},
      {"checks", checks},
      {"failure_signature", failure_signature(run)},
      {"faults", faults},
      {"warnings", run.warnings},
      {"ops", {{"invoked", invoked}, {"acknowledged", acked}, {"indeterminate", indeterminate}}},
      {"stats", {{"steps", s.steps}, {"messages_sent", s.messages_sent}, {"messages_lost", s.messages_lost},
                 {"messages_partitioned", s.messages_partitioned}, {"faults_applied", s.faults_applied}}},
      {"trace_hash", fmt::format("{:016x}", run.world.trace_hash())}};
  // The schedule as a plain faults list (generated faults included), ready to
  // paste into a scenario file that replays this run without the generator.
  j["explicit_faults"] = nlohmann::json::array();
  for (const FaultSpec& f : scenario.faults) j["explicit_faults"].push_back(fault_spec_to_json(f));
  if (run.last_fault_at) j["last_fault_at"] = format_duration(run.last_fault_at->since_origin());
  if (run.converged_at) j["converged_at"] = format_duration(run.converged_at->since_origin());
  j["relapses"] = nlohmann::json::array();
  for (const auto& [from, to] : run.relapses) {
    j["relapses"].push_back({{"from_ns", from.ns_since_origin()}, {"to_ns", to.ns_since_origin()}});
  }
  j["monitor"] = run.monitor->to_json();
  j["vocabulary"] = vocabulary_to_json(run.protocol->vocabulary());
  j["configuration"] = {
      {"protocol", scenario.protocol},
      {"protocol_options", scenario.protocol_options},
      {"cluster", {{"servers", scenario.cluster.servers}, {"data_groups", scenario.cluster.data_groups},
                   {"replicas", scenario.cluster.replicas}}},
      {"network", {{"latency", scenario.network.latency.to_json()}, {"loss", scenario.network.loss},
                   {"duplicate", scenario.network.duplicate}, {"reorder", scenario.network.reorder},
                   {"tcp", {{"rto_initial", format_duration(scenario.tcp.rto_initial)},
                            {"rto_min", format_duration(scenario.tcp.rto_min)},
                            {"rto_max", format_duration(scenario.tcp.rto_max)},
                            {"user_timeout", format_duration(scenario.tcp.user_timeout)},
                            {"orphan_timeout", format_duration(scenario.tcp.orphan_timeout)},
                            {"syn_retries", scenario.tcp.syn_retries},
                            {"dupack_threshold", scenario.tcp.dupack_threshold},
                            {"tail_loss_probe", scenario.tcp.tail_loss_probe},
                            {"keepalive_idle", format_duration(scenario.tcp.keepalive_idle)},
                            {"keepalive_interval", format_duration(scenario.tcp.keepalive_interval)},
                            {"keepalive_probes", scenario.tcp.keepalive_probes}}}}},
      {"workload", {{"clients", scenario.workload.clients}, {"keys", scenario.workload.keys},
                    {"rate", scenario.workload.rate}, {"read", scenario.workload.read},
                    {"timeout", format_duration(scenario.workload.timeout)},
                    {"start", format_duration(scenario.workload.start)},
                    {"stop", format_duration(scenario.workload.stop.value_or(scenario.duration))}}},
      {"checks", [&] {
         nlohmann::json names = nlohmann::json::array();
         for (const CheckSpec& c : scenario.checks) names.push_back(c.name);
         return names;
       }()},
      {"description", scenario.description}};
  if (scenario.cluster.timer_slack) j["configuration"]["cluster"]["timer_slack"] = scenario.cluster.timer_slack->to_json();
  // What the reports read: operations, latency, availability, phases, the
  // status timeline, the anomaly in words (docs/REPORTS.md).
  nlohmann::json analysis = analyse(scenario, run);
  for (auto& [key, value] : analysis.items()) j[key] = std::move(value);
  j["anomaly"] = explain_anomaly(run);
  if (!run.messages.is_null()) j["messages"] = run.messages;
  // Each node as the run left it: what a reader needs to see why a cluster
  // did not settle.
  j["final_state"] = nlohmann::json::array();
  for (uint32_t i = 0; i < run.world.node_count(); ++i) {
    const NodeId id{i};
    const Actor* actor = run.world.actor(id);
    j["final_state"].push_back({{"node", run.world.node_name(id)},
                                {"status", to_string(run.world.node_status(id))},
                                {"state", actor != nullptr ? actor->describe() : nlohmann::json(nullptr)}});
  }
  return j;
}

}  // namespace replsim::harness
