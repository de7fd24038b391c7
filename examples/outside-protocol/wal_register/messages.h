// What the WAL register's clients and its server say to each other. Each
// message is a plain value (sim/message.h): a name, equality, a hash and a
// one-line description for traces.
#pragma once

#include <cstdint>
#include <string>

#include "base/hash.h"
#include "sim/message.h"

namespace wal_register {

struct WriteRequest {
  static constexpr const char* kName = "WriteRequest";
  uint64_t op = 0;  // the client's operation number: the server drops a duplicate
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const WriteRequest&) const = default;
  void hash_into(replsim::Hasher& h) const { h.add(op).add(key).add(value); }
  std::string describe() const {
    return "op=" + std::to_string(op) + " key=" + std::to_string(key) + " value=" + std::to_string(value);
  }
};

struct ReadRequest {
  static constexpr const char* kName = "ReadRequest";
  uint64_t op = 0;
  uint64_t key = 0;
  bool operator==(const ReadRequest&) const = default;
  void hash_into(replsim::Hasher& h) const { h.add(op).add(key); }
  std::string describe() const { return "op=" + std::to_string(op) + " key=" + std::to_string(key); }
};

// The answer to either request; value 0 is a read of a key never written
// (the workload never writes 0).
struct Reply {
  static constexpr const char* kName = "Reply";
  uint64_t op = 0;
  uint64_t value = 0;
  bool operator==(const Reply&) const = default;
  void hash_into(replsim::Hasher& h) const { h.add(op).add(value); }
  std::string describe() const { return "op=" + std::to_string(op) + " value=" + std::to_string(value); }
};

}  // namespace wal_register
