// The protocols scenario files may name, with their option checks.
#pragma once

#include "sim/scenario.h"

namespace replsim::cli {

const ProtocolCatalog& protocol_catalog();

}  // namespace replsim::cli
