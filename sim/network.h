// The virtual network: per-link behaviour and directed partitions.
//
// Every ordered pair of nodes is a link with its own latency distribution,
// loss, duplication and reordering probabilities, and its own random stream
// (so changing one link's traffic never shifts another's draws). A link
// delivers in FIFO order, like the TCP connection it stands for, unless a
// message is picked for reordering, in which case it may overtake.
//
// Partitions are sets of blocked directed pairs, so one-way partitions are
// the general case and a symmetric one is two one-way blocks. A message is
// dropped if its link is blocked when it is sent or when it would arrive.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/choice.h"
#include "sim/distribution.h"
#include "base/hash.h"
#include "base/kept_hash.h"
#include "sim/ids.h"
#include "sim/rng.h"

namespace replsim {

struct LinkConfig {
  Distribution latency = Distribution::uniform(Duration::us(200), Duration::ms(2));
  double loss = 0.0;
  double duplicate = 0.0;
  double reorder = 0.0;
  bool operator==(const LinkConfig&) const = default;
};

using DirectedPair = std::pair<NodeId, NodeId>;

class Network {
 public:
  Network() = default;
  Network(uint64_t seed, const std::vector<std::string>& node_names, LinkConfig default_link);

  size_t node_count() const { return node_count_; }
  const LinkConfig& link_config(NodeId from, NodeId to) const;
  void set_link_config(NodeId from, NodeId to, const LinkConfig& config);
  Rng& link_stream(NodeId from, NodeId to) { return links_[index(from, to)].stream; }
  // FIFO bookkeeping: the latest arrival time scheduled on the link.
  int64_t& last_arrival_ns(NodeId from, NodeId to) { return links_[index(from, to)].last_arrival_ns; }

  bool blocked(NodeId from, NodeId to) const { return blocked_[index(from, to)] != 0; }
  void block(NodeId from, NodeId to);
  void block_all(const std::vector<DirectedPair>& pairs);
  void heal();
  std::vector<DirectedPair> blocked_pairs() const;

  // Groups of nodes that can all reach each other through unblocked links
  // (strongly connected components), each sorted, in order of their lowest
  // member. A healthy network is one component.
  std::vector<std::vector<NodeId>> components() const;
  // Whether `to` can be reached from `from` over unblocked links, directly or
  // through other nodes.
  bool reachable(NodeId from, NodeId to) const;

  // Same configuration, partitions and FIFO clamps; stream positions are not compared.
  bool operator==(const Network& other) const;
  // With node ids renamed (base/hash.h); null: as they are. `now` dates the
  // FIFO clamps still ahead.
  uint64_t fingerprint(const NodeRenaming* renaming, TimePoint now) const;

 private:
  struct Link {
    Rng stream;
    int64_t last_arrival_ns = 0;
  };
  size_t index(NodeId from, NodeId to) const { return static_cast<size_t>(from.index) * node_count_ + to.index; }

  // The hash of the links' configuration and partition. The unrenamed one
  // is kept (layout_hash_): every state's fingerprint needs it, and only
  // faults change it.
  uint64_t layout_fingerprint(const NodeRenaming* renaming) const;

  size_t node_count_ = 0;
  KeptHash layout_hash_;  // cleared by set_link_config, block and heal
  LinkConfig default_link_;
  std::map<std::pair<uint32_t, uint32_t>, LinkConfig> overrides_;
  std::vector<Link> links_;
  std::vector<uint8_t> blocked_;
};

// Named partition shapes over a set of participants (usually the servers),
// as Jepsen names them. Each returns the directed pairs to block.
namespace partition_shapes {
// Both directions between every pair of nodes in different groups; a node
// named in no group keeps all its links.
std::vector<DirectedPair> split(const std::vector<std::vector<NodeId>>& groups);
// Messages from any of `from` to any of `to` are dropped.
std::vector<DirectedPair> one_way(const std::vector<NodeId>& from, const std::vector<NodeId>& to);
// `node` cut off from every other participant.
std::vector<DirectedPair> isolate(NodeId node, const std::vector<NodeId>& participants);
// A random minority against the majority. The chooser picks the members.
std::vector<DirectedPair> majority_minority(const std::vector<NodeId>& participants, Chooser& chooser,
                                            Rng& stream);
// Participants in a ring, each reaching only the nodes within k hops either
// way, with k the smallest that gives every node a majority (itself
// included): every node sees a majority, yet neighbours see different ones
// (Jepsen's majorities-ring). With three or fewer nodes nothing is blocked.
std::vector<DirectedPair> ring(const std::vector<NodeId>& participants);
// Two halves that cannot talk to each other, and one bridge node (the middle
// participant) that talks to both.
std::vector<DirectedPair> bridge(const std::vector<NodeId>& participants);
}  // namespace partition_shapes

}  // namespace replsim
