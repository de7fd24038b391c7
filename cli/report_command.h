// `replsim report DIR [DIR2]`: rebuilds a run's or a campaign's HTML page
// from what the folder holds (run.json, or campaign.json and results.jsonl),
// prints it as Markdown, or compares two folders side by side.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace replsim::cli {

struct ReportOptions {
  std::vector<std::string> dirs;  // one, or two to compare
  std::string format = "html";    // html or md
  std::string out_file;           // html: default DIR/report.html, or DIR/compare.html for two
};

int run_report(const ReportOptions& options, std::ostream& out);

// Writes DIR/report.html for the run.json document `run`; returns its path.
std::filesystem::path write_run_report(const std::filesystem::path& dir, const nlohmann::json& run);
// Writes DIR/report.html for the campaign in DIR; returns its path.
std::filesystem::path write_campaign_report(const std::filesystem::path& dir);

}  // namespace replsim::cli
