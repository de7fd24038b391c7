#include "harness/fault_generator.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"

namespace replsim::harness {
namespace {

NodeSelector server(uint32_t index) {  // 1-based
  NodeSelector s;
  s.name = "s" + std::to_string(index);
  s.text = s.name;
  return s;
}

class Drawer {
 public:
  Drawer(const Scenario& scenario, uint64_t seed)
      : scenario_(scenario), generator_(*scenario.fault_generator), rng_(seed, "fault-generator") {}

  DrawnSchedule draw() {
    DrawnSchedule out;
    for (const auto& [name, family] : generator_.families) {
      if (!generator_.swarm || rng_.bernoulli(0.5)) out.families_on.push_back(name);
    }
    if (out.families_on.empty() && !generator_.families.empty()) {
      auto it = generator_.families.begin();
      std::advance(it, static_cast<ptrdiff_t>(rng_.below(generator_.families.size())));
      out.families_on.push_back(it->first);
    }
    const Duration window_end = scenario_.duration - generator_.quiet_period;
    struct Drawn {
      Duration at;
      size_t family;
      std::vector<FaultSpec> faults;  // the fault and its undo
    };
    std::vector<Drawn> drawn;
    for (size_t f = 0; f < out.families_on.size(); ++f) {
      const FaultFamilySpec& family = generator_.families.at(out.families_on[f]);
      if (family.rate_per_s <= 0) continue;
      Duration t = generator_.start;
      // Bounded: at most max_faults arrivals per family are ever kept.
      for (uint32_t n = 0; n < generator_.max_faults; ++n) {
        const double gap_s = -std::log(1.0 - rng_.unit()) / family.rate_per_s;
        t += Duration::ns(static_cast<int64_t>(std::min(gap_s, 1e6) * 1e9));
        if (t >= window_end) break;
        drawn.push_back({t, f, make(out.families_on[f], family, t, window_end)});
      }
    }
    std::stable_sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) {
      return std::tie(a.at, a.family) < std::tie(b.at, b.family);
    });
    if (drawn.size() > generator_.max_faults) drawn.resize(generator_.max_faults);
    for (Drawn& d : drawn) {
      for (FaultSpec& f : d.faults) out.faults.push_back(std::move(f));
    }
    std::stable_sort(out.faults.begin(), out.faults.end(),
                     [](const FaultSpec& a, const FaultSpec& b) { return *a.at < *b.at; });
    for (size_t i = 0; i < out.faults.size(); ++i) out.faults[i].path = "/fault_generator/drawn/" + std::to_string(i);
    return out;
  }

 private:
  uint32_t any_server() { return 1 + static_cast<uint32_t>(rng_.below(scenario_.cluster.servers)); }

  Duration lasting(const FaultFamilySpec& family, Duration at, Duration window_end) {
    const Distribution fallback = Distribution::uniform(Duration::s(1), Duration::s(5));
    const Duration d = (family.duration ? *family.duration : fallback).sample(rng_);
    return std::min(at + std::max(d, Duration::ms(1)), window_end);
  }

  FaultSpec at_time(const std::string& type, Duration at) {
    FaultSpec f;
    f.type = type;
    f.at = at;
    return f;
  }

  std::vector<FaultSpec> make(const std::string& family_name, const FaultFamilySpec& family, Duration at,
                              Duration window_end) {
    const Duration undo_at = lasting(family, at, window_end);
    const uint32_t n = scenario_.cluster.servers;
    if (family_name == "crash" || family_name == "powerloss" || family_name == "pause") {
      FaultSpec fault = at_time(family_name, at);
      fault.node = server(any_server());
      FaultSpec undo = at_time(family_name == "pause" ? "resume" : "restart", undo_at);
      undo.node = fault.node;
      return {fault, undo};
    }
    if (family_name == "partition") {
      const std::string shape = family.shapes[rng_.below(family.shapes.size())];
      std::vector<FaultSpec> faults;
      if (shape == "isolate") {
        FaultSpec f = at_time("isolate", at);
        f.node = server(any_server());
        faults.push_back(f);
      } else if (shape == "one_way") {
        FaultSpec f = at_time("partition_oneway", at);
        const uint32_t from = any_server();
        f.from = {server(from)};
        for (uint32_t i = 1; i <= n; ++i) {
          if (i != from) f.to.push_back(server(i));
        }
        if (!f.to.empty()) faults.push_back(f);
      } else if (shape == "split" || shape == "majority_minority") {
        // A random minority (strictly less than half for majority_minority,
        // any proper subset for split) against the rest.
        std::vector<uint32_t> order(n);
        for (uint32_t i = 0; i < n; ++i) order[i] = i + 1;
        for (uint32_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
        const uint32_t minority = shape == "split" ? 1 + static_cast<uint32_t>(rng_.below(std::max<uint32_t>(1, n - 1)))
                                                   : std::max<uint32_t>(1, (n - 1) / 2);
        if (n >= 2) {
          FaultSpec f = at_time("partition", at);
          f.groups.resize(2);
          for (uint32_t i = 0; i < n; ++i) f.groups[i < minority ? 0 : 1].push_back(server(order[i]));
          faults.push_back(f);
        }
      } else {
        // ring and bridge are not group splits: their blocked pairs become
        // one-way partitions, one per sender.
        std::vector<NodeId> ids;
        for (uint32_t i = 0; i < n; ++i) ids.push_back({i});
        const auto pairs = shape == "ring" ? partition_shapes::ring(ids) : partition_shapes::bridge(ids);
        std::map<uint32_t, FaultSpec> by_sender;
        for (const auto& [a, b] : pairs) {
          FaultSpec& f = by_sender.try_emplace(a.index, at_time("partition_oneway", at)).first->second;
          f.from = {server(a.index + 1)};
          f.to.push_back(server(b.index + 1));
        }
        for (auto& [sender, f] : by_sender) faults.push_back(f);
      }
      if (!faults.empty()) faults.push_back(at_time("heal", undo_at));
      return faults;
    }
    if (family_name == "clock_skew") {
      FaultSpec f = at_time("clock_skew", at);
      f.node = server(any_server());
      const double offset_s = (rng_.unit() * 2 - 1) * family.max_offset.seconds();
      f.offset = Duration::ns(static_cast<int64_t>(offset_s * 1e9));
      f.drift_ppm = static_cast<int64_t>(std::llround((rng_.unit() * 2 - 1) * family.max_drift * 1e6));
      FaultSpec undo = at_time("clock_skew", undo_at);
      undo.node = f.node;
      undo.offset = Duration::zero();
      undo.drift_ppm = 0;
      return {f, undo};
    }
    if (family_name == "disk_fault") {
      FaultSpec f = at_time("disk_fault", at);
      f.node = server(any_server());
      f.disk_kind = family.kinds[rng_.below(family.kinds.size())];
      if (f.disk_kind != "corrupt") f.duration = undo_at - at;
      return {f};
    }
    REPLSIM_ASSERT(family_name == "link", "the loader let an unknown family through");
    const uint32_t from = any_server();
    FaultSpec f = at_time("link", at);
    f.from = {server(from)};
    for (uint32_t i = 1; i <= n; ++i) {
      if (i != from) f.to.push_back(server(i));
    }
    if (f.to.empty()) return {};
    f.loss = family.loss;
    f.duplicate = family.duplicate;
    FaultSpec undo = f;
    undo.at = undo_at;
    undo.loss = scenario_.network.loss;
    undo.duplicate = scenario_.network.duplicate;
    return {f, undo};
  }

  const Scenario& scenario_;
  const FaultGeneratorSpec& generator_;
  Rng rng_;
};

}  // namespace

DrawnSchedule draw_fault_schedule(const Scenario& scenario, uint64_t seed) {
  if (!scenario.fault_generator) return {};
  return Drawer(scenario, seed).draw();
}

Scenario with_drawn_faults(const Scenario& scenario, const DrawnSchedule& drawn) {
  Scenario explicit_scenario = scenario;
  explicit_scenario.faults.insert(explicit_scenario.faults.end(), drawn.faults.begin(), drawn.faults.end());
  std::stable_sort(explicit_scenario.faults.begin(), explicit_scenario.faults.end(),
                   [](const FaultSpec& a, const FaultSpec& b) {
                     // Triggered faults keep their place after the timed ones.
                     if (a.at.has_value() != b.at.has_value()) return a.at.has_value();
                     return a.at.has_value() && *a.at < *b.at;
                   });
  explicit_scenario.fault_generator.reset();
  return explicit_scenario;
}

}  // namespace replsim::harness
