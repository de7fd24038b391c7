#include "harness/timeline.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "base/assert.h"
#include "base/hash.h"

namespace replsim::harness {

namespace {

// What healthy_stretches reads of a view; never 0.
uint64_t health_of(const RoleView& view) {
  Hasher h;
  h.add(view.healthy).add(static_cast<uint64_t>(view.groups_healthy.size()));
  for (bool healthy : view.groups_healthy) h.add(healthy);
  return h.value() | 1;
}

}  // namespace

void TimelineRecorder::record(int64_t at_ns, RoleView view) {
  const std::vector<Change>& changes = *changes_;
  if (!changes.empty()) {
    REPLSIM_ASSERT(at_ns >= changes.back().at_ns, "timeline views arrive in time order");
    if (*changes.back().view == view) return;
  }
  if (changes.size() >= kChangesMax) {
    truncated_ = true;
    return;
  }
  // Several changes in one instant: the last one is what the instant shows.
  if (!changes.empty() && changes.back().at_ns == at_ns) {
    changes_.write().back().view = std::make_shared<const RoleView>(std::move(view));
    return;
  }
  if (!changes.empty()) {
    // The last change is now final: its health, if it changed, is sealed.
    const uint64_t health = health_of(*changes.back().view);
    if (health != health_before_last_) {
      health_sealed_ = Hasher(health_sealed_).add(changes.back().at_ns).add(health).value();
    }
    health_before_last_ = health;
  }
  changes_.write().push_back({at_ns, std::make_shared<const RoleView>(std::move(view))});
}

uint64_t TimelineRecorder::health_digest() const {
  // The last change folds as it will once sealed, so that recorders whose
  // health changed alike agree, whichever holds a later change of status.
  uint64_t folded = health_sealed_;
  if (!changes_->empty()) {
    const uint64_t health = health_of(*changes_->back().view);
    if (health != health_before_last_) folded = Hasher(folded).add(changes_->back().at_ns).add(health).value();
  }
  return Hasher(folded).add(truncated_).value();
}

std::vector<std::pair<int64_t, int64_t>> TimelineRecorder::healthy_stretches(uint32_t group, int64_t end_ns) const {
  REPLSIM_ASSERT(group >= 1, "groups count from 1");
  return stretches_where(
      [group](const RoleView& view) {
        if (view.groups_healthy.empty()) return view.healthy;
        return group <= view.groups_healthy.size() && view.groups_healthy[group - 1];
      },
      std::numeric_limits<int64_t>::min(), end_ns);
}

std::vector<std::pair<int64_t, int64_t>> TimelineRecorder::unhealthy_stretches_since(int64_t since_ns,
                                                                                    int64_t end_ns) const {
  REPLSIM_ASSERT(since_ns <= end_ns, "a stretch of the run");
  auto stretches = stretches_where([](const RoleView& view) { return !view.healthy; }, since_ns, end_ns);
  // A stretch clipped at since_ns was in effect before it: not one that began after.
  if (!stretches.empty() && stretches.front().first == since_ns) stretches.erase(stretches.begin());
  return stretches;
}

std::vector<std::pair<int64_t, int64_t>> TimelineRecorder::stretches_where(const std::function<bool(const RoleView&)>& holds,
                                                                           int64_t since_ns, int64_t end_ns) const {
  std::vector<std::pair<int64_t, int64_t>> stretches;
  std::optional<int64_t> since;
  for (const Change& c : *changes_) {
    // A view recorded before since_ns is in effect from since_ns.
    const int64_t at_ns = std::max(c.at_ns, since_ns);
    const bool now = holds(*c.view);
    if (now && !since) since = at_ns;
    if (!now && since) {
      if (at_ns > *since) stretches.push_back({*since, at_ns});
      since.reset();
    }
  }
  // After a truncation the last kept view says nothing about what followed.
  if (since && !truncated_ && end_ns > *since) stretches.push_back({*since, end_ns});
  REPLSIM_ASSERT(stretches.size() <= changes_->size(), "a stretch starts at a change");
  return stretches;
}

namespace {

// Turns a sequence of (time, value) samples of one lane into bands, merging
// equal neighbours and dropping empty values (a role nobody holds).
class BandBuilder {
 public:
  void sample(int64_t at_ns, const std::string& value) {
    if (open_ && value == value_) return;
    close(at_ns);
    open_ = true;
    from_ns_ = at_ns;
    value_ = value;
  }
  void close(int64_t at_ns) {
    if (open_ && !value_.empty() && at_ns > from_ns_) bands_.push_back({from_ns_, at_ns, value_});
    open_ = false;
  }
  nlohmann::json to_json(const char* value_name) const {
    nlohmann::json out = nlohmann::json::array();
    for (const Band& b : bands_) out.push_back({{"from_ns", b.from_ns}, {"to_ns", b.to_ns}, {value_name, b.value}});
    return out;
  }

 private:
  struct Band {
    int64_t from_ns;
    int64_t to_ns;
    std::string value;
  };
  std::vector<Band> bands_;
  bool open_ = false;
  int64_t from_ns_ = 0;
  std::string value_;
};

}  // namespace

nlohmann::json TimelineRecorder::to_json(int64_t end_ns, const std::vector<std::string>& serving_roles) const {
  // Lanes and roles keep the order in which they first appear.
  std::vector<std::string> lane_order, role_order, node_order;
  std::map<std::string, BandBuilder> lanes, roles, down;
  BandBuilder unhealthy;
  for (const Change& c : *changes_) {
    // A lane or role missing from a view has no value then (a blank).
    const auto sample_all = [&](const auto& values, std::map<std::string, BandBuilder>& builders,
                                std::vector<std::string>& order) {
      std::map<std::string, std::string> now(values.begin(), values.end());
      for (auto& [name, builder] : builders) {
        if (!now.contains(name)) builder.sample(c.at_ns, "");
      }
      for (const auto& [name, value] : values) {
        if (!builders.contains(name)) order.push_back(name);
        builders[name].sample(c.at_ns, value);
      }
    };
    sample_all(c.view->replicas, lanes, lane_order);
    sample_all(c.view->roles, roles, role_order);
    for (auto& [node, builder] : down) {
      const bool is_down = std::find(c.view->down.begin(), c.view->down.end(), node) != c.view->down.end();
      builder.sample(c.at_ns, is_down ? "down" : "");
    }
    for (const std::string& node : c.view->down) {
      if (down.contains(node)) continue;
      node_order.push_back(node);
      down[node].sample(c.at_ns, "down");
    }
    unhealthy.sample(c.at_ns, c.view->healthy ? "" : "unhealthy");
  }
  nlohmann::json j = {{"replicas", nlohmann::json::array()},
                      {"roles", nlohmann::json::array()},
                      {"down", nlohmann::json::array()},
                      {"truncated", truncated_}};
  for (const std::string& lane : lane_order) {
    lanes[lane].close(end_ns);
    j["replicas"].push_back({{"lane", lane}, {"bands", lanes[lane].to_json("status")}});
  }
  for (const std::string& role : role_order) {
    roles[role].close(end_ns);
    const std::string name = role.substr(0, role.find(' '));
    const bool serves = std::find(serving_roles.begin(), serving_roles.end(), name) != serving_roles.end();
    j["roles"].push_back({{"role", role}, {"serves_writes", serves}, {"terms", roles[role].to_json("node")}});
  }
  for (const std::string& node : node_order) {
    down[node].close(end_ns);
    for (const auto& band : down[node].to_json("status")) {
      j["down"].push_back({{"node", node}, {"from_ns", band["from_ns"]}, {"to_ns", band["to_ns"]}});
    }
  }
  unhealthy.close(end_ns);
  j["unhealthy"] = nlohmann::json::array();
  for (const auto& band : unhealthy.to_json("status")) {
    j["unhealthy"].push_back({{"from_ns", band["from_ns"]}, {"to_ns", band["to_ns"]}});
  }
  return j;
}

}  // namespace replsim::harness
