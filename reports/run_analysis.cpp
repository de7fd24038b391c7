#include "reports/run_analysis.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "base/assert.h"
#include "base/time.h"
#include "checker/stalls.h"

namespace replsim::reports {
namespace {

struct Interval {
  int64_t from_ns;
  int64_t to_ns;
  bool contains(int64_t t) const { return t >= from_ns && t < to_ns; }
};

double to_ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

bool inside(const std::vector<Interval>& intervals, int64_t t) {
  return std::any_of(intervals.begin(), intervals.end(), [&](const Interval& i) { return i.contains(t); });
}

// Fault windows: a crash lasts until the node restarts, a partition until
// the next heal, a pause until the resume, a disk fault for its duration.
// Instantaneous faults (restart, heal, corruption, clock steps) are markers.
nlohmann::json fault_windows(const nlohmann::json& faults, int64_t end_ns) {
  nlohmann::json windows = nlohmann::json::array();
  for (size_t i = 0; i < faults.size(); ++i) {
    const nlohmann::json& f = faults[i];
    if (f.contains("skipped")) continue;
    const std::string type = f.value("type", "");
    const int64_t at = f.value("at_ns", int64_t{0});
    const std::string node = f.value("node", "");
    const auto until = [&](const std::vector<std::string>& ends, bool same_node) {
      for (size_t k = i + 1; k < faults.size(); ++k) {
        const nlohmann::json& later = faults[k];
        if (later.contains("skipped")) continue;
        const std::string later_type = later.value("type", "");
        if (std::find(ends.begin(), ends.end(), later_type) == ends.end()) continue;
        if (same_node && later.value("node", "") != node) continue;
        return later.value("at_ns", end_ns);
      }
      return end_ns;
    };
    int64_t to = at;
    std::string label = type + (node.empty() ? "" : " " + node);
    if (type == "crash" || type == "powerloss")
      to = until({"restart"}, true);
    else if (type == "pause")
      to = until({"resume"}, true);
    else if (type == "partition" || type == "partition_oneway" || type == "link")
      to = until({"heal"}, false);
    else if (type == "disk_fault" && f.contains("duration")) {
      to = std::min(end_ns, at + parse_duration(f["duration"].get<std::string>(), "fault duration").count_ns());
      label = "disk " + f.value("kind", "") + " " + node;
    }
    if (type == "partition" && f.contains("shape"))
      label = f["shape"].get<std::string>() == "isolate" ? "isolate" : "partition";
    windows.push_back(
        {{"fault", i}, {"label", label}, {"from_ns", at}, {"to_ns", std::max(to, at)}, {"instant", to <= at}});
  }
  return windows;
}

// When each role that serves writes was unserved: nobody held it, or its
// holder was down. Starts before the role was first served are the startup,
// not a loss.
std::vector<std::pair<std::string, Interval>> unserved_roles(const nlohmann::json& timeline, int64_t end_ns) {
  std::map<std::string, std::vector<Interval>> down;
  for (const auto& d : timeline["down"]) down[d["node"]].push_back({d["from_ns"], d["to_ns"]});
  std::vector<std::pair<std::string, Interval>> out;
  for (const auto& r : timeline["roles"]) {
    const std::string role = r["role"];
    if (!r.value("serves_writes", false)) continue;
    // Boundaries where servedness can change.
    std::vector<int64_t> cuts = {0, end_ns};
    for (const auto& t : r["terms"]) {
      cuts.push_back(t["from_ns"]);
      cuts.push_back(t["to_ns"]);
      for (const Interval& d : down[t["node"]]) {
        cuts.push_back(d.from_ns);
        cuts.push_back(d.to_ns);
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    const auto served_at = [&](int64_t t) {
      for (const auto& term : r["terms"]) {
        if (!Interval{term["from_ns"], term["to_ns"]}.contains(t)) continue;
        return !inside(down[term["node"]], t);
      }
      return false;
    };
    bool ever_served = false;
    std::optional<int64_t> lost_at;
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      if (cuts[k] >= end_ns) break;
      const bool served = served_at(cuts[k]);
      if (served) {
        if (lost_at) out.push_back({role, {*lost_at, cuts[k]}});
        lost_at.reset();
        ever_served = true;
      } else if (ever_served && !lost_at) {
        lost_at = cuts[k];
      }
    }
    if (lost_at) out.push_back({role, {*lost_at, end_ns}});
  }
  return out;
}

// The time the union of `spans` covers.
int64_t covered_ns(std::vector<Interval> spans) {
  std::sort(spans.begin(), spans.end(), [](const Interval& a, const Interval& b) { return a.from_ns < b.from_ns; });
  int64_t covered = 0;
  int64_t covered_to = INT64_MIN;
  for (const Interval& i : spans) {
    const int64_t from = std::max(i.from_ns, covered_to);
    if (i.to_ns > from) covered += i.to_ns - from;
    covered_to = std::max(covered_to, i.to_ns);
  }
  REPLSIM_ASSERT(covered >= 0, "a union's length is not negative");
  return covered;
}

// The longest stretch of the workload without an acknowledged write,
// counting from the workload's start and to its end.
nlohmann::json longest_write_gap(const std::vector<int64_t>& write_acks, int64_t from_ns, int64_t to_ns) {
  REPLSIM_ASSERT(std::is_sorted(write_acks.begin(), write_acks.end()), "acknowledgments in time order");
  if (to_ns <= from_ns) return nullptr;
  std::vector<int64_t> marks = {from_ns};
  for (int64_t t : write_acks) {
    if (t > from_ns && t < to_ns) marks.push_back(t);
  }
  marks.push_back(to_ns);
  nlohmann::json gap = nullptr;
  for (size_t k = 1; k < marks.size(); ++k) {
    const double ms = to_ms(marks[k] - marks[k - 1]);
    if (gap.is_null() || ms > gap["ms"].get<double>()) gap = {{"from_ns", marks[k - 1]}, {"to_ns", marks[k]}, {"ms", ms}};
  }
  return gap;
}

// Per kind of operation: each group's stalls of a second or more, and the
// time within the workload's window at least one group stalled, as a share
// of that window.
nlohmann::json client_view(const RunInputs& in, int64_t end_ns) {
  constexpr int64_t kStallNsMin = 1'000'000'000;
  const int64_t workload_ns = std::max<int64_t>(0, in.workload_to_ns - in.workload_from_ns);
  nlohmann::json view = {{"stall_ms_min", to_ms(kStallNsMin)}};
  for (const bool reads : {false, true}) {
    const auto stalls = checker::find_stalls(
        in.operations, [&](const checker::Operation& op) { return (op.f == "read") == reads; },
        [&](const checker::Operation& op) { return in.group_of_key(op.key); }, end_ns, kStallNsMin);
    nlohmann::json list = nlohmann::json::array();
    std::vector<Interval> spans;
    for (const checker::Stall& s : stalls) {
      list.push_back({{"group", s.group}, {"from_ns", s.from_ns}, {"to_ns", s.to_ns}, {"ms", to_ms(s.length_ns())},
                      {"resolved", s.resolved}, {"offered", s.offered}, {"not_succeeded", s.not_succeeded}});
      // The share is of the workload's window: a stall that runs past the
      // workload's stop (writes offered before it, timing out after) counts
      // only inside it.
      const int64_t from = std::max(s.from_ns, in.workload_from_ns), to = std::min(s.to_ns, in.workload_to_ns);
      if (from < to) spans.push_back({from, to});
    }
    const int64_t unavailable_ns = covered_ns(spans);
    view[reads ? "reads" : "writes"] = {
        {"stalls", list},
        {"unavailable_ms", to_ms(unavailable_ns)},
        {"available_fraction", workload_ns > 0 ? std::max(0.0, 1.0 - double(unavailable_ns) / double(workload_ns)) : 1.0}};
  }
  return view;
}

}  // namespace

double percentile(const std::vector<double>& sorted, double p) {
  REPLSIM_ASSERT(!sorted.empty() && p > 0 && p <= 100, "percentile of a non-empty list, 0 < p <= 100");
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

nlohmann::json distribution(std::vector<double> values) {
  if (values.empty()) return {{"count", 0}};
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  return {{"count", values.size()},
          {"p50", percentile(values, 50)},
          {"p90", percentile(values, 90)},
          {"p99", percentile(values, 99)},
          {"p99.9", percentile(values, 99.9)},
          {"max", values.back()},
          {"mean", sum / static_cast<double>(values.size())}};
}

nlohmann::json analyse_run(const RunInputs& in) {
  const int64_t end_ns = in.duration_ns;
  const nlohmann::json& timeline = in.timeline;
  nlohmann::json out;
  out["fault_windows"] = fault_windows(in.faults, end_ns);

  // Acknowledged writes, by completion time: what ends an unavailability
  // window.
  std::vector<int64_t> write_acks;
  for (const checker::Operation& op : in.operations) {
    if (op.f == "write" && op.outcome == checker::Outcome::kOk) write_acks.push_back(op.complete_time);
  }
  std::sort(write_acks.begin(), write_acks.end());

  // Unavailability windows and failover times.
  nlohmann::json windows = nlohmann::json::array();
  std::vector<Interval> failover;
  std::vector<double> failover_ms, unavailable_ms;
  for (const auto& [role, lost] : unserved_roles(timeline, end_ns)) {
    const auto ack = std::lower_bound(write_acks.begin(), write_acks.end(), lost.to_ns);
    const bool served_again = lost.to_ns < end_ns;
    const bool closed = served_again && ack != write_acks.end();
    const int64_t to = closed ? *ack : end_ns;
    windows.push_back({{"role", role},
                       {"from_ns", lost.from_ns},
                       {"served_again_ns", served_again ? nlohmann::json(lost.to_ns) : nlohmann::json(nullptr)},
                       {"to_ns", to},
                       {"open", !closed},
                       {"unavailable_ms", to_ms(to - lost.from_ns)}});
    failover.push_back({lost.from_ns, to});
    if (served_again) failover_ms.push_back(to_ms(lost.to_ns - lost.from_ns));
    unavailable_ms.push_back(to_ms(to - lost.from_ns));
  }

  // Phases.
  std::vector<Interval> unhealthy;
  for (const auto& u : timeline["unhealthy"]) unhealthy.push_back({u["from_ns"], u["to_ns"]});
  int64_t first_healthy_ns = end_ns;
  if (unhealthy.empty() || unhealthy.front().from_ns > 0)
    first_healthy_ns = 0;
  else if (unhealthy.front().to_ns < end_ns)
    first_healthy_ns = unhealthy.front().to_ns;
  if (timeline["replicas"].empty() && timeline["roles"].empty()) first_healthy_ns = 0;  // nothing recorded
  const auto phase_at = [&](int64_t t) -> const char* {
    if (t < first_healthy_ns) return "startup";
    if (inside(failover, t)) return "failover";
    if (inside(unhealthy, t)) return "recovery";
    return "steady";
  };
  std::vector<int64_t> cuts = {0, first_healthy_ns, end_ns};
  for (const Interval& i : failover) cuts.insert(cuts.end(), {i.from_ns, i.to_ns});
  for (const Interval& i : unhealthy) cuts.insert(cuts.end(), {i.from_ns, i.to_ns});
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  nlohmann::json phases = nlohmann::json::array();
  for (size_t k = 0; k + 1 < cuts.size() && cuts[k] < end_ns; ++k) {
    const std::string phase = phase_at(cuts[k]);
    if (!phases.empty() && phases.back()["phase"] == phase)
      phases.back()["to_ns"] = cuts[k + 1];
    else
      phases.push_back({{"phase", phase}, {"from_ns", cuts[k]}, {"to_ns", cuts[k + 1]}});
  }
  out["phases"] = phases;

  // Operations, latency per type and phase, throughput.
  std::vector<Interval> faulted;
  for (const auto& w : out["fault_windows"]) {
    if (!w["instant"].get<bool>()) faulted.push_back({w["from_ns"], w["to_ns"]});
  }
  const int64_t bucket_ns =
      std::max<int64_t>(1'000'000'000, (end_ns / 300 + 999'999'999) / 1'000'000'000 * 1'000'000'000);
  const size_t buckets = static_cast<size_t>(std::max<int64_t>(1, (end_ns + bucket_ns - 1) / bucket_ns));
  std::map<std::string, std::vector<uint64_t>> throughput = {{"ok", std::vector<uint64_t>(buckets)},
                                                             {"fail", std::vector<uint64_t>(buckets)},
                                                             {"info", std::vector<uint64_t>(buckets)}};
  std::map<std::string, std::map<std::string, std::vector<double>>> latencies;           // f -> phase -> ms (ok ops)
  std::map<std::string, std::map<std::string, std::map<std::string, uint64_t>>> counts;  // f -> phase -> outcome
  std::vector<double> under_faults_ms;
  nlohmann::json ops = nlohmann::json::array();
  for (const checker::Operation& op : in.operations) {
    const char* phase = phase_at(op.invoke_time);
    const char* outcome = checker::to_string(op.outcome);
    const bool completed = !op.open() && op.complete_time >= 0;
    if (in.list_operations) {
      nlohmann::json o = {{"id", op.id},
                          {"process", op.process},
                          {"f", op.f},
                          {"key", op.key},
                          {"value", op.input.to_string()},
                          {"output", op.output.to_string()},
                          {"outcome", outcome},
                          {"invoke_ns", op.invoke_time},
                          {"complete_ns", completed ? nlohmann::json(op.complete_time) : nlohmann::json(nullptr)},
                          {"phase", phase}};
      if (completed && op.outcome != checker::Outcome::kInfo)
        o["latency_ms"] = to_ms(op.complete_time - op.invoke_time);
      ops.push_back(std::move(o));
    }
    for (const std::string& f : {op.f, std::string("all")}) {
      for (const std::string& p : {std::string(phase), std::string("all")}) {
        ++counts[f][p][outcome];
        if (op.outcome == checker::Outcome::kOk) latencies[f][p].push_back(to_ms(op.complete_time - op.invoke_time));
      }
    }
    if (op.outcome == checker::Outcome::kOk && inside(faulted, op.invoke_time)) {
      under_faults_ms.push_back(to_ms(op.complete_time - op.invoke_time));
    }
    const int64_t t = completed ? op.complete_time : op.invoke_time;
    const size_t b = std::min(buckets - 1, static_cast<size_t>(std::max<int64_t>(0, t) / bucket_ns));
    ++throughput[outcome][b];
  }
  if (in.list_operations) out["operations"] = ops;
  nlohmann::json latency = {
      {"unit", "ms"}, {"of", "acknowledged (ok) operations"}, {"by_type", nlohmann::json::object()}};
  for (const auto& [f, by_phase] : counts) {
    for (const auto& [p, by_outcome] : by_phase) {
      nlohmann::json cell = distribution(latencies[f][p]);
      cell["ok"] = by_outcome.contains("ok") ? by_outcome.at("ok") : 0;
      cell["fail"] = by_outcome.contains("fail") ? by_outcome.at("fail") : 0;
      cell["info"] = by_outcome.contains("info") ? by_outcome.at("info") : 0;
      latency["by_type"][f][p] = cell;
    }
  }
  out["latency"] = latency;
  out["throughput"] = {{"bucket_ms", to_ms(bucket_ns)},
                       {"ok", throughput["ok"]},
                       {"fail", throughput["fail"]},
                       {"info", throughput["info"]}};

  // Availability.
  const int64_t unavailable_ns = covered_ns(failover);
  const double run_ms = to_ms(end_ns);
  out["availability"] = {{"unavailability_windows", windows},
                         {"unavailable_ms", to_ms(unavailable_ns)},
                         {"available_fraction", run_ms > 0 ? 1.0 - to_ms(unavailable_ns) / run_ms : 1.0},
                         {"longest_write_gap", longest_write_gap(write_acks, in.workload_from_ns, in.workload_to_ns)},
                         {"client_view", client_view(in, end_ns)}};

  // Replica recovery: from a replica leaving its healthy status (or its node
  // going down) to healthy again.
  std::vector<double> recovery_ms;
  const std::string healthy = timeline.value("healthy_status", "");
  for (const auto& lane : timeline["replicas"]) {
    std::optional<int64_t> left_at;
    for (const auto& band : lane["bands"]) {
      const bool is_healthy = band["status"] == healthy;
      const int64_t from = band["from_ns"];
      if (!is_healthy && !left_at && from > 0 && from >= first_healthy_ns) left_at = from;
      if (is_healthy && left_at) {
        recovery_ms.push_back(to_ms(from - *left_at));
        left_at.reset();
      }
    }
  }
  out["summary"] = {{"failover_ms", failover_ms},
                    {"unavailable_ms", unavailable_ms},
                    {"replica_recovery_ms", recovery_ms},
                    {"latency_under_faults_ms", distribution(under_faults_ms)},
                    {"latency_ms", distribution(latencies["all"]["all"])}};
  return out;
}

}  // namespace replsim::reports
