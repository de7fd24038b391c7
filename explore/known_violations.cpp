#include "explore/known_violations.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/assert.h"

namespace replsim::explore {

bool is_known(const std::vector<std::string>& signature, const ExploreOptions& options) {
  REPLSIM_ASSERT(!signature.empty(), "a violation names what failed");
  return std::all_of(signature.begin(), signature.end(), [&](const std::string& element) {
    return std::find(options.known.begin(), options.known.end(), element) != options.known.end();
  });
}

void add_known_violation(nlohmann::json& known, const std::vector<std::string>& signature, uint64_t judgements,
                         uint32_t transitions) {
  REPLSIM_ASSERT(known.is_object() && judgements > 0, "a count of violations found");
  nlohmann::json& entry = known[fmt::format("{}", fmt::join(signature, "; "))];
  if (entry.is_null()) entry = {{"signature", signature}, {"judgements", 0}, {"transitions_min", transitions}};
  entry["judgements"] = entry["judgements"].get<uint64_t>() + judgements;
  entry["transitions_min"] = std::min(entry["transitions_min"].get<uint32_t>(), transitions);
}

void add_known_violations(nlohmann::json& known, const nlohmann::json& other) {
  REPLSIM_ASSERT(other.is_object(), "a summary's known_violations");
  for (const nlohmann::json& entry : other) {
    add_known_violation(known, entry["signature"].get<std::vector<std::string>>(), entry["judgements"].get<uint64_t>(),
                        entry["transitions_min"].get<uint32_t>());
  }
}

}  // namespace replsim::explore
