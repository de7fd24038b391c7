#include "cli/demo_command.h"

#include <fmt/format.h>

#include "base/input_error.h"
#include "cli/run_command.h"
#include "harness/report_files.h"
#include "harness/scenario.h"

namespace replsim::cli {

int run_demo(const DemoOptions& options, const DemoScenario& demo_scenario, std::ostream& out) {
  if (!demo_scenario) {
    throw InputError("demo", "a build of replsim with a demo scenario", "none in this build");
  }
  const harness::Scenario scenario =
      harness::parse_scenario(demo_scenario(options.seed, !options.no_faults, options.primary_skips_fsync), "demo");
  const harness::ScenarioRun run = harness::run_into_folder(scenario, options.seed, options.out_dir, options.write_trace);
  out << "replsim demo: " << scenario.description << "\n";
  print_run_summary(scenario, options.seed, run, options.out_dir, out);
  return harness::exit_code(run);
}

}  // namespace replsim::cli
