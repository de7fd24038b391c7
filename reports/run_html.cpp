#include "reports/run_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "reports/page.h"
#include "reports/svg.h"

namespace replsim::reports {
namespace {

using Json = nlohmann::json;

constexpr double kChartWidth = 1000;
constexpr double kLeft = 110;  // room for lane labels
constexpr double kRight = 20;
const char* const kPhases[] = {"all", "steady", "startup", "failover", "recovery"};
const char* const kPercentiles[] = {"p50", "p90", "p99", "p99.9", "max"};

TimeScale time_scale(const Json& run) {
  return TimeScale{kLeft, kChartWidth - kLeft - kRight, std::max<int64_t>(run["duration_ns"].get<int64_t>(), 1)};
}

// Fault windows shaded grey and unavailability windows red, between y0 and y1.
void shade_windows(Svg& svg, const Json& run, const TimeScale& ts, double y0, double y1) {
  for (const Json& w : run["fault_windows"]) {
    const int64_t from = w["from_ns"], to = w["to_ns"];
    if (w["instant"].get<bool>()) {
      svg.line(ts.x(from), y0, ts.x(from), y1, "#9e9e9e", 1, "3,3");
    } else {
      svg.rect(ts.x(from), y0, ts.x(to) - ts.x(from), y1 - y0, "#9e9e9e",
               fmt::format("{}: {} to {}", w["label"].get<std::string>(), format_at(from), format_at(to)), 0.18);
    }
    svg.text(ts.x(from) + 2, y0 + 10, w["label"], "start", 9, "#616161");
  }
  for (const Json& w : run["availability"]["unavailability_windows"]) {
    const int64_t from = w["from_ns"], to = w["to_ns"];
    svg.rect(ts.x(from), y0, ts.x(to) - ts.x(from), y1 - y0, "#e53935",
             fmt::format("unavailable ({}): {} to {}, {}", w["role"].get<std::string>(), format_at(from), format_at(to),
                         format_ms(w["unavailable_ms"])),
             0.15);
  }
}

// When the cluster first settled after the last fault, and whether it came
// apart again with no new fault (run.json's relapses): a settling that did
// not hold is said, not hidden behind its first instant.
std::string settled_text(const Json& run) {
  std::string text = "at " + escape(run.value("converged_at", "")) + " (the last fault at " +
                     escape(run.value("last_fault_at", "")) + ")";
  const Json& relapses = run.value("relapses", Json::array());
  if (relapses.empty()) return text;
  const Json& first = relapses[0];
  return text + fmt::format("; <b>unhealthy again with no new fault {} time(s)</b>, first at {} for {}", relapses.size(),
                            format_at(first["from_ns"]),
                            format_ms(static_cast<double>(first["to_ns"].get<int64_t>() - first["from_ns"].get<int64_t>()) / 1e6));
}

std::string header_section(const Json& run) {
  const std::string verdict = verdict_class(run.value("verdict", ""));
  std::string html = fmt::format("<section id=\"summary\"><h1>{} <span class=\"badge {}\">{}</span></h1>",
                                 escape(run.value("scenario", "")), verdict, verdict_badge(verdict));
  const Json& config = run.value("configuration", Json::object());
  if (!config.value("description", "").empty()) html += "<p>" + escape(config["description"]) + "</p>";
  html += "<table class=\"meta\">";
  const auto row = [&](const std::string& name, const std::string& value) {
    html += "<tr><th>" + escape(name) + "</th><td>" + value + "</td></tr>";
  };
  row("protocol", escape(run.value("protocol", "")));
  row("seed", std::to_string(run.value("seed", uint64_t{0})));
  row("virtual time", escape(run.value("duration", "")));
  row("verdict", fmt::format("<span class=\"{}\">{}</span> (expected {}{})", verdict,
                             escape(run.value("verdict", "")), escape(run.value("expected", "")),
                             run.value("as_expected", true) ? ", as expected" : ": <b>not as expected</b>"));
  if (config.contains("cluster")) {
    row("cluster", fmt::format("{} servers, {} data groups, {} replicas", config["cluster"]["servers"].get<int>(),
                               config["cluster"]["data_groups"].get<int>(), config["cluster"]["replicas"].get<int>()));
    const Json& w = config["workload"];
    row("workload", fmt::format("{} clients, {} keys, {} ops/s, {:.0f}% reads, timeout {}", w["clients"].get<int>(),
                                w["keys"].get<int>(), w["rate"].get<double>(), 100 * w["read"].get<double>(),
                                escape(w["timeout"])));
    if (!config["protocol_options"].empty())
      row("protocol options", "<code>" + escape(config["protocol_options"].dump()) + "</code>");
  }
  const Json& ops = run.value("ops", Json::object());
  row("operations", fmt::format("{} invoked, {} acknowledged, {} indeterminate", ops.value("invoked", 0),
                                ops.value("acknowledged", 0), ops.value("indeterminate", 0)));
  if (run.contains("converged_at") && run.contains("last_fault_at")) row("settled", settled_text(run));
  row("events", std::to_string(run["stats"].value("steps", uint64_t{0})));
  row("trace hash", "<code>" + escape(run.value("trace_hash", "")) + "</code>");
  row("scenario file", escape(run.value("file", "")));
  return html + "</table></section>\n";
}

std::string verdicts_section(const Json& run) {
  std::string html =
      "<section id=\"verdicts\"><h2>Verdicts</h2><table><tr><th>check</th><th>verdict</th><th>violations</th></tr>";
  for (const Json& c : run["checks"]) {
    const std::string verdict = verdict_class(c["verdict"]);
    std::string details;
    const Json& v = c["violations"];
    for (size_t i = 0; i < v.size() && i < 5; ++i) details += escape(v[i]) + "<br>";
    if (v.size() > 5) details += fmt::format("<span class=\"muted\">… and {} more in run.json</span>", v.size() - 5);
    html += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"small\">{}</td></tr>", escape(c["name"]),
                        verdict, verdict == "pass" ? "pass" : verdict_badge(verdict), details);
  }
  html += "</table>";
  for (const Json& w : run.value("warnings", Json::array()))
    html += "<p class=\"muted\">warning: " + escape(w) + "</p>";
  return html + "</section>\n";
}

// The operations on one key around the anomaly, a row per process: the
// failing ones red, those in the possible linearization numbered in order.
// Failing operations may lie minutes apart, so x follows the order of the
// shown operations' invocations and completions, not a linear time scale.
std::string key_timeline(const Json& run, const Json& anomaly) {
  constexpr int64_t kNearNs = 100'000'000;  // neighbours shown around each failing operation
  constexpr size_t kShownMax = 24;
  const Json& ops = run["operations"];
  const auto start_of = [&](size_t id) { return ops[id]["invoke_ns"].get<int64_t>(); };
  // An operation never answered is drawn half a second long, faded.
  const auto end_of = [&](size_t id) {
    return ops[id]["complete_ns"].is_number() ? ops[id]["complete_ns"].get<int64_t>() : start_of(id) + 500'000'000;
  };
  std::set<size_t> failing;
  for (const Json& id : anomaly["ops"]) failing.insert(id.get<size_t>());
  if (failing.empty()) return "";
  std::map<size_t, size_t> order;  // op id -> place in the linearization
  for (size_t i = 0; i < anomaly["linearization"].size(); ++i) order[anomaly["linearization"][i]] = i + 1;
  // The failing operations and the key's operations overlapping them (with
  // a margin), nearest first when there are too many.
  std::vector<std::pair<int64_t, size_t>> near;  // (distance, id)
  for (size_t id = 0; id < ops.size(); ++id) {
    if (ops[id]["key"] != anomaly["key"] || failing.contains(id)) continue;
    int64_t distance = INT64_MAX;
    for (size_t f : failing) {
      const int64_t gap = std::max<int64_t>({0, start_of(id) - end_of(f), start_of(f) - end_of(id)});
      distance = std::min(distance, gap);
    }
    if (distance <= kNearNs) near.push_back({distance, id});
  }
  std::sort(near.begin(), near.end());
  // Neighbours first, so the failing operations are drawn on top.
  std::vector<size_t> shown;
  for (size_t k = 0; k < near.size() && shown.size() + failing.size() < kShownMax; ++k) shown.push_back(near[k].second);
  shown.insert(shown.end(), failing.begin(), failing.end());
  std::vector<int64_t> processes, instants;
  for (size_t id : shown) {
    processes.push_back(ops[id]["process"]);
    instants.push_back(start_of(id));
    instants.push_back(end_of(id));
  }
  std::sort(processes.begin(), processes.end());
  processes.erase(std::unique(processes.begin(), processes.end()), processes.end());
  std::sort(instants.begin(), instants.end());
  instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
  const double row_h = 26,
               slot = (kChartWidth - kLeft - kRight) / static_cast<double>(std::max<size_t>(1, instants.size() - 1));
  const auto x = [&](int64_t ns) {
    return kLeft +
           slot * static_cast<double>(std::lower_bound(instants.begin(), instants.end(), ns) - instants.begin());
  };
  const double height = 50 + row_h * static_cast<double>(processes.size());
  Svg svg(kChartWidth, height, "key-timeline", "operations on key " + anomaly["key"].get<std::string>());
  for (size_t p = 0; p < processes.size(); ++p) {
    svg.text(8, 22 + row_h * static_cast<double>(p) + 14, fmt::format("process {}", processes[p]), "start", 11);
  }
  // Where more than a second passes between neighbouring instants, a break mark.
  double last_label_x = -1e9;
  for (size_t k = 1; k < instants.size(); ++k) {
    if (instants[k] - instants[k - 1] < 1'000'000'000) continue;
    const double xb = (x(instants[k - 1]) + x(instants[k])) / 2;
    svg.line(xb, 14, xb, height - 18, "#9e9e9e", 1, "4,3");
    if (xb - last_label_x < 70) continue;
    last_label_x = xb;
    svg.text(xb, 12, fmt::format("{:.1f}s later", static_cast<double>(instants[k] - instants[k - 1]) / 1e9), "middle",
             9, "#757575");
  }
  for (size_t id : shown) {
    const Json& op = ops[id];
    const size_t p = static_cast<size_t>(std::find(processes.begin(), processes.end(), op["process"].get<int64_t>()) -
                                         processes.begin());
    const double y = 22 + row_h * static_cast<double>(p);
    const bool bad = failing.contains(id);
    const std::string fill = bad ? "#e53935" : order.contains(id) ? "#64b5f6" : "#cfd8dc";
    svg.rect(x(start_of(id)), y, std::max(3.0, x(end_of(id)) - x(start_of(id))), row_h - 8, fill,
             describe_operation(op), op["complete_ns"].is_number() ? 0.9 : 0.5);
    std::string label =
        op["f"] == "write" ? "w " + op["value"].get<std::string>() : "r " + op["output"].get<std::string>();
    if (order.contains(id)) label = "#" + std::to_string(order[id]) + " " + label;
    svg.text(x(start_of(id)) + 3, y + 13, label, "start", 10, bad ? "#fff" : "#222");
  }
  svg.line(kLeft, height - 18, kChartWidth - kRight, height - 18, "#888");
  svg.text(kLeft, height - 5, format_at(instants.front()), "start", 10, "#555");
  svg.text(kChartWidth - kRight, height - 5, format_at(instants.back()), "end", 10, "#555");
  return svg.str();
}

std::string anomaly_section(const Json& run) {
  const Json& anomaly = run["anomaly"];
  const bool undecided = run["verdict"] == "undecided";
  std::string html = fmt::format("<section id=\"anomaly\"><h2>{}</h2><p>", undecided ? "Undecided" : "Anomaly") +
                     escape(anomaly["summary"]) + "</p>";
  const Json& ops = run["operations"];
  for (const Json& c : anomaly["checks"]) {
    html += "<h3>" + escape(c["name"]) + "</h3><p>" + escape(c["meaning"]) + "</p>";
    if (c.value("ops", Json::array()).empty()) continue;
    // The clients' operations the violations name, each key on its own timeline.
    html += fmt::format("<p>The clients' operations involved ({}):</p><ul>", c["ops"].size());
    std::map<std::string, Json> by_key;
    size_t listed = 0;
    for (const Json& id : c["ops"]) {
      const Json& op = ops[id.get<size_t>()];
      if (++listed <= 12) html += "<li class=\"failing-op\">" + escape(describe_operation(op)) + "</li>";
      Json& entry = by_key[op["key"].get<std::string>()];
      entry["key"] = op["key"];
      entry["ops"].push_back(id);
      entry["linearization"] = Json::array();
    }
    if (listed > 12) html += fmt::format("<li class=\"muted\">… and {} more, on the timelines below</li>", listed - 12);
    html += "</ul>";
    for (const auto& [key, entry] : by_key) html += "<p class=\"small\">Key " + escape(key) + ":</p>" + key_timeline(run, entry);
  }
  for (const Json& a : anomaly["linearizability"]) {
    html += "<h3>Key " + escape(a["key"]) + ": no order of its operations explains what clients saw</h3>";
    html += "<p>" + escape(a["explanation"]) + "</p><p>The operations that could not be placed:</p><ul>";
    for (const Json& id : a["ops"])
      html += "<li class=\"failing-op\">" + escape(describe_operation(ops[id.get<size_t>()])) + "</li>";
    html += "</ul>" + key_timeline(run, a);
    html +=
        "<div class=\"legend\"><span><i style=\"background:#e53935\"></i>could not be placed</span>"
        "<span><i style=\"background:#64b5f6\"></i>in the possible linearization (#order)</span>"
        "<span><i style=\"background:#cfd8dc\"></i>other operations on the key</span></div>";
    const Json& lin = a["linearization"];
    if (lin.empty()) {
      html +=
          "<p class=\"muted\">The checker proved this from the values' zones (every value must be current over "
          "an interval, and these intervals conflict); its bounded search ran out of steps before it found a "
          "longest linearizable prefix to show.</p>";
      continue;
    }
    html += fmt::format(
        "<p>The longest linearization the checker found ({} operations; the last 12 shown):</p>"
        "<ol class=\"linearization\" start=\"{}\">",
        lin.size(), lin.size() > 12 ? lin.size() - 11 : 1);
    for (size_t i = lin.size() > 12 ? lin.size() - 12 : 0; i < lin.size(); ++i) {
      html += "<li>" + escape(describe_operation(ops[lin[i].get<size_t>()])) + "</li>";
    }
    html += "</ol>";
  }
  return html + "</section>\n";
}

std::string latency_table(const Json& latency) {
  std::string html = "<table class=\"latency\"><tr><th>type</th><th>phase</th><th>ok</th><th>fail</th><th>info</th>";
  for (const char* p : kPercentiles) html += fmt::format("<th>{} (ms)</th>", p);
  html += "</tr>";
  for (const auto& [f, by_phase] : latency["by_type"].items()) {
    for (const char* phase : kPhases) {
      if (!by_phase.contains(phase)) continue;
      const Json& cell = by_phase[phase];
      html += fmt::format(
          "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
          escape(f), phase, cell.value("ok", 0), cell.value("fail", 0), cell.value("info", 0));
      for (const char* p : kPercentiles)
        html += "<td class=\"num\">" + number_or_dash(cell.value(p, Json()), 2) + "</td>";
      html += "</tr>";
    }
  }
  return html + "</table>";
}

std::string latency_chart(const Json& run) {
  const TimeScale ts = time_scale(run);
  const double top = 24, plot_h = 260, bottom = top + plot_h;
  Svg svg(kChartWidth, bottom + 40, "latency-chart", "latency of each operation over time");
  const Json& ops = run["operations"];
  double lo = 1e300, hi = 0;
  size_t acknowledged = 0;
  for (const Json& op : ops) {
    if (!op.contains("latency_ms")) continue;
    const double ms = op["latency_ms"];
    lo = std::min(lo, std::max(ms, 0.001));
    hi = std::max(hi, ms);
    acknowledged += op["outcome"] == "ok" ? 1 : 0;
  }
  if (hi <= 0) {
    lo = 0.1;
    hi = 1;
  }
  const double log_lo = std::floor(std::log10(lo)), log_hi = std::max(log_lo + 1, std::ceil(std::log10(hi)));
  const auto y = [&](double ms) {
    return bottom - plot_h * (std::log10(std::max(ms, lo)) - log_lo) / (log_hi - log_lo);
  };
  shade_windows(svg, run, ts, top - 14, bottom);
  for (double e = log_lo; e <= log_hi; e += 1) {
    const double ms = std::pow(10.0, e);
    svg.line(kLeft, y(ms), kChartWidth - kRight, y(ms), "#eee");
    svg.text(kLeft - 6, y(ms) + 4, format_ms(ms), "end", 10, "#555");
  }
  ts.axis(svg, bottom, top);
  svg.text(kLeft - 6, top - 6, "indeterminate", "end", 9, "#c62828");
  const size_t stride = std::max<size_t>(1, (acknowledged + kLatencyPointsMax - 1) / kLatencyPointsMax);
  size_t seen_ok = 0;
  for (const Json& op : ops) {
    const std::string outcome = op["outcome"];
    const int64_t at = op["invoke_ns"];
    if (outcome == "info") {
      svg.cross(ts.x(at), top - 4, 3, "#c62828", describe_operation(op));
    } else if (outcome == "fail") {
      svg.cross(ts.x(at), y(op.value("latency_ms", hi)), 3, "#ef6c00", describe_operation(op));
    } else if (seen_ok++ % stride == 0) {
      svg.circle(ts.x(at), y(op["latency_ms"]), 1.6, op["f"] == "write" ? "#1565c0" : "#00897b");
    }
  }
  std::string html = svg.str();
  html +=
      "<div class=\"legend\"><span><i style=\"background:#1565c0\"></i>write ok</span>"
      "<span><i style=\"background:#00897b\"></i>read ok</span><span><i style=\"background:#ef6c00\"></i>failed "
      "(×)</span>"
      "<span><i style=\"background:#c62828\"></i>indeterminate (× on top)</span>"
      "<span><i style=\"background:#9e9e9e;opacity:.4\"></i>fault window</span>"
      "<span><i style=\"background:#e53935;opacity:.3\"></i>unavailable</span></div>";
  if (stride > 1) {
    html += fmt::format(
        "<p class=\"muted small\">Every {}th acknowledged operation drawn ({} in all); every failed and "
        "indeterminate one drawn.</p>",
        stride, acknowledged);
  }
  return html;
}

std::string latency_section(const Json& run) {
  return "<section id=\"latency\"><h2>Latency</h2><p class=\"muted small\">Percentiles of acknowledged operations, "
         "per type and per phase (an operation belongs to the phase it was invoked in); ok/fail/info count every "
         "operation.</p>" +
         latency_table(run["latency"]) + "<h3>Latency over time</h3>" + latency_chart(run) + "</section>\n";
}

// What the clients saw, whatever the roles said: per kind of operation the
// share of the workload no group stalled, and each stall.
std::string client_view_html(const Json& availability, const std::string& group_word) {
  if (!availability.contains("client_view")) return "";
  const Json& view = availability["client_view"];
  std::string html = fmt::format(
      "<p>As the clients saw it: writes available {:.3f}% of the workload, reads {:.3f}% (a {} counts as "
      "unavailable for a kind of operation while it was offered some and acknowledged none for {} or more).</p>",
      100 * view["writes"]["available_fraction"].get<double>(), 100 * view["reads"]["available_fraction"].get<double>(),
      escape(group_word), format_ms(view["stall_ms_min"]));
  html +=
      "<table class=\"stalls\"><tr><th>operations</th><th>" + escape(group_word) +
      "</th><th>from</th><th>to</th><th>stalled</th><th>offered</th><th>not acknowledged</th></tr>";
  size_t rows = 0;
  for (const char* kind : {"writes", "reads"}) {
    for (const Json& s : view[kind]["stalls"]) {
      if (++rows > 50) break;
      html += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
          kind, s["group"].get<uint32_t>(), format_at(s["from_ns"]),
          s["resolved"].get<bool>() ? format_at(s["to_ns"]) : format_at(s["to_ns"]) + ", never again",
          format_ms(s["ms"]), s["offered"].get<uint64_t>(), s["not_succeeded"].get<uint64_t>());
    }
  }
  if (rows > 50) html += "<tr><td colspan=\"7\">… more in run.json</td></tr>";
  if (rows == 0) html += "<tr><td colspan=\"7\" class=\"muted\">no stall of a second or more</td></tr>";
  return html + "</table>";
}

std::string availability_section(const Json& run) {
  const TimeScale ts = time_scale(run);
  const Json& tp = run["throughput"];
  const double top = 20, plot_h = 140, bottom = top + plot_h;
  Svg svg(kChartWidth, bottom + 40, "throughput-chart", "completed operations per interval");
  uint64_t peak = 1;
  const size_t buckets = tp["ok"].size();
  for (size_t b = 0; b < buckets; ++b) {
    peak = std::max<uint64_t>(
        peak, tp["ok"][b].get<uint64_t>() + tp["fail"][b].get<uint64_t>() + tp["info"][b].get<uint64_t>());
  }
  shade_windows(svg, run, ts, top - 10, bottom);
  ts.axis(svg, bottom, top);
  svg.text(kLeft - 6, top + 4, std::to_string(peak), "end", 10, "#555");
  svg.text(kLeft - 6, bottom, "0", "end", 10, "#555");
  const double bucket_ns = tp["bucket_ms"].get<double>() * 1e6;
  for (size_t b = 0; b < buckets; ++b) {
    const double x0 = ts.x(static_cast<int64_t>(static_cast<double>(b) * bucket_ns));
    const double x1 = ts.x(static_cast<int64_t>(static_cast<double>(b + 1) * bucket_ns));
    double y0 = bottom;
    for (const auto& [kind, colour] :
         {std::pair{"ok", "#43a047"}, std::pair{"fail", "#ef6c00"}, std::pair{"info", "#c62828"}}) {
      const auto count = tp[kind][b].get<uint64_t>();
      if (count == 0) continue;
      const double h = plot_h * static_cast<double>(count) / static_cast<double>(peak);
      svg.rect(x0, y0 - h, std::max(0.8, x1 - x0 - 0.4), h, colour,
               fmt::format("{}: {} {}", format_at(static_cast<int64_t>(b * bucket_ns)), count, kind));
      y0 -= h;
    }
  }
  const Json& a = run["availability"];
  std::string html =
      "<section id=\"availability\"><h2>Throughput and availability</h2>" + svg.str() +
      fmt::format(
          "<div class=\"legend\"><span><i style=\"background:#43a047\"></i>ok</span>"
          "<span><i style=\"background:#ef6c00\"></i>fail</span><span><i style=\"background:#c62828\"></i>info</span>"
          "<span class=\"muted\">completions per {} interval</span></div>",
          format_ms(tp["bucket_ms"]));
  html += client_view_html(a, run.value("vocabulary", Json::object()).value("group_word", std::string("group")));
  html += fmt::format("<p>By the roles: a role that serves writes was held {:.3f}% of the run; lost {} in all.",
                      100 * a["available_fraction"].get<double>(), format_ms(a["unavailable_ms"]));
  if (a["longest_write_gap"].is_object()) {
    html += fmt::format(" Longest gap between acknowledged writes: {} (from {} to {}).",
                        format_ms(a["longest_write_gap"]["ms"]), format_at(a["longest_write_gap"]["from_ns"]),
                        format_at(a["longest_write_gap"]["to_ns"]));
  }
  html +=
      "</p><table class=\"unavailability\"><tr><th>role</th><th>lost at</th><th>served again</th><th>first write "
      "ok</th>"
      "<th>failover</th><th>unavailable</th></tr>";
  size_t rows = 0;
  for (const Json& w : a["unavailability_windows"]) {
    if (++rows > 50) {
      html += fmt::format("<tr><td colspan=\"6\">… {} more in run.json</td></tr>", a["unavailability_windows"].size() - 50);
      break;
    }
    const bool again = w["served_again_ns"].is_number();
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        escape(w["role"]), format_at(w["from_ns"]), again ? format_at(w["served_again_ns"]) : "never",
        w["open"].get<bool>() ? "never" : format_at(w["to_ns"]),
        again ? format_ms(static_cast<double>(w["served_again_ns"].get<int64_t>() - w["from_ns"].get<int64_t>()) / 1e6)
              : "–",
        format_ms(w["unavailable_ms"]));
  }
  if (a["unavailability_windows"].empty()) {
    html += "<tr><td colspan=\"6\" class=\"muted\">no role that serves writes was lost</td></tr>";
  }
  return html + "</table></section>\n";
}

std::string timeline_section(const Json& run) {
  const TimeScale ts = time_scale(run);
  const Json& tl = run["timeline"];
  const Json vocabulary = run.value("vocabulary", Json::object());
  const double lane_h = 18, gap = 4, top = 26;
  const size_t rows = tl["replicas"].size() + tl["roles"].size() + 1;  // + phases
  const double bottom = top + (lane_h + gap) * static_cast<double>(rows);
  Svg svg(kChartWidth, bottom + 40, "status-timeline", "replica status, roles and phases over time");
  double y = top;
  // Faults as markers across every lane.
  for (const Json& w : run["fault_windows"]) {
    const double x = ts.x(w["from_ns"]);
    svg.line(x, top - 8, x, bottom, "#c62828", 1, "2,2");
    svg.raw(fmt::format("<path d=\"M{:.1f} {:.1f}l-4 -7h8z\" fill=\"#c62828\"><title>{} at {}</title></path>", x,
                        top - 8.0, escape(w["label"]), format_at(w["from_ns"])));
  }
  size_t hidden_bands = 0;
  for (const Json& lane : tl["replicas"]) {
    svg.text(8, y + 13, lane["lane"], "start", 11);
    for (const Json& b : lane["bands"]) {
      const std::string status = b["status"];
      // A band under a tenth of a pixel cannot be seen; a flapping replica
      // would otherwise make the page as large as the run.
      if (ts.x(b["to_ns"]) - ts.x(b["from_ns"]) < 0.1) {
        ++hidden_bands;
        continue;
      }
      svg.rect(ts.x(b["from_ns"]), y, ts.x(b["to_ns"]) - ts.x(b["from_ns"]), lane_h, status_colour(status, vocabulary),
               fmt::format("{} {}: {} to {}", lane["lane"].get<std::string>(), status, format_at(b["from_ns"]),
                           format_at(b["to_ns"])));
    }
    y += lane_h + gap;
  }
  for (const Json& role : tl["roles"]) {
    svg.text(8, y + 13, role["role"], "start", 11, "#0d47a1");
    for (const Json& t : role["terms"]) {
      const std::string node = t["node"];
      const double x0 = ts.x(t["from_ns"]), x1 = ts.x(t["to_ns"]);
      svg.rect(x0, y + 2, x1 - x0, lane_h - 4, node_colour(node),
               fmt::format("{}: {} from {} to {}", role["role"].get<std::string>(), node, format_at(t["from_ns"]),
                           format_at(t["to_ns"])),
               0.85);
      if (x1 - x0 > 18) svg.text(x0 + 3, y + 13, node, "start", 10, "#fff");
    }
    y += lane_h + gap;
  }
  svg.text(8, y + 13, "phase", "start", 11, "#555");
  for (const Json& p : run["phases"]) {
    svg.rect(
        ts.x(p["from_ns"]), y, ts.x(p["to_ns"]) - ts.x(p["from_ns"]), lane_h, status_colour(p["phase"], Json::object()),
        fmt::format("{}: {} to {}", p["phase"].get<std::string>(), format_at(p["from_ns"]), format_at(p["to_ns"])));
  }
  ts.axis(svg, bottom, top);
  std::set<std::string> statuses;
  for (const Json& lane : tl["replicas"]) {
    for (const Json& b : lane["bands"]) statuses.insert(b["status"]);
  }
  std::string legend = "<div class=\"legend\">";
  for (const std::string& s : statuses)
    legend += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", status_colour(s, vocabulary), escape(s));
  for (const char* p : {"startup", "steady", "failover", "recovery"}) {
    legend += fmt::format("<span><i style=\"background:{}\"></i>{} phase</span>", status_colour(p, Json::object()), p);
  }
  legend += "<span style=\"color:#c62828\">▼ fault</span></div>";
  std::string html =
      "<section id=\"timeline\"><h2>Replica status timeline</h2><p class=\"muted small\">Each replica's own "
      "status, the holder of each role, the phases derived from them; hover a band for its times.</p>" +
      svg.str() + legend;
  if (tl.value("truncated", false)) {
    html += "<p class=\"muted\">The timeline stopped recording after its change limit.</p>";
  }
  if (hidden_bands > 0) {
    html += fmt::format(
        "<p class=\"muted small\">{} status bands shorter than a tenth of a pixel are not drawn (run.json has "
        "them).</p>",
        hidden_bands);
  }
  html += "<h3>Phases</h3><table class=\"phases\"><tr><th>phase</th><th>from</th><th>to</th><th>length</th></tr>";
  size_t shown = 0;
  for (const Json& p : run["phases"]) {
    if (++shown > 40) break;
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>", escape(p["phase"]),
                        format_at(p["from_ns"]), format_at(p["to_ns"]),
                        format_ms(static_cast<double>(p["to_ns"].get<int64_t>() - p["from_ns"].get<int64_t>()) / 1e6));
  }
  if (run["phases"].size() > 40)
    html += fmt::format("<tr><td colspan=\"4\">… {} more in run.json</td></tr>", run["phases"].size() - 40);
  return html + "</table></section>\n";
}

// Lifelines left to right, time downward, placed by event order so bursts
// stay readable; each message an arrow from its send to its delivery.
std::string messages_section(const Json& run) {
  if (!run.contains("messages")) return "";
  const Json& m = run["messages"];
  const Json& events = m["events"];
  std::vector<std::string> nodes;
  const auto add_node = [&](const std::string& n) {
    if (std::find(nodes.begin(), nodes.end(), n) == nodes.end()) nodes.push_back(n);
  };
  for (const Json& e : events) {
    if (e["kind"] == "message") {
      add_node(e["from"]);
      add_node(e["to"]);
    } else if (e["kind"] == "note") {
      add_node(e["node"]);
    }
  }
  // Servers before clients, each by number: s1 s2 … s10 c1 c2.
  const auto place = [](const std::string& n) {
    size_t number = 0;
    for (char c : n) {
      if (c >= '0' && c <= '9') number = number * 10 + static_cast<size_t>(c - '0');
    }
    return std::tuple{n.empty() || n.front() != 's', n.empty() ? ' ' : n.front(), number, n};
  };
  std::sort(nodes.begin(), nodes.end(),
            [&](const std::string& a, const std::string& b) { return place(a) < place(b); });
  std::vector<int64_t> times;
  for (const Json& e : events) times.push_back(e["at_ns"]);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  const double row = 16, top = 40;
  const auto y_of = [&](int64_t ns) {  // rows by distinct instants, interpolated between them
    if (times.empty()) return top;
    const auto it = std::lower_bound(times.begin(), times.end(), ns);
    if (it == times.begin()) return top;
    if (it == times.end()) return top + row * static_cast<double>(times.size() - 1);
    const size_t k = static_cast<size_t>(it - times.begin());
    const double frac =
        static_cast<double>(ns - times[k - 1]) / static_cast<double>(std::max<int64_t>(1, times[k] - times[k - 1]));
    return top + row * (static_cast<double>(k - 1) + frac);
  };
  const double height = top + row * static_cast<double>(times.size()) + 20;
  const double col = std::min(160.0, (kChartWidth - 120) / std::max<double>(1, static_cast<double>(nodes.size())));
  const auto x_of = [&](const std::string& n) {
    return 100 + col * static_cast<double>(std::find(nodes.begin(), nodes.end(), n) - nodes.begin()) + col / 2;
  };
  Svg svg(kChartWidth, height, "message-sequence", "messages between nodes around the anomaly");
  for (const std::string& n : nodes) {
    svg.text(x_of(n), 20, n, "middle", 12);
    svg.line(x_of(n), 26, x_of(n), height - 10, "#bbb");
  }
  for (const int64_t t : times) svg.text(90, y_of(t) + 4, format_at(t), "end", 9, "#777");
  for (const Json& e : events) {
    const double y = y_of(e["at_ns"]);
    if (e["kind"] == "message") {
      const bool delivered = e["outcome"] == "delivered";
      const std::string title =
          fmt::format("{} → {}: {} ({}), sent {}, {} {}", e["from"].get<std::string>(), e["to"].get<std::string>(),
                      e["text"].get<std::string>(), e["type"].get<std::string>(), format_at(e["sent_ns"]),
                      e["outcome"].get<std::string>(), format_at(e["at_ns"]));
      const double x1 = x_of(e["from"]), x2 = x_of(e["to"]);
      svg.arrow(x1, y_of(e["sent_ns"]), x2, y, delivered ? "#455a64" : "#c62828", title);
      svg.text((x1 + x2) / 2, (y_of(e["sent_ns"]) + y) / 2 - 2, e["type"], "middle", 9,
               delivered ? "#37474f" : "#c62828");
    } else if (e["kind"] == "note") {
      const std::string note = e["note"];
      std::string text = note;
      if (e["data"].contains("status")) text += " " + e["data"]["status"].get<std::string>();
      svg.circle(x_of(e["node"]), y, 3.5, "#f9a825", note + ": " + e["data"].dump());
      svg.text(x_of(e["node"]) + 6, y + 4, text, "start", 9, "#795548");
    } else if (e["kind"] == "fault") {
      svg.line(100, y, kChartWidth - 10, y, "#c62828", 1.5, "6,3");
      svg.text(kChartWidth - 12, y - 3, "fault: " + e["fault"].value("type", "") + " " + e["fault"].value("node", ""),
               "end", 10, "#c62828");
    }
  }
  std::string html = fmt::format(
      "<section id=\"messages\"><h2>Message sequence</h2><p class=\"muted small\">The events "
      "from {} to {}: messages (arrow from send to delivery; red when dropped), status notes, "
      "faults. Rows follow the order of events, not a linear time scale.</p>",
      format_at(m["from_ns"]), format_at(m["to_ns"]));
  html += svg.str();
  if (m.value("omitted", 0) > 0)
    html += fmt::format("<p class=\"muted\">{} later events omitted.</p>", m["omitted"].get<int>());
  return html + "</section>\n";
}

std::string faults_section(const Json& run) {
  std::string html =
      "<section "
      "id=\"faults\"><h2>Faults</h2><table><tr><th>at</th><th>fault</th><th>details</th><th>scenario</th></tr>";
  for (const Json& f : run["faults"]) {
    Json details = f;
    for (const char* k : {"at", "at_ns", "type", "from_scenario"}) details.erase(k);
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"small\"><code>{}</code></td><td class=\"small\">{}</td></tr>",
        format_at(f.value("at_ns", int64_t{0})), escape(f.value("type", "")), escape(details.dump()),
        escape(f.value("from_scenario", "")));
  }
  if (run["faults"].empty()) html += "<tr><td colspan=\"4\" class=\"muted\">no faults</td></tr>";
  html += "</table>";
  const Json& s = run["summary"];
  html += "<p>Replica recovery (leaving the healthy status to back in it): ";
  if (s["replica_recovery_ms"].empty()) html += "none.";
  for (const Json& ms : s["replica_recovery_ms"]) html += format_ms(ms) + "; ";
  return html + "</p></section>\n";
}

std::string state_section(const Json& run) {
  std::string html = "<section id=\"state\"><h2>Final state</h2><table><tr><th>node</th><th>status</th></tr>";
  for (const Json& n : run.value("final_state", Json::array())) {
    html += fmt::format("<tr><td>{}</td><td>{}</td></tr>", escape(n["node"]), escape(n["status"]));
  }
  html += "</table>";
  if (run.contains("monitor") && run["monitor"].contains("transitions")) {
    html += "<p>Status transitions reached: ";
    for (const auto& [t, count] : run["monitor"]["transitions"].items())
      html += fmt::format("{}×{} ", escape(t), count.dump());
    html += "</p>";
  }
  return html + "</section>\n";
}

}  // namespace

std::string render_latency_chart(const nlohmann::json& run) { return latency_chart(run); }
std::string render_status_timeline(const nlohmann::json& run) { return timeline_section(run); }

std::string render_run_html(const nlohmann::json& run) {
  std::string body = header_section(run) + verdicts_section(run);
  if (run["verdict"] != "pass") body += anomaly_section(run);
  body += latency_section(run) + availability_section(run) + timeline_section(run) + messages_section(run) +
          faults_section(run) + state_section(run);
  body +=
      "<p class=\"muted small\">replsim: rebuild this page with <code>replsim report DIR</code>; the numbers come "
      "from run.json beside it.</p>";
  return html_page("replsim: " + run.value("scenario", std::string("run")), body);
}

}  // namespace replsim::reports
