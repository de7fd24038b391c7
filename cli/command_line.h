// The replsim command line: every subcommand, its options, and the exit
// codes of the scenario format's contract (0 as expected, 1 a violation or
// an unexpected verdict, 2 bad input or usage, 3 undecided).
//
// A library entry point, so a project with protocols of its own builds its
// own replsim: register the protocols (harness/registry.h), then call this.
#pragma once

#include "cli/demo_command.h"

namespace replsim::cli {

// Without a demo scenario the command has no `demo`.
int run_command_line(int argc, char** argv, const DemoScenario& demo_scenario = {});

}  // namespace replsim::cli
