// A map kept as one vector sorted by key. Copying it is one allocation,
// where a std::map allocates a node per entry: for the world's small maps
// (a node's timers, the connections) that the explorer copies with every
// state it visits. Iteration is in key order, as a std::map's.
//
// For small maps only: an insertion or erasure moves every entry after it.
// Maps that grow with a run's length (a server's answered requests, a
// monitor's acknowledged writes) stay std::map. As with a vector, inserting
// or erasing invalidates iterators and references into the map; values that
// must outlive that are held by pointer (the connections are CopyOnWrite
// handles). Keys are not const in the entries: changing one breaks the order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "base/assert.h"

namespace replsim {

template <class Key, class Value>
class FlatMap {
 public:
  using value_type = std::pair<Key, Value>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }

  iterator find(const Key& key) {
    const auto it = lower_bound(key);
    return it != entries_.end() && it->first == key ? it : entries_.end();
  }
  const_iterator find(const Key& key) const {
    const auto it = lower_bound(key);
    return it != entries_.end() && it->first == key ? it : entries_.end();
  }
  bool contains(const Key& key) const { return find(key) != entries_.end(); }

  const Value& at(const Key& key) const {
    const auto it = find(key);
    REPLSIM_ASSERT(it != entries_.end(), "FlatMap::at of a key it does not hold");
    return it->second;
  }
  Value& at(const Key& key) {
    const auto it = find(key);
    REPLSIM_ASSERT(it != entries_.end(), "FlatMap::at of a key it does not hold");
    return it->second;
  }

  // The value under `key`, a value-initialized one inserted when there is
  // none. A key above every held one (ids that only grow) appends.
  Value& operator[](const Key& key) {
    auto it = lower_bound(key);
    if (it == entries_.end() || it->first != key) it = entries_.insert(it, value_type{key, Value{}});
    REPLSIM_ASSERT(it == entries_.begin() || std::prev(it)->first < key, "a FlatMap stays sorted by key");
    REPLSIM_ASSERT(std::next(it) == entries_.end() || key < std::next(it)->first, "a FlatMap stays sorted by key");
    return it->second;
  }

  iterator erase(iterator it) { return entries_.erase(it); }
  size_t erase(const Key& key) {
    const auto it = find(key);
    if (it == entries_.end()) return 0;
    entries_.erase(it);
    return 1;
  }

  void swap(FlatMap& other) noexcept { entries_.swap(other.entries_); }
  // Removes the entries `drop` selects (as std::erase_if does a std::map's).
  template <class Drop>
  friend size_t erase_if(FlatMap& map, const Drop& drop) {
    return std::erase_if(map.entries_, drop);
  }

  bool operator==(const FlatMap&) const = default;

 private:
  struct KeyLess {
    bool operator()(const value_type& a, const value_type& b) const { return a.first < b.first; }
    bool operator()(const value_type& a, const Key& key) const { return a.first < key; }
  };
  iterator lower_bound(const Key& key) { return std::lower_bound(entries_.begin(), entries_.end(), key, KeyLess{}); }
  const_iterator lower_bound(const Key& key) const {
    return std::lower_bound(entries_.begin(), entries_.end(), key, KeyLess{});
  }

  std::vector<value_type> entries_;
};

}  // namespace replsim
