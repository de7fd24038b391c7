#include "explore/pct.h"

#include <algorithm>

#include "base/assert.h"

namespace replsim::explore {

PctAnswers::PctAnswers(Rng& rng, uint32_t nodes, uint32_t depth, uint64_t decisions_expected) : rng_(rng) {
  REPLSIM_ASSERT(nodes > 0 && depth >= 1, "PCT needs a node and a depth");
  priority_.resize(nodes);
  for (uint32_t i = 0; i < nodes; ++i) priority_[i] = depth + i;
  for (size_t i = priority_.size(); i > 1; --i) std::swap(priority_[i - 1], priority_[rng_.below(i)]);
  for (uint32_t i = 1; i < depth; ++i) change_points_.push_back(rng_.below(std::max<uint64_t>(decisions_expected, 1)));
  REPLSIM_ASSERT(change_points_.size() + 1 == depth, "d - 1 change points");
}

uint32_t PctAnswers::answer(const harness::Question& question) {
  const ChoiceKind kind = question.kind;
  const uint32_t arity = question.arity;
  const std::span<const EventChoice> ready = question.ready;
  if (kind != ChoiceKind::kNextEvent) return static_cast<uint32_t>(rng_.below(arity));
  REPLSIM_ASSERT(ready.size() == arity, "a next_event question names its events");
  // Ready events come in (time, sequence) order, so a node's first one wins
  // the node's turn.
  uint32_t chosen = 0;
  for (uint32_t i = 1; i < arity; ++i) {
    if (priority_of(ready[i].node) > priority_of(ready[chosen].node)) chosen = i;
  }
  for (size_t i = 0; i < change_points_.size(); ++i) {
    if (change_points_[i] == decisions_) priority_of(ready[chosen].node) = i + 1;
  }
  ++decisions_;
  REPLSIM_ASSERT(chosen < arity, "PCT picks a ready event");
  return chosen;
}

uint64_t& PctAnswers::priority_of(uint32_t node) {
  REPLSIM_ASSERT(node < priority_.size(), "an event for a node the world does not have");
  return priority_[node];
}

}  // namespace replsim::explore
