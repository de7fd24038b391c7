#include "sim/fault.h"

namespace replsim {

const char* fault_type_name(const Fault& fault) {
  struct Namer {
    const char* operator()(const CrashFault&) const { return "crash"; }
    const char* operator()(const PowerLossFault&) const { return "powerloss"; }
    const char* operator()(const RestartFault&) const { return "restart"; }
    const char* operator()(const PauseFault&) const { return "pause"; }
    const char* operator()(const ResumeFault&) const { return "resume"; }
    const char* operator()(const PartitionFault&) const { return "partition"; }
    const char* operator()(const HealFault&) const { return "heal"; }
    const char* operator()(const LinkFault&) const { return "link"; }
    const char* operator()(const ClockFault&) const { return "clock_skew"; }
    const char* operator()(const DiskFault&) const { return "disk_fault"; }
    const char* operator()(const CorruptFault&) const { return "disk_fault"; }
  };
  return std::visit(Namer{}, fault);
}

nlohmann::json fault_to_json(const Fault& fault, const std::vector<std::string>& node_names) {
  const auto name = [&](NodeId id) { return id.index < node_names.size() ? node_names[id.index] : "?"; };
  const auto pairs = [&](const std::vector<DirectedPair>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [from, to] : list) out.push_back({name(from), name(to)});
    return out;
  };
  nlohmann::json j = {{"type", fault_type_name(fault)}};
  std::visit(
      [&](const auto& f) {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, HealFault>) {
        } else if constexpr (std::is_same_v<F, PartitionFault>) {
          j["shape"] = f.shape;
          j["blocked"] = pairs(f.blocked);
        } else if constexpr (std::is_same_v<F, LinkFault>) {
          j["links"] = pairs(f.links);
          j["latency"] = f.config.latency.to_json();
          j["loss"] = f.config.loss;
          j["duplicate"] = f.config.duplicate;
          j["reorder"] = f.config.reorder;
        } else if constexpr (std::is_same_v<F, ClockFault>) {
          j["node"] = name(f.node);
          if (f.offset) j["offset"] = format_duration(*f.offset);
          if (f.drift_ppm) j["drift"] = static_cast<double>(*f.drift_ppm) / 1e6;
        } else if constexpr (std::is_same_v<F, DiskFault>) {
          j["node"] = name(f.node);
          j["kind"] = to_string(f.kind);
          j["duration"] = format_duration(f.duration);
        } else if constexpr (std::is_same_v<F, CorruptFault>) {
          j["node"] = name(f.node);
          j["kind"] = "corrupt";
        } else {
          j["node"] = name(f.node);
        }
      },
      fault);
  return j;
}

}  // namespace replsim
