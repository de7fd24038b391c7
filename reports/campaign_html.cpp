#include "reports/campaign_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "base/assert.h"
#include "reports/page.h"
#include "reports/run_analysis.h"
#include "reports/run_html.h"
#include "reports/svg.h"

namespace replsim::reports {
namespace {

using Json = nlohmann::json;

struct Figure {
  const char* key;
  const char* title;
};
const Figure kFigures[] = {
    {"failover_ms", "Failover time (a role that serves writes lost to served again), every failover"},
    {"replica_recovery_ms", "Replica recovery (leaving the healthy status to healthy again), every one"},
    {"unavailable_ms", "Unavailability per seed (a role that serves writes lost to the first acknowledged write), total"},
    {"latency_under_faults_p99_ms", "Latency p99 of operations invoked during fault windows, per seed"},
    {"latency_p99_ms", "Latency p99 of all acknowledged operations, per seed"},
    {"relapse_ms", "Relapses (unhealthy again after settling, with no new fault), every one"},
};

std::vector<double> values_of(const Campaign& c, const std::string& key) {
  std::vector<double> values;
  for (const Json& r : c.results) {
    if (!r.contains("figures") || !r["figures"].contains(key)) continue;
    const Json& v = r["figures"][key];
    if (key == "unavailable_ms") {
      double total = 0;
      for (const Json& ms : v) total += ms.get<double>();
      values.push_back(total);
    } else if (v.is_array()) {
      for (const Json& ms : v) values.push_back(ms.get<double>());
    } else if (v.is_number()) {
      values.push_back(v.get<double>());
    }
  }
  return values;
}

// Equal-width bins from the smallest to the largest value.
std::string histogram(const std::vector<double>& values, const std::string& label) {
  constexpr double kWidth = 480, kHeight = 150, kLeftMargin = 40, kBottom = 120;
  constexpr size_t kBins = 20;
  REPLSIM_ASSERT(!values.empty(), "a histogram has values to draw");
  Svg svg(kWidth, kHeight, "histogram", label);
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = std::max(*hi_it, *lo_it + 1e-9);
  std::vector<size_t> bins(kBins);
  for (double v : values) ++bins[std::min(kBins - 1, static_cast<size_t>((v - lo) / (hi - lo) * kBins))];
  const size_t peak = *std::max_element(bins.begin(), bins.end());
  const double bar_w = (kWidth - kLeftMargin - 10) / kBins;
  for (size_t b = 0; b < kBins; ++b) {
    const double h = (kBottom - 10) * static_cast<double>(bins[b]) / static_cast<double>(peak);
    const double from = lo + (hi - lo) * static_cast<double>(b) / kBins;
    svg.rect(kLeftMargin + bar_w * static_cast<double>(b), kBottom - h, bar_w - 1, h, "#5c6bc0",
             fmt::format("{} to {}: {}", format_ms(from), format_ms(from + (hi - lo) / kBins), bins[b]));
  }
  svg.line(kLeftMargin, kBottom, kWidth - 10, kBottom, "#888");
  svg.text(kLeftMargin, kBottom + 14, format_ms(lo), "start", 10, "#555");
  svg.text(kWidth - 10, kBottom + 14, format_ms(hi), "end", 10, "#555");
  svg.text(kLeftMargin - 4, 16, std::to_string(peak), "end", 10, "#555");
  return svg.str();
}

// An empty chart would read as a drawing that failed: a figure that no seed
// has is said in words.
std::string figure_chart(const std::vector<double>& values, const std::string& label) {
  return values.empty() ? std::string("<p class=\"muted\">None in any seed.</p>") : histogram(values, label);
}

std::string distribution_row(const std::string& name, const Json& d) {
  std::string row =
      "<tr><td>" + escape(name) + "</td><td class=\"num\">" + std::to_string(d.value("count", 0)) + "</td>";
  for (const char* p : {"p50", "p90", "p99", "max"}) {
    row += "<td class=\"num\">" + (d.contains(p) ? format_ms(d[p]) : std::string("–")) + "</td>";
  }
  return row + "</tr>";
}

// A failure file as a link from the page's folder: the path the campaign
// recorded when it still names the file (a merged campaign's failures stay in
// their shards' folders), else failures/ beside the page.
std::string relative_link(const std::string& folder, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!folder.empty() && fs::exists(path, error)) {
    const fs::path relative = fs::relative(fs::absolute(path), fs::absolute(folder), error);
    if (!error && !relative.empty()) return relative.generic_string();
  }
  return "failures/" + fs::path(path).filename().string();
}

std::string coverage_table(const Json& coverage, const char* what) {
  std::string html = fmt::format("<table><tr><th>{}</th><th>count</th></tr>", what);
  for (const auto& [k, v] : coverage.items())
    html += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>", escape(k), v.dump());
  if (coverage.empty()) html += "<tr><td colspan=\"2\" class=\"muted\">none</td></tr>";
  return html + "</table>";
}

}  // namespace

Json campaign_figures(const Campaign& campaign) {
  Json figures = Json::object();
  for (const Figure& f : kFigures) figures[f.key] = distribution(values_of(campaign, f.key));
  return figures;
}

std::string render_campaign_html(const Campaign& c) {
  const Json& s = c.summary;
  const size_t failures = s.value("failures", Json::array()).size();
  const size_t undecided = s.value("undecided", Json::array()).size();
  const size_t known = s.value("known", Json::array()).size();
  const std::string badge = failures > 0    ? fmt::format("<span class=\"badge fail\">{} FAILURES</span>", failures)
                            : undecided > 0 ? fmt::format("<span class=\"badge undecided\">{} UNDECIDED</span>", undecided)
                            : known > 0     ? fmt::format("<span class=\"badge undecided\">{} KNOWN FINDINGS</span>", known)
                                            : std::string("<span class=\"badge pass\">NO FAILURES</span>");
  std::string body = fmt::format("<section id=\"summary\"><h1>Fuzz campaign: {} {}</h1>", escape(s.value("scenario", "")), badge);
  body += fmt::format(
      "<table><tr><th>seeds</th><td>{} (shard {})</td></tr><tr><th>seeds run</th><td>{}</td></tr>"
      "<tr><th>failures</th><td>{}</td></tr><tr><th>undecided</th><td>{}</td></tr>"
      "<tr><th>known findings</th><td>{}</td></tr><tr><th>events simulated</th><td>{}</td></tr></table>",
      escape(s.value("seeds", "")), escape(s.value("shard", "")), s.value("seeds_run", 0), failures, undecided, known,
      s.value("steps", uint64_t{0}));
  // Known findings fail their seeds as any failure does; the campaign was
  // told to report them without failing (fuzz --known), and says so.
  for (const Json& k : s.value("known", Json::array())) {
    body += fmt::format("<p class=\"undecided\">Seed {} failed with a known finding, {} (<a href=\"{}\">replay</a>).</p>",
                        k["seed"].dump(), escape(k["signature"].dump()), escape(relative_link(c.folder, k["file"])));
  }
  for (const Json& u : s.value("undecided", Json::array())) {
    body += fmt::format("<p class=\"undecided\">Seed {} is undecided: {} ran out of budget (<a href=\"{}\">replay</a>).</p>",
                        u["seed"].dump(), escape(u["undecided_checks"].dump()), escape(relative_link(c.folder, u["file"])));
  }
  body += "</section>\n";
  body +=
      "<section id=\"failures\"><h2>Failures</h2><table><tr><th>seed</th><th>failed checks</th><th>scenario</th>"
      "<th>shrunk</th><th>replays</th></tr>";
  for (const Json& f : s.value("failures", Json::array())) {
    std::string shrunk = "–";
    for (const Json& sh : s.value("shrunk", Json::array())) {
      if (sh["seed"] != f["seed"]) continue;
      shrunk = fmt::format("<a href=\"{}\">{} faults → {}</a>", escape(relative_link(c.folder, sh["file"])),
                           sh["faults"][0].dump(), sh["faults"][1].dump());
    }
    body +=
        fmt::format("<tr><td>{}</td><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    f["seed"].dump(), escape(f["failed_checks"].dump()), escape(relative_link(c.folder, f["file"])),
                    escape(relative_link(c.folder, f["file"])), shrunk, f.value("replay_verified", false) ? "yes" : "<b>no</b>");
  }
  if (failures == 0 && undecided == 0 && known == 0) {
    body += "<tr><td colspan=\"5\" class=\"muted\">every seed passed as expected</td></tr>";
  } else if (failures == 0) {
    body += "<tr><td colspan=\"5\" class=\"muted\">no seed failed but in the known or undecided ways listed above</td></tr>";
  }
  body += "</table></section>\n";
  body +=
      "<section id=\"coverage\"><h2>Coverage</h2><div style=\"display:flex;gap:24px;flex-wrap:wrap\"><div><h3>Faults "
      "fired</h3>" +
      coverage_table(s.value("fault_coverage", Json::object()), "fault") +
      "</div><div><h3>Status transitions reached</h3>" +
      coverage_table(s.value("transition_coverage", Json::object()), "transition") + "</div></div>";
  for (const Json& family : s.value("families_never_fired", Json::array())) {
    body += "<p class=\"fail\">The " + escape(family) + " family never fired.</p>";
  }
  body +=
      "</section>\n<section id=\"distributions\"><h2>Distributions across seeds</h2>"
      "<table><tr><th>figure</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>";
  const Json figures = campaign_figures(c);
  for (const Figure& f : kFigures) body += distribution_row(f.title, figures[f.key]);
  body += "</table>";
  for (const Figure& f : kFigures) body += "<h3>" + escape(f.title) + "</h3>" + figure_chart(values_of(c, f.key), f.title);
  body += "</section>\n";
  return html_page("replsim campaign: " + s.value("scenario", std::string("")), body);
}

std::string render_campaign_markdown(const Campaign& c) {
  const Json& s = c.summary;
  std::string md = fmt::format(
      "## replsim fuzz: {}\n\nSeeds {} (shard {}), {} run, **{} failures**, **{} undecided**, {} known findings.\n\n",
      s.value("scenario", ""), s.value("seeds", ""), s.value("shard", ""), s.value("seeds_run", 0),
      s.value("failures", Json::array()).size(), s.value("undecided", Json::array()).size(),
      s.value("known", Json::array()).size());
  for (const Json& k : s.value("known", Json::array())) {
    md += fmt::format("- seed {}: known finding {} — `{}`\n", k["seed"].dump(), k["signature"].dump(),
                      k["file"].get<std::string>());
  }
  for (const Json& u : s.value("undecided", Json::array())) {
    md += fmt::format("- seed {}: undecided {} — `{}`\n", u["seed"].dump(), u["undecided_checks"].dump(),
                      u["file"].get<std::string>());
  }
  for (const Json& f : s.value("failures", Json::array())) {
    md += fmt::format("- seed {}: {} — `{}`\n", f["seed"].dump(), f["failed_checks"].dump(),
                      f["file"].get<std::string>());
  }
  md += "\n| figure | count | p50 | p90 | p99 | max |\n|---|--:|--:|--:|--:|--:|\n";
  const Json figures = campaign_figures(c);
  for (const Figure& f : kFigures) {
    const Json& d = figures[f.key];
    md += fmt::format("| {} | {} |", f.key, d.value("count", 0));
    for (const char* p : {"p50", "p90", "p99", "max"})
      md += " " + (d.contains(p) ? format_ms(d[p]) : std::string("–")) + " |";
    md += "\n";
  }
  return md;
}

namespace {

std::string compare_row(const std::string& name, const std::string& a, const std::string& b) {
  return fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>", escape(name),
                     escape(a), escape(b), a == b ? "" : "<b>differs</b>");
}

std::string ms_or_dash(const Json& j, const char* key) { return j.contains(key) ? format_ms(j[key]) : "–"; }

std::string two_columns(const std::string& left, const std::string& right) {
  return "<div style=\"display:grid;grid-template-columns:1fr 1fr;gap:12px\"><div>" + left + "</div><div>" + right +
         "</div></div>";
}

// The comparison table's opening: a title and a column per side.
std::string compare_header(const std::string& label_a, const std::string& label_b) {
  return fmt::format(
      "<section id=\"summary\"><h1>Comparison: {} vs {}</h1><table class=\"compare\">"
      "<tr><th>figure</th><th>{}</th><th>{}</th><th></th></tr>",
      escape(label_a), escape(label_b), escape(label_a), escape(label_b));
}

}  // namespace

std::string render_compare_runs_html(const Json& a, const std::string& label_a, const Json& b,
                                     const std::string& label_b) {
  std::string body = compare_header(label_a, label_b);
  const auto both = [&](const std::string& name, const auto& get) { body += compare_row(name, get(a), get(b)); };
  both("scenario", [](const Json& r) { return r.value("scenario", ""); });
  both("protocol", [](const Json& r) { return r.value("protocol", ""); });
  both("protocol options", [](const Json& r) {
    return r.value("configuration", Json::object()).value("protocol_options", Json::object()).dump();
  });
  both("seed", [](const Json& r) { return std::to_string(r.value("seed", uint64_t{0})); });
  both("verdict", [](const Json& r) { return r.value("verdict", ""); });
  for (const Json& check : a["checks"]) {
    const std::string name = check["name"];
    both("check " + name, [&](const Json& r) {
      for (const Json& c : r["checks"]) {
        if (c["name"] == name) return c["verdict"].get<std::string>();
      }
      return std::string("–");
    });
  }
  both("operations acknowledged", [](const Json& r) { return std::to_string(r["ops"].value("acknowledged", 0)); });
  both("operations indeterminate", [](const Json& r) { return std::to_string(r["ops"].value("indeterminate", 0)); });
  for (const char* p : {"p50", "p99", "max"}) {
    both(std::string("latency ") + p + " (all ops)",
         [&](const Json& r) { return ms_or_dash(r["latency"]["by_type"]["all"]["all"], p); });
  }
  for (const char* phase : {"failover", "recovery"}) {
    both(std::string("latency p99 during ") + phase, [&](const Json& r) {
      const Json& all = r["latency"]["by_type"]["all"];
      return all.contains(phase) ? ms_or_dash(all[phase], "p99") : std::string("–");
    });
  }
  both("available", [](const Json& r) {
    return fmt::format("{:.3f}%", 100 * r["availability"]["available_fraction"].get<double>());
  });
  both("unavailable", [](const Json& r) { return format_ms(r["availability"]["unavailable_ms"]); });
  both("failovers", [](const Json& r) {
    std::string out;
    for (const Json& ms : r["summary"]["failover_ms"]) out += (out.empty() ? "" : ", ") + format_ms(ms);
    return out.empty() ? std::string("none") : out;
  });
  both("trace hash", [](const Json& r) { return r.value("trace_hash", ""); });
  body += "</table></section>\n<section id=\"latency\"><h2>Latency over time</h2>" +
          two_columns("<h3>" + escape(label_a) + "</h3>" + render_latency_chart(a),
                      "<h3>" + escape(label_b) + "</h3>" + render_latency_chart(b)) +
          "</section>\n<section id=\"timelines\"><h2>Replica status timelines</h2>" +
          two_columns("<h3>" + escape(label_a) + "</h3>" + render_status_timeline(a),
                      "<h3>" + escape(label_b) + "</h3>" + render_status_timeline(b)) +
          "</section>\n";
  return html_page("replsim comparison: " + label_a + " vs " + label_b, body);
}

std::string render_compare_campaigns_html(const Campaign& a, const std::string& label_a, const Campaign& b,
                                          const std::string& label_b) {
  std::string body = compare_header(label_a, label_b);
  body += compare_row("scenario", a.summary.value("scenario", ""), b.summary.value("scenario", ""));
  body += compare_row("seeds run", std::to_string(a.summary.value("seeds_run", 0)),
                      std::to_string(b.summary.value("seeds_run", 0)));
  body += compare_row("failures", std::to_string(a.summary.value("failures", Json::array()).size()),
                      std::to_string(b.summary.value("failures", Json::array()).size()));
  const Json fa = campaign_figures(a), fb = campaign_figures(b);
  for (const Figure& f : kFigures) {
    for (const char* p : {"p50", "p99", "max"}) {
      body += compare_row(std::string(f.key) + " " + p, ms_or_dash(fa[f.key], p), ms_or_dash(fb[f.key], p));
    }
  }
  body += "</table></section>\n<section id=\"distributions\"><h2>Distributions</h2>";
  for (const Figure& f : kFigures) {
    body += "<h3>" + escape(f.title) + "</h3>" +
            two_columns(escape(label_a) + figure_chart(values_of(a, f.key), f.title),
                        escape(label_b) + figure_chart(values_of(b, f.key), f.title));
  }
  body += "</section>\n";
  return html_page("replsim comparison: " + label_a + " vs " + label_b, body);
}

}  // namespace replsim::reports
