// The demo: the example register as a scenario document, under 30 virtual
// seconds of every kind of fault (what `replsim demo` runs).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace replsim::example {

// `faults` off: the same run without a fault; `primary_skips_fsync`: the
// deliberate bug, with a power loss of the primary that shows it.
nlohmann::json demo_scenario(uint64_t seed, bool faults, bool primary_skips_fsync);

}  // namespace replsim::example
