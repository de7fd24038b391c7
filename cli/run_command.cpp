#include "cli/run_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "harness/fault_generator.h"
#include "harness/report_files.h"

namespace replsim::cli {

using harness::AppliedFault;
using harness::CheckOutcome;
using harness::CheckVerdict;
using harness::Scenario;
using harness::ScenarioRun;

void print_run_summary(const Scenario& scenario, uint64_t seed, const ScenarioRun& run,
                       const std::filesystem::path& dir, std::ostream& out) {
  out << fmt::format("replsim run: {} ({}), seed {}, {} of virtual time\n", scenario.name, scenario.protocol, seed,
                     format_duration(scenario.duration));
  size_t skipped = 0;
  for (const AppliedFault& f : run.faults) skipped += f.fault ? 0 : 1;
  out << fmt::format("  faults     {} applied, {} skipped\n", run.faults.size() - skipped, skipped);
  out << fmt::format("  events     {}\n", run.world.stats().steps);
  if (run.converged_at) {
    out << fmt::format("  settled    {} after the last fault\n",
                       format_duration(*run.converged_at - run.last_fault_at.value_or(TimePoint::origin())));
  }
  if (!run.relapses.empty()) {
    const auto& [from, to] = run.relapses.front();
    out << fmt::format("  relapsed   {} time(s) with no new fault, first at {} for {}\n", run.relapses.size(),
                       format_duration(from.since_origin()), format_duration(to - from));
  }
  for (const CheckOutcome& c : run.checks) {
    const char* verdict = c.verdict == CheckVerdict::kPass ? "pass" : c.verdict == CheckVerdict::kFail ? "FAIL" : "UNDECIDED";
    out << fmt::format("  {:<22} {}\n", c.name, verdict);
    for (size_t i = 0; i < c.details.size() && i < 3; ++i) out << "      " << c.details[i] << "\n";
    if (c.details.size() > 3) out << fmt::format("      ... and {} more in run.json\n", c.details.size() - 3);
  }
  for (const std::string& w : run.warnings) out << "  warning: " << w << "\n";
  out << fmt::format("  verdict    {} (expected {}{}){}\n", run.verdict, scenario.expect.verdict,
                     scenario.expect.check.empty() ? "" : ", failing " + scenario.expect.check,
                     run.as_expected ? "" : harness::exit_code(run) == 3 ? ": UNDECIDED" : ": UNEXPECTED");
  out << fmt::format("  trace hash {:016x}\n", run.world.trace_hash());
  out << fmt::format("  report     {} and {}\n", (dir / "run.json").string(), (dir / "report.html").string());
}

int run_run(const RunOptions& options, std::ostream& out) {
  namespace fs = std::filesystem;
  const Scenario loaded = harness::load_scenario_file(options.file);
  const uint64_t seed = options.seed.value_or(loaded.seed);
  // A generated schedule becomes explicit faults, so run.json lists them.
  const Scenario scenario = harness::with_drawn_faults(loaded, seed);
  const fs::path dir = options.out_dir.empty() ? fs::path("out") / scenario.name : fs::path(options.out_dir);
  const ScenarioRun run = harness::run_into_folder(scenario, seed, dir, options.write_trace);
  print_run_summary(scenario, seed, run, dir, out);
  return harness::exit_code(run);
}

}  // namespace replsim::cli
