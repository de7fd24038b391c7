#include "reports/page.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace replsim::reports {

std::string html_page(const std::string& title, const std::string& body) {
  // Colours keep to a palette that survives grey-scale printing reasonably.
  static const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:4px 16px 12px;margin:14px 0}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.undecided{color:#8a5a00;font-weight:600}
.badge.pass{background:#1a7f37;color:#fff}.badge.fail{background:#c62828;color:#fff}.badge.undecided{background:#b26a00;color:#fff}
.muted{color:#666}.small{font-size:12px}
svg.chart{display:block;margin:8px 0;background:#fff;max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border:1px solid #999}
ol.linearization li{margin:1px 0}
code{background:#f3f3f3;padding:0 3px;border-radius:3px}
)";
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>" +
         escape(title) + "</title><style>" + kStyle + "</style></head><body><main>\n" + body +
         "\n</main></body></html>\n";
}

std::string format_ms(double ms) {
  if (ms >= 10'000) return fmt::format("{:.1f} s", ms / 1000);
  if (ms >= 1'000) return fmt::format("{:.2f} s", ms / 1000);
  if (ms >= 10) return fmt::format("{:.1f} ms", ms);
  return fmt::format("{:.2f} ms", ms);
}

std::string format_at(int64_t ns) { return fmt::format("{:.3f}s", static_cast<double>(ns) / 1e9); }

std::string number_or_dash(const nlohmann::json& value, int decimals) {
  if (!value.is_number()) return "–";
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return fmt::format("{:.{}f}", value.get<double>(), decimals);
}

double TimeScale::x(int64_t ns) const {
  const double span = static_cast<double>(std::max<int64_t>(end_ns, 1));
  return x0 + width * static_cast<double>(std::clamp<int64_t>(ns, 0, end_ns)) / span;
}

void TimeScale::axis(Svg& svg, double y, double grid_top) const {
  const double seconds = static_cast<double>(end_ns) / 1e9;
  double step = 1;
  for (double candidate : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0}) {
    step = candidate;
    if (seconds / candidate <= 12) break;
  }
  svg.line(x0, y, x0 + width, y, "#888");
  for (int k = 0; k * step <= seconds + 1e-9 && k <= 200; ++k) {
    const double xs = x(static_cast<int64_t>(k * step * 1e9));
    svg.line(xs, grid_top, xs, y, "#eee");
    svg.line(xs, y, xs, y + 4, "#888");
    svg.text(xs, y + 15, step < 1 ? fmt::format("{:.1f}s", k * step) : fmt::format("{:.0f}s", k * step), "middle", 10,
             "#555");
  }
}

std::string verdict_class(const std::string& verdict) {
  if (verdict == "pass" || verdict == "undecided") return verdict;
  return "fail";
}

std::string verdict_badge(const std::string& verdict_class) {
  if (verdict_class == "pass") return "PASS";
  if (verdict_class == "undecided") return "UNDECIDED";
  return "FAIL";
}

std::string status_colour(const std::string& status, const nlohmann::json& vocabulary) {
  static const char* kPalette[] = {"#90a4ae", "#8e24aa", "#e53935", "#ffb300", "#9ccc65", "#2e7d32",
                                   "#00838f", "#6a1b9a", "#ef6c00", "#1565c0"};
  const nlohmann::json& statuses = vocabulary.value("statuses", nlohmann::json::array());
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i].value("name", "") != status) continue;
    const std::string colour = statuses[i].value("colour", "");
    return colour.empty() ? kPalette[i % std::size(kPalette)] : colour;
  }
  static const std::map<std::string, std::string> platform = {
      {"down", "#263238"},    {"halted", "#6d1b1b"}, {"up", "#2e7d32"},       {"startup", "#cfd8dc"},
      {"steady", "#c8e6c9"},  {"failover", "#ffcdd2"}, {"recovery", "#ffe0b2"}};
  const auto it = platform.find(status);
  return it == platform.end() ? "#b0bec5" : it->second;
}

std::string node_colour(const std::string& node) {
  static const char* kPalette[] = {"#1565c0", "#6a1b9a", "#00838f", "#ef6c00",
                                   "#4e342e", "#ad1457", "#558b2f", "#283593"};
  size_t number = 0;
  for (char c : node) {
    if (c >= '0' && c <= '9') number = number * 10 + static_cast<size_t>(c - '0');
  }
  return kPalette[number % 8];
}

std::string describe_operation(const nlohmann::json& op) {
  const std::string f = op.value("f", "");
  const std::string key = op.value("key", "");
  const std::string outcome = op.value("outcome", "");
  std::string text = f == "write"      ? fmt::format("write {} to key {}", op.value("value", ""), key)
                     : outcome == "ok" ? fmt::format("read of key {} returned {}", key, op.value("output", ""))
                                       : fmt::format("read of key {}", key);
  text += fmt::format(" (process {}, invoked at {}", op.value("process", int64_t{0}),
                      format_at(op.value("invoke_ns", int64_t{0})));
  if (op.contains("complete_ns") && op["complete_ns"].is_number()) {
    text += fmt::format(", {} at {})", outcome, format_at(op["complete_ns"].get<int64_t>()));
  } else {
    text += ", never answered)";
  }
  return text;
}

}  // namespace replsim::reports
