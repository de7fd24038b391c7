#include "cli/register_history.h"

#include <algorithm>

namespace replsim::cli {

std::vector<checker::HistoryEvent> register_history_events(const example::RegisterHistory& history) {
  using checker::Edn;
  using checker::EventType;
  struct Keyed {
    uint64_t step;
    int order;  // an invocation before a completion of the same step (never both in practice)
    checker::HistoryEvent event;
  };
  const auto value_of = [](uint64_t v) {
    Edn e;
    if (v != 0) {
      e.kind = Edn::Kind::kInt;
      e.integer = static_cast<int64_t>(v);
    }
    return e;
  };
  std::vector<Keyed> keyed;
  for (const example::RegisterOp& op : history.ops()) {
    checker::HistoryEvent invoke;
    invoke.process = op.process;
    invoke.type = EventType::kInvoke;
    invoke.f = op.is_write ? "write" : "read";
    invoke.key = std::to_string(op.key);
    invoke.value = op.is_write ? value_of(op.value) : Edn{};
    invoke.time = op.invoked.ns_since_origin();
    invoke.where = "c" + std::to_string(op.process + 1) + " op " + std::to_string(op.op);
    keyed.push_back({op.invoke_step, 0, invoke});
    if (op.outcome == "pending") continue;
    checker::HistoryEvent complete = invoke;
    complete.type = op.outcome == "ok" ? EventType::kOk : EventType::kInfo;
    complete.value = value_of(op.value);
    complete.time = op.completed.ns_since_origin();
    keyed.push_back({op.complete_step, 1, complete});
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const Keyed& a, const Keyed& b) { return std::tie(a.step, a.order) < std::tie(b.step, b.order); });
  std::vector<checker::HistoryEvent> events;
  events.reserve(keyed.size());
  for (Keyed& k : keyed) events.push_back(std::move(k.event));
  return events;
}

checker::CheckResult check_register_history(const std::vector<checker::HistoryEvent>& events) {
  const auto model = checker::make_model("register", {});
  const auto operations =
      checker::prepare_operations(checker::pair_operations(events), *model, checker::FailSemantics::kDidNotHappen);
  return checker::check_linearizability(operations, *model, checker::CheckOptions{});
}

}  // namespace replsim::cli
