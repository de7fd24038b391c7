// The WAL register as a protocol the platform runs ("wal-register" in
// scenario files): its vocabulary, how it builds a world, who holds its
// role, and the monitor that judges its own check. Nothing in replsim names
// it; the program that wants it registers it (../main.cpp).
#pragma once

namespace wal_register {

// Adds "wal-register" to the platform's registry (harness/registry.h).
// Call it once, before any scenario is loaded.
void register_protocol();

}  // namespace wal_register
