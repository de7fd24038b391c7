// Explorer throughput (Release, one core: the search is sequential). Prints
// `figure <name> <value> <unit>` for the two configurations:
//   the example register, 3 servers, 2 clients writing once each, at most
//   one crash: searched completely (its distinct states, depth and time);
//   FastCFS, 3 servers, 1 data group, 2 clients writing once each, at most
//   one crash, from the state the simulator reaches at 5 s (a hybrid
//   search: from the start a search never gets past the election), cut at
//   a state bound: its states per second only.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "explore/explorer.h"
#include "model/protocols.h"

namespace {

using Json = nlohmann::json;

Json config(const std::string& protocol, const std::string& start) {
  return {{"version", 1},
          {"name", "explore-bench-" + protocol},
          {"duration", "20s"},
          {"protocol", {{"name", protocol}}},
          {"cluster", {{"servers", 3}}},
          {"network", {{"latency", {{"dist", "fixed"}, {"value", "1ms"}}}}},
          {"workload",
           {{"clients", 2}, {"keys", 1}, {"rate", 20}, {"mix", {{"write", 1.0}, {"read", 0.0}}}, {"timeout", "1s"},
            {"start", start}, {"ops_max", 1}}},
          {"checks", {"linearizable"}}};
}

struct Measured {
  Json summary;
  double seconds = 0;
};

Measured search(const Json& document, replsim::explore::ExploreOptions options) {
  options.out_dir = (std::filesystem::temp_directory_path() / "replsim-explore-bench").string();
  options.fault_types = {"crash"};
  std::ostringstream quiet;
  const auto start = std::chrono::steady_clock::now();
  const replsim::explore::ExploreResult result = replsim::explore::explore(document, "bench", options, quiet);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.exit_code == 1 || result.exit_code == 2) {
    fmt::print(stderr, "explore_bench: the search found a violation or refused the input (exit {})\n", result.exit_code);
    std::exit(1);
  }
  return {result.summary, seconds};
}

}  // namespace

int main() {
  replsim::register_builtin_protocols();
  // Best of three: the machine is noisy, the search deterministic.
  Measured best;
  for (int i = 0; i < 3; ++i) {
    Measured m = search(config("example-register", "100ms"), {});
    if (i == 0 || m.seconds < best.seconds) best = m;
  }
  if (!best.summary["complete"].get<bool>()) {
    fmt::print(stderr, "explore_bench: the register's search did not complete\n");
    return 1;
  }
  const double states = best.summary["states_distinct"].get<double>();
  fmt::print("figure explore_register_states_distinct {:.0f} states\n", states);
  fmt::print("figure explore_register_depth {} transitions\n", best.summary["depth_reached"].get<uint32_t>());
  fmt::print("figure explore_register_seconds {:.2f} s\n", best.seconds);
  fmt::print("figure explore_states_per_s_register {:.0f} states/s\n", states / best.seconds);

  replsim::explore::ExploreOptions hybrid;
  hybrid.from = replsim::Duration::s(5);
  hybrid.states_max = 30'000;
  const Measured fastcfs = search(config("fastcfs", "5s"), hybrid);
  fmt::print("figure explore_states_per_s_fastcfs_hybrid {:.0f} states/s\n",
             fastcfs.summary["states_distinct"].get<double>() / fastcfs.seconds);
  return 0;
}
