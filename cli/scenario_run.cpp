#include "cli/scenario_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "checker/linearizability.h"
#include "sim/assert.h"

namespace replsim::cli {
namespace {

struct PendingFault {
  TimePoint at;
  size_t order;  // position in the scenario, to order faults due at the same instant
  const FaultSpec* spec;
  bool operator<(const PendingFault& o) const { return std::tie(at, order) < std::tie(o.at, o.order); }
};

class Runner {
 public:
  Runner(const Scenario& scenario, uint64_t seed, const ProtocolAdapter& adapter, TraceWriter* trace)
      : scenario_(scenario), adapter_(adapter), trace_(trace), run_(adapter.make_world(scenario, seed)) {
    run_.monitor = adapter.make_monitor(scenario);
  }

  ScenarioRun run() {
    for (size_t i = 0; i < scenario_.faults.size(); ++i) {
      const FaultSpec& f = scenario_.faults[i];
      if (f.at) pending_.push_back({TimePoint::origin() + *f.at, i, &f});
      else waiting_.push_back(i);
    }
    std::sort(pending_.begin(), pending_.end());
    const TimePoint end = TimePoint::origin() + scenario_.duration;
    while (true) {
      const std::optional<TimePoint> next_event = run_.world.next_event_time();
      const bool fault_due = !pending_.empty() && (!next_event || pending_.front().at <= *next_event);
      const TimePoint next = fault_due ? pending_.front().at : next_event.value_or(end + Duration::ns(1));
      if (next > end) break;
      if (fault_due) {
        const PendingFault due = pending_.front();
        pending_.erase(pending_.begin());
        run_.world.advance_to(due.at);
        fire(*due.spec);
      } else {
        const StepRecord* step = run_.world.step(chooser_);
        REPLSIM_ASSERT(step != nullptr, "a pending event vanished");
        observe(*step);
      }
      note_convergence();
    }
    run_.world.advance_to(end);
    for (size_t index : waiting_) {
      run_.warnings.push_back(fmt::format("the trigger of {} never fired", scenario_.faults[index].path));
    }
    judge();
    return std::move(run_);
  }

 private:
  void observe(const StepRecord& step) {
    if (trace_ != nullptr) trace_->write(step, run_.world);
    adapter_.collect_history(run_.world, step, run_.history);
    if (run_.monitor) run_.monitor->observe(run_.world, step);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      const FaultSpec& f = scenario_.faults[*it];
      if (adapter_.triggered(run_.world, step, *f.when)) {
        pending_.push_back({run_.world.now() + f.after, *it, &f});
        std::sort(pending_.begin(), pending_.end());
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void note_convergence() {
    if (!run_.last_fault_at || run_.converged_at) return;
    if (adapter_.converged(run_.world)) run_.converged_at = run_.world.now();
  }

  std::optional<NodeId> resolve(const NodeSelector& selector, std::string& why) {
    const auto id = adapter_.resolve_role(run_.world, selector, chooser_, run_.world.fault_stream());
    if (!id) why = "no node is " + selector.text + " now";
    return id;
  }

  std::optional<std::vector<NodeId>> resolve_all(const std::vector<NodeSelector>& selectors, std::string& why) {
    std::vector<NodeId> ids;
    for (const NodeSelector& selector : selectors) {
      const auto id = resolve(selector, why);
      if (!id) return std::nullopt;
      ids.push_back(*id);
    }
    return ids;
  }

  std::optional<Fault> to_fault(const FaultSpec& f, std::string& why) {
    std::vector<NodeId> everyone;
    for (uint32_t i = 0; i < run_.world.node_count(); ++i) everyone.push_back({i});
    if (f.type == "heal") return HealFault{};
    if (f.type == "partition") {
      std::vector<std::vector<NodeId>> groups;
      for (const auto& group : f.groups) {
        const auto ids = resolve_all(group, why);
        if (!ids) return std::nullopt;
        groups.push_back(*ids);
      }
      return PartitionFault{partition_shapes::split(groups), "split"};
    }
    if (f.type == "partition_oneway" || f.type == "link") {
      const auto from = resolve_all(f.from, why);
      const auto to = from ? resolve_all(f.to, why) : std::nullopt;
      if (!from || !to) return std::nullopt;
      if (f.type == "partition_oneway") return PartitionFault{partition_shapes::one_way(*from, *to), "one_way"};
      LinkConfig config = scenario_.network;
      if (f.latency) config.latency = *f.latency;
      if (f.loss) config.loss = *f.loss;
      if (f.duplicate) config.duplicate = *f.duplicate;
      if (f.reorder) config.reorder = *f.reorder;
      std::vector<DirectedPair> links;
      for (NodeId a : *from) {
        for (NodeId b : *to) links.push_back({a, b});
      }
      return LinkFault{links, config};
    }
    const auto node = resolve(*f.node, why);
    if (!node) return std::nullopt;
    if (f.type == "crash") return CrashFault{*node};
    if (f.type == "powerloss") return PowerLossFault{*node};
    if (f.type == "restart") return RestartFault{*node};
    if (f.type == "pause") return PauseFault{*node};
    if (f.type == "resume") return ResumeFault{*node};
    if (f.type == "isolate") return PartitionFault{partition_shapes::isolate(*node, everyone), "isolate"};
    if (f.type == "clock_skew") return ClockFault{*node, f.offset, f.drift_ppm};
    REPLSIM_ASSERT(f.type == "disk_fault", "the loader let an unknown fault type through");
    if (f.disk_kind == "corrupt") return CorruptFault{*node};
    const DiskFaultKind kind = f.disk_kind == "fsync_error" ? DiskFaultKind::kFsyncError
                               : f.disk_kind == "full"      ? DiskFaultKind::kFull
                               : f.disk_kind == "slow"      ? DiskFaultKind::kSlow
                                                            : DiskFaultKind::kReadError;
    return DiskFault{*node, kind, *f.duration};
  }

  void fire(const FaultSpec& f) {
    std::string why;
    const std::optional<Fault> fault = to_fault(f, why);
    AppliedFault applied{run_.world.now(), f.path, {}};
    if (fault) {
      run_.world.apply_fault(*fault, chooser_);
      applied.fault = fault_to_json(*fault, run_.world.config().node_names);
      run_.last_fault_at = run_.world.now();
      run_.converged_at.reset();
    } else {
      applied.fault = {{"type", f.type}, {"skipped", why}};
    }
    applied.fault["at"] = format_duration(applied.at.since_origin());
    run_.faults.push_back(std::move(applied));
  }

  void judge() {
    if (run_.monitor) run_.monitor->finish(run_.world);
    run_.convergence_gap = adapter_.convergence_gap(run_.world);
    for (const CheckSpec& spec : scenario_.checks) {
      CheckOutcome outcome{spec.name, true, {}};
      if (spec.name == "linearizable") {
        const checker::CheckResult result = checker::check_history(run_.history, adapter_.history_model());
        for (const auto& p : result.partitions) {
          if (p.verdict == checker::Verdict::kNotLinearizable) outcome.details.push_back("key " + p.key + ": " + p.explanation);
        }
        run_.undecided = result.verdict == checker::Verdict::kUnknown;
      } else if (spec.name == "converges_within") {
        const TimePoint since = run_.last_fault_at.value_or(TimePoint::origin());
        if (!run_.converged_at && adapter_.converged(run_.world)) run_.converged_at = since;
        // Settled within the bound after the last fault, and still settled
        // when the run ends: a cluster that settles and then falls apart
        // (a server halting later) has not converged.
        if (!run_.converged_at) {
          outcome.details.push_back("the cluster never settled after the last fault at " +
                                    format_duration(since.since_origin()) + "; at the end: " +
                                    adapter_.convergence_gap(run_.world));
        } else if (!adapter_.converged(run_.world)) {
          outcome.details.push_back("the cluster settled at " + format_duration(run_.converged_at->since_origin()) +
                                    " but was no longer settled when the run ended: " +
                                    adapter_.convergence_gap(run_.world));
        } else if (*run_.converged_at - since > *spec.within) {
          outcome.details.push_back(fmt::format("the cluster settled {} after the last fault, over the bound of {}",
                                                format_duration(*run_.converged_at - since),
                                                format_duration(*spec.within)));
        }
      } else {
        outcome = adapter_.check(run_.world, run_.history, run_.monitor.get(), spec.name);
      }
      outcome.passed = outcome.details.empty();
      if (!outcome.passed) run_.verdict = "fail";
      run_.checks.push_back(std::move(outcome));
    }
    const Expectation& expect = scenario_.expect;
    run_.as_expected = run_.verdict == expect.verdict;
    if (run_.as_expected && !expect.check.empty()) {
      run_.as_expected = std::any_of(run_.checks.begin(), run_.checks.end(),
                                     [&](const CheckOutcome& c) { return c.name == expect.check && !c.passed; });
    }
  }

  const Scenario& scenario_;
  const ProtocolAdapter& adapter_;
  TraceWriter* trace_;
  ScenarioRun run_;
  RandomChooser chooser_;
  std::vector<PendingFault> pending_;
  std::vector<size_t> waiting_;  // faults whose trigger has not fired
};

}  // namespace

ScenarioRun run_scenario(const Scenario& scenario, uint64_t seed, const ProtocolAdapter& adapter, TraceWriter* trace) {
  return Runner(scenario, seed, adapter, trace).run();
}

std::vector<std::string> failed_checks(const ScenarioRun& run) {
  std::vector<std::string> failed;
  for (const CheckOutcome& c : run.checks) {
    if (!c.passed) failed.push_back(c.name);
  }
  return failed;
}

std::vector<std::string> failure_signature(const ScenarioRun& run) {
  std::vector<std::string> signature;
  for (const CheckOutcome& c : run.checks) {
    if (c.passed) continue;
    if (c.name != "converges_within" || run.convergence_gap.empty()) {
      signature.push_back(c.name);
      continue;
    }
    std::string gap;
    for (char ch : run.convergence_gap) {
      const bool digit = ch >= '0' && ch <= '9';
      if (!digit) gap += ch;
      else if (gap.empty() || gap.back() != '#') gap += '#';
    }
    signature.push_back(c.name + " (" + gap + ")");
  }
  return signature;
}

int exit_code(const ScenarioRun& run) {
  if (run.as_expected) return 0;
  return run.undecided ? 3 : 1;
}

nlohmann::json scenario_run_to_json(const Scenario& scenario, uint64_t seed, const ScenarioRun& run) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& c : run.checks) {
    checks.push_back({{"name", c.name}, {"verdict", c.passed ? "pass" : "fail"}, {"violations", c.details}});
  }
  nlohmann::json faults = nlohmann::json::array();
  for (const AppliedFault& f : run.faults) {
    nlohmann::json j = f.fault;
    j["from_scenario"] = f.source;
    faults.push_back(std::move(j));
  }
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
      {"verdict", run.verdict},
      {"expected", scenario.expect.verdict},
      {"as_expected", run.as_expected},
      {"undecided", run.undecided},
      {"checks", checks},
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
  if (run.monitor) j["monitor"] = run.monitor->to_json();
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

}  // namespace replsim::cli
