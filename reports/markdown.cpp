#include <fmt/format.h>

#include "reports/page.h"
#include "reports/run_html.h"

namespace replsim::reports {

std::string render_run_markdown(const nlohmann::json& run) {
  using Json = nlohmann::json;
  std::string md = fmt::format("## replsim: {} — {}\n\n", run.value("scenario", ""),
                               verdict_badge(verdict_class(run.value("verdict", ""))));
  md +=
      fmt::format("Protocol `{}`, seed {}, {} of virtual time; verdict **{}** (expected {}{}). Trace hash `{}`.\n\n",
                  run.value("protocol", ""), run.value("seed", uint64_t{0}), run.value("duration", ""),
                  run.value("verdict", ""), run.value("expected", ""),
                  run.value("as_expected", true) ? ", as expected" : ", NOT as expected", run.value("trace_hash", ""));
  md += "| check | verdict | first violation |\n|---|---|---|\n";
  for (const Json& c : run["checks"]) {
    std::string first = c["violations"].empty() ? "" : c["violations"][0].get<std::string>();
    for (char& ch : first) {
      if (ch == '|' || ch == '\n') ch = ' ';
    }
    const std::string verdict = verdict_class(c["verdict"]);
    md += fmt::format("| {} | {} | {} |\n", c["name"].get<std::string>(),
                      verdict == "pass" ? "pass" : "**" + verdict_badge(verdict) + "**", first);
  }
  if (run["verdict"] != "pass") {
    md += std::string(run["verdict"] == "undecided" ? "\n**Undecided.** " : "\n**Anomaly.** ") +
          run["anomaly"]["summary"].get<std::string>() + "\n";
    for (const Json& a : run["anomaly"]["linearizability"]) {
      md += fmt::format("\nKey {}: {}\n", a["key"].get<std::string>(), a["explanation"].get<std::string>());
      for (const Json& id : a["ops"]) md += "- " + describe_operation(run["operations"][id.get<size_t>()]) + "\n";
    }
  }
  md +=
      "\n| type | phase | ok | fail | info | p50 | p90 | p99 | p99.9 | max "
      "|\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const auto& [f, by_phase] : run["latency"]["by_type"].items()) {
    for (const char* phase : {"all", "steady", "startup", "failover", "recovery"}) {
      if (!by_phase.contains(phase)) continue;
      const Json& c = by_phase[phase];
      md +=
          fmt::format("| {} | {} | {} | {} | {} |", f, phase, c.value("ok", 0), c.value("fail", 0), c.value("info", 0));
      for (const char* p : {"p50", "p90", "p99", "p99.9", "max"})
        md += " " + number_or_dash(c.value(p, Json()), 2) + " |";
      md += "\n";
    }
  }
  md += "\nLatency in ms, of acknowledged operations.\n\n";
  const Json& a = run["availability"];
  if (a.contains("client_view")) {
    const Json& view = a["client_view"];
    md += fmt::format("As the clients saw it: writes available {:.3f}% of the workload, reads {:.3f}%.",
                      100 * view["writes"]["available_fraction"].get<double>(),
                      100 * view["reads"]["available_fraction"].get<double>());
    size_t listed = 0;
    for (const char* kind : {"writes", "reads"}) {
      for (const Json& s : view[kind]["stalls"]) {
        if (++listed > 20) break;
        md += fmt::format(" {} of group {} stalled from {} for {}.", kind, s["group"].get<uint32_t>(),
                          format_at(s["from_ns"]), format_ms(s["ms"]));
      }
    }
    md += "\n\n";
  }
  md += fmt::format("By the roles: available {:.3f}%; unavailable {} over {} window(s).",
                    100 * a["available_fraction"].get<double>(), format_ms(a["unavailable_ms"]),
                    a["unavailability_windows"].size());
  for (const Json& w : a["unavailability_windows"]) {
    md += fmt::format(" {} lost at {}, first write ok {}.", w["role"].get<std::string>(), format_at(w["from_ns"]),
                      w["open"].get<bool>() ? "never" : "at " + format_at(w["to_ns"]));
  }
  size_t applied = 0;
  for (const Json& f : run["faults"]) applied += f.contains("skipped") ? 0 : 1;
  md += fmt::format("\n\nFaults: {} applied. Events: {}.\n", applied, run["stats"].value("steps", uint64_t{0}));
  return md;
}

}  // namespace replsim::reports
