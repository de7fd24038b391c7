// The cluster's layout as cluster.conf gives it: servers in server groups,
// data groups mapped onto server groups, each data group's preset master,
// and which data group a key belongs to (fs_cluster_cfg.c,
// server_group_info.c). Servers, clients and the checkers share it.
#pragma once

#include <cstdint>
#include <ranges>

#include "model/fastcfs/options.h"

namespace replsim::fastcfs {

struct ClusterConfig {
  uint32_t servers = 3;
  uint32_t data_groups = 1;
  // Servers per server group (cluster.conf's [server-group-N]); 0: one group
  // holding every server. The servers split into servers / replicas disjoint
  // groups of consecutive indices, the data groups into as many contiguous
  // ranges, as the FastCFS docs lay a cluster out (fs_cluster_cfg.c).
  uint32_t replicas = 0;
  FastcfsOptions options;
  bool operator==(const ClusterConfig&) const = default;
};

// A half-open range of server or data-group indices.
struct IndexRange {
  uint32_t first = 0;
  uint32_t last = 0;  // one past the end
  uint32_t size() const { return last - first; }
  bool contains(uint32_t i) const { return i >= first && i < last; }
  auto indices() const { return std::views::iota(first, last); }
  bool operator==(const IndexRange&) const = default;
};

// Each server group is an independent faststore cluster: its own leader,
// election quorum and masters for its own data groups (server_group_info.c
// init_cluster_server_array takes only the servers sharing a group).
uint32_t replicas_per_group(const ClusterConfig& c);
uint32_t server_group_count(const ClusterConfig& c);
uint32_t server_group_of_server(uint32_t server, const ClusterConfig& c);
uint32_t server_group_of_dg(uint32_t dg, const ClusterConfig& c);
IndexRange servers_of_group(uint32_t server_group, const ClusterConfig& c);
IndexRange dgs_of_group(uint32_t server_group, const ClusterConfig& c);
// The servers holding a replica of data group `dg`.
inline IndexRange members_of_dg(uint32_t dg, const ClusterConfig& c) { return servers_of_group(server_group_of_dg(dg, c), c); }

// The preset master of data group `dg` (§1.1): the member at hash_code % R,
// where hash_code is the DG's ordinal among its server group's data groups
// (server_group_info.c init_cluster_data_group_array, master_index).
uint32_t preset_master(uint32_t dg, const ClusterConfig& c);
// Which data group a key (a block) belongs to (§0: hash(block) % count).
uint32_t data_group_of(uint64_t key, uint32_t data_groups);

}  // namespace replsim::fastcfs
