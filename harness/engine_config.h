// Readers for the engine's configuration values as scenario files write
// them: latency distributions, link and disk settings. Each reads the JSON
// at `path` and throws InputError naming that path; keys not given keep the
// values of `base`.
#pragma once

#include <string>

#include "base/json_input.h"
#include "sim/disk.h"
#include "sim/distribution.h"
#include "sim/connection.h"
#include "sim/network.h"

namespace replsim::harness {

// {"dist": "uniform", "min": "200us", "max": "2ms"} and the like; a bare
// duration string is a fixed distribution.
Distribution read_distribution(const Json& value, const std::string& path);
// {"latency": ..., "loss": 0.01, "duplicate": 0, "reorder": 0}.
LinkConfig read_link_config(const Json& value, const std::string& path, const LinkConfig& base);
// {"write_latency": ..., "fsync_latency": ..., "read_latency": ...,
//  "torn_write_probability": 0.5, "slow_factor": 20}.
DiskConfig read_disk_config(const Json& value, const std::string& path, const DiskConfig& base);
// {"rto_min": "200ms", "user_timeout": "30s", "keepalive_idle": "2h", ...}:
// the TcpConfig fields by their names (sim/connection.h).
TcpConfig read_tcp_config(const Json& value, const std::string& path, const TcpConfig& base);

}  // namespace replsim::harness
