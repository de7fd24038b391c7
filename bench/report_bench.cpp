// The cost of a run's report (Release, one core): analysing a finished
// FastCFS run into run.json's report sections and rendering report.html, for
// the library's master-crash-failover scenario (150 virtual s, ~13,000
// operations). Prints `figure <name> <value> <unit>`; best of three.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "harness/run_json.h"
#include "harness/runner.h"
#include "model/protocols.h"
#include "reports/run_html.h"

int main() {
  using namespace replsim;
  register_builtin_protocols();
  const harness::Scenario scenario =
      harness::load_scenario_file(std::string(REPLSIM_SOURCE_DIR) + "/scenarios/fastcfs/master-crash-failover.json");
  double run_ms = 1e300, json_ms = 1e300, html_ms = 1e300;
  size_t html_bytes = 0, operations = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto t0 = std::chrono::steady_clock::now();
    const harness::ScenarioRun run = harness::run_scenario(scenario, scenario.seed);
    const auto t1 = std::chrono::steady_clock::now();
    const nlohmann::json document = harness::scenario_run_to_json(scenario, scenario.seed, run);
    const auto t2 = std::chrono::steady_clock::now();
    const std::string html = reports::render_run_html(document);
    const auto t3 = std::chrono::steady_clock::now();
    const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    run_ms = std::min(run_ms, ms(t0, t1));
    json_ms = std::min(json_ms, ms(t1, t2));
    html_ms = std::min(html_ms, ms(t2, t3));
    html_bytes = html.size();
    operations = document["operations"].size();
  }
  fmt::print("figure report_failover_run_ms {:.0f} ms\n", run_ms);
  fmt::print("figure report_failover_run_json_ms {:.0f} ms\n", json_ms);
  fmt::print("figure report_failover_html_ms {:.0f} ms\n", html_ms);
  fmt::print("figure report_failover_html_kib {:.0f} KiB\n", static_cast<double>(html_bytes) / 1024);
  fmt::print("figure report_failover_operations {} operations\n", operations);
  return 0;
}
