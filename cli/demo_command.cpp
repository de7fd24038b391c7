#include "cli/demo_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "checker/history_io.h"
#include "checker/linearizability.h"
#include "cli/protocol_adapter.h"
#include "model/example/register_run.h"
#include "sim/input_error.h"

namespace replsim::cli {
namespace {

nlohmann::json stats_to_json(const WorldStats& s) {
  return {{"steps", s.steps},
          {"messages_sent", s.messages_sent},
          {"messages_delivered", s.messages_delivered},
          {"messages_lost", s.messages_lost},
          {"messages_partitioned", s.messages_partitioned},
          {"messages_to_down_node", s.messages_to_down_node},
          {"messages_duplicated", s.messages_duplicated},
          {"messages_reordered", s.messages_reordered},
          {"timers_fired", s.timers_fired},
          {"disk_ops", s.disk_ops},
          {"faults_applied", s.faults_applied}};
}

}  // namespace

int run_demo(const DemoOptions& options, std::ostream& out) {
  namespace fs = std::filesystem;
  using example::RegisterRun;
  example::RegisterSystemConfig config;
  config.client.think_time = Duration::ms(5);
  config.server.primary_skips_fsync = options.primary_skips_fsync;
  const Duration clients_stop = Duration::s(27);
  const Duration duration = Duration::s(30);

  std::vector<example::ScheduledFault> faults;
  if (!options.no_faults) {
    faults = example::register_demo_faults(example::make_register_world(config, options.seed));
    if (options.primary_skips_fsync) {
      faults.push_back({TimePoint::origin() + Duration::ms(12'000), PowerLossFault{NodeId{0}}});
      faults.push_back({TimePoint::origin() + Duration::ms(12'500), RestartFault{NodeId{0}}});
    }
  }

  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error) throw InputError("--out", "a folder that can be created", "\"" + options.out_dir + "\": " + error.message());
  const fs::path dir(options.out_dir);

  std::ofstream trace_file;
  std::unique_ptr<TraceWriter> trace;
  if (options.write_trace) {
    trace_file.open(dir / "trace.jsonl");
    trace = std::make_unique<TraceWriter>(trace_file);
  }
  // The client history comes through the protocol's adapter, as in `run`.
  const auto adapter = make_adapter("example-register");
  std::vector<checker::HistoryEvent> history;
  const RegisterRun run = example::run_register(
      config, options.seed, clients_stop, duration, faults, trace.get(),
      [&](const World& world, const StepRecord& step) { adapter->collect_history(world, step, history); });
  std::ofstream history_file(dir / "history.edn");
  checker::write_edn_history(history, history_file);
  const checker::CheckResult linearizability = checker::check_history(history, adapter->history_model());
  std::vector<std::string> violations = run.violations;
  for (const checker::PartitionResult& p : linearizability.partitions) {
    if (p.verdict == checker::Verdict::kNotLinearizable) {
      violations.push_back("linearizable: key " + p.key + ": " + p.explanation);
    }
  }
  // A violation fails the run; otherwise a linearizability search out of
  // budget leaves it undecided (exit 3), never passed.
  const bool failed = !violations.empty() || !run.converged;
  const std::string verdict = failed                                                     ? "fail"
                              : linearizability.verdict == checker::Verdict::kUnknown ? "undecided"
                                                                                       : "pass";

  nlohmann::json faults_json = nlohmann::json::array();
  for (const auto& f : faults) {
    nlohmann::json j = fault_to_json(f.fault, run.world.config().node_names);
    j["at"] = format_duration(f.at.since_origin());
    faults_json.push_back(std::move(j));
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (uint32_t i = 0; i < run.world.node_count(); ++i) {
    const NodeId id{i};
    const Actor* actor = run.world.actor(id);
    nodes.push_back({{"name", run.world.node_name(id)},
                     {"status", to_string(run.world.node_status(id))},
                     {"state", actor != nullptr ? actor->describe() : nlohmann::json()}});
  }
  const auto& h = run.history;
  const nlohmann::json report = {
      {"tool", "replsim"},
      {"scenario", "example-register-demo"},
      {"seed", options.seed},
      {"duration", format_duration(duration)},
      {"verdict", verdict},
      {"violations", violations},
      {"linearizability", checker::to_string(linearizability.verdict)},
      {"converged", run.converged},
      {"trace_hash", fmt::format("{:016x}", run.world.trace_hash())},
      {"ops",
       {{"writes_ok", h.count("ok", true)},
        {"writes_indeterminate", h.count("info", true)},
        {"reads_ok", h.count("ok", false)},
        {"reads_indeterminate", h.count("info", false)}}},
      {"stats", stats_to_json(run.world.stats())},
      {"nodes", nodes},
      {"faults", faults_json}};
  std::ofstream(dir / "run.json") << report.dump(2) << "\n";

  out << fmt::format("replsim demo: example primary/backup register, seed {}, {} of virtual time\n", options.seed,
                     format_duration(duration));
  out << fmt::format("  faults applied  {}\n", run.world.stats().faults_applied);
  out << fmt::format("  events          {}\n", run.world.stats().steps);
  out << fmt::format("  writes          {} acknowledged, {} indeterminate\n", h.count("ok", true), h.count("info", true));
  out << fmt::format("  reads           {} ok, {} indeterminate\n", h.count("ok", false), h.count("info", false));
  out << fmt::format("  converged       {}\n", run.converged ? "yes" : "no");
  out << fmt::format("  linearizable    {}\n", checker::to_string(linearizability.verdict));
  constexpr size_t kViolationsShown = 10;
  for (size_t i = 0; i < violations.size() && i < kViolationsShown; ++i) out << "  VIOLATION       " << violations[i] << "\n";
  if (violations.size() > kViolationsShown) {
    out << fmt::format("  ... and {} more violations in run.json\n", violations.size() - kViolationsShown);
  }
  out << fmt::format("  verdict         {}\n", verdict == "pass" ? "pass" : verdict == "fail" ? "FAIL" : "UNDECIDED");
  out << fmt::format("  trace hash      {:016x}\n", run.world.trace_hash());
  out << fmt::format("  report          {}\n", (dir / "run.json").string());
  out << fmt::format("  history         {} (EDN, for Jepsen tools and replsim check)\n", (dir / "history.edn").string());
  if (options.write_trace) out << fmt::format("  trace           {}\n", (dir / "trace.jsonl").string());
  return verdict == "pass" ? 0 : verdict == "fail" ? 1 : 3;
}

}  // namespace replsim::cli
