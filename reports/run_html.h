// The report of one run, rendered from its run.json (never from the live
// run, so `replsim report DIR` rebuilds the same page).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace replsim::reports {

// One self-contained HTML page: verdicts, the anomaly in words and on a
// per-key timeline, latency percentiles per type and phase, latency over time
// with fault windows, throughput and unavailability, replica status and role
// timelines, a message-sequence diagram when the run recorded one.
std::string render_run_html(const nlohmann::json& run);

// The same, shortened to Markdown for terminals and pull-request comments.
std::string render_run_markdown(const nlohmann::json& run);

// Pieces of the run page the comparison view reuses: the latency-over-time
// chart, and the status timeline section.
std::string render_latency_chart(const nlohmann::json& run);
std::string render_status_timeline(const nlohmann::json& run);

// Operations drawn at most in the latency chart: every failed and
// indeterminate one, and acknowledged ones evenly thinned to this many.
inline constexpr size_t kLatencyPointsMax = 4000;

}  // namespace replsim::reports
