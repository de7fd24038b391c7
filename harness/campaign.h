// Fuzz campaigns: a scenario's fault generator over many seeds, in parallel,
// results streamed to DIR/results.jsonl as each seed finishes (so a killed
// campaign resumes where it stopped), failures written as replayable files,
// verified by replay and shrunk, and a campaign page. Shards split the seeds
// across machines; `merge_campaigns` joins their folders (docs/FUZZING.md).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/time.h"

namespace replsim::harness {

struct CampaignOptions {
  std::string file;
  uint64_t first_seed = 1;
  uint64_t last_seed = 100;
  uint64_t shard = 1;   // this machine runs the seeds with (seed - first) % shards == shard - 1
  uint64_t shards = 1;
  std::string seeds_text = "1..100";  // as the user wrote them, for campaign.json
  std::string shard_text = "1/1";
  unsigned jobs = 0;                  // 0: every core
  std::optional<Duration> time_limit;  // wall time after which no new seed starts
  std::string out_dir;                // default out/fuzz-<name>
  bool resume = false;
  size_t shrink_max = SIZE_MAX;       // failures to shrink (all by default)
  // Failure signature elements (failure_signature: "invariants (S4)") of
  // findings the campaign reports without failing: a seed whose every
  // element is listed is a known failure, written and replayed like any
  // other, not shrunk, and left out of the exit code.
  std::vector<std::string> known;
};

// Exit codes: 0 every seed as expected or a known failure, 1 a failure (or a
// replay that differs), 3 no failure but an undecided seed; bad input is an
// InputError.
int run_campaign(const CampaignOptions& options, std::ostream& out);

// Joins the results of campaign shards (each DIR holds a results.jsonl) into
// one results.jsonl, campaign.json, junit.xml and page in `out_dir`. A seed
// found in two shards must have the same trace. Exit codes as above.
int merge_campaigns(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out);

}  // namespace replsim::harness
