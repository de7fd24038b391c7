#include "harness/protocol.h"

#include <algorithm>
#include <typeinfo>

#include "base/assert.h"

namespace replsim::harness {
namespace {

template <typename T, typename Key>
const T* find_named(const std::vector<T>& items, Key T::*member, std::string_view name) {
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.*member == name; });
  return it == items.end() ? nullptr : &*it;
}

}  // namespace

const RoleDeclaration* Vocabulary::role(std::string_view name) const {
  return find_named(roles, &RoleDeclaration::name, name);
}
const StatusDeclaration* Vocabulary::status(std::string_view name) const {
  return find_named(statuses, &StatusDeclaration::name, name);
}
const CheckDeclaration* Vocabulary::check(std::string_view name) const {
  return find_named(checks, &CheckDeclaration::name, name);
}
const NoteDeclaration* Vocabulary::note(std::string_view kind) const {
  return find_named(notes, &NoteDeclaration::kind, kind);
}

nlohmann::json vocabulary_to_json(const Vocabulary& v) {
  nlohmann::json roles = nlohmann::json::array();
  for (const RoleDeclaration& r : v.roles) {
    roles.push_back({{"name", r.name}, {"per_group", r.per_group}, {"serves_writes", r.serves_writes},
                     {"announced", r.announced}, {"description", r.description}});
  }
  nlohmann::json statuses = nlohmann::json::array();
  for (const StatusDeclaration& s : v.statuses) {
    statuses.push_back({{"name", s.name}, {"colour", s.colour}, {"description", s.description}});
  }
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckDeclaration& c : platform_checks()) checks.push_back({{"name", c.name}, {"meaning", c.meaning}});
  for (const CheckDeclaration& c : v.checks) checks.push_back({{"name", c.name}, {"meaning", c.meaning}});
  nlohmann::json notes = nlohmann::json::array();
  for (const NoteDeclaration& n : v.notes) notes.push_back({{"kind", n.kind}, {"quiet", n.quiet}});
  return {{"protocol", v.protocol}, {"description", v.description},       {"group_word", v.group_word},
          {"roles", roles},         {"statuses", statuses},               {"healthy_status", v.healthy_status},
          {"checks", checks},       {"history_model", v.history_model},   {"notes", notes}};
}

const std::vector<CheckDeclaration>& platform_checks() {
  static const std::vector<CheckDeclaration> checks = {
      {"linearizable",
       "Clients saw results that no single order of their operations explains: a read returned a value that was "
       "not current at any moment it could have taken effect."},
      {"converges_within",
       "After the last fault the cluster did not settle (every server up and caught up, every role held) within "
       "the scenario's bound."},
      {"writes_progress_within",
       "While a group looked healthy (its replicas caught up, its roles held), clients offered it writes and none "
       "was acknowledged for longer than the scenario's bound: the group stalled though nothing looked wrong.",
       false, true},
  };
  return checks;
}

const CheckDeclaration& declaration_of(const Vocabulary& vocabulary, const std::string& check) {
  for (const CheckDeclaration& c : platform_checks()) {
    if (c.name == check) return c;
  }
  const CheckDeclaration* declared = vocabulary.check(check);
  REPLSIM_ASSERT(declared != nullptr, "a check the loader let through is declared");
  return *declared;
}

std::string meaning_of(const Vocabulary& vocabulary, const std::string& check) {
  return declaration_of(vocabulary, check).meaning;
}

const char* to_string(CheckVerdict verdict) {
  switch (verdict) {
    case CheckVerdict::kPass: return "pass";
    case CheckVerdict::kFail: return "fail";
    case CheckVerdict::kUndecided: return "undecided";
  }
  return "?";
}

void RunMonitor::observe(const World&, const StepRecord&) {}
void RunMonitor::finish(const World&) {}

CheckOutcome RunMonitor::check(const std::string& name, const World&, const std::vector<checker::HistoryEvent>&) const {
  REPLSIM_ASSERT(false, "a protocol that declares checks judges them in its monitor");
  return CheckOutcome{name, CheckVerdict::kFail, {}, {}, {}};
}

RoleView RunMonitor::role_view(const World& world) const {
  RoleView view;
  view.healthy = true;
  for (NodeId id : servers_of(world)) {
    const bool up = world.node_status(id) != NodeStatus::kCrashed;
    view.replicas.push_back({world.node_name(id), up ? "up" : "down"});
    if (!up) view.down.push_back(world.node_name(id));
    view.healthy = view.healthy && up;
  }
  return view;
}

std::optional<std::string> RunMonitor::unsettled(const World& world) const {
  for (NodeId id : servers_of(world)) {
    if (world.node_status(id) != NodeStatus::kUp) return world.node_name(id) + " is " + to_string(world.node_status(id));
  }
  return std::nullopt;
}

nlohmann::json RunMonitor::to_json() const { return nlohmann::json::object(); }

std::unique_ptr<RunMonitor> RunMonitor::clone() const {
  REPLSIM_ASSERT(typeid(*this) == typeid(RunMonitor), "a protocol's monitor overrides clone() (derive it from MonitorOf)");
  return std::make_unique<RunMonitor>(*this);
}

void RunMonitor::hash_into(Hasher&) const {}

void Protocol::check_scenario(const Scenario&) const {}

std::vector<std::vector<NodeId>> Protocol::interchangeable_servers(const Scenario&) const { return {}; }

uint32_t Protocol::group_of_key(const Scenario&, const std::string&) const { return 1; }

std::vector<NodeId> servers_of(const World& world) {
  std::vector<NodeId> servers;
  for (uint32_t i = 0; i < world.node_count(); ++i) {
    const std::string& name = world.node_name({i});
    if (name.size() >= 2 && name[0] == 's' && name.find_first_not_of("0123456789", 1) == std::string::npos) {
      servers.push_back({i});
    }
  }
  return servers;
}

}  // namespace replsim::harness
