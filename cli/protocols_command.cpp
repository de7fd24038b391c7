#include "cli/protocols_command.h"

#include <fmt/format.h>

#include "harness/registry.h"

namespace replsim::cli {

int run_protocols(bool json, std::ostream& out) {
  nlohmann::json all = nlohmann::json::array();
  for (const harness::Protocol* p : harness::registered_protocols()) {
    const harness::Vocabulary& v = p->vocabulary();
    all.push_back(harness::vocabulary_to_json(v));
    if (json) continue;
    std::string roles, statuses, checks;
    for (const harness::RoleDeclaration& r : v.roles) roles += fmt::format(" {}{}", r.name, r.per_group ? ":gN" : "");
    for (const harness::StatusDeclaration& s : v.statuses) statuses += " " + s.name;
    for (const harness::CheckDeclaration& c : harness::platform_checks()) checks += " " + c.name;
    for (const harness::CheckDeclaration& c : v.checks) checks += " " + c.name;
    out << fmt::format("{}\n  roles   {}\n  statuses{}\n  checks  {}\n  history  {}\n", v.protocol, roles,
                       statuses.empty() ? " (none)" : statuses, checks, v.history_model);
  }
  if (json) out << all.dump(2) << "\n";
  return 0;
}

}  // namespace replsim::cli
