#include "sim/choice.h"

#include "base/assert.h"

namespace replsim {

const char* to_string(ChoiceKind kind) {
  switch (kind) {
    case ChoiceKind::kNextEvent: return "next_event";
    case ChoiceKind::kMessageDelay: return "message_delay";
    case ChoiceKind::kMessageLoss: return "message_loss";
    case ChoiceKind::kSegmentLoss: return "segment_loss";
    case ChoiceKind::kMessageDuplicate: return "message_duplicate";
    case ChoiceKind::kMessageReorder: return "message_reorder";
    case ChoiceKind::kDiskLatency: return "disk_latency";
    case ChoiceKind::kTimerSlack: return "timer_slack";
    case ChoiceKind::kTornWrite: return "torn_write";
    case ChoiceKind::kCorruptTarget: return "corrupt_target";
    case ChoiceKind::kFaultTarget: return "fault_target";
    case ChoiceKind::kFaultTiming: return "fault_timing";
    case ChoiceKind::kActor: return "actor";
    case ChoiceKind::kNonce: return "nonce";
  }
  return "unknown";
}

size_t RandomChooser::next_event(std::span<const EventChoice> ready) {
  REPLSIM_ASSERT(!ready.empty(), "next_event called with nothing ready");
  return 0;
}

bool RandomChooser::chance(Rng& stream, ChoiceKind, double probability) {
  // Certain outcomes draw nothing, so turning a 0% knob into 0% exactly does
  // not shift the stream relative to a run where the knob is absent.
  if (probability <= 0.0) return false;
  if (probability >= 1.0) return true;
  return stream.bernoulli(probability);
}

Duration RandomChooser::delay(Rng& stream, ChoiceKind, const Distribution& distribution) {
  return distribution.sample(stream);
}

size_t RandomChooser::pick(Rng& stream, ChoiceKind, size_t count) {
  REPLSIM_ASSERT(count > 0, "pick from nothing");
  return static_cast<size_t>(stream.below(count));
}

}  // namespace replsim
