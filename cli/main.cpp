// The replsim command line.
//
// Exit codes (the scenario format's contract): 0 as expected, 1 a violation
// or an unexpected verdict, 2 bad input or usage, 3 undecided.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/demo_command.h"
#include "sim/input_error.h"

int main(int argc, char** argv) {
  CLI::App app{"replsim: a deterministic simulator and model checker for replication protocols"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "replsim 0.1.0");

  replsim::cli::DemoOptions demo;
  CLI::App* demo_command = app.add_subcommand(
      "demo", "Run the example primary/backup register through a 30-second fault schedule");
  demo_command->add_option("--seed", demo.seed, "Seed of the run");
  demo_command->add_option("--out", demo.out_dir, "Folder for run.json (and trace.jsonl)");
  demo_command->add_flag("--trace", demo.write_trace, "Also write every delivered event to trace.jsonl");
  demo_command->add_flag("--no-faults", demo.no_faults, "Run without the fault schedule");
  demo_command->add_flag("--mutation-primary-skips-fsync", demo.primary_skips_fsync,
                         "Deliberate bug: the primary never fsyncs (with power loss of the primary)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  try {
    if (*demo_command) return replsim::cli::run_demo(demo, std::cout);
  } catch (const replsim::InputError& error) {
    std::cerr << "replsim: " << error.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& error) {
    std::cerr << "replsim: " << error.what() << "\n";
    return 2;
  }
  return 2;
}
