// Histories in Jepsen's shape, and the operations they pair into.
//
// A history is a sequence of events: a process invokes an operation, then the
// operation completes with :ok (it happened, with this output), :fail (it did
// not happen; or, for a compare-and-set under the "happened" semantics, it
// happened and returned false) or :info (unknown: it may or may not have
// happened, at any point after its invocation). An invocation that never
// completes is :info too.
//
// Values are EDN values (nil, integers, strings, [from to] pairs, ...), so
// every reader converts into the same representation and the models compare
// canonical text.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "checker/edn.h"

namespace replsim::checker {

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
const char* to_string(EventType type);

struct HistoryEvent {
  int64_t process = 0;
  EventType type = EventType::kInvoke;
  std::string f;
  std::string key;  // empty when the history has no keys
  Edn value;
  int64_t time = -1;  // -1 when the source gives none
  std::string where;  // "file:line" of the event, for error messages
};

enum class Outcome : uint8_t { kOk, kFail, kInfo };
const char* to_string(Outcome outcome);

struct Operation {
  size_t id = 0;  // index in the operation list
  int64_t process = 0;
  std::string f;
  std::string key;
  Edn input;   // the invocation's value
  Edn output;  // the completion's value (ok only)
  // Canonical text of input, output and (for pairs like [from to]) each
  // input item, computed once so models compare strings without building them.
  std::string input_text;
  std::string output_text;
  std::vector<std::string> input_item_texts;
  Outcome outcome = Outcome::kInfo;
  // Positions in the event sequence; an open operation returns "never".
  size_t invoke_position = 0;
  size_t complete_position = kNever;
  int64_t invoke_time = -1;
  int64_t complete_time = -1;
  std::string where;

  static constexpr size_t kNever = std::numeric_limits<size_t>::max();
  bool open() const { return complete_position == kNever; }
  // "write 3 to x", "read of x returned 3", for explanations.
  std::string describe() const;
};

// Pairs invocations with completions. Throws InputError naming the event's
// file and line for a completion without an invocation, a second invocation
// by a process with an open operation, or a completion whose :f differs from
// its invocation's.
std::vector<Operation> pair_operations(const std::vector<HistoryEvent>& events);

}  // namespace replsim::checker
