#include "cli/fuzz_command.h"

#include <string>
#include <tuple>
#include <utility>

#include "base/input_error.h"
#include "cli/shard_option.h"
#include "harness/campaign.h"

namespace replsim::cli {
namespace {

std::pair<uint64_t, uint64_t> parse_seed_range(const std::string& text) {
  const size_t dots = text.find("..");
  const auto number = [&](const std::string& part) {
    if (part.empty() || part.size() > 18 || part.find_first_not_of("0123456789") != std::string::npos) {
      throw InputError("--seeds", "a range A..B of non-negative whole numbers, e.g. 1..1000", "\"" + text + "\"");
    }
    return std::stoull(part);
  };
  if (dots == std::string::npos) throw InputError("--seeds", "a range A..B, e.g. 1..1000", "\"" + text + "\"");
  const uint64_t first = number(text.substr(0, dots));
  const uint64_t last = number(text.substr(dots + 2));
  if (last < first || last - first >= 100'000'000) {
    throw InputError("--seeds", "A <= B and at most 100 million seeds", "\"" + text + "\"");
  }
  return {first, last};
}

}  // namespace

int run_fuzz(const FuzzOptions& options, std::ostream& out) {
  harness::CampaignOptions campaign;
  std::tie(campaign.first_seed, campaign.last_seed) = parse_seed_range(options.seeds);
  std::tie(campaign.shard, campaign.shards) = parse_shard(options.shard);
  campaign.seeds_text = options.seeds;
  campaign.shard_text = options.shard;
  if (!options.time_limit.empty()) campaign.time_limit = parse_duration(options.time_limit, "--time-limit");
  campaign.file = options.file;
  campaign.jobs = options.jobs;
  campaign.out_dir = options.out_dir;
  campaign.resume = options.resume;
  campaign.shrink_max = options.shrink_max;
  campaign.known = options.known;
  return harness::run_campaign(campaign, out);
}

}  // namespace replsim::cli
