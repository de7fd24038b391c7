// Choosers that answer the world's questions by index instead of by drawing
// (sim/choice.h): the explorer enumerates the answers, `run` replays a
// schedule's. Both count the options of a question the same way
// (BranchingChooser), which is what lets `run` replay an explorer's path.
//
// How each question branches:
//   next_event      one branch per event ready at the same instant
//   chance(p)       none when p is 0 or 1; else no (0) and yes (1). A
//                   connection's segment loss is never explored (the
//                   connection's retransmission is not what a search is for)
//   delay           the distribution's lowest value (0) and its highest (1),
//                   capped at settings.delay_cap; one branch when they agree
//   pick(n)         min(n, settings.pick_max) evenly spaced values, both ends
//                   included; a nonce is drawn from the asking stream, no branch
//   percent(p)      none when p is 0 or 100; else false (0) and true (1)
// A kind the settings fix has its first option only (0 above).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "sim/choice.h"

namespace replsim::harness {

// A question with more than one answer, as decide sees it.
struct Question {
  ChoiceKind kind;
  uint32_t arity = 0;
  std::span<const EventChoice> ready;  // next_event: the events it chooses among; empty for the others
  // The asking component's stream (a link's, a node's actor, disk or timer
  // stream); nullptr for next_event. A branching chooser never draws from
  // it (a nonce aside), so its fingerprint names the component across
  // paths: a shrinker keys answers by it (explore/shrink.cpp).
  const Rng* stream = nullptr;
};

// One question that had more than one answer, and the answer given.
struct BranchChoice {
  ChoiceKind kind;
  uint32_t answer = 0;
  uint32_t arity = 0;
  bool operator==(const BranchChoice&) const = default;
};

class BranchingChooser : public Chooser {
 public:
  explicit BranchingChooser(const ScheduleSettings& settings) : settings_(settings) {}

  size_t next_event(std::span<const EventChoice> ready) final;
  bool always_earliest_event() const final { return false; }
  bool chance(Rng& stream, ChoiceKind kind, double probability) final;
  Duration delay(Rng& stream, ChoiceKind kind, const Distribution& distribution) final;
  size_t pick(Rng& stream, ChoiceKind kind, size_t count) final;
  bool percent(Rng& stream, ChoiceKind kind, uint64_t percent_true) final;

  const ScheduleSettings& settings() const { return settings_; }

 protected:
  // The answer, in [0, question.arity), to a question with arity >= 2.
  virtual uint32_t decide(const Question& question) = 0;

 private:
  uint32_t ask(ChoiceKind kind, size_t arity, const Rng* stream, std::span<const EventChoice> ready = {});
  ScheduleSettings settings_;
};

// How a sampling search answers the questions no prefix answers: a random
// walk draws uniformly, PCT schedules by node priority.
class TailAnswers {
 public:
  virtual ~TailAnswers() = default;
  virtual uint32_t answer(const Question& question) = 0;
};

// Answers a prefix of given answers, then 0 to every further question (or
// what `tail` answers: a sampled path), and records every question asked:
// an odometer over one step's choices.
class EnumeratingChooser final : public BranchingChooser {
 public:
  explicit EnumeratingChooser(const ScheduleSettings& settings, TailAnswers* tail = nullptr)
      : BranchingChooser(settings), tail_(tail) {}
  // Starts a step whose first answers are `prefix`.
  void begin(std::vector<uint32_t> prefix);
  const std::vector<BranchChoice>& asked() const { return asked_; }
  // The next prefix in odometer order after the step just run, or false
  // when every combination of its answers has been tried.
  bool next_prefix(std::vector<uint32_t>& prefix) const;

 protected:
  uint32_t decide(const Question& question) override;

 private:
  TailAnswers* tail_;
  std::vector<uint32_t> prefix_;
  std::vector<BranchChoice> asked_;
};

// Replays a schedule's choices. A question the schedule does not answer as
// asked (another kind, another number of options, a step with no entry
// left) is an InputError naming the entry, so a scenario edited by hand, or
// one from another replsim, is refused rather than silently reinterpreted.
class ReplayChooser final : public BranchingChooser {
 public:
  explicit ReplayChooser(const Schedule& schedule) : BranchingChooser(schedule.settings), schedule_(schedule) {}
  // The world is about to run step `step`.
  void begin_step(uint64_t step) { step_ = step; }
  // Index of the next entry not yet used.
  size_t position() const { return next_; }
  void skip_fault() { ++next_; }

 protected:
  uint32_t decide(const Question& question) override;

 private:
  const Schedule& schedule_;
  uint64_t step_ = 0;
  size_t next_ = 0;
};

}  // namespace replsim::harness
