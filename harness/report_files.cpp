#include "harness/report_files.h"

#include <fmt/format.h>

#include <fstream>

#include "base/input_error.h"
#include "checker/history_io.h"
#include "harness/run_json.h"
#include "reports/campaign_html.h"
#include "reports/run_html.h"

namespace replsim::harness {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

Json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(file.string(), "a readable JSON file", "a file that cannot be opened");
  try {
    return Json::parse(in);
  } catch (const Json::parse_error& error) {
    throw InputError(file.string(), "JSON", error.what());
  }
}

// run.json as this version writes it: the sections the pages read.
Json read_run(const fs::path& file) {
  Json run = read_json(file);
  for (const char* key :
       {"scenario", "verdict", "checks", "faults", "ops", "stats", "operations", "latency", "throughput",
        "availability", "phases", "fault_windows", "timeline", "summary", "anomaly", "duration_ns"}) {
    if (!run.contains(key)) {
      throw InputError(file.string() + ":/" + key,
                       "a run.json with report sections (written by replsim run 0.1.0 or later)",
                       "no \"" + std::string(key) + "\"");
    }
  }
  return run;
}

reports::Campaign read_campaign(const fs::path& dir) {
  reports::Campaign c;
  c.folder = dir.string();
  c.summary = read_json(dir / "campaign.json");
  std::ifstream in(dir / "results.jsonl");
  if (!in) throw InputError((dir / "results.jsonl").string(), "the results of the campaign", "no such file");
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      c.results.push_back(Json::parse(line));
    } catch (const Json::parse_error&) {
      // A line cut short by a killed campaign: `fuzz --resume` runs that seed again; the report skips it.
    }
  }
  return c;
}

enum class Kind { kRun, kCampaign };

Kind kind_of(const fs::path& dir) {
  if (fs::exists(dir / "run.json")) return Kind::kRun;
  if (fs::exists(dir / "campaign.json")) return Kind::kCampaign;
  throw InputError(dir.string(), "a folder with run.json (from replsim run) or campaign.json (from replsim fuzz)",
                   fs::exists(dir) ? "neither file" : "no such folder");
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  if (!out) throw InputError(file.string(), "a file that can be written", "cannot open it");
  out << text;
}

// Renderers read documents this version wrote; a hand-edited one with a
// wrong type is bad input, not a crash.
template <typename F>
auto rendering(const std::string& what, F&& render) {
  try {
    return render();
  } catch (const Json::exception& error) {
    throw InputError(what, "a document as replsim writes it", error.what());
  }
}

}  // namespace

ScenarioRun run_into_folder(const Scenario& scenario, uint64_t seed, const fs::path& dir, bool write_trace) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw InputError("--out", "a folder that can be created", "\"" + dir.string() + "\": " + error.message());
  std::ofstream trace_file;
  std::unique_ptr<TraceWriter> trace;
  if (write_trace) {
    trace_file.open(dir / "trace.jsonl");
    trace = std::make_unique<TraceWriter>(trace_file);
  }
  ScenarioRun run = run_scenario(scenario, seed, trace.get());
  // A short failing run is replayed (deterministically: the same trace) to
  // record the messages around its anomaly for the sequence diagram.
  if (const std::optional<MessageWindow> window = anomaly_window(run)) {
    ScenarioRun replay = run_scenario(scenario, seed, nullptr, &*window);
    if (replay.world.trace_hash() != run.world.trace_hash()) {
      throw std::logic_error("the replay of a run for its message diagram diverged: determinism is broken");
    }
    run.messages = std::move(replay.messages);
  }
  const nlohmann::json report = scenario_run_to_json(scenario, seed, run);
  write_file(dir / "run.json", report.dump(2) + "\n");
  write_run_report(dir, report);
  std::ofstream history(dir / "history.edn");
  checker::write_edn_history(run.history, history);
  return run;
}

fs::path write_run_report(const fs::path& dir, const Json& run) {
  write_file(dir / "report.html",
             rendering((dir / "run.json").string(), [&] { return reports::render_run_html(run); }));
  return dir / "report.html";
}

fs::path write_campaign_report(const fs::path& dir) {
  const reports::Campaign c = read_campaign(dir);
  write_file(dir / "report.html",
             rendering((dir / "campaign.json").string(), [&] { return reports::render_campaign_html(c); }));
  return dir / "report.html";
}

int report_folders(const ReportOptions& options, std::ostream& out) {
  if (options.format != "html" && options.format != "md") {
    throw InputError("--format", "html or md", "\"" + options.format + "\"");
  }
  if (options.dirs.empty() || options.dirs.size() > 2) {
    throw InputError("DIR", "one folder, or two to compare", std::to_string(options.dirs.size()) + " folders");
  }
  const fs::path a = options.dirs.front();
  const Kind kind = kind_of(a);
  if (options.dirs.size() == 1) {
    const fs::path source = a / (kind == Kind::kRun ? "run.json" : "campaign.json");
    Json run;
    reports::Campaign campaign;
    if (kind == Kind::kRun)
      run = read_run(source);
    else
      campaign = read_campaign(a);
    const bool markdown = options.format == "md";
    const std::string text = rendering(source.string(), [&] {
      if (kind == Kind::kRun) return markdown ? reports::render_run_markdown(run) : reports::render_run_html(run);
      return markdown ? reports::render_campaign_markdown(campaign) : reports::render_campaign_html(campaign);
    });
    if (markdown) {
      out << text;
      return 0;
    }
    const fs::path file = options.out_file.empty() ? a / "report.html" : fs::path(options.out_file);
    write_file(file, text);
    out << "report: " << file.string() << "\n";
    return 0;
  }
  const fs::path b = options.dirs.back();
  if (kind_of(b) != kind) {
    throw InputError(b.string(),
                     kind == Kind::kRun ? "a run folder, like " + a.string() : "a campaign folder, like " + a.string(),
                     kind == Kind::kRun ? "a campaign folder" : "a run folder");
  }
  if (options.format == "md") throw InputError("--format", "html for a comparison", "md");
  const std::string label_a = a.filename().empty() ? a.parent_path().filename().string() : a.filename().string();
  std::string label_b = b.filename().empty() ? b.parent_path().filename().string() : b.filename().string();
  if (label_b == label_a) label_b += " (2)";
  const fs::path file = options.out_file.empty() ? a / "compare.html" : fs::path(options.out_file);
  if (kind == Kind::kRun) {
    const Json run_a = read_run(a / "run.json"), run_b = read_run(b / "run.json");
    write_file(file, rendering(a.string() + " and " + b.string(),
                               [&] { return reports::render_compare_runs_html(run_a, label_a, run_b, label_b); }));
  } else {
    const reports::Campaign ca = read_campaign(a), cb = read_campaign(b);
    write_file(file, rendering(a.string() + " and " + b.string(),
                               [&] { return reports::render_compare_campaigns_html(ca, label_a, cb, label_b); }));
  }
  out << "comparison: " << file.string() << "\n";
  return 0;
}

}  // namespace replsim::harness
