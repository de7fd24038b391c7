// `replsim merge DIR... --out DIR`: joins the shards of a fuzz campaign
// (each DIR holds a results.jsonl; harness/campaign.h) or of a sampled
// search (each DIR holds an explore.json; explore/merge.h), as the first
// folder shows.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace replsim::cli {

int run_merge(const std::vector<std::string>& dirs, const std::string& out_dir, std::ostream& out);

}  // namespace replsim::cli
