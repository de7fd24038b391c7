#include "harness/schedule_chooser.h"

#include <algorithm>

#include "base/assert.h"
#include "base/input_error.h"

namespace replsim::harness {

uint32_t BranchingChooser::ask(ChoiceKind kind, size_t arity, const Rng* stream, std::span<const EventChoice> ready) {
  REPLSIM_ASSERT(arity >= 1, "a question with no answer");
  REPLSIM_ASSERT(arity <= UINT32_MAX, "a question with more answers than a path can name");
  REPLSIM_ASSERT((stream == nullptr) == (kind == ChoiceKind::kNextEvent), "a component's question names its stream");
  if (arity == 1 || settings_.fixes(kind)) return 0;
  const uint32_t answer = decide({kind, static_cast<uint32_t>(arity), ready, stream});
  REPLSIM_ASSERT(answer < arity, "an answer outside the question's options");
  return answer;
}

size_t BranchingChooser::next_event(std::span<const EventChoice> ready) {
  REPLSIM_ASSERT(!ready.empty(), "next_event called with nothing ready");
  return ask(ChoiceKind::kNextEvent, ready.size(), nullptr, ready);
}

bool BranchingChooser::chance(Rng& stream, ChoiceKind kind, double probability) {
  if (probability <= 0.0) return false;
  if (probability >= 1.0) return true;
  if (kind == ChoiceKind::kSegmentLoss) return false;
  return ask(kind, 2, &stream) == 1;
}

Duration BranchingChooser::delay(Rng& stream, ChoiceKind kind, const Distribution& distribution) {
  const Duration lowest = distribution.lowest();
  const Duration highest = std::max(lowest, std::min(distribution.highest(), settings_.delay_cap));
  if (lowest == highest) return lowest;
  return ask(kind, 2, &stream) == 0 ? lowest : highest;
}

size_t BranchingChooser::pick(Rng& stream, ChoiceKind kind, size_t count) {
  REPLSIM_ASSERT(count > 0, "pick from nothing");
  if (kind == ChoiceKind::kNonce) return static_cast<size_t>(stream.below(count));
  const size_t arity = std::min<size_t>(count, settings_.pick_max);
  const size_t index = ask(kind, arity, &stream);
  if (arity == count || arity == 1) return index;
  // Evenly spaced, both ends included: a key range's first and last key.
  // index <= pick_max and count - 1 < 2^64: split to keep the product in 64 bits.
  const uint64_t span = count - 1, steps = arity - 1;
  return static_cast<size_t>(span / steps * index + span % steps * index / steps);
}

bool BranchingChooser::percent(Rng& stream, ChoiceKind kind, uint64_t percent_true) {
  if (percent_true == 0) return false;
  if (percent_true >= 100) return true;
  return ask(kind, 2, &stream) == 1;
}

void EnumeratingChooser::begin(std::vector<uint32_t> prefix) {
  prefix_ = std::move(prefix);
  asked_.clear();
}

uint32_t EnumeratingChooser::decide(const Question& question) {
  const size_t position = asked_.size();
  const uint32_t answer = position < prefix_.size() ? prefix_[position]
                          : tail_ != nullptr        ? tail_->answer(question)
                                                    : 0;
  REPLSIM_ASSERT(answer < question.arity, "a replayed prefix asks the same questions as the run it came from");
  asked_.push_back({question.kind, answer, question.arity});
  return answer;
}

bool EnumeratingChooser::next_prefix(std::vector<uint32_t>& prefix) const {
  // Later questions depend on earlier answers, so the digits after the one
  // advanced are dropped: the next run asks them afresh.
  for (size_t i = asked_.size(); i-- > 0;) {
    if (asked_[i].answer + 1 < asked_[i].arity) {
      prefix.clear();
      for (size_t j = 0; j < i; ++j) prefix.push_back(asked_[j].answer);
      prefix.push_back(asked_[i].answer + 1);
      return true;
    }
  }
  return false;
}

uint32_t ReplayChooser::decide(const Question& question) {
  const ChoiceKind kind = question.kind;
  const uint32_t arity = question.arity;
  const std::string path = "/schedule/choices/" + std::to_string(next_);
  const std::string asked = std::string("the run's step ") + std::to_string(step_) + " asking " + to_string(kind) +
                            " with " + std::to_string(arity) + " options";
  if (next_ >= schedule_.entries.size()) {
    throw InputError(path, "an entry for " + asked, "the end of the schedule's choices");
  }
  const ScheduleEntry& e = schedule_.entries[next_];
  if (e.fault || e.step != step_ || e.kind != to_string(kind) || e.arity != arity) {
    const std::string found = e.fault ? "a fault for step " + std::to_string(e.step)
                                      : e.kind + " with " + std::to_string(e.arity) + " options at step " +
                                            std::to_string(e.step);
    throw InputError(path, "an entry for " + asked + " (the schedule was made by another model or was edited)", found);
  }
  ++next_;
  return e.answer;
}

}  // namespace replsim::harness
