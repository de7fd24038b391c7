// The protocols scenario files can name. A protocol registers itself once
// (model/protocols.cpp lists the project's own; a test or an outside
// project registers its own the same way), and the loader, the runner and
// the reports find it by name. The platform never names a protocol.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "harness/protocol.h"

namespace replsim::harness {

// Adds `protocol` under its vocabulary's name; registering a name twice is
// an error in the program (an assertion), not in the input.
void register_protocol(std::unique_ptr<Protocol> protocol);
// The protocol named `name`, or nullptr.
const Protocol* find_protocol(std::string_view name);
// Every registered protocol, in name order.
std::vector<const Protocol*> registered_protocols();

}  // namespace replsim::harness
