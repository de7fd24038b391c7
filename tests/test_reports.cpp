// Reports from real runs: the figures in run.json follow from its own
// operations and timeline, and the HTML and Markdown show those figures.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/report_command.h"
#include "cli/run_command.h"
#include "harness/runner.h"
#include "reports/campaign_html.h"
#include "reports/page.h"
#include "reports/run_analysis.h"
#include "reports/run_html.h"
#include "harness/timeline.h"
#include "base/input_error.h"
#include "tests/html_audit.h"

using namespace replsim;
using namespace replsim::harness;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string scenario_path(const std::string& relative) {
  return std::string(REPLSIM_SOURCE_DIR) + "/scenarios/" + relative;
}

// Runs a scenario file through `replsim run`'s code path into a fresh folder.
fs::path run_into(const std::string& relative, const std::string& folder) {
  const fs::path dir = fs::path(REPLSIM_BINARY_DIR) / "report_tests" / folder;
  fs::remove_all(dir);
  cli::RunOptions options;
  options.file = scenario_path(relative);
  options.out_dir = dir.string();
  std::ostringstream out;
  cli::run_run(options, out);
  return dir;
}

Json read_json(const fs::path& file) {
  std::ifstream in(file);
  return Json::parse(in);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An empty `part` is in every text: a test asking for one has lost its oracle.
bool contains(const std::string& text, const std::string& part) {
  REQUIRE_FALSE(part.empty());
  return text.find(part) != std::string::npos;
}

// The failing-operation list items of a page, as text.
std::vector<std::string> failing_op_items(const std::string& html) {
  std::vector<std::string> items;
  const std::string open = "<li class=\"failing-op\">";
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const size_t from = at + open.size();
    items.push_back(html.substr(from, html.find("</li>", from) - from));
  }
  return items;
}

// Whether some failing-operation item names `op` (from run.json): its key,
// the value it wrote or read, its process and its invocation time, as the
// test itself formats them.
bool lists_operation(const std::vector<std::string>& items, const Json& op) {
  const std::string value = op["f"] == "write"     ? op["value"].get<std::string>()
                            : op["outcome"] == "ok" ? op["output"].get<std::string>()
                                                    : std::string();  // a read that got no answer returned nothing
  const std::string key = "key " + op["key"].get<std::string>();
  const std::string process = "process " + std::to_string(op["process"].get<int64_t>());
  const std::string invoked = fmt::format("{:.3f}s", static_cast<double>(op["invoke_ns"].get<int64_t>()) / 1e9);
  return std::any_of(items.begin(), items.end(), [&](const std::string& item) {
    return item.find(key) != std::string::npos && (value.empty() || item.find(value) != std::string::npos) &&
           item.find(process) != std::string::npos && item.find(invoked) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("percentiles are nearest-rank, an empty distribution has only a count") {
  const std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(reports::percentile(sorted, 50) == 5);
  CHECK(reports::percentile(sorted, 90) == 9);
  CHECK(reports::percentile(sorted, 99) == 10);
  CHECK(reports::percentile(sorted, 100) == 10);
  CHECK(reports::percentile({7}, 0.1) == 7);
  const Json d = reports::distribution({3, 1, 2});
  CHECK(d["count"] == 3);
  CHECK(d["p50"] == 2);
  CHECK(d["max"] == 3);
  CHECK(reports::distribution({}) == Json{{"count", 0}});
}

// A write offered before the workload stops and timing out after it: the
// stall is listed as it happened, the availability share counts only the
// part inside the workload's window.
TEST_CASE("the clients' availability counts a stall only inside the workload's window") {
  reports::RunInputs in;
  in.duration_ns = 20'000'000'000;
  in.workload_from_ns = 0;
  in.workload_to_ns = 10'000'000'000;
  in.timeline = {{"replicas", Json::array()}, {"roles", Json::array()}, {"down", Json::array()},
                 {"unhealthy", Json::array()}, {"healthy_status", "up"}};
  const auto write = [](size_t id, int64_t from_s_tenths, int64_t to_s_tenths, checker::Outcome outcome) {
    checker::Operation op;
    op.id = id;
    op.process = static_cast<int64_t>(id);
    op.f = "write";
    op.key = "x";
    op.outcome = outcome;
    op.invoke_position = 2 * id;
    op.complete_position = 2 * id + 1;
    op.invoke_time = from_s_tenths * 100'000'000;
    op.complete_time = to_s_tenths * 100'000'000;
    return op;
  };
  in.operations = {write(0, 10, 11, checker::Outcome::kOk), write(1, 80, 150, checker::Outcome::kInfo)};
  const Json writes = reports::analyse_run(in)["availability"]["client_view"]["writes"];
  REQUIRE(writes["stalls"].size() == 1);
  CHECK(writes["stalls"][0]["from_ns"] == 8'000'000'000);
  CHECK(writes["stalls"][0]["to_ns"] == 15'000'000'000);
  CHECK(writes["unavailable_ms"].get<double>() == doctest::Approx(2000));
  CHECK(writes["available_fraction"].get<double>() == doctest::Approx(0.8));
}

TEST_CASE("the timeline keeps changes only and closes its bands at the end") {
  harness::TimelineRecorder recorder;
  harness::RoleView a;
  a.replicas = {{"s1 g1", "INIT"}, {"s2 g1", "INIT"}};
  a.roles = {{"master g1", ""}};
  recorder.record(0, a);
  harness::RoleView b = a;
  b.replicas[0].second = "ACTIVE";
  b.roles[0].second = "s1";
  recorder.record(5, b);
  recorder.record(6, b);  // no change: not a new band
  harness::RoleView c = b;
  c.replicas[0].second = "down";
  c.down = {"s1"};
  recorder.record(10, c);
  recorder.record(10, b);  // the same instant: the last view wins
  recorder.record(20, c);
  const Json j = recorder.to_json(30, {"master"});
  const Json& s1 = j["replicas"][0]["bands"];
  REQUIRE(s1.size() == 3);
  CHECK(s1[0] == Json{{"from_ns", 0}, {"to_ns", 5}, {"status", "INIT"}});
  CHECK(s1[1] == Json{{"from_ns", 5}, {"to_ns", 20}, {"status", "ACTIVE"}});
  CHECK(s1[2] == Json{{"from_ns", 20}, {"to_ns", 30}, {"status", "down"}});
  CHECK(j["roles"][0]["terms"] == Json::array({{{"from_ns", 5}, {"to_ns", 30}, {"node", "s1"}}}));
  CHECK(j["down"] == Json::array({{{"node", "s1"}, {"from_ns", 20}, {"to_ns", 30}}}));
}

TEST_CASE("healthy stretches and the unhealthy stretches that began after an instant") {
  harness::TimelineRecorder recorder;
  harness::RoleView healthy;
  healthy.replicas = {{"s1 g1", "ACTIVE"}};
  healthy.healthy = true;
  harness::RoleView down = healthy;
  down.replicas[0].second = "down";
  down.healthy = false;
  harness::RoleView offline = down;
  offline.replicas[0].second = "OFFLINE";
  recorder.record(0, down);
  recorder.record(10, healthy);
  recorder.record(20, down);
  recorder.record(25, offline);  // unhealthy to unhealthy: the same stretch
  recorder.record(30, healthy);
  recorder.record(40, down);
  using Stretches = std::vector<std::pair<int64_t, int64_t>>;
  CHECK(recorder.healthy_stretches(1, 50) == Stretches{{10, 20}, {30, 40}});
  CHECK(recorder.unhealthy_stretches_since(10, 50) == Stretches{{20, 30}, {40, 50}});
  // In effect at the instant (begun before it, or at it): not one that began after.
  CHECK(recorder.unhealthy_stretches_since(22, 50) == Stretches{{40, 50}});
  CHECK(recorder.unhealthy_stretches_since(20, 50) == Stretches{{40, 50}});
  CHECK(recorder.unhealthy_stretches_since(31, 50) == Stretches{{40, 50}});
  CHECK(recorder.unhealthy_stretches_since(50, 50).empty());
}

// The explorer's key holds the health digest when a check reads the
// healthy stretches: it must tell apart what they tell apart, and nothing
// else.
TEST_CASE("the health digest follows the healthy stretches, not the statuses behind them") {
  harness::RoleView healthy;
  healthy.replicas = {{"s1 g1", "ACTIVE"}};
  healthy.healthy = true;
  healthy.groups_healthy = {true};
  harness::RoleView down = healthy;
  down.replicas[0].second = "down";
  down.healthy = false;
  down.groups_healthy = {false};
  harness::RoleView offline = down;
  offline.replicas[0].second = "OFFLINE";
  const auto digest = [](const std::vector<std::pair<int64_t, harness::RoleView>>& views) {
    harness::TimelineRecorder recorder;
    for (const auto& [at_ns, view] : views) recorder.record(at_ns, view);
    return recorder.health_digest();
  };
  const uint64_t base = digest({{0, healthy}, {10, down}, {30, healthy}});
  // Unhealthy through OFFLINE as well: the same stretches.
  CHECK(digest({{0, healthy}, {10, down}, {20, offline}, {30, healthy}}) == base);
  // A view replaced within its instant counts as the last one only.
  CHECK(digest({{0, healthy}, {10, offline}, {10, down}, {30, offline}, {30, healthy}}) == base);
  CHECK(digest({{0, healthy}, {10, down}, {30, offline}, {30, healthy}}) == base);
  CHECK(digest({{0, healthy}, {10, down}, {20, healthy}, {20, offline}, {30, healthy}}) == base);
  // A later change of status alone, still the last: the same stretches.
  CHECK(digest({{0, healthy}, {10, down}, {20, offline}}) == digest({{0, healthy}, {10, down}}));
  // Another time, another last state, another group's health: apart.
  CHECK(digest({{0, healthy}, {11, down}, {30, healthy}}) != base);
  CHECK(digest({{0, healthy}, {10, down}, {30, offline}}) != base);
  CHECK(digest({{0, healthy}, {10, down}}) != digest({{0, healthy}}));
  harness::RoleView other_group = healthy;
  other_group.groups_healthy = {true, false};
  CHECK(digest({{0, other_group}}) != digest({{0, healthy}}));
  CHECK(digest({}) != digest({{0, healthy}}));
}

TEST_CASE("a master crash: failover, unavailability and phases come from the run's own timeline") {
  const fs::path dir = run_into("fastcfs/master-crash-failover.json", "failover");
  const Json run = read_json(dir / "run.json");
  // The scenario crashes the master s1 at 10 s and restarts it at 40 s.
  const Json& windows = run["availability"]["unavailability_windows"];
  REQUIRE(windows.size() == 1);
  const Json& w = windows[0];
  CHECK(w["role"] == "master g1");
  CHECK(w["from_ns"] == 10'000'000'000);
  CHECK_FALSE(w["open"].get<bool>());
  const int64_t served = w["served_again_ns"], to = w["to_ns"];
  CHECK(served > 10'000'000'000);
  CHECK(served < 40'000'000'000);
  CHECK(to >= served);
  // The window ends at the first write acknowledged once a master serves again.
  int64_t first_ack = INT64_MAX;
  for (const Json& op : run["operations"]) {
    if (op["f"] == "write" && op["outcome"] == "ok" && op["complete_ns"].get<int64_t>() >= served) {
      first_ack = std::min(first_ack, op["complete_ns"].get<int64_t>());
    }
  }
  CHECK(to == first_ack);
  // The timeline: s1's lane is down from the crash to the restart, and the
  // master role moves away from s1.
  bool s1_down = false;
  for (const Json& band : run["timeline"]["replicas"][0]["bands"]) {
    s1_down |= band["status"] == "down" && band["from_ns"] == 10'000'000'000 && band["to_ns"] == 40'000'000'000;
  }
  CHECK(s1_down);
  const Json& terms = run["timeline"]["roles"][1]["terms"];
  REQUIRE(run["timeline"]["roles"][1]["role"] == "master g1");
  CHECK(terms[0]["node"] == "s1");
  CHECK(terms[1]["node"] != "s1");
  CHECK(terms[1]["from_ns"] == served);
  // Phases cover the run in order, with the failover where the window is.
  const Json& phases = run["phases"];
  CHECK(phases.front()["from_ns"] == 0);
  CHECK(phases.back()["to_ns"] == run["duration_ns"]);
  for (size_t i = 1; i < phases.size(); ++i) CHECK(phases[i]["from_ns"] == phases[i - 1]["to_ns"]);
  bool failover_phase = false;
  for (const Json& p : phases)
    failover_phase |= p["phase"] == "failover" && p["from_ns"] == w["from_ns"] && p["to_ns"] == w["to_ns"];
  CHECK(failover_phase);
  // Latency percentiles recomputed from the operations listed in run.json.
  std::map<std::string, std::vector<double>> by_phase;
  for (const Json& op : run["operations"]) {
    if (op["f"] != "write" || op["outcome"] != "ok") continue;
    by_phase["all"].push_back(op["latency_ms"]);
    by_phase[op["phase"]].push_back(op["latency_ms"]);
  }
  for (auto& [phase, values] : by_phase) {
    std::sort(values.begin(), values.end());
    const Json& cell = run["latency"]["by_type"]["write"][phase];
    CHECK(cell["count"] == values.size());
    CHECK(cell["p99"].get<double>() == reports::percentile(values, 99));
    CHECK(cell["max"].get<double>() == values.back());
  }
  CHECK(by_phase["failover"].size() + by_phase["recovery"].size() > 0);
  // The figures campaigns compare.
  REQUIRE(run["summary"]["failover_ms"].size() == 1);
  CHECK(run["summary"]["failover_ms"][0].get<double>() ==
        doctest::Approx(static_cast<double>(served - 10'000'000'000) / 1e6));
  CHECK_FALSE(run["summary"]["replica_recovery_ms"].empty());

  // The page shows those numbers, and every section and chart.
  const std::string html = read_text(dir / "report.html");
  for (const char* part : {"id=\"summary\"", "id=\"verdicts\"", "id=\"latency\"", "id=\"availability\"",
                           "id=\"timeline\"", "id=\"faults\"", "class=\"chart latency-chart\"",
                           "class=\"chart throughput-chart\"", "class=\"chart status-timeline\""}) {
    CHECK_MESSAGE(contains(html, part), part);
  }
  CHECK(testing::external_fetches(html) == std::vector<std::string>{});
  // s1, back and ACTIVE, takes its master role back (resume_master_role):
  // the swap leaves the group unhealthy a moment with no new fault, and the
  // header says so beside the first settling.
  REQUIRE(run["relapses"].size() == 1);
  CHECK(run["relapses"][0]["from_ns"].get<int64_t>() > 40'000'000'000);
  CHECK(contains(html, "<th>settled</th><td>at "));
  CHECK(contains(html, "unhealthy again with no new fault 1 time(s)</b>, first at"));
  const Json& write_all = run["latency"]["by_type"]["write"]["all"];
  for (const char* p : {"p50", "p90", "p99", "p99.9", "max"}) {
    CHECK_MESSAGE(contains(html, fmt::format("<td class=\"num\">{:.2f}</td>", write_all[p].get<double>())), p);
  }
  const Json& client_view = run["availability"]["client_view"];
  CHECK(contains(html, fmt::format("a role that serves writes was held {:.3f}% of the run",
                                   100 * run["availability"]["available_fraction"].get<double>())));
  CHECK(contains(html, fmt::format("writes available {:.3f}% of the workload, reads {:.3f}%",
                                   100 * client_view["writes"]["available_fraction"].get<double>(),
                                   100 * client_view["reads"]["available_fraction"].get<double>())));
  // The master's crash stalled writes as the clients saw it: the stall is listed from run.json.
  REQUIRE(client_view["writes"]["stalls"].size() >= 1);
  CHECK(client_view["writes"]["available_fraction"].get<double>() < 1.0);
  CHECK(contains(html, reports::format_at(client_view["writes"]["stalls"][0]["from_ns"])));
  CHECK(contains(html, reports::format_at(w["from_ns"])));
  CHECK(contains(html, reports::format_at(w["to_ns"])));
  // `replsim report DIR` rebuilds the same page from run.json alone.
  const std::string first = html;
  fs::remove(dir / "report.html");
  cli::ReportOptions options;
  options.dirs = {dir.string()};
  std::ostringstream out;
  CHECK(cli::run_report(options, out) == 0);
  CHECK(read_text(dir / "report.html") == first);
  // Markdown carries the same figures.
  options.format = "md";
  std::ostringstream md;
  CHECK(cli::run_report(options, md) == 0);
  CHECK(contains(md.str(), fmt::format("{:.2f}", write_all["p99"].get<double>())));
  CHECK(contains(md.str(), "| linearizable | pass |"));
}

TEST_CASE("a non-linearizable run explains the anomaly: operations, per-key timeline, message sequence") {
  const fs::path dir = run_into("fastcfs/master-dirty-read.json", "dirty-read");
  const Json run = read_json(dir / "run.json");
  REQUIRE(run["verdict"] == "fail");
  const Json& anomalies = run["anomaly"]["linearizability"];
  REQUIRE_FALSE(anomalies.empty());
  const std::string html = read_text(dir / "report.html");
  CHECK(testing::external_fetches(html) == std::vector<std::string>{});
  CHECK(contains(html, "id=\"anomaly\""));
  CHECK(contains(html, "class=\"chart key-timeline\""));
  const std::vector<std::string> items = failing_op_items(html);
  REQUIRE_FALSE(anomalies[0]["ops"].empty());
  for (const Json& id : anomalies[0]["ops"]) {
    const Json& op = run["operations"][id.get<size_t>()];
    CHECK(op["key"] == anomalies[0]["key"]);
    CHECK_MESSAGE(lists_operation(items, op), op.dump());
  }
  // The run is short (a handful of faults), so it was replayed for its
  // messages: the diagram shows server traffic around the failing operations.
  REQUIRE(run.contains("messages"));
  const Json& m = run["messages"];
  size_t messages = 0;
  for (const Json& e : m["events"]) messages += e["kind"] == "message" ? 1 : 0;
  CHECK(messages > 10);
  CHECK(contains(html, "class=\"chart message-sequence\""));
  CHECK(contains(run["anomaly"]["summary"].get<std::string>(), "linearizable failed"));
}

TEST_CASE("run reports are deterministic: the same run twice writes the same run.json and page") {
  const fs::path a = run_into("fastcfs/slave-crash-and-return.json", "twice-a");
  const fs::path b = run_into("fastcfs/slave-crash-and-return.json", "twice-b");
  CHECK(read_text(a / "run.json") == read_text(b / "run.json"));
  CHECK(read_text(a / "report.html") == read_text(b / "report.html"));
}

TEST_CASE("two runs compare side by side, and bad report input is an InputError naming the file") {
  const fs::path a = run_into("fastcfs/any-quorum-loses-acked-write.json", "quorum-any");
  const fs::path b = run_into("fastcfs/majority-quorum-keeps-acked-write.json", "quorum-majority");
  // The lost writes are the clients' operations, named on the page: each an
  // acknowledged write whose key and value a violation names.
  const Json lost_run = read_json(a / "run.json");
  const Json& lost = lost_run["anomaly"]["checks"][0];
  REQUIRE(lost["name"] == "no_lost_acked_writes");
  REQUIRE_FALSE(lost["ops"].empty());
  const std::string lost_html = read_text(a / "report.html");
  for (const Json& id : lost["ops"]) {
    const Json& op = lost_run["operations"][id.get<size_t>()];
    CHECK(op["f"] == "write");
    CHECK(op["outcome"] == "ok");
    const std::string named = fmt::format("(key {}, value {})", op["key"].get<std::string>(), op["value"].get<std::string>());
    CHECK(std::any_of(lost["violations"].begin(), lost["violations"].end(),
                      [&](const Json& v) { return contains(v.get<std::string>(), named); }));
  }
  const std::vector<std::string> lost_items = failing_op_items(lost_html);
  // The page lists the first twelve in words and says how many more there are.
  const size_t listed = std::min<size_t>(lost["ops"].size(), 12);
  CHECK(lost_items.size() == listed);
  for (size_t i = 0; i < listed; ++i) CHECK(lists_operation(lost_items, lost_run["operations"][lost["ops"][i].get<size_t>()]));
  if (lost["ops"].size() > 12) CHECK(contains(lost_html, fmt::format("… and {} more", lost["ops"].size() - 12)));
  CHECK(lost_run.contains("messages"));  // a short run: its window was replayed
  cli::ReportOptions options;
  options.dirs = {a.string(), b.string()};
  std::ostringstream out;
  CHECK(cli::run_report(options, out) == 0);
  const std::string html = read_text(a / "compare.html");
  CHECK(testing::external_fetches(html) == std::vector<std::string>{});
  CHECK(contains(html, "quorum-any"));
  CHECK(contains(html, "quorum-majority"));
  CHECK(contains(html, "<b>differs</b>"));
  CHECK(contains(html, "check no_lost_acked_writes"));

  const fs::path empty = fs::path(REPLSIM_BINARY_DIR) / "report_tests" / "empty";
  fs::remove_all(empty);  // a run.json left by an earlier run would change what this tests
  fs::create_directories(empty);
  options.dirs = {empty.string()};
  CHECK_THROWS_AS(cli::run_report(options, out), InputError);
  std::ofstream(empty / "run.json") << R"({"scenario": "x", "verdict": "pass"})";
  try {
    cli::run_report(options, out);
    FAIL("a run.json without report sections must be refused");
  } catch (const InputError& e) {
    CHECK(contains(e.what(), "run.json:/checks"));
  }
  options.dirs = {a.string()};
  options.format = "pdf";
  CHECK_THROWS_AS(cli::run_report(options, out), InputError);
}

TEST_CASE("campaign figures are distributions over the seeds' own figures") {
  reports::Campaign c;
  c.summary = {{"scenario", "x"}, {"seeds", "1..3"}, {"shard", "1/1"}, {"seeds_run", 3}, {"failures", Json::array()}};
  c.results = {{{"seed", 1},
                {"figures",
                 {{"failover_ms", {100.0, 300.0}},
                  {"unavailable_ms", {150.0, 350.0}},
                  {"replica_recovery_ms", Json::array()},
                  {"latency_p99_ms", 5.0}}}},
               {{"seed", 2},
                {"figures",
                 {{"failover_ms", {200.0}},
                  {"unavailable_ms", {250.0}},
                  {"replica_recovery_ms", {1000.0}},
                  {"latency_p99_ms", 7.0},
                  {"relapse_ms", {1006.9}}}}},
               {{"seed", 3},
                {"figures",
                 {{"failover_ms", Json::array()},
                  {"unavailable_ms", Json::array()},
                  {"replica_recovery_ms", Json::array()},
                  {"latency_p99_ms", nullptr}}}}};
  const Json f = reports::campaign_figures(c);
  CHECK(f["failover_ms"]["count"] == 3);
  CHECK(f["failover_ms"]["p50"] == 200.0);
  CHECK(f["failover_ms"]["max"] == 300.0);
  CHECK(f["unavailable_ms"]["count"] == 3);  // a total per seed, 0 for the seed without a failover
  CHECK(f["unavailable_ms"]["max"] == 500.0);
  CHECK(f["latency_p99_ms"]["count"] == 2);
  CHECK(f["relapse_ms"]["count"] == 1);  // seeds written before relapses were reported have none
  CHECK(f["relapse_ms"]["max"] == 1006.9);
  const std::string html = reports::render_campaign_html(c);
  CHECK(testing::external_fetches(html) == std::vector<std::string>{});
  CHECK(contains(html, "class=\"chart histogram\""));
  // A figure no seed has (latency under faults here) is said in words, not
  // drawn as an empty chart.
  const std::string relapses_empty =
      "<h3>Relapses (unhealthy again after settling, with no new fault), every one</h3><p class=\"muted\">None in "
      "any seed.</p>";
  CHECK(contains(html, "during fault windows, per seed</h3><p class=\"muted\">None in any seed.</p>"));
  CHECK_FALSE(contains(html, relapses_empty));
  c.results[1]["figures"]["relapse_ms"] = Json::array();
  CHECK(contains(reports::render_campaign_html(c), relapses_empty));
  CHECK(contains(html, "every seed passed as expected"));
}

TEST_CASE("the self-containment audit finds every way a page could fetch") {
  // A clean page: the project's frame, an inline SVG with its namespace, a
  // fragment reference and a link to a file beside the report.
  const std::string clean = reports::html_page(
      "t", "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect fill=\"url(#g)\" style=\"fill:url(#g)\"/>"
           "<use href=\"#r\"/></svg><a href=\"failures/x.json\">x</a><a href=\"#top\">top</a>");
  CHECK(testing::external_fetches(clean) == std::vector<std::string>{});
  // Each of these alone must be found.
  const std::vector<std::string> fetching = {
      "<script>1</script>",
      "<SCRIPT src=x.js></SCRIPT>",
      "<link rel=stylesheet href=\"s.css\">",
      "<link rel=\"icon\" href=\"data:,\">",
      "<img src=\"a.png\">",
      "<img srcset='a.png 2x'>",
      "<iframe src=\"https://example.com\"></iframe>",
      "<object data=\"x.svg\"></object>",
      "<embed src=\"x.swf\">",
      "<video poster=\"p.png\"></video>",
      "<audio><source src=\"a.ogg\"></audio>",
      "<base href=\"https://example.com/\">",
      "<meta http-equiv=\"refresh\" content=\"0;url=https://example.com\">",
      "<form action=\"https://example.com\"></form>",
      "<button formaction=\"x\">b</button>",
      "<a href=\"https://example.com\" ping=\"https://example.com/p\">x</a>",
      "<a href=\"https://example.com\">x</a>",
      "<a href=\"//example.com/x\">x</a>",
      "<table background=\"b.png\"></table>",
      "<svg><image href=\"i.png\"/></svg>",
      "<svg><use xlink:href=\"sprites.svg#a\"/></svg>",
      "<div style=\"background:url(b.png)\"></div>",
      "<div style=\"background-image: URL( 'https://x/b.png' )\"></div>",
      "<style>@import 'x.css';</style>",
      "<style>body{background:url(\"b.png\")}</style>",
      "<style>@font-face{font-family:x;src:local(x)}</style>",
      "<div style=\"background-image:image-set('a.png' 1x)\"></div>",
      "<div data-x=\"https://example.com\"></div>",
  };
  for (const std::string& snippet : fetching) {
    CAPTURE(snippet);
    CHECK_FALSE(testing::external_fetches(reports::html_page("t", snippet)).empty());
  }
}
