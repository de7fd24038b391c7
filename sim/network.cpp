#include "sim/network.h"

#include <algorithm>
#include <bit>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

#include "base/assert.h"
#include "base/hash.h"

namespace replsim {

Network::Network(uint64_t seed, const std::vector<std::string>& node_names, LinkConfig default_link)
    : node_count_(node_names.size()), default_link_(std::move(default_link)) {
  links_.reserve(node_count_ * node_count_);
  for (const std::string& from : node_names) {
    for (const std::string& to : node_names) {
      links_.push_back(Link{Rng(seed, "link/" + from + "->" + to), 0});
    }
  }
  blocked_.assign(node_count_ * node_count_, 0);
}

const LinkConfig& Network::link_config(NodeId from, NodeId to) const {
  if (overrides_.empty()) return default_link_;
  const auto it = overrides_.find({from.index, to.index});
  return it == overrides_.end() ? default_link_ : it->second;
}

void Network::set_link_config(NodeId from, NodeId to, const LinkConfig& config) {
  REPLSIM_ASSERT(from.index < node_count_ && to.index < node_count_, "link outside the network");
  overrides_[{from.index, to.index}] = config;
  layout_hash_.clear();
}

void Network::block(NodeId from, NodeId to) {
  REPLSIM_ASSERT(from.index < node_count_ && to.index < node_count_, "block outside the network");
  if (from == to) return;  // a node always reaches itself
  blocked_[index(from, to)] = 1;
  layout_hash_.clear();
}

void Network::block_all(const std::vector<DirectedPair>& pairs) {
  for (const auto& [from, to] : pairs) block(from, to);
}

void Network::heal() {
  std::fill(blocked_.begin(), blocked_.end(), 0);
  layout_hash_.clear();
}

std::vector<DirectedPair> Network::blocked_pairs() const {
  std::vector<DirectedPair> pairs;
  for (uint32_t from = 0; from < node_count_; ++from) {
    for (uint32_t to = 0; to < node_count_; ++to) {
      if (blocked({from}, {to})) pairs.push_back({{from}, {to}});
    }
  }
  return pairs;
}

std::vector<std::vector<NodeId>> Network::components() const {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph graph(node_count_);
  for (uint32_t from = 0; from < node_count_; ++from) {
    for (uint32_t to = 0; to < node_count_; ++to) {
      if (from != to && !blocked({from}, {to})) boost::add_edge(from, to, graph);
    }
  }
  std::vector<int> component_of(node_count_);
  const int count = node_count_ == 0 ? 0 : boost::strong_components(graph, component_of.data());
  // Boost numbers components in discovery order; renumber by lowest member
  // so the result does not depend on the algorithm's traversal.
  std::vector<std::vector<NodeId>> groups(static_cast<size_t>(count));
  for (uint32_t node = 0; node < node_count_; ++node) {
    groups[static_cast<size_t>(component_of[node])].push_back({node});
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

bool Network::reachable(NodeId from, NodeId to) const {
  std::vector<uint8_t> seen(node_count_, 0);
  std::vector<uint32_t> frontier{from.index};
  seen[from.index] = 1;
  while (!frontier.empty()) {
    const uint32_t node = frontier.back();
    frontier.pop_back();
    if (node == to.index) return true;
    for (uint32_t next = 0; next < node_count_; ++next) {
      if (!seen[next] && !blocked({node}, {next})) {
        seen[next] = 1;
        frontier.push_back(next);
      }
    }
  }
  return false;
}

bool Network::operator==(const Network& other) const {
  // Like fingerprint(), leaves out stream positions; compares the FIFO
  // clamps whole, where fingerprint() hashes those ahead of now only.
  const auto clamps_equal = [this, &other] {
    for (size_t i = 0; i < links_.size(); ++i) {
      if (links_[i].last_arrival_ns != other.links_[i].last_arrival_ns) return false;
    }
    return true;
  };
  return node_count_ == other.node_count_ && default_link_ == other.default_link_ &&
         overrides_ == other.overrides_ && blocked_ == other.blocked_ && clamps_equal();
}

uint64_t Network::fingerprint(const NodeRenaming* renaming, TimePoint now) const {
  // Stream states are left out: they do not change what the protocols can
  // observe next, only how the simulator draws it. Links hash as sets, since
  // a renaming reorders them.
  Hasher h;
  h.rename_nodes(renaming);
  h.add(renaming != nullptr ? layout_fingerprint(renaming)
                            : layout_hash_.get_or([this] { return layout_fingerprint(nullptr); },
                                                  "the links' configuration or partition changed without clearing "
                                                  "Network::layout_hash_"));
  // A link's FIFO clamp still ahead delays the next message that does not
  // overtake; it is not always a message in flight's arrival (the last one
  // may have been reordered past it), so it is hashed relative to now.
  UnorderedHash clamps;
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].last_arrival_ns <= now.ns_since_origin()) continue;
    const auto from = static_cast<uint32_t>(i / node_count_), to = static_cast<uint32_t>(i % node_count_);
    clamps.add(h.part().add_node(from).add_node(to).add(links_[i].last_arrival_ns - now.ns_since_origin()).value());
  }
  h.add(clamps.value());
  return h.value();
}

uint64_t Network::layout_fingerprint(const NodeRenaming* renaming) const {
  Hasher h;
  h.rename_nodes(renaming);
  h.add(static_cast<uint64_t>(node_count_)).add(default_link_.latency.fingerprint());
  UnorderedHash overrides;
  for (const auto& [pair, config] : overrides_) {
    Hasher link = h.part();
    link.add_node(pair.first).add_node(pair.second).add(config.latency.fingerprint());
    link.add(std::bit_cast<uint64_t>(config.loss)).add(std::bit_cast<uint64_t>(config.duplicate));
    link.add(std::bit_cast<uint64_t>(config.reorder));
    overrides.add(link.value());
  }
  UnorderedHash blocked;
  for (size_t i = 0; i < blocked_.size(); ++i) {
    if (!blocked_[i]) continue;
    const auto from = static_cast<uint32_t>(i / node_count_), to = static_cast<uint32_t>(i % node_count_);
    blocked.add(h.part().add_node(from).add_node(to).value());
  }
  h.add(overrides.value()).add(blocked.value());
  return h.value();
}

namespace partition_shapes {

std::vector<DirectedPair> split(const std::vector<std::vector<NodeId>>& groups) {
  std::vector<DirectedPair> pairs;
  for (size_t a = 0; a < groups.size(); ++a) {
    for (size_t b = 0; b < groups.size(); ++b) {
      if (a == b) continue;
      for (NodeId from : groups[a]) {
        for (NodeId to : groups[b]) pairs.push_back({from, to});
      }
    }
  }
  return pairs;
}

std::vector<DirectedPair> one_way(const std::vector<NodeId>& from, const std::vector<NodeId>& to) {
  std::vector<DirectedPair> pairs;
  for (NodeId f : from) {
    for (NodeId t : to) {
      if (f != t) pairs.push_back({f, t});
    }
  }
  return pairs;
}

std::vector<DirectedPair> isolate(NodeId node, const std::vector<NodeId>& participants) {
  std::vector<NodeId> others;
  for (NodeId p : participants) {
    if (p != node) others.push_back(p);
  }
  return split({{node}, others});
}

std::vector<DirectedPair> majority_minority(const std::vector<NodeId>& participants, Chooser& chooser,
                                            Rng& stream) {
  if (participants.size() < 2) return {};
  std::vector<NodeId> pool = participants;
  std::vector<NodeId> minority;
  const size_t minority_size = (participants.size() - 1) / 2;  // strictly less than half
  for (size_t i = 0; i < minority_size; ++i) {
    const size_t pick = chooser.pick(stream, ChoiceKind::kFaultTarget, pool.size());
    minority.push_back(pool[pick]);
    pool.erase(pool.begin() + static_cast<ptrdiff_t>(pick));
  }
  std::sort(minority.begin(), minority.end());
  return split({minority, pool});
}

std::vector<DirectedPair> ring(const std::vector<NodeId>& participants) {
  const size_t n = participants.size();
  const size_t majority = n / 2 + 1;
  size_t k = 0;
  while (2 * k + 1 < majority) ++k;
  std::vector<DirectedPair> pairs;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const size_t forward = (j + n - i) % n;
      const size_t hops = std::min(forward, n - forward);
      if (hops > k) pairs.push_back({participants[i], participants[j]});
    }
  }
  return pairs;
}

std::vector<DirectedPair> bridge(const std::vector<NodeId>& participants) {
  const size_t n = participants.size();
  if (n < 3) return {};
  const size_t middle = n / 2;
  std::vector<NodeId> left(participants.begin(), participants.begin() + static_cast<ptrdiff_t>(middle));
  std::vector<NodeId> right(participants.begin() + static_cast<ptrdiff_t>(middle) + 1, participants.end());
  return split({left, right});
}

}  // namespace partition_shapes
}  // namespace replsim
