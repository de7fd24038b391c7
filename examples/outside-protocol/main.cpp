// This project's own replsim: the platform's command line (run, fuzz,
// shrink, validate, report, check, protocols) with this project's
// protocols registered first.
#include "cli/command_line.h"
#include "wal_register/protocol.h"

int main(int argc, char** argv) {
  wal_register::register_protocol();
  return replsim::cli::run_command_line(argc, argv);
}
