// The one list of the project's protocols. The replsim command (and every
// tool that runs the project's scenarios) calls this once before loading a
// scenario; each protocol registers its vocabulary and adapter with the
// platform (harness/registry.h).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace replsim {

// Registers every protocol under model/; calling it again does nothing.
void register_builtin_protocols();
// Their names, as scenario files write them.
std::vector<std::string> builtin_protocol_names();
// The command's demo (cli/demo_command.h): the example register's
// (model/example/demo.h).
std::function<nlohmann::json(uint64_t seed, bool faults, bool primary_skips_fsync)> builtin_demo_scenario();

}  // namespace replsim
