// Campaign reports (a fuzz campaign's campaign.json and results.jsonl) and
// the comparison of two runs or two campaigns side by side.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace replsim::reports {

// A campaign as the renderers read it: {"campaign": campaign.json,
// "results": [each line of results.jsonl]}.
struct Campaign {
  nlohmann::json summary;
  std::vector<nlohmann::json> results;
  // Where the page is written: failure files are linked relative to it.
  std::string folder;
};

// Distributions across seeds: failover_ms and replica_recovery_ms (every
// window of every seed), unavailable_ms (total per seed), latency p99 under
// faults and overall (one per seed); each a reports::distribution.
nlohmann::json campaign_figures(const Campaign& campaign);

// Seeds run, failures with links to their scenario files (relative to the
// campaign folder, where the page is written), fault and transition
// coverage, the distributions as tables and histograms.
std::string render_campaign_html(const Campaign& campaign);
std::string render_campaign_markdown(const Campaign& campaign);

// Two runs (run.json documents) or two campaigns side by side: their key
// figures in one table with the differences, and their charts in two columns.
std::string render_compare_runs_html(const nlohmann::json& a, const std::string& label_a, const nlohmann::json& b,
                                     const std::string& label_b);
std::string render_compare_campaigns_html(const Campaign& a, const std::string& label_a, const Campaign& b,
                                          const std::string& label_b);

}  // namespace replsim::reports
