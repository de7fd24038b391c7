#include "model/example/demo.h"

namespace replsim::example {

// A backup's crash and restart, one-way and isolating partitions, a backup's
// power loss, a paused process, clock offset and drift, a slow disk, a lossy,
// duplicating and reordering network, fsync errors, silent corruption and a
// primary restart; with the deliberate bug, also a power loss of the primary.
nlohmann::json demo_scenario(uint64_t seed, bool faults, bool primary_skips_fsync) {
  using Json = nlohmann::json;
  const Json every = Json::array({"s1", "s2", "s3", "c1", "c2"});
  Json schedule = Json::array({
      {{"at", "2s"}, {"type", "crash"}, {"node", "s3"}},
      {{"at", "4s"}, {"type", "restart"}, {"node", "s3"}},
      {{"at", "5s"}, {"type", "partition_oneway"}, {"from", "s1"}, {"to", "s2"}},
      {{"at", "6s"}, {"type", "heal"}},
      {{"at", "7s"}, {"type", "powerloss"}, {"node", "s2"}},
      {{"at", "8s"}, {"type", "restart"}, {"node", "s2"}},
      {{"at", "9s"}, {"type", "pause"}, {"node", "s3"}},
      {{"at", "9500ms"}, {"type", "resume"}, {"node", "s3"}},
      {{"at", "10s"}, {"type", "clock_skew"}, {"node", "s2"}, {"offset", "2s"}, {"drift", 0.0005}},
      {{"at", "11s"}, {"type", "disk_fault"}, {"node", "s1"}, {"kind", "slow"}, {"duration", "2s"}},
      {{"at", "14s"}, {"type", "link"}, {"from", every}, {"to", every}, {"loss", 0.2}, {"duplicate", 0.1}, {"reorder", 0.1}},
      {{"at", "16s"}, {"type", "link"}, {"from", every}, {"to", every}, {"loss", 0.0}, {"duplicate", 0.0}, {"reorder", 0.0}},
      {{"at", "17s"}, {"type", "disk_fault"}, {"node", "s3"}, {"kind", "fsync_error"}, {"duration", "1s"}},
      {{"at", "19s"}, {"type", "disk_fault"}, {"node", "s2"}, {"kind", "corrupt"}},
      {{"at", "19500ms"}, {"type", "restart"}, {"node", "s2"}},
      {{"at", "22s"}, {"type", "isolate"}, {"node", "s3"}},
      {{"at", "23s"}, {"type", "heal"}},
      {{"at", "25s"}, {"type", "crash"}, {"node", "s1"}},
      {{"at", "26s"}, {"type", "restart"}, {"node", "s1"}},
      {{"at", "26500ms"}, {"type", "partition_oneway"}, {"from", "c1"}, {"to", "s1"}},
      {{"at", "26800ms"}, {"type", "heal"}},
  });
  if (primary_skips_fsync) {
    schedule.push_back({{"at", "12s"}, {"type", "powerloss"}, {"node", "s1"}});
    schedule.push_back({{"at", "12500ms"}, {"type", "restart"}, {"node", "s1"}});
  }
  if (!faults) schedule = Json::array();
  return {{"version", 1},
          {"name", "example-register-demo"},
          {"description", "The engine's example register under the demo's fault schedule."},
          {"seed", seed},
          {"duration", "30s"},
          {"protocol", {{"name", "example-register"}, {"options", {{"primary_skips_fsync", primary_skips_fsync}}}}},
          {"cluster", {{"servers", 3}}},
          {"workload",
           {{"clients", 2}, {"keys", 3}, {"rate", 400}, {"mix", {{"write", 0.5}, {"read", 0.5}}}, {"timeout", "500ms"},
            {"start", "0s"}, {"stop", "27s"}}},
          {"faults", schedule},
          {"checks", {"linearizable", "no_lost_acked_writes", "replicas_agree", "invariants", {{"converges_within", "3200ms"}}}},
          {"expect", {{"verdict", "pass"}}}};
}

}  // namespace replsim::example
