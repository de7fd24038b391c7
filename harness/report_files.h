// What runs and campaigns leave in their folders, and the pages rebuilt from
// it: `run_into_folder` runs a scenario and writes run.json, report.html,
// history.edn (and trace.jsonl); `report_folders` rebuilds a run's or a
// campaign's page, prints it as Markdown, or compares two folders.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "harness/runner.h"

namespace replsim::harness {

// Runs `scenario` with `seed` into `dir` (created): run.json, report.html,
// history.edn, and trace.jsonl when `write_trace`. A short failing run is
// replayed (it must reproduce the trace hash) to record the messages around
// its anomaly for the page's sequence diagram.
ScenarioRun run_into_folder(const Scenario& scenario, uint64_t seed, const std::filesystem::path& dir, bool write_trace);

// Writes DIR/report.html for the run.json document `run`; returns its path.
std::filesystem::path write_run_report(const std::filesystem::path& dir, const nlohmann::json& run);
// Writes DIR/report.html for the campaign in DIR; returns its path.
std::filesystem::path write_campaign_report(const std::filesystem::path& dir);

struct ReportOptions {
  std::vector<std::string> dirs;  // one, or two to compare
  std::string format = "html";    // html or md
  std::string out_file;           // html: default DIR/report.html, or DIR/compare.html for two
};
// Rebuilds the page of one folder (a run's or a campaign's), prints it as
// Markdown, or compares two folders of the same kind; InputError for
// anything else.
int report_folders(const ReportOptions& options, std::ostream& out);

}  // namespace replsim::harness
