// Typed observations an actor reports beside its free-form notes: what the
// platform reads without knowing the protocol.
//
// A client reports each operation's invocation and completion (the history
// the checkers judge); a server reports the protocol events scenario faults
// can be triggered on (a replica entering a status, a node becoming a role).
// Both go into the step record and the trace hash; other actors never see
// them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/hash.h"

namespace replsim {

enum class OperationPhase : uint8_t { kInvoke, kOk, kFail, kInfo };
const char* to_string(OperationPhase phase);  // "invoke", "ok", "fail", "info"

struct OperationEvent {
  uint32_t process = 0;  // the client: c1 is process 0
  uint64_t op = 0;       // the client's own operation number, for traces
  std::string f;         // "read", "write"
  std::string key;
  // The value written (invoke of a write) or read (ok of a read); none for
  // nil (a read of a key never written) and for completions that carry none.
  std::optional<int64_t> value;
  OperationPhase phase = OperationPhase::kInvoke;
  bool operator==(const OperationEvent&) const = default;
  void hash_into(Hasher& h) const;
};

struct ProtocolEvent {
  enum class Kind : uint8_t { kEnters, kBecomes };
  Kind kind = Kind::kEnters;
  std::string name;    // a status the protocol declares (enters) or a role (becomes)
  uint32_t group = 0;  // 1-based; 0 for an event without a group (a cluster leader)
  bool operator==(const ProtocolEvent&) const = default;
  void hash_into(Hasher& h) const;
};

}  // namespace replsim
