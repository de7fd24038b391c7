#include "cli/scenario_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "checker/linearizability.h"
#include "reports/run_analysis.h"
#include "sim/assert.h"

namespace replsim::cli {
namespace {

struct PendingFault {
  TimePoint at;
  size_t order;  // position in the scenario, to order faults due at the same instant
  const FaultSpec* spec;
  bool operator<(const PendingFault& o) const { return std::tie(at, order) < std::tie(o.at, o.order); }
};

// A failed check makes the run fail; otherwise an undecided one makes it
// undecided: a run passes only when every check was decided and held.
std::string run_verdict(const std::vector<CheckOutcome>& checks) {
  std::string verdict = "pass";
  for (const CheckOutcome& c : checks) {
    if (c.verdict == CheckVerdict::kFail) return "fail";
    if (c.verdict == CheckVerdict::kUndecided) verdict = "undecided";
  }
  return verdict;
}

bool meets_expectation(const std::vector<CheckOutcome>& checks, const std::string& verdict, const Expectation& expect) {
  REPLSIM_ASSERT(expect.verdict == "pass" || expect.verdict == "fail", "the loader admits pass and fail only");
  if (verdict != expect.verdict) return false;
  if (expect.check.empty()) return true;
  return std::any_of(checks.begin(), checks.end(), [&](const CheckOutcome& c) {
    return c.name == expect.check && c.verdict == CheckVerdict::kFail;
  });
}

class Runner {
 public:
  Runner(const Scenario& scenario, uint64_t seed, const ProtocolAdapter& adapter, TraceWriter* trace,
         const MessageWindow* window)
      : scenario_(scenario),
        adapter_(adapter),
        trace_(trace),
        window_(window),
        run_(adapter.make_world(scenario, seed)) {
    run_.monitor = adapter.make_monitor(scenario);
    run_.healthy_status = adapter.healthy_status();
    is_server_.resize(run_.world.node_count());
    for (NodeId id : adapter.servers(run_.world)) is_server_[id.index] = true;
    if (window_ != nullptr) {
      run_.messages = {{"from_ns", window_->from_ns}, {"to_ns", window_->to_ns}, {"events", nlohmann::json::array()},
                       {"omitted", 0}};
    }
    record_view();
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
    // Only a server's start, a server's note the adapter names, or a fault
    // changes what the timeline shows; clients' steps never do.
    const bool may_change =
        step.kind == EventKind::kFault ||
        (is_server(step.node) && (step.kind == EventKind::kStart ||
                         std::any_of(step.notes.begin(), step.notes.end(),
                                     [&](const Note& note) { return adapter_.may_change_view(note); })));
    if (may_change) {
      record_view();
    } else {
#ifndef NDEBUG
      const reports::RoleView* last = run_.timeline.last();
      REPLSIM_ASSERT(last == nullptr || *last == adapter_.role_view(scenario_, run_.world),
                     "a step the adapter called quiet changed the status timeline");
#endif
    }
    if (window_ != nullptr) record_window(step);
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

  void record_view() {
    run_.timeline.record(run_.world.now().ns_since_origin(), adapter_.role_view(scenario_, run_.world));
  }

  bool is_server(NodeId id) const { return id.index < is_server_.size() && is_server_[id.index]; }

  // Adds an event at `at` to the message window, if the window holds `at`
  // and has room (else counts it as omitted).
  void add_window_event(int64_t at, nlohmann::json event) {
    if (window_ == nullptr || at < window_->from_ns || at > window_->to_ns) return;
    nlohmann::json& events = run_.messages["events"];
    if (events.size() >= window_->events_max) {
      run_.messages["omitted"] = run_.messages["omitted"].get<uint64_t>() + 1;
      return;
    }
    event["at_ns"] = at;
    events.push_back(std::move(event));
  }

  // Messages between nodes and servers' notes, inside the window.
  void record_window(const StepRecord& step) {
    const int64_t at = step.time.ns_since_origin();
    if (at < window_->from_ns || at > window_->to_ns) return;
    const auto add = [&](nlohmann::json event) { add_window_event(at, std::move(event)); };
    const auto focused = [&](NodeId id) {
      if (is_server(id)) return true;
      const std::string& name = run_.world.node_name(id);
      return std::any_of(window_->clients.begin(), window_->clients.end(), [&](const MessageWindow::ClientFocus& f) {
        return f.node == name && at >= f.from_ns && at <= f.to_ns;
      });
    };
    if (step.kind == EventKind::kMessage && step.message && focused(step.from) && focused(step.node)) {
      std::string text = step.message->describe();
      if (text.size() > 160) text = text.substr(0, 157) + "...";
      add({{"kind", "message"}, {"from", run_.world.node_name(step.from)}, {"to", run_.world.node_name(step.node)},
           {"type", step.message->type_name()}, {"text", text},
           {"sent_ns", step.message_sent.ns_since_origin()}, {"outcome", to_string(step.outcome)}});
    }
    // Servers' notes, but not the transition counter (ds_status says it);
    // clients' invoke/complete notes are on the per-key timeline already.
    for (const Note& note : step.notes) {
      if (!is_server(step.node) || note.kind == "transition") continue;
      add({{"kind", "note"}, {"node", run_.world.node_name(step.node)}, {"note", note.kind}, {"data", note.data}});
    }
  }

  void note_convergence() {
    if (!run_.last_fault_at || run_.converged_at) return;
    // A settled cluster is healthy (adapter contract), and the timeline's
    // last view is current: skip the costly check (binlogs compared) while
    // it is not.
    const reports::RoleView* view = run_.timeline.last();
    if (view != nullptr && !view->healthy) return;
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
      record_view();
      add_window_event(run_.world.now().ns_since_origin(), {{"kind", "fault"}, {"fault", applied.fault}});
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
      CheckOutcome outcome;
      if (spec.name == "linearizable") {
        outcome = judge_linearizable(spec.budget);
      } else if (spec.name == "converges_within") {
        outcome = judge_convergence(*spec.within);
      } else {
        outcome = adapter_.check(run_.world, run_.history, run_.monitor.get(), spec.name);
        outcome.verdict = outcome.details.empty() ? CheckVerdict::kPass : CheckVerdict::kFail;
      }
      outcome.name = spec.name;
      if (!outcome.writes.empty()) run_.check_operations[spec.name] = writes_in_history(outcome.writes);
      run_.checks.push_back(std::move(outcome));
    }
    run_.verdict = run_verdict(run_.checks);
    run_.expected_check = scenario_.expect.check;
    run_.as_expected = meets_expectation(run_.checks, run_.verdict, scenario_.expect);
  }

  CheckOutcome judge_linearizable(const LinearizabilityBudget& budget) {
    checker::CheckOptions options;
    options.steps_max_per_partition = budget.steps_max;
    options.memory_bytes_max_per_partition = budget.memory_mb_max << 20;
    options.fast_path = budget.fast_path;
    std::vector<checker::Operation> prepared;
    const checker::CheckResult result =
        checker::check_history(run_.history, adapter_.history_model(), options, &prepared);
    // The report names operations by their place in the paired history;
    // prepared operations keep their invocation's position.
    // (Paired only when a key failed: most runs never need it.)
    std::map<size_t, size_t> id_of_position;
    const auto ids = [&](const std::vector<size_t>& prepared_ids) {
      if (id_of_position.empty()) {
        for (const checker::Operation& op : checker::pair_operations(run_.history)) {
          id_of_position[op.invoke_position] = op.id;
        }
      }
      std::vector<size_t> out;
      for (size_t id : prepared_ids) out.push_back(id_of_position.at(prepared[id].invoke_position));
      return out;
    };
    CheckOutcome outcome;
    for (const auto& p : result.partitions) {
      if (p.verdict != checker::Verdict::kNotLinearizable) continue;
      outcome.details.push_back("key " + p.key + ": " + p.explanation);
      run_.linearizability_anomalies.push_back({{"key", p.key},
                                                {"explanation", p.explanation},
                                                {"ops", ids(p.unplaceable)},
                                                {"linearization", ids(p.longest_prefix)}});
    }
    if (!outcome.details.empty()) {
      outcome.verdict = CheckVerdict::kFail;
      return outcome;
    }
    for (const auto& p : result.partitions) {
      if (p.verdict != checker::Verdict::kUnknown || !p.checked) continue;
      outcome.details.push_back(fmt::format("key {}: undecided, the search's {} budget ran out after {} steps ({} operations)",
                                            p.key, p.budget_exhausted, p.steps, p.operation_count));
    }
    outcome.verdict = outcome.details.empty() ? CheckVerdict::kPass : CheckVerdict::kUndecided;
    REPLSIM_ASSERT((outcome.verdict == CheckVerdict::kUndecided) == (result.verdict == checker::Verdict::kUnknown),
                   "every undecided key is named");
    return outcome;
  }

  // Settled within the bound after the last fault, and still settled when
  // the run ends: a cluster that settles and then falls apart (a server
  // halting later) has not converged.
  CheckOutcome judge_convergence(Duration within) {
    CheckOutcome outcome;
    const TimePoint since = run_.last_fault_at.value_or(TimePoint::origin());
    if (!run_.converged_at && adapter_.converged(run_.world)) run_.converged_at = since;
    if (!run_.converged_at) {
      outcome.details.push_back("the cluster never settled after the last fault at " +
                                format_duration(since.since_origin()) + "; at the end: " +
                                adapter_.convergence_gap(run_.world));
    } else if (!adapter_.converged(run_.world)) {
      outcome.details.push_back("the cluster settled at " + format_duration(run_.converged_at->since_origin()) +
                                " but was no longer settled when the run ended: " +
                                adapter_.convergence_gap(run_.world));
    } else if (*run_.converged_at - since > within) {
      outcome.details.push_back(fmt::format("the cluster settled {} after the last fault, over the bound of {}",
                                            format_duration(*run_.converged_at - since), format_duration(within)));
    }
    outcome.verdict = outcome.details.empty() ? CheckVerdict::kPass : CheckVerdict::kFail;
    return outcome;
  }

  // The acknowledged writes (key, value) as operation ids, each once, in
  // history order.
  std::vector<size_t> writes_in_history(const std::vector<std::pair<std::string, std::string>>& writes) const {
    std::vector<size_t> ids;
    for (const checker::Operation& op : checker::pair_operations(run_.history)) {
      if (op.f != "write" || op.outcome != checker::Outcome::kOk) continue;
      const auto wanted = std::pair{op.key, op.input.to_string()};
      if (std::find(writes.begin(), writes.end(), wanted) != writes.end()) ids.push_back(op.id);
    }
    return ids;
  }

  const Scenario& scenario_;
  const ProtocolAdapter& adapter_;
  TraceWriter* trace_;
  const MessageWindow* window_;
  std::vector<bool> is_server_;  // by node index
  ScenarioRun run_;
  RandomChooser chooser_;
  std::vector<PendingFault> pending_;
  std::vector<size_t> waiting_;  // faults whose trigger has not fired
};

}  // namespace

ScenarioRun run_scenario(const Scenario& scenario, uint64_t seed, const ProtocolAdapter& adapter, TraceWriter* trace,
                         const MessageWindow* window) {
  return Runner(scenario, seed, adapter, trace, window).run();
}

std::optional<MessageWindow> anomaly_window(const ScenarioRun& run, size_t faults_max) {
  if (run.verdict != "fail" || run.faults.size() > faults_max) return std::nullopt;
  constexpr int64_t kSecondNs = 1'000'000'000;
  const int64_t end_ns = run.world.now().ns_since_origin();
  // The operations the anomaly names: those that could not be linearized,
  // or the acknowledged writes a check found missing.
  std::vector<size_t> ids;
  for (const auto& anomaly : run.linearizability_anomalies) {
    for (size_t id : anomaly["ops"]) ids.push_back(id);
  }
  for (const auto& [check, check_ids] : run.check_operations) ids.insert(ids.end(), check_ids.begin(), check_ids.end());
  MessageWindow window;
  if (!ids.empty()) {
    const std::vector<checker::Operation> ops = checker::pair_operations(run.history);
    int64_t from = end_ns, to = 0;
    for (size_t id : ids) {
      from = std::min(from, ops[id].invoke_time);
      to = std::max(to, ops[id].open() ? ops[id].invoke_time : ops[id].complete_time);
    }
    // Where it starts matters most: a little before the first operation to
    // two seconds after (a failing read may come much later).
    window.from_ns = std::max<int64_t>(0, from - kSecondNs / 5);
    window.to_ns = std::min(to, from + 2 * kSecondNs);
    // Clients are c1..cM for processes 0..M-1 in every protocol's world.
    for (size_t id : ids) {
      const checker::Operation& op = ops[id];
      window.clients.push_back({"c" + std::to_string(op.process + 1), op.invoke_time - 1'000'000,
                                (op.open() ? end_ns : op.complete_time) + 1'000'000});
    }
    return window;
  }
  // The first invariant violation, or else the last fault: the second before it and the one after.
  int64_t at = run.last_fault_at ? run.last_fault_at->ns_since_origin() : end_ns;
  if (run.monitor) {
    const nlohmann::json monitor = run.monitor->to_json();
    if (monitor.contains("violations") && !monitor["violations"].empty()) {
      at = parse_duration(monitor["violations"][0]["at"].get<std::string>(), "violation time").count_ns();
    }
  }
  window.from_ns = std::max<int64_t>(0, at - kSecondNs);
  window.to_ns = std::min(end_ns, at + kSecondNs);
  return window;
}

std::vector<std::string> failed_checks(const ScenarioRun& run) {
  std::vector<std::string> failed;
  for (const CheckOutcome& c : run.checks) {
    if (c.verdict == CheckVerdict::kFail) failed.push_back(c.name);
  }
  return failed;
}

std::vector<std::string> failure_signature(const ScenarioRun& run) {
  std::vector<std::string> signature;
  for (const CheckOutcome& c : run.checks) {
    if (c.verdict != CheckVerdict::kFail) continue;
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

namespace {

// What each check's failure means, in one sentence a reader without the
// spec can follow.
std::string meaning_of_failure(const std::string& check) {
  if (check == "linearizable") {
    return "Clients saw results that no single order of their operations explains: a read returned a value "
           "that was not current at any moment it could have taken effect.";
  }
  if (check == "no_lost_acked_writes") {
    return "A write the cluster acknowledged to a client is gone: the master no longer holds it.";
  }
  if (check == "single_master") return "Two servers acted as master of one data group at the same time.";
  if (check == "replicas_agree") return "Replicas disagree about data both consider committed.";
  if (check == "converges_within") {
    return "After the last fault the cluster did not settle (one leader, a master per data group, every replica "
           "caught up) within the scenario's bound.";
  }
  return "A protocol invariant broke.";
}

// The faults as applied, each with its time in ns and its place in the scenario.
nlohmann::json applied_faults_to_json(const ScenarioRun& run) {
  nlohmann::json faults = nlohmann::json::array();
  for (const AppliedFault& f : run.faults) {
    nlohmann::json j = f.fault;
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
  inputs.timeline = run.timeline.to_json(scenario.duration.count_ns());
  inputs.timeline["healthy_status"] = run.healthy_status;
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
                      {"meaning", meaning_of_failure(c.name)},
                      {"violations", c.details},
                      {"ops", ops == run.check_operations.end() ? std::vector<size_t>{} : ops->second}});
    if (summary.empty()) {
      summary = c.name + " failed. " + meaning_of_failure(c.name);
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

int exit_code(const ScenarioRun& run) {
  if (run.as_expected) return 0;
  if (run.verdict == "undecided") return 3;
  // Expected to fail a check that could not be decided: whether the run is
  // as expected is unknown, not false.
  const std::string& expected_check = run.expected_check;
  const bool expected_check_undecided =
      std::any_of(run.checks.begin(), run.checks.end(), [&](const CheckOutcome& c) {
        return c.name == expected_check && c.verdict == CheckVerdict::kUndecided;
      });
  return expected_check_undecided ? 3 : 1;
}

nlohmann::json scenario_run_to_json(const Scenario& scenario, uint64_t seed, const ScenarioRun& run) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckOutcome& c : run.checks) {
    checks.push_back({{"name", c.name}, {"verdict", to_string(c.verdict)}, {"violations", c.details}});
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
  j["configuration"] = {
      {"protocol", scenario.protocol},
      {"protocol_options", scenario.protocol_options},
      {"cluster", {{"servers", scenario.cluster.servers}, {"data_groups", scenario.cluster.data_groups},
                   {"replicas", scenario.cluster.replicas}}},
      {"network", {{"latency", scenario.network.latency.to_json()}, {"loss", scenario.network.loss},
                   {"duplicate", scenario.network.duplicate}, {"reorder", scenario.network.reorder}}},
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

}  // namespace replsim::cli
