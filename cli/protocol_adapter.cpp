#include "cli/protocol_adapter.h"

namespace replsim::cli {

std::unique_ptr<ProtocolAdapter> make_example_adapter();
std::unique_ptr<ProtocolAdapter> make_fastcfs_adapter();

const char* to_string(CheckVerdict verdict) {
  switch (verdict) {
    case CheckVerdict::kPass: return "pass";
    case CheckVerdict::kFail: return "fail";
    case CheckVerdict::kUndecided: return "undecided";
  }
  return "?";
}

void collect_client_notes(const StepRecord& step, std::vector<checker::HistoryEvent>& history) {
  for (const Note& note : step.notes) {
    if (note.kind != "invoke" && note.kind != "complete") continue;
    checker::HistoryEvent e;
    e.process = note.data.at("process").get<int64_t>();
    e.time = step.time.ns_since_origin();
    e.where = "c" + std::to_string(e.process + 1) + " op " + std::to_string(note.data.at("op").get<uint64_t>());
    e.f = note.data.at("f").get<std::string>();
    e.key = std::to_string(note.data.at("key").get<uint64_t>());
    if (note.kind == "invoke") e.type = checker::EventType::kInvoke;
    else e.type = note.data.at("type") == "ok" ? checker::EventType::kOk : checker::EventType::kInfo;
    const uint64_t value = note.data.at("value").get<uint64_t>();
    if (value != 0) {
      e.value.kind = checker::Edn::Kind::kInt;
      e.value.integer = static_cast<int64_t>(value);
    }
    history.push_back(std::move(e));
  }
}

std::unique_ptr<ProtocolAdapter> make_adapter(const std::string& protocol) {
  if (protocol == "example-register") return make_example_adapter();
  if (protocol == "fastcfs") return make_fastcfs_adapter();
  return nullptr;
}

}  // namespace replsim::cli
