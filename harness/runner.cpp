#include "harness/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/assert.h"
#include "base/input_error.h"
#include "checker/linearizability.h"
#include "checker/stalls.h"
#include "harness/registry.h"
#include "harness/schedule_chooser.h"

namespace replsim::harness {

void collect_history(const StepRecord& step, std::vector<checker::HistoryEvent>& history) {
  for (const OperationEvent& op : step.operations) {
    checker::HistoryEvent e;
    e.process = op.process;
    e.time = step.time.ns_since_origin();
    e.where = "c" + std::to_string(op.process + 1) + " op " + std::to_string(op.op);
    e.f = op.f;
    e.key = op.key;
    switch (op.phase) {
      case OperationPhase::kInvoke: e.type = checker::EventType::kInvoke; break;
      case OperationPhase::kOk: e.type = checker::EventType::kOk; break;
      case OperationPhase::kFail: e.type = checker::EventType::kFail; break;
      case OperationPhase::kInfo: e.type = checker::EventType::kInfo; break;
    }
    if (op.value) {
      e.value.kind = checker::Edn::Kind::kInt;
      e.value.integer = *op.value;
    }
    history.push_back(std::move(e));
  }
}

const Protocol& protocol_of(const Scenario& scenario) {
  const Protocol* protocol = find_protocol(scenario.protocol);
  REPLSIM_ASSERT(protocol != nullptr, "a loaded scenario names a registered protocol");
  return *protocol;
}

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

}  // namespace

std::string AppliedFault::type() const { return fault ? fault_type_name(*fault) : skipped_type; }

nlohmann::json AppliedFault::to_json(const std::vector<std::string>& node_names) const {
  REPLSIM_ASSERT(fault.has_value() != !skipped.empty(), "a fault is applied or says why it was skipped");
  nlohmann::json j =
      fault ? fault_to_json(*fault, node_names) : nlohmann::json{{"type", skipped_type}, {"skipped", skipped}};
  j["at"] = format_duration(at.since_origin());
  return j;
}

// One run: its world, monitor and history, the scenario's faults and
// triggers. Copyable, so a search branches it; every nondeterministic
// choice comes from the chooser its caller passes.
class Runner {
 public:
  Runner(const Scenario& scenario, uint64_t seed, TraceWriter* trace, const MessageWindow* window)
      : scenario_(scenario),
        protocol_(protocol_of(scenario)),
        vocabulary_(protocol_.vocabulary()),
        trace_(trace),
        window_(window),
        run_(protocol_.make_world(scenario, seed)) {
    run_.protocol = &protocol_;
    run_.world.set_timer_slack(scenario.cluster.timer_slack);
    run_.monitor = protocol_.make_monitor(scenario);
    REPLSIM_ASSERT(run_.monitor != nullptr, "a protocol's monitor is never null");
    check_node_names();
    is_server_.resize(run_.world.node_count());
    for (NodeId id : servers_of(run_.world)) is_server_[id.index] = true;

    if (window_ != nullptr) {
      run_.messages = {{"from_ns", window_->from_ns}, {"to_ns", window_->to_ns}, {"events", nlohmann::json::array()},
                       {"omitted", 0}};
    }
    record_view();
    for (size_t i = 0; i < scenario_.faults.size(); ++i) {
      const FaultSpec& f = scenario_.faults[i];
      if (f.at) pending_.push_back({TimePoint::origin() + *f.at, i, &f});
      else waiting_.push_back(i);
    }
    std::sort(pending_.begin(), pending_.end());
  }

  // The scenario as written: its faults at their times or triggers, every
  // choice drawn by the simulator's chooser, to the scenario's end.
  ScenarioRun run_to_end() {
    RandomChooser chooser;
    const TimePoint end = TimePoint::origin() + scenario_.duration;
    advance(chooser, end, std::nullopt, UINT64_MAX);
    run_.world.advance_to(end);
    for (size_t index : waiting_) {
      run_.warnings.push_back(fmt::format("the trigger of {} never fired", scenario_.faults[index].path));
    }
    judge();
    return std::move(run_);
  }

  // Fires the scenario's faults as they fall due and steps the world while
  // the next fault or event is due by `end`, and, when `before` is given,
  // while an event is due before it (a hybrid search's prefix: faults fire
  // only just before a step then, so a prefix of N steps replays the same
  // whether it is cut by time or by count); at most `steps_max` steps.
  uint64_t advance(Chooser& chooser, TimePoint end, std::optional<TimePoint> before, uint64_t steps_max) {
    uint64_t steps = 0;
    while (steps < steps_max) {
      const std::optional<TimePoint> next_event = run_.world.next_event_time();
      if (before && (!next_event || *next_event >= *before)) break;
      const bool fault_due = !pending_.empty() && (!next_event || pending_.front().at <= *next_event);
      const TimePoint next = fault_due ? pending_.front().at : next_event.value_or(end + Duration::ns(1));
      if (next > end) break;
      if (fault_due) {
        const PendingFault due = pending_.front();
        pending_.erase(pending_.begin());
        run_.world.advance_to(due.at);
        fire(*due.spec, chooser);
      } else {
        REPLSIM_ASSERT(step(chooser), "a pending event vanished");
        ++steps;
      }
    }
    return steps;
  }

  // The scenario's schedule: its faults before the steps they name, its
  // answers to the world's questions, and the run judged where the path
  // ended (going on could hide what the path reached).
  ScenarioRun replay(const Schedule& schedule) {
    cut_short_ = true;
    try {
      replay_steps(schedule);
    } catch (const InputError& error) {
      throw InputError(scenario_.file + ":" + error.path(), error.expected(), error.found());
    }
    judge();
    return std::move(run_);
  }

  void replay_steps(const Schedule& schedule) {
    RandomChooser sampled;
    // Cut as the explorer cut it, by time when the schedule says when (a
    // scenario fault may fire after the prefix's last step), else by count.
    const std::optional<TimePoint> before =
        schedule.prefix_before ? std::optional(TimePoint::origin() + *schedule.prefix_before) : std::nullopt;
    const uint64_t prefix = advance(sampled, TimePoint::origin() + scenario_.duration, before,
                                    before ? UINT64_MAX : schedule.prefix_steps);
    if (prefix != schedule.prefix_steps) {
      throw InputError("/schedule/prefix_steps", std::to_string(schedule.prefix_steps) + " steps of the sampled prefix",
                       std::to_string(prefix) + " steps");
    }
    ReplayChooser chooser(schedule);
    for (uint64_t k = schedule.prefix_steps; k < schedule.steps; ++k) {
      chooser.begin_step(k);
      fire_schedule_faults(schedule, k, chooser);
      if (!step(chooser)) {
        throw InputError("/schedule/steps", std::to_string(schedule.steps) + " steps (the path's length)",
                         "a world with no event left after step " + std::to_string(k));
      }
    }
    chooser.begin_step(schedule.steps);  // a path may end on a fault, which may ask questions of its own
    fire_schedule_faults(schedule, schedule.steps, chooser);
    if (chooser.position() < schedule.entries.size()) {
      throw InputError("/schedule/choices/" + std::to_string(chooser.position()),
                       "every entry used by the path's " + std::to_string(schedule.steps) + " steps",
                       "an entry the run never asked for");
    }
  }

  // The simulator's own choices, the scenario's faults firing as they fall
  // due, for every event due before `before`: a hybrid search's prefix.
  uint64_t run_sampled_before(TimePoint before) {
    RandomChooser sampled;
    return advance(sampled, TimePoint::origin() + scenario_.duration, before, UINT64_MAX);
  }

  // The same, step by step, through the first step that is the protocol
  // event `trigger` (a prefix a schedule replays by its step count); nothing
  // when the scenario ends first.
  std::optional<uint64_t> run_sampled_until(const FaultTrigger& trigger) {
    RandomChooser sampled;
    const TimePoint end = TimePoint::origin() + scenario_.duration;
    prefix_trigger_ = trigger;
    prefix_trigger_fired_ = false;
    uint64_t steps = 0;
    while (!prefix_trigger_fired_ && advance(sampled, end, std::nullopt, 1) == 1) ++steps;
    prefix_trigger_.reset();
    if (!prefix_trigger_fired_) return std::nullopt;
    return steps;
  }

  // Delivers the next event (the scenario's own faults are not fired: a
  // driver that steps fires its own). False when no event is pending.
  bool step(Chooser& chooser) {
    const StepRecord* record = run_.world.step(chooser);
    if (record == nullptr) return false;
    observe(*record);
    note_convergence();
    if (prefix_trigger_ && triggered(*record, *prefix_trigger_)) prefix_trigger_fired_ = true;
    return true;
  }

  void unshare_world() { run_.world.unshare(); }
  size_t drop_stale_events() { return run_.world.drop_stale_events(); }
  void drop_unread_note_data() {
    std::vector<std::string> kinds;
    for (const NoteDeclaration& n : vocabulary_.notes) {
      if (!n.data_read) kinds.push_back(n.kind);
    }
    run_.world.drop_note_data_of(std::move(kinds));
  }
  void record_footprint(StepFootprint* footprint) { run_.world.record_footprint(footprint); }
  const ScenarioRun& state() const { return run_; }

  // The checks judged on the run as it stands, cut short by its driver.
  ScenarioRun judged() && {
    cut_short_ = true;
    judge();
    return std::move(run_);
  }

  // Fires `f` now (a scenario's fault that fell due, a schedule's, a
  // driver's), recorded in the run with the node it landed on.
  void fire(const FaultSpec& f, Chooser& chooser) {
    std::string why;
    AppliedFault applied;
    applied.at = run_.world.now();
    applied.source = f.path;
    applied.fault = to_fault(f, chooser, why);
    if (applied.fault) {
      const Fault& fault = *applied.fault;
      run_.world.apply_fault(fault, chooser);
      record_view();
      // The fault's JSON is built only for a window that records it.
      if (window_ != nullptr) {
        add_window_event(run_.world.now().ns_since_origin(),
                         {{"kind", "fault"}, {"fault", fault_to_json(fault, run_.world.config().node_names)}});
      }
      run_.last_fault_at = run_.world.now();
      run_.converged_at.reset();
      if (f.type == "disk_fault" && f.duration) {
        run_.fault_effects_until = std::max(run_.fault_effects_until.value_or(TimePoint::origin()),
                                            run_.world.now() + *f.duration);
      }
    } else {
      applied.skipped_type = f.type;
      applied.skipped = why;
      REPLSIM_ASSERT(!why.empty(), "a skipped fault says why");
    }
    run_.faults.push_back(std::move(applied));
    note_convergence();
  }

 private:
  // The world the protocol built names its nodes as the scenario does:
  // s1..sN, then c1..cM (reports, selectors and triggers rely on it).
  void check_node_names() const {
    const uint32_t servers = scenario_.cluster.servers, clients = scenario_.workload.clients;
    REPLSIM_ASSERT(run_.world.node_count() == servers + clients, "the world has the scenario's servers and clients");
    for (uint32_t i = 0; i < servers + clients; ++i) {
      const std::string expected = i < servers ? "s" + std::to_string(i + 1) : "c" + std::to_string(i - servers + 1);
      REPLSIM_ASSERT(run_.world.node_name({i}) == expected, "nodes are s1..sN then c1..cM");
    }
  }

  void observe(const StepRecord& step) {
    if (trace_ != nullptr) trace_->write(step, run_.world);
    if (!step.operations.empty()) collect_history(step, run_.history.write());
    run_.monitor->observe(run_.world, step);
    // Only a server's start, a server's note the protocol does not call
    // quiet, or a fault changes what the timeline shows; clients' steps never do.
    const bool may_change =
        step.kind == EventKind::kFault ||
        (is_server(step.node) && (step.kind == EventKind::kStart ||
                                  std::any_of(step.notes.begin(), step.notes.end(),
                                              [&](const Note& note) { return !quiet(note); })));
    if (may_change) {
      record_view();
    } else {
#ifndef NDEBUG
      // A check of Debug builds only: its reads are not the step's.
      StepFootprint* const recording = run_.world.recording_footprint();
      run_.world.record_footprint(nullptr);
      const RoleView* last = run_.timeline.last();
      REPLSIM_ASSERT(last == nullptr || *last == run_.monitor->role_view(run_.world),
                     "a step the protocol called quiet changed the status timeline");
      run_.world.record_footprint(recording);
#endif
    }
    if (window_ != nullptr) record_window(step);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      const FaultSpec& f = scenario_.faults[*it];
      if (triggered(step, *f.when)) {
        pending_.push_back({run_.world.now() + f.after, *it, &f});
        std::sort(pending_.begin(), pending_.end());
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void record_view() { run_.timeline.record(run_.world.now().ns_since_origin(), run_.monitor->role_view(run_.world)); }

  // Whether a server's note never comes with a change of the role view; a
  // note the protocol did not declare is a bug in the protocol.
  bool quiet(const Note& note) const {
    const NoteDeclaration* declared = vocabulary_.note(note.kind);
    REPLSIM_ASSERT(declared != nullptr, "a server emitted a note kind its protocol does not declare");
    return declared->quiet;
  }

  // Whether the step is the protocol event `trigger` waits for. A trigger's
  // node may be a name, "any", or a role whose holders are asked now.
  bool triggered(const StepRecord& step, const FaultTrigger& trigger) const {
    for (const ProtocolEvent& e : step.protocol_events) {
      const bool enters = e.kind == ProtocolEvent::Kind::kEnters;
      REPLSIM_ASSERT(enters ? vocabulary_.status(e.name) != nullptr
                            : vocabulary_.role(e.name) != nullptr && vocabulary_.role(e.name)->announced,
                     "a protocol event names a status or announced role its protocol declares");
      if (enters ? e.name != trigger.enters : e.name != trigger.becomes) continue;
      if (trigger.group != 0 && e.group != trigger.group) continue;
      if (!trigger.node || trigger.node->kind == NodeSelector::Kind::kAny) return true;
      if (trigger.node->kind == NodeSelector::Kind::kNamed) {
        if (run_.world.find_node(trigger.node->name) == step.node) return true;
        continue;
      }
      const std::vector<NodeId> holders =
          protocol_.role_holders(run_.world, trigger.node->name, trigger.node->group);
      if (std::find(holders.begin(), holders.end(), step.node) != holders.end()) return true;
    }
    return false;
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
    // Servers' notes that come with a change of statuses or roles; the
    // quiet ones (the write path's own) would crowd the diagram.
    for (const Note& note : step.notes) {
      if (!is_server(step.node) || quiet(note)) continue;
      add({{"kind", "note"}, {"node", run_.world.node_name(step.node)}, {"note", note.kind}, {"data", note.data}});
    }
  }

  void note_convergence() {
    if (!run_.last_fault_at || run_.converged_at) return;
    // A settled cluster is healthy (RunMonitor contract), and the timeline's
    // last view is current: skip the costly check (binlogs compared) while
    // it is not.
    const RoleView* view = run_.timeline.last();
    if (view != nullptr && !view->healthy) return;
    if (!run_.monitor->unsettled(run_.world)) run_.converged_at = run_.world.now();
  }

  void fire_schedule_faults(const Schedule& schedule, uint64_t step, ReplayChooser& chooser) {
    while (chooser.position() < schedule.entries.size()) {
      const ScheduleEntry& e = schedule.entries[chooser.position()];
      if (!e.fault || e.step != step) return;
      chooser.skip_fault();  // first: the entries after it answer the fault's own questions (a torn write)
      fire(*e.fault, chooser);
    }
  }

  // A selector's node now: a name, any server, or one of a role's holders,
  // chosen on the world's fault stream when several hold it.
  std::optional<NodeId> resolve(const NodeSelector& selector, Chooser& chooser, std::string& why) {
    std::vector<NodeId> candidates;
    if (selector.kind == NodeSelector::Kind::kNamed) {
      const auto id = run_.world.find_node(selector.name);
      REPLSIM_ASSERT(id.has_value(), "the loader checked node names against the cluster");
      return id;
    }
    candidates = selector.kind == NodeSelector::Kind::kAny
                     ? servers_of(run_.world)
                     : protocol_.role_holders(run_.world, selector.name, selector.group);
    if (candidates.empty()) {
      why = "no node is " + selector.text + " now";
      return std::nullopt;
    }
    if (candidates.size() == 1) return candidates.front();
    return candidates[chooser.pick(run_.world.fault_stream(), ChoiceKind::kFaultTarget, candidates.size())];
  }

  std::optional<std::vector<NodeId>> resolve_all(const std::vector<NodeSelector>& selectors, Chooser& chooser,
                                                 std::string& why) {
    std::vector<NodeId> ids;
    for (const NodeSelector& selector : selectors) {
      const auto id = resolve(selector, chooser, why);
      if (!id) return std::nullopt;
      ids.push_back(*id);
    }
    return ids;
  }

  std::optional<Fault> to_fault(const FaultSpec& f, Chooser& chooser, std::string& why) {
    std::vector<NodeId> everyone;
    for (uint32_t i = 0; i < run_.world.node_count(); ++i) everyone.push_back({i});
    if (f.type == "heal") return HealFault{};
    if (f.type == "partition") {
      std::vector<std::vector<NodeId>> groups;
      for (const auto& group : f.groups) {
        const auto ids = resolve_all(group, chooser, why);
        if (!ids) return std::nullopt;
        groups.push_back(*ids);
      }
      return PartitionFault{partition_shapes::split(groups), "split"};
    }
    if (f.type == "partition_oneway" || f.type == "link") {
      const auto from = resolve_all(f.from, chooser, why);
      const auto to = from ? resolve_all(f.to, chooser, why) : std::nullopt;
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
    const auto node = resolve(*f.node, chooser, why);
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

  void judge() {
    run_.monitor->finish(run_.world);
    run_.convergence_gap = run_.monitor->unsettled(run_.world).value_or("");
    run_.relapses = relapses();  // before judge_convergence may date a settling it did not see
    for (const CheckSpec& spec : scenario_.checks) {
      CheckOutcome outcome;
      if (spec.name == "linearizable") {
        outcome = judge_linearizable(spec.budget);
      } else if (spec.name == "converges_within" || spec.name == "writes_progress_within") {
        outcome = judge_liveness(spec.name, *spec.within);
      } else if (cut_short_ && !run_.convergence_gap.empty() && vocabulary_.check(spec.name)->judges_settled_end) {
        outcome.details.push_back("the path ended before the cluster settled (" + run_.convergence_gap +
                                  "): this check judges a settled run's final state");
        outcome.verdict = CheckVerdict::kUndecided;
      } else {
        outcome = run_.monitor->check(spec.name, run_.world, run_.history);
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
        checker::check_history(run_.history, vocabulary_.history_model, options, &prepared);
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
  // Liveness after the last fault presumes the faults ended. A path cut
  // short (a search's, a schedule's) may end with one not undone yet, and
  // what follows it there is not the check's to judge.
  CheckOutcome judge_liveness(const std::string& name, Duration within) {
    if (const std::optional<std::string> fault = cut_short_ ? fault_outstanding() : std::nullopt) {
      CheckOutcome outcome;
      outcome.details.push_back("the path ended with a fault not undone (" + *fault +
                                "): liveness after the last fault needs the faults to have ended");
      outcome.verdict = CheckVerdict::kUndecided;
      return outcome;
    }
    return name == "converges_within" ? judge_convergence(within) : judge_write_progress(within);
  }

  // A node down or paused, or a link cut: a fault in effect now.
  std::optional<std::string> fault_outstanding() const {
    for (uint32_t i = 0; i < run_.world.node_count(); ++i) {
      const NodeStatus status = run_.world.node_status({i});
      if (status != NodeStatus::kUp) return run_.world.node_name({i}) + " " + to_string(status);
    }
    if (!run_.world.network().blocked_pairs().empty()) return "a link cut";
    return std::nullopt;
  }

  CheckOutcome judge_convergence(Duration within) {
    CheckOutcome outcome;
    const TimePoint since = run_.last_fault_at.value_or(TimePoint::origin());
    const std::optional<std::string> unsettled = run_.monitor->unsettled(run_.world);
    if (cut_short_) return judge_convergence_cut(within, since, unsettled);
    if (!run_.converged_at && !unsettled) run_.converged_at = since;
    const Duration observed = run_.world.now() - since;
    if (unsettled && observed < within) {
      // Unsettled when the run ended, before the bound: nobody can say yet
      // whether it would have settled in time (a shortened run, a shrinker's
      // candidate), so the shrinker never keeps such a cut.
      outcome.details.push_back("the run ended " + format_duration(observed) + " after the last fault, before the bound of " +
                                format_duration(within) + "; not settled yet: " + *unsettled);
      outcome.verdict = CheckVerdict::kUndecided;
      return outcome;
    }
    if (!run_.converged_at) {
      outcome.details.push_back("the cluster never settled after the last fault at " +
                                format_duration(since.since_origin()) + "; at the end: " + *unsettled);
    } else if (unsettled) {
      outcome.details.push_back("the cluster settled at " + format_duration(run_.converged_at->since_origin()) +
                                " but was no longer settled when the run ended: " + *unsettled);
    } else if (*run_.converged_at - since > within) {
      outcome.details.push_back(fmt::format("the cluster settled {} after the last fault, over the bound of {}",
                                            format_duration(*run_.converged_at - since), format_duration(within)));
    }
    outcome.verdict = outcome.details.empty() ? CheckVerdict::kPass : CheckVerdict::kFail;
    return outcome;
  }

  std::vector<std::pair<TimePoint, TimePoint>> relapses() const {
    std::vector<std::pair<TimePoint, TimePoint>> out;
    if (!run_.last_fault_at || !run_.converged_at) return out;
    const int64_t end_ns = run_.world.now().ns_since_origin();
    // A disk fault with a duration is still in effect after it fired: what
    // it breaks before it ends is its doing, not a relapse.
    const int64_t since_ns = std::min(
        end_ns, std::max(*run_.converged_at, run_.fault_effects_until.value_or(TimePoint::origin())).ns_since_origin());
    for (const auto& [from_ns, to_ns] : run_.timeline.unhealthy_stretches_since(since_ns, end_ns)) {
      out.push_back({TimePoint::from_ns(from_ns), TimePoint::from_ns(to_ns)});
    }
    return out;
  }

  // A path cut short ends at any moment, maybe while a write is being
  // replicated (the cluster unsettled for an instant): only what the path
  // showed counts, never the state at the cut. No fault on the path:
  // settling is tracked after a fault only, so a settled cut passes and an
  // unsettled one is undecided. Settled after the last fault: in time or
  // late. Unsettled at every step since the last fault, for D or more: a
  // failure.
  CheckOutcome judge_convergence_cut(Duration within, TimePoint since, const std::optional<std::string>& unsettled) {
    REPLSIM_ASSERT(cut_short_, "the rule for a path's cut");
    CheckOutcome outcome;
    if (!run_.last_fault_at) {
      if (unsettled) {
        outcome.details.push_back("no fault on the path (settling is tracked after one); unsettled at its end: " +
                                  *unsettled);
        outcome.verdict = CheckVerdict::kUndecided;
      }
      return outcome;
    }
    const Duration observed = run_.world.now() - since;
    const std::optional<TimePoint> settled = run_.converged_at ? run_.converged_at
                                             : unsettled          ? std::nullopt
                                                                  : std::optional(run_.world.now());
    if (settled && *settled - since > within) {
      outcome.details.push_back(fmt::format("the cluster settled {} after the last fault, over the bound of {}",
                                            format_duration(*settled - since), format_duration(within)));
    } else if (!settled && observed >= within) {
      outcome.details.push_back("the cluster did not settle in the " + format_duration(observed) +
                                " after the last fault at " + format_duration(since.since_origin()) +
                                " (the bound is " + format_duration(within) + "); at the path's end: " + *unsettled);
    } else if (!settled) {
      outcome.details.push_back("the path ended before the bound after the last fault; unsettled at its end: " +
                                *unsettled);
      outcome.verdict = CheckVerdict::kUndecided;
      return outcome;
    }
    outcome.verdict = outcome.details.empty() ? CheckVerdict::kPass : CheckVerdict::kFail;
    return outcome;
  }

  // A stall of a group's writes counts only while the group looked healthy:
  // while a replica recovers or a role is vacant, writes may wait, and
  // `converges_within` judges whether the cluster comes back.
  CheckOutcome judge_write_progress(Duration within) {
    CheckOutcome outcome;
    const int64_t end_ns = run_.world.now().ns_since_origin();
    const std::vector<checker::Operation> ops = checker::pair_operations(run_.history);
    const auto stalls = checker::find_stalls(
        ops, [](const checker::Operation& op) { return op.f != "read"; },
        [&](const checker::Operation& op) { return protocol_.group_of_key(scenario_, op.key); }, end_ns,
        within.count_ns());
    for (const checker::Stall& stall : stalls) {
      int64_t healthy_ns = 0;
      for (const auto& [from, to] : run_.timeline.healthy_stretches(stall.group, end_ns)) {
        healthy_ns += std::max<int64_t>(0, std::min(to, stall.to_ns) - std::max(from, stall.from_ns));
      }
      if (healthy_ns <= within.count_ns()) continue;
      outcome.details.push_back(fmt::format(
          "{} {}: writes offered from {} {} ({} of it with the {} looking healthy); {} writes offered, {} not acknowledged in it",
          vocabulary_.group_word, stall.group, format_duration(Duration::ns(stall.from_ns)),
          stall.resolved ? "were first acknowledged again at " + format_duration(Duration::ns(stall.to_ns))
                         : "were never acknowledged again (to " + format_duration(Duration::ns(stall.to_ns)) + ")",
          format_duration(Duration::ns(healthy_ns)), vocabulary_.group_word, stall.offered, stall.not_succeeded));
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
  const Protocol& protocol_;
  const Vocabulary& vocabulary_;
  TraceWriter* trace_;
  const MessageWindow* window_;
  std::vector<bool> is_server_;  // by node index
  ScenarioRun run_;
  std::vector<PendingFault> pending_;
  std::vector<size_t> waiting_;  // faults whose trigger has not fired
  bool cut_short_ = false;       // a path's end, not the scenario's duration, ends the run
  std::optional<FaultTrigger> prefix_trigger_;  // while run_sampled_until runs
  bool prefix_trigger_fired_ = false;
};

ScenarioRun run_scenario(const Scenario& scenario, uint64_t seed, TraceWriter* trace,
                         const MessageWindow* window) {
  Runner runner(scenario, seed, trace, window);
  if (scenario.schedule) return runner.replay(*scenario.schedule);
  return runner.run_to_end();
}

RunInProgress::RunInProgress(const Scenario& scenario, uint64_t seed)
    : runner_(std::make_unique<Runner>(scenario, seed, nullptr, nullptr)) {}
RunInProgress::RunInProgress(const RunInProgress& other) : runner_(std::make_unique<Runner>(*other.runner_)) {}
RunInProgress::RunInProgress(RunInProgress&&) noexcept = default;
RunInProgress& RunInProgress::operator=(RunInProgress&&) noexcept = default;
RunInProgress::~RunInProgress() = default;
bool RunInProgress::step(Chooser& chooser, StepFootprint* footprint) {
  if (footprint == nullptr) return runner_->step(chooser);
  // The whole step's: the world's, and what the monitor and the runner's
  // bookkeeping read of it afterwards.
  runner_->record_footprint(footprint);
  const bool stepped = runner_->step(chooser);
  runner_->record_footprint(nullptr);
  return stepped;
}
void RunInProgress::fire(const FaultSpec& fault, Chooser& chooser) { runner_->fire(fault, chooser); }
const ScenarioRun& RunInProgress::run() const { return runner_->state(); }
uint64_t RunInProgress::run_sampled_before(TimePoint before) { return runner_->run_sampled_before(before); }
std::optional<uint64_t> RunInProgress::run_sampled_until(const FaultTrigger& trigger) {
  return runner_->run_sampled_until(trigger);
}
ScenarioRun RunInProgress::judged() const { return Runner(*runner_).judged(); }
void RunInProgress::unshare_world() { runner_->unshare_world(); }
size_t RunInProgress::drop_stale_events() { return runner_->drop_stale_events(); }
void RunInProgress::drop_unread_note_data() { runner_->drop_unread_note_data(); }

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
  {
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
    for (const std::string& rule : c.rules) signature.push_back(c.name + " (" + rule + ")");
    if (!c.rules.empty()) continue;
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

}  // namespace replsim::harness
