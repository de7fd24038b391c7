// Stable 64-bit hashing for fingerprints and the trace's rolling hash.
//
// std::hash is implementation-defined and may differ between builds; these
// functions are fixed arithmetic, so a fingerprint computed in Debug equals
// the one computed in Release, and a trace hash can be compared across runs
// and machines of one version of replsim (stop 41 changed Hasher::add, and
// with it every fingerprint and trace hash; random streams kept their own
// seeding, sim/rng.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "base/assert.h"
#include "base/int128.h"

namespace replsim {

// A renaming of nodes while a state is hashed: node i hashes as
// renaming[i]. A symmetry reduction (explore/symmetry.h) hashes a state
// under every permutation of its interchangeable nodes and keeps the
// smallest value, so two states that are images of each other get one key.
using NodeRenaming = std::vector<uint32_t>;

// Finaliser of MurmurHash3 / SplitMix64: a bijection with full avalanche.
constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The words bytes are hashed as, in order: their count, each 8 bytes, and
// the rest padded with zeros (so "a" and "a\0" differ by their count).
template <typename Fold>
void for_each_word(std::string_view bytes, const Fold& fold) {
  fold(static_cast<uint64_t>(bytes.size()));
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, 8);
    fold(word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  fold(tail);
}

// Order-sensitive accumulation of values into one 64-bit fingerprint.
class Hasher {
 public:
  constexpr Hasher() = default;
  constexpr explicit Hasher(uint64_t seed) : state_(mix64(seed ^ kInit)) {}

  // One 64x64->128-bit multiply per value, its halves folded (the "mum" of
  // wyhash): a state is hashed a value at a time, each add waiting on the
  // one before, so an add's latency is the explorer's hashing cost, and a
  // mix64 per value took about twice as long. value() finishes with mix64.
  constexpr Hasher& add(uint64_t v) {
    const UInt128 product = static_cast<UInt128>(state_ ^ v) * kMultiplier;
    state_ = static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
    return *this;
  }
  constexpr Hasher& add(int64_t v) { return add(static_cast<uint64_t>(v)); }
  constexpr Hasher& add(uint32_t v) { return add(static_cast<uint64_t>(v)); }
  constexpr Hasher& add(int32_t v) { return add(static_cast<uint64_t>(static_cast<int64_t>(v))); }
  constexpr Hasher& add(bool v) { return add(static_cast<uint64_t>(v ? 1 : 0)); }
  Hasher& add(std::string_view bytes) {
    for_each_word(bytes, [this](uint64_t word) { add(word); });
    return *this;
  }
  Hasher& add(const char* text) { return add(std::string_view(text)); }

  // A node's index, as the renaming names it. Every node id a state holds
  // is hashed through here, so that a renamed hash is the hash of the
  // renamed state; a container ordered or indexed by node must be hashed
  // as a set (UnorderedHash), since renaming changes its order.
  Hasher& add_node(uint32_t index) { return add(static_cast<uint64_t>(renamed(index))); }
  uint32_t renamed(uint32_t index) const {
    if (renaming_ == nullptr || index >= renaming_->size()) return index;
    return (*renaming_)[index];
  }
  // Hashes nodes under `renaming` (not owned; null: every node is itself).
  Hasher& rename_nodes(const NodeRenaming* renaming) {
    renaming_ = renaming;
    return *this;
  }
  // A node's disk operation ids, hashed as how many operations the node
  // issued after each (`issued`: its count so far, the last id; 0 for a
  // hash outside a world, which numbers nothing). An actor keeps the ids of
  // operations in flight. Hashed absolutely, two states that keep equal ids
  // but issued different counts would merge and then part at the next id,
  // and two that differ only in how many operations came before would not
  // merge at all.
  Hasher& number_disk_ops(uint64_t issued) {
    disk_ops_issued_ = issued;
    return *this;
  }
  Hasher& add_disk_op(uint64_t id) {
    REPLSIM_ASSERT(disk_ops_issued_ == 0 || id <= disk_ops_issued_, "a disk operation id the node issued");
    return add(disk_ops_issued_ - id);
  }
  // A fresh hasher for a part of the same state: the same renaming and
  // numbering.
  Hasher part() const {
    Hasher h;
    h.renaming_ = renaming_;
    h.disk_ops_issued_ = disk_ops_issued_;
    return h;
  }
  const NodeRenaming* renaming() const { return renaming_; }

  constexpr uint64_t value() const { return mix64(state_); }

 private:
  static constexpr uint64_t kInit = 0x6a09e667f3bcc909ULL;
  static constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;
  uint64_t state_ = kInit;
  const NodeRenaming* renaming_ = nullptr;
  uint64_t disk_ops_issued_ = 0;
};

// A set's fingerprint: its elements' hashes combined in no order, for
// containers whose order a renaming of nodes changes.
class UnorderedHash {
 public:
  void add(uint64_t element_hash) {
    sum_ += mix64(element_hash);
    ++count_;
  }
  uint64_t value() const { return mix64(sum_ ^ mix64(count_)); }

 private:
  uint64_t sum_ = 0;
  uint64_t count_ = 0;
};

inline uint64_t hash_bytes(std::string_view bytes) { return Hasher().add(bytes).value(); }

}  // namespace replsim
