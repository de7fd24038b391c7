// Messages of the example primary/backup register.
#pragma once

#include <cstdint>
#include <string>

#include "base/hash.h"
#include "sim/message.h"

namespace replsim::example {

struct ClientWrite {
  static constexpr const char* kName = "ClientWrite";
  uint64_t op = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const ClientWrite&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(key).add(value); }
  std::string describe() const {
    return "op=" + std::to_string(op) + " key=" + std::to_string(key) + " value=" + std::to_string(value);
  }
};

struct ClientRead {
  static constexpr const char* kName = "ClientRead";
  uint64_t op = 0;
  uint64_t key = 0;
  bool operator==(const ClientRead&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(key); }
  std::string describe() const { return "op=" + std::to_string(op) + " key=" + std::to_string(key); }
};

// value 0 means "never written" (written values are never 0).
struct ClientReply {
  static constexpr const char* kName = "ClientReply";
  uint64_t op = 0;
  uint64_t value = 0;
  bool operator==(const ClientReply&) const = default;
  void hash_into(Hasher& h) const { h.add(op).add(value); }
  std::string describe() const { return "op=" + std::to_string(op) + " value=" + std::to_string(value); }
};

struct Replicate {
  static constexpr const char* kName = "Replicate";
  uint64_t version = 0;
  uint64_t key = 0;
  uint64_t value = 0;
  bool operator==(const Replicate&) const = default;
  void hash_into(Hasher& h) const { h.add(version).add(key).add(value); }
  std::string describe() const {
    return "v=" + std::to_string(version) + " key=" + std::to_string(key) + " value=" + std::to_string(value);
  }
};

// The backup's durable log length: everything up to it is on its disk.
struct ReplicateAck {
  static constexpr const char* kName = "ReplicateAck";
  uint64_t synced_version = 0;
  bool operator==(const ReplicateAck&) const = default;
  void hash_into(Hasher& h) const { h.add(synced_version); }
  std::string describe() const { return "synced=" + std::to_string(synced_version); }
};

}  // namespace replsim::example
