#include "cli/merge_command.h"

#include <filesystem>

#include "explore/merge.h"
#include "harness/campaign.h"

namespace replsim::cli {

int run_merge(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out) {
  if (!dirs.empty() && std::filesystem::exists(std::filesystem::path(dirs.front()) / "explore.json")) {
    return explore::merge_explorations(dirs, out_dir, out);
  }
  return harness::merge_campaigns(dirs, out_dir, out);
}

}  // namespace replsim::cli
