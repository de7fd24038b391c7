// Registers the example register ("example-register") with the platform.
#pragma once

namespace replsim::example {

void register_example_protocol();

}  // namespace replsim::example
