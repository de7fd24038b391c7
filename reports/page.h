// Pieces every report page shares: the page frame with its inline style
// sheet, number formats, the time axis, status colours. Internal to reports/.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "reports/svg.h"

namespace replsim::reports {

// A complete HTML document: no scripts, no external resources.
std::string html_page(const std::string& title, const std::string& body);

// "12.5 ms", "3.2 s" for a duration in milliseconds.
std::string format_ms(double ms);
// Seconds since the start of the run, "12.345s".
std::string format_at(int64_t ns);
// A table cell value for a number that may be missing in the JSON.
std::string number_or_dash(const nlohmann::json& value, int decimals = 1);

// Maps virtual time [0, end_ns] onto [x0, x0 + width] and draws its axis.
struct TimeScale {
  double x0 = 0;
  double width = 0;
  int64_t end_ns = 1;
  double x(int64_t ns) const;
  // Ticks and labels along y = `y`, grid lines from `grid_top` down to `y`.
  void axis(Svg& svg, double y, double grid_top) const;
};

// The CSS class of a verdict ("pass", "fail", "undecided"); anything else
// is shown as a failure, never as a pass.
std::string verdict_class(const std::string& verdict);
// "PASS", "FAIL", "UNDECIDED" for a verdict class.
std::string verdict_badge(const std::string& verdict_class);

// Fill colour of a replica status band: the protocol's own colour for its
// statuses (run.json's "vocabulary"; a default palette by position where it
// gives none), the platform's for "up", "down", "halted" and the phases.
std::string status_colour(const std::string& status, const nlohmann::json& vocabulary);
// A stable colour per node name (s1, s2, ...), for role terms.
std::string node_colour(const std::string& node);

// "write 3 to key 2", "read of key 2 returned 3" for an operation of run.json.
std::string describe_operation(const nlohmann::json& op);

}  // namespace replsim::reports
