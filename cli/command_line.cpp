#include "cli/command_line.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "base/input_error.h"
#include "cli/check_command.h"
#include "cli/demo_command.h"
#include "cli/explore_command.h"
#include "cli/fuzz_command.h"
#include "cli/merge_command.h"
#include "cli/report_command.h"
#include "cli/run_command.h"
#include "cli/shrink_command.h"
#include "cli/protocols_command.h"
#include "cli/validate_command.h"

namespace replsim::cli {
namespace {

// `demo` runs the demo scenario its program provides (the project's
// replsim: the example register's); a program without one has no demo.
CLI::App* add_demo_command(CLI::App& app, DemoOptions& demo) {
  CLI::App* command =
      app.add_subcommand("demo", "Run the example primary/backup register through a 30-second fault schedule");
  command->add_option("--seed", demo.seed, "Seed of the run");
  command->add_option("--out", demo.out_dir, "Folder for run.json (and trace.jsonl)");
  command->add_flag("--trace", demo.write_trace, "Also write every delivered event to trace.jsonl");
  command->add_flag("--no-faults", demo.no_faults, "Run without the fault schedule");
  command->add_flag("--mutation-primary-skips-fsync", demo.primary_skips_fsync,
                    "Deliberate bug: the primary never fsyncs (with power loss of the primary)");
  return command;
}

}  // namespace

int run_command_line(int argc, char** argv, const DemoScenario& demo_scenario) {
  CLI::App app{"replsim: a deterministic simulator and model checker for replication protocols"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "replsim 0.1.0");

  replsim::cli::DemoOptions demo;
  CLI::App* demo_command = demo_scenario ? add_demo_command(app, demo) : nullptr;

  replsim::cli::CheckCommandOptions check;
  CLI::App* check_command = app.add_subcommand("check", "Check a history for linearizability");
  check_command->add_option("history", check.history_path, "History file (JSON, EDN or Jepsen etcd log)")->required();
  check_command->add_option("--model", check.model, "register, cas-register, multi-register, mutex or kv")
      ->capture_default_str();
  check_command->add_option("--format", check.format, "auto, json, edn or etcd-log")->capture_default_str();
  check_command->add_option("--init", check.initial, "Initial value as EDN (nil, 0, \"\")");
  check_command->add_option("--fail", check.fail_semantics,
                            "What :fail means: did-not-happen, or cas-returned-false (a failed cas happened)")
      ->capture_default_str();
  check_command->add_flag("--json", check.json, "Print the machine-readable result");
  check_command->add_flag("--all", check.all_partitions, "Check every partition even after an illegal one");
  check_command->add_flag("--no-fast-path", check.no_fast_path, "Always use the general search");
  check_command->add_option("--steps-max", check.steps_max, "Search steps per partition before it is unknown")
      ->capture_default_str();
  check_command->add_option("--memory-mb-max", check.memory_mb_max, "Memo memory per partition before it is unknown")
      ->capture_default_str();

  replsim::cli::RunOptions run;
  uint64_t run_seed = 0;
  CLI::App* run_command = app.add_subcommand("run", "Run a scenario file");
  run_command->add_option("file", run.file, "Scenario file")->required();
  CLI::Option* seed_option = run_command->add_option("--seed", run_seed, "Seed (default: the scenario's)");
  run_command->add_option("--out", run.out_dir, "Folder for run.json, history.edn (default out/<name>)");
  run_command->add_flag("--trace", run.write_trace, "Also write every delivered event to trace.jsonl");

  replsim::cli::FuzzOptions fuzz;
  CLI::App* fuzz_command = app.add_subcommand("fuzz", "Run a scenario's fault generator over many seeds");
  fuzz_command->add_option("file", fuzz.file, "Scenario file with a fault_generator")->required();
  fuzz_command->add_option("--seeds", fuzz.seeds, "Seed range A..B")->capture_default_str();
  fuzz_command->add_option("--jobs", fuzz.jobs, "Parallel runs (default: every core)");
  fuzz_command->add_option("--time-limit", fuzz.time_limit, "Start no new seed after this wall time (\"10m\")");
  fuzz_command->add_option("--shard", fuzz.shard, "K/N: run this machine's share of the seeds")->capture_default_str();
  fuzz_command->add_option("--out", fuzz.out_dir, "Folder for results.jsonl, campaign.json, junit.xml, failures/");
  fuzz_command->add_flag("--resume", fuzz.resume, "Skip the seeds already in results.jsonl");
  fuzz_command->add_option("--shrink-max", fuzz.shrink_max, "Shrink at most this many failures (default: all)");
  fuzz_command->add_option("--known", fuzz.known,
                           "A finding to report but not fail on, as a failure signature element (\"invariants "
                           "(S4)\"); a seed is known when every element of its signature is; repeat it for several");

  replsim::cli::ExploreCommandOptions explore;
  CLI::App* explore_command = app.add_subcommand("explore", "Search a scenario's runs for a violation (the model checker)");
  explore_command->add_option("file", explore.file, "Scenario file with workload.ops_max and no faults")->required();
  explore_command->add_option("--strategy", explore.search.strategy,
                              "bfs (shortest counterexample), dfs; random-walk, pct (sample paths) or swarm (many "
                              "small DFS searches): these claim nothing when they find nothing")
      ->capture_default_str();
  explore_command->add_option("--walks", explore.search.walks, "random-walk, pct: paths to sample; swarm: member searches")
      ->capture_default_str();
  explore_command->add_option("--pct-depth", explore.search.pct_depth, "pct: the bug depth d aimed at")
      ->capture_default_str();
  explore_command->add_option("--member-states-max", explore.search.member_states_max,
                              "swarm: distinct states each member searches")
      ->capture_default_str();
  explore_command->add_option("--shard", explore.shard, "K/N: this process's share of the walks or members")
      ->capture_default_str();
  explore_command->add_option("--jobs", explore.search.jobs,
                              "bfs, swarm, random-walk, pct: threads (default: every core), the same result for any; dfs: "
                              "one thread unless above 1, a complete search's states the same (EXPLORER.md)");
  explore_command->add_option("--depth-max", explore.search.depth_max,
                              "Transitions (steps and faults) along a path (default 200; random-walk, pct: 1000000)");
  explore_command->add_option("--faults-max", explore.search.faults_max, "Faults along a path (restarts are free)")
      ->capture_default_str();
  explore_command->add_option("--fault-types", explore.fault_types,
                              "crash,powerloss,pause,isolate (default: the scenario's fault_generator families)");
  explore_command->add_option("--fault-nodes", explore.fault_nodes,
                              "s1,s2: the servers the search's crashes, power losses, pauses and partitions hit "
                              "(default: every server); swarm members keep them all");
  explore_command->add_option("--states-max", explore.search.states_max, "Distinct states before stopping")
      ->capture_default_str();
  explore_command->add_option("--memory-mb-max", explore.search.memory_mb_max, "Resident memory before stopping")
      ->capture_default_str();
  explore_command->add_option("--time-limit", explore.time_limit, "Stop after this wall time (\"10m\"): undecided");
  explore_command->add_option("--delay-cap", explore.delay_cap, "Highest delay explored (default 50ms)");
  explore_command->add_option("--from", explore.from,
                              "Hybrid search: the simulator's own choices up to this virtual time, every answer after");
  explore_command->add_option("--from-when", explore.from_when,
                              "Hybrid search from a protocol event, as a fault's \"when\": '{\"node\":\"s2\",\"enters\":STATUS}'");
  explore_command->add_option("--shrink-runs-max", explore.search.shrink_runs_max,
                              "Candidate paths tried when shrinking the counterexample (0: not shrunk)")
      ->capture_default_str();
  explore_command->add_option("--counterexamples", explore.search.counterexamples,
                              "random-walk, pct: sample on past the first violation until this many paths have one, "
                              "shrink each, report the one with the fewest events")
      ->capture_default_str();
  explore_command->add_option("--known", explore.search.known,
                              "A violation to search past, as its signature element in explore.json (\"invariants "
                              "(S4)\"); repeat it for several. Counted in known_violations, not reported");
  explore_command->add_option("--baseline", explore.baseline,
                              "The scenario before a change (it may differ only in protocol options): a violation "
                              "stands only when this one, given the same answers, does not break the same things");
  explore_command->add_option("--pick-max", explore.search.settings.pick_max, "Values explored of a wider draw")
      ->capture_default_str();
  explore_command->add_option("--fixed-kinds", explore.fixed_kinds,
                              "Question kinds answered by their first option, never branched on (\"next_event,"
                              "message_delay\"); swarm members fix more of their own");
  explore_command->add_option("--symmetry", explore.search.symmetry,
                              "on: merge states that are images of each other under permutations of the servers "
                              "the protocol declares interchangeable; count: merge none, count the orbits")
      ->capture_default_str();
  explore_command->add_option("--por", explore.search.por,
                              "sleep: partial-order reduction by sleep sets (DFS): the same states, fewer transitions")
      ->capture_default_str();
  explore_command->add_option("--out", explore.search.out_dir, "Folder for explore.json and a counterexample");
  explore_command->add_flag("--self-check", explore.self_check,
                            "Instead of searching: check that the protocol's copies, equality and fingerprints agree");
  explore_command->add_option("--self-check-steps", explore.self_check_steps, "Steps of the self-check's walk")
      ->capture_default_str();

  replsim::cli::ShrinkOptions shrink;
  uint64_t shrink_seed = 0;
  CLI::App* shrink_command = app.add_subcommand("shrink", "Shrink a failing scenario to a minimal one");
  shrink_command->add_option("file", shrink.file, "A failing scenario file")->required();
  CLI::Option* shrink_seed_option = shrink_command->add_option("--seed", shrink_seed, "Seed (default: the scenario's)");
  shrink_command->add_option("--out", shrink.out_file, "Where to write it (default FILE.shrunk.json)");

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  CLI::App* merge_command =
      app.add_subcommand("merge", "Join the shards of a fuzz campaign or of a random-walk, pct or swarm search");
  merge_command->add_option("dirs", merge_dirs, "Shard folders (each with results.jsonl, or explore.json)")->required();
  merge_command->add_option("--out", merge_out, "Folder for the merged results")->required();

  replsim::cli::ReportOptions report;
  CLI::App* report_command = app.add_subcommand(
      "report", "Rebuild the HTML report of a run or campaign folder, print it as Markdown, or compare two folders");
  report_command->add_option("dirs", report.dirs, "A folder from replsim run or fuzz; a second one to compare with")
      ->required()
      ->expected(1, 2);
  report_command->add_option("--format", report.format, "html (written to a file) or md (printed)")->capture_default_str();
  report_command->add_option("--out", report.out_file, "The HTML file (default DIR/report.html, DIR/compare.html)");

  std::vector<std::string> validate_files;
  CLI::App* validate_command = app.add_subcommand("validate", "Check scenario files without running them");
  validate_command->add_option("files", validate_files, "Scenario files")->required();

  bool protocols_json = false;
  CLI::App* protocols_command =
      app.add_subcommand("protocols", "List the protocols scenario files can name, with their roles, statuses and checks");
  protocols_command->add_flag("--json", protocols_json, "Print each protocol's vocabulary as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  try {
    if (demo_command != nullptr && *demo_command) return replsim::cli::run_demo(demo, demo_scenario, std::cout);
    if (*check_command) return replsim::cli::run_check(check, std::cout);
    if (*run_command) {
      if (*seed_option) run.seed = run_seed;
      return replsim::cli::run_run(run, std::cout);
    }
    if (*fuzz_command) return replsim::cli::run_fuzz(fuzz, std::cout);
    if (*explore_command) return replsim::cli::run_explore(explore, std::cout, std::cerr);
    if (*shrink_command) {
      if (*shrink_seed_option) shrink.seed = shrink_seed;
      return replsim::cli::run_shrink(shrink, std::cout);
    }
    if (*merge_command) return replsim::cli::run_merge(merge_dirs, merge_out, std::cout);
    if (*report_command) return replsim::cli::run_report(report, std::cout);
    if (*validate_command) return replsim::cli::run_validate(validate_files, std::cout, std::cerr);
    if (*protocols_command) return replsim::cli::run_protocols(protocols_json, std::cout);
  } catch (const replsim::InputError& error) {
    std::cerr << "replsim: " << error.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& error) {
    std::cerr << "replsim: " << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    // Not bad input, but still a message rather than a crash.
    std::cerr << "replsim: internal error: " << error.what() << "\n";
    return 2;
  }
  return 2;
}

}  // namespace replsim::cli
