// A part of an actor's state that copies share until one of them changes
// it, with its hash kept beside it. The explorer copies and fingerprints the
// actor that steps at every transition, and most steps change few of its
// parts (a heartbeat never touches a data group's log): those parts then
// cost one reference count to copy and one kept value to hash.
//
// The contract: read through `*` and `->`, change only through `write()`,
// and take `write()` only on a path that changes the value (it clones a
// shared value and forgets the hash). A reference read through `*` is the
// value as it was: a later `write()` by the same holder may clone, and the
// reference then still names the shared value, which another thread may be
// about to free. So no read reference lives across a call that may write
// the part; references from `write()` stay valid across later writes, since
// the holder is the value's only one after the first.
//
// T has `void hash_into(Hasher&) const` over everything its operator==
// compares, and hashes nothing that depends on the hasher's context (no
// node renaming, no disk-operation numbering): the kept hash is computed
// once, in a fresh hasher, and folded into any.
#pragma once

#include <utility>

#include "base/copy_on_write.h"
#include "base/hash.h"
#include "base/kept_hash.h"

namespace replsim {

template <class T>
class HashedPart {
 public:
  HashedPart() = default;
  explicit HashedPart(T value) : value_(std::move(value)) {}

  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }

  T& write() {
    hash_.clear();
    return value_.write();
  }

  void hash_into(Hasher& h) const {
    h.add(hash_.get_or(
        [&] {
          Hasher fresh;
          value_->hash_into(fresh);
          return fresh.value();
        },
        "a hashed part changed without going through write() (its kept hash is stale)"));
  }

  bool operator==(const HashedPart& other) const { return value_.shares_with(other.value_) || *value_ == *other.value_; }

 private:
  CopyOnWrite<T> value_;
  KeptHash hash_;
};

}  // namespace replsim
