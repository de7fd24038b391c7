// `--shard K/N`, shared by fuzz (seeds) and explore (walks and swarm
// members): this process runs the items i with i % N == K - 1.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace replsim::cli {

// {K, N}; an InputError naming --shard unless 1 <= K <= N <= 100000.
std::pair<uint64_t, uint64_t> parse_shard(const std::string& text);

}  // namespace replsim::cli
