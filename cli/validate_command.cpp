#include "cli/validate_command.h"

#include <fmt/format.h>

#include "base/input_error.h"
#include "harness/scenario.h"

namespace replsim::cli {

int run_validate(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int invalid = 0;
  for (const std::string& file : files) {
    try {
      const harness::Scenario s = harness::load_scenario_file(file);
      out << fmt::format("{}: valid ({}, protocol {}, {} servers, {} faults{}, {} checks, expect {})\n", file, s.name,
                         s.protocol, s.cluster.servers, s.faults.size(), s.fault_generator ? " + generator" : "",
                         s.checks.size(), s.expect.verdict);
    } catch (const InputError& error) {
      err << "replsim: " << error.what() << "\n";
      ++invalid;
    }
  }
  return invalid == 0 ? 0 : 2;
}

}  // namespace replsim::cli
