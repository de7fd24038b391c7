// Faults the world can apply, on concrete nodes.
//
// A fault is a value; the world applies it when its event comes up, so a
// fault schedule is part of the world's state and an explorer can choose when
// faults fire like any other event. Role selectors of scenario files
// ("master:g1", "any") are resolved to nodes before a fault reaches here.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/disk.h"
#include "sim/ids.h"
#include "sim/network.h"
#include "base/time.h"

namespace replsim {

struct CrashFault {
  NodeId node;
  bool operator==(const CrashFault&) const = default;
};
struct PowerLossFault {
  NodeId node;
  bool operator==(const PowerLossFault&) const = default;
};
struct RestartFault {
  NodeId node;
  bool operator==(const RestartFault&) const = default;
};
struct PauseFault {
  NodeId node;
  bool operator==(const PauseFault&) const = default;
};
struct ResumeFault {
  NodeId node;
  bool operator==(const ResumeFault&) const = default;
};
// Adds blocked directed pairs (a symmetric partition lists both directions).
struct PartitionFault {
  std::vector<DirectedPair> blocked;
  std::string shape;  // for traces: "split", "one_way", "isolate", "ring", ...
  bool operator==(const PartitionFault&) const = default;
};
struct HealFault {
  bool operator==(const HealFault&) const = default;
};
struct LinkFault {
  std::vector<DirectedPair> links;
  LinkConfig config;
  bool operator==(const LinkFault&) const = default;
};
struct ClockFault {
  NodeId node;
  std::optional<Duration> offset;
  std::optional<int64_t> drift_ppm;
  bool operator==(const ClockFault&) const = default;
};
struct DiskFault {
  NodeId node;
  DiskFaultKind kind = DiskFaultKind::kFsyncError;
  Duration duration;
  bool operator==(const DiskFault&) const = default;
};
// Silent corruption of one durable record; caught by its checksum on read.
struct CorruptFault {
  NodeId node;
  bool operator==(const CorruptFault&) const = default;
};

using Fault = std::variant<CrashFault, PowerLossFault, RestartFault, PauseFault, ResumeFault, PartitionFault,
                           HealFault, LinkFault, ClockFault, DiskFault, CorruptFault>;

// The fault's family name as scenario files spell it ("crash", "disk_fault").
const char* fault_type_name(const Fault& fault);

// The fault as an explicit scenario-style JSON object, with node names.
nlohmann::json fault_to_json(const Fault& fault, const std::vector<std::string>& node_names);

}  // namespace replsim
