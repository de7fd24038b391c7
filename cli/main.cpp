// The replsim command, with every protocol of the project.
#include "cli/command_line.h"
#include "model/protocols.h"

int main(int argc, char** argv) {
  replsim::register_builtin_protocols();
  return replsim::cli::run_command_line(argc, argv, replsim::builtin_demo_scenario());
}
