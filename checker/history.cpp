#include "checker/history.h"

#include <map>

#include "base/input_error.h"

namespace replsim::checker {

const char* to_string(EventType type) {
  switch (type) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kInfo: return "info";
  }
  return "?";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
  }
  return "?";
}

std::string Operation::describe() const {
  std::string text = "process " + std::to_string(process) + ": " + f;
  if (!key.empty()) text += " " + key;
  const bool reads = f == "read" || f == "get";
  if (!reads || input.kind != Edn::Kind::kNil) text += " " + input.to_string();
  if (outcome == Outcome::kOk && (reads || output.to_string() != input.to_string())) {
    text += " -> " + output.to_string();
  }
  if (outcome == Outcome::kInfo) text += " (indeterminate)";
  if (outcome == Outcome::kFail) text += " (failed)";
  return text;
}

std::vector<Operation> pair_operations(const std::vector<HistoryEvent>& events) {
  std::vector<Operation> operations;
  operations.reserve(events.size() / 2 + 1);  // an invocation and a completion each, mostly
  std::map<int64_t, size_t> open_by_process;
  for (size_t position = 0; position < events.size(); ++position) {
    const HistoryEvent& event = events[position];
    const auto open = open_by_process.find(event.process);
    if (event.type == EventType::kInvoke) {
      if (open != open_by_process.end()) {
        throw InputError(event.where, "an invocation by a process with no operation in progress",
                         "a second invocation by process " + std::to_string(event.process) + " while its " +
                             operations[open->second].f + " from " + operations[open->second].where + " is open");
      }
      Operation op;
      op.id = operations.size();
      op.process = event.process;
      op.f = event.f;
      op.key = event.key;
      op.input = event.value;
      op.invoke_position = position;
      op.invoke_time = event.time;
      op.where = event.where;
      open_by_process[event.process] = op.id;
      operations.push_back(std::move(op));
      continue;
    }
    if (open == open_by_process.end()) {
      throw InputError(event.where, "a completion of an operation the process invoked",
                       std::string("a :") + to_string(event.type) + " " + event.f + " by process " +
                           std::to_string(event.process) + ", which has no operation in progress");
    }
    Operation& op = operations[open->second];
    if (op.f != event.f) {
      throw InputError(event.where, "a completion of :" + op.f + " (invoked at " + op.where + ")",
                       "a completion of :" + event.f);
    }
    if (!event.key.empty() && event.key != op.key) {
      throw InputError(event.where, "a completion on key " + op.key, "key " + event.key);
    }
    op.complete_position = position;
    op.complete_time = event.time;
    op.outcome = event.type == EventType::kOk ? Outcome::kOk
                 : event.type == EventType::kFail ? Outcome::kFail : Outcome::kInfo;
    if (op.outcome == Outcome::kOk) op.output = event.value;
    if (op.outcome == Outcome::kInfo) op.complete_position = Operation::kNever;  // may take effect any time later
    open_by_process.erase(open);
  }
  return operations;
}

}  // namespace replsim::checker
