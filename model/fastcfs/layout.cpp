#include "model/fastcfs/layout.h"

#include "base/assert.h"
#include "base/hash.h"

namespace replsim::fastcfs {

uint32_t data_group_of(uint64_t key, uint32_t data_groups) {
  REPLSIM_ASSERT(data_groups > 0, "a cluster has at least one data group");
  return static_cast<uint32_t>(mix64(key + 0x9e3779b97f4a7c15ULL) % data_groups);
}

uint32_t replicas_per_group(const ClusterConfig& c) {
  const uint32_t r = c.replicas == 0 ? c.servers : c.replicas;
  REPLSIM_ASSERT(r > 0 && c.servers % r == 0, "the servers split into groups of `replicas`");
  return r;
}

uint32_t server_group_count(const ClusterConfig& c) {
  const uint32_t k = c.servers / replicas_per_group(c);
  REPLSIM_ASSERT(k >= 1 && k <= c.data_groups, "every server group holds at least one data group");
  return k;
}

uint32_t server_group_of_server(uint32_t server, const ClusterConfig& c) {
  REPLSIM_ASSERT(server < c.servers, "a server of the cluster");
  return server / replicas_per_group(c);
}

IndexRange servers_of_group(uint32_t server_group, const ClusterConfig& c) {
  const uint32_t r = replicas_per_group(c);
  REPLSIM_ASSERT(server_group < server_group_count(c), "a server group of the cluster");
  return IndexRange{server_group * r, (server_group + 1) * r};
}

// Contiguous ranges whose sizes differ by at most one, in group order.
IndexRange dgs_of_group(uint32_t server_group, const ClusterConfig& c) {
  const uint64_t k = server_group_count(c);
  REPLSIM_ASSERT(server_group < k, "a server group of the cluster");
  const auto first = static_cast<uint32_t>(server_group * uint64_t{c.data_groups} / k);
  const auto last = static_cast<uint32_t>((server_group + 1) * uint64_t{c.data_groups} / k);
  REPLSIM_ASSERT(first < last, "a server group holds at least one data group");
  return IndexRange{first, last};
}

uint32_t server_group_of_dg(uint32_t dg, const ClusterConfig& c) {
  REPLSIM_ASSERT(dg < c.data_groups, "a data group of the cluster");
  const uint64_t k = server_group_count(c);
  const auto group = static_cast<uint32_t>(((dg + 1) * k - 1) / c.data_groups);
  REPLSIM_ASSERT(dgs_of_group(group, c).contains(dg), "the inverse of dgs_of_group");
  return group;
}

uint32_t preset_master(uint32_t dg, const ClusterConfig& c) {
  const uint32_t group = server_group_of_dg(dg, c);
  const uint32_t ordinal = dg - dgs_of_group(group, c).first;
  return servers_of_group(group, c).first + ordinal % replicas_per_group(c);
}

}  // namespace replsim::fastcfs
