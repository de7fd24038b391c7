// Shrinking a failing scenario to a minimal one that fails the same way.
//
// Works on the scenario document: every candidate goes through the loader,
// so a candidate that names a node the smaller cluster lacks is simply
// invalid and skipped. Delta debugging (ddmin) over the faults, then single
// fault removals until none keeps the failure, then shorter runs, fewer
// clients and keys, and fewer servers. "The same failure" means the same
// checks fail. The number of runs is bounded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json_input.h"

namespace replsim::harness {

struct ShrinkResult {
  Json document;                  // the shrunk scenario
  std::vector<std::string> failing_checks;
  uint64_t runs = 0;              // scenario runs spent
  size_t faults_before = 0, faults_after = 0;
  std::string duration_before, duration_after;
  uint32_t clients_before = 0, clients_after = 0;
  uint32_t servers_before = 0, servers_after = 0;
};

// `document` must fail with `seed` (InputError otherwise). A fault generator
// is first made explicit for that seed.
ShrinkResult shrink_scenario(const Json& document, const std::string& name, uint64_t seed, uint64_t runs_max = 600);

// Shrinks, writes `out_file`, verifies its replay fails the same way; true
// when verified.
bool shrink_to_file(const Json& document, const std::string& name, uint64_t seed, const std::string& out_file,
                    ShrinkResult& result);

}  // namespace replsim::harness
