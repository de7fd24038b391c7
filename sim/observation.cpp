#include "sim/observation.h"

namespace replsim {

const char* to_string(OperationPhase phase) {
  switch (phase) {
    case OperationPhase::kInvoke: return "invoke";
    case OperationPhase::kOk: return "ok";
    case OperationPhase::kFail: return "fail";
    case OperationPhase::kInfo: return "info";
  }
  return "?";
}

void OperationEvent::hash_into(Hasher& h) const {
  h.add(process).add(op).add(f).add(key).add(value.has_value()).add(value.value_or(0)).add(static_cast<uint64_t>(phase));
}

void ProtocolEvent::hash_into(Hasher& h) const {
  h.add(static_cast<uint64_t>(kind)).add(name).add(group);
}

}  // namespace replsim
