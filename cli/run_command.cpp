#include "cli/run_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "checker/history_io.h"
#include "cli/fault_generator.h"
#include "cli/protocols.h"
#include "cli/report_command.h"
#include "cli/scenario_run.h"
#include "sim/input_error.h"

namespace replsim::cli {

int run_run(const RunOptions& options, std::ostream& out) {
  namespace fs = std::filesystem;
  const Scenario loaded = load_scenario_file(options.file, protocol_catalog());
  const uint64_t seed = options.seed.value_or(loaded.seed);
  // A generated schedule becomes explicit faults, so run.json lists them.
  const Scenario scenario = with_drawn_faults(loaded, seed);
  const auto adapter = make_adapter(scenario.protocol);
  if (adapter == nullptr) {
    throw InputError(options.file + ":/protocol/name", "a protocol that can run (example-register)",
                     "\"" + scenario.protocol + "\", whose model is not built yet (it validates, but cannot run)");
  }
  const fs::path dir = options.out_dir.empty() ? fs::path("out") / scenario.name : fs::path(options.out_dir);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw InputError("--out", "a folder that can be created", "\"" + dir.string() + "\": " + error.message());

  std::ofstream trace_file;
  std::unique_ptr<TraceWriter> trace;
  if (options.write_trace) {
    trace_file.open(dir / "trace.jsonl");
    trace = std::make_unique<TraceWriter>(trace_file);
  }
  ScenarioRun run = run_scenario(scenario, seed, *adapter, trace.get());
  // A short failing run is replayed (deterministically: the same trace) to
  // record the messages around its anomaly for the sequence diagram.
  if (const std::optional<MessageWindow> window = anomaly_window(run)) {
    ScenarioRun replay = run_scenario(scenario, seed, *adapter, nullptr, &*window);
    if (replay.world.trace_hash() != run.world.trace_hash()) {
      throw std::logic_error("the replay of a run for its message diagram diverged: determinism is broken");
    }
    run.messages = std::move(replay.messages);
  }
  const nlohmann::json report = scenario_run_to_json(scenario, seed, run);
  std::ofstream(dir / "run.json") << report.dump(2) << "\n";
  const fs::path page = write_run_report(dir, report);
  std::ofstream history(dir / "history.edn");
  checker::write_edn_history(run.history, history);

  out << fmt::format("replsim run: {} ({}), seed {}, {} of virtual time\n", scenario.name, scenario.protocol, seed,
                     format_duration(scenario.duration));
  size_t skipped = 0;
  for (const AppliedFault& f : run.faults) skipped += f.fault.contains("skipped") ? 1 : 0;
  out << fmt::format("  faults     {} applied, {} skipped\n", run.faults.size() - skipped, skipped);
  out << fmt::format("  events     {}\n", run.world.stats().steps);
  if (run.converged_at) {
    out << fmt::format("  settled    {} after the last fault\n",
                       format_duration(*run.converged_at - run.last_fault_at.value_or(TimePoint::origin())));
  }
  for (const CheckOutcome& c : run.checks) {
    out << fmt::format("  {:<22} {}\n", c.name, c.verdict == CheckVerdict::kPass ? "pass" : c.verdict == CheckVerdict::kFail ? "FAIL" : "UNDECIDED");
    for (size_t i = 0; i < c.details.size() && i < 3; ++i) out << "      " << c.details[i] << "\n";
    if (c.details.size() > 3) out << fmt::format("      ... and {} more in run.json\n", c.details.size() - 3);
  }
  for (const std::string& w : run.warnings) out << "  warning: " << w << "\n";
  out << fmt::format("  verdict    {} (expected {}{}){}\n", run.verdict, scenario.expect.verdict,
                     scenario.expect.check.empty() ? "" : ", failing " + scenario.expect.check,
                     run.as_expected ? "" : exit_code(run) == 3 ? ": UNDECIDED" : ": UNEXPECTED");
  out << fmt::format("  report     {} and {}\n", (dir / "run.json").string(), page.string());
  return exit_code(run);
}

}  // namespace replsim::cli
