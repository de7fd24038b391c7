// The trace as a file: one JSON object per delivered event (JSON Lines).
//
// The world keeps the rolling hash itself (World::trace_hash); this writer
// only renders step records for people and tools. Rendering is deterministic
// (no addresses, no wall clock), so two runs of the same scenario and seed
// produce byte-identical files.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/world.h"

namespace replsim {

nlohmann::json step_to_json(const StepRecord& record, const World& world);

class TraceWriter {
 public:
  explicit TraceWriter(std::ostream& out) : out_(out) {}
  void write(const StepRecord& record, const World& world);

 private:
  std::ostream& out_;
};

}  // namespace replsim
