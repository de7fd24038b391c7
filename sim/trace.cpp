#include "sim/trace.h"

#include <fmt/format.h>

namespace replsim {

nlohmann::json step_to_json(const StepRecord& record, const World& world) {
  nlohmann::json j;
  j["i"] = record.index;
  j["t_ns"] = record.time.ns_since_origin();
  j["kind"] = to_string(record.kind);
  if (record.kind != EventKind::kFault) j["node"] = world.node_name(record.node);
  if (record.message) {
    j["from"] = world.node_name(record.from);
    j["msg"] = record.message->describe();
  }
  if (record.connection.valid()) j["connection"] = record.connection.value;
  if (record.connection_event) {
    j["connection_event"] = to_string(record.connection_event->kind);
    if (record.connection_event->kind == ConnectionEvent::Kind::kClosed) {
      j["reason"] = to_string(record.connection_event->reason);
    }
  }
  if (record.kind == EventKind::kTimer) j["timer"] = {record.timer.kind, record.timer.argument};
  if (record.disk) {
    j["disk"] = {{"op", to_string(record.disk->kind)},
                 {"file", record.disk->file},
                 {"id", record.disk->id.value},
                 {"status", to_string(record.disk_status)}};
  }
  if (record.fault) j["fault"] = fault_to_json(*record.fault, world.config().node_names);
  if (record.outcome != StepOutcome::kDelivered) j["outcome"] = to_string(record.outcome);
  if (!record.notes.empty()) {
    nlohmann::json notes = nlohmann::json::array();
    for (const Note& note : record.notes) notes.push_back({{"kind", note.kind}, {"data", note.data}});
    j["notes"] = std::move(notes);
  }
  for (const OperationEvent& op : record.operations) {
    nlohmann::json o = {{"process", op.process}, {"op", op.op}, {"f", op.f}, {"key", op.key}, {"phase", to_string(op.phase)}};
    if (op.value) o["value"] = *op.value;
    j["operations"].push_back(std::move(o));
  }
  for (const ProtocolEvent& e : record.protocol_events) {
    nlohmann::json o = {{e.kind == ProtocolEvent::Kind::kEnters ? "enters" : "becomes", e.name}};
    if (e.group != 0) o["group"] = "g" + std::to_string(e.group);
    j["events"].push_back(std::move(o));
  }
  j["hash"] = fmt::format("{:016x}", record.trace_hash);
  return j;
}

void TraceWriter::write(const StepRecord& record, const World& world) {
  out_ << step_to_json(record, world).dump() << '\n';
}

}  // namespace replsim
