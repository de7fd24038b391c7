#include "explore/self_check.h"

#include <fmt/format.h>

#include <map>
#include <memory>

#include "base/assert.h"
#include "base/hash.h"
#include "explore/fault_actions.h"
#include "explore/search.h"
#include "harness/runner.h"
#include "harness/schedule_chooser.h"

namespace replsim::explore {
namespace {

constexpr size_t kProblemsMax = 20;

uint64_t monitor_hash(const harness::RunInProgress& run) {
  Hasher h;
  run.run().monitor->hash_into(h);
  return h.value();
}

std::string clipped(const nlohmann::json& description) {
  std::string text = description.dump();
  if (text.size() > 400) text = text.substr(0, 397) + "...";
  return text;
}

class SelfCheck {
 public:
  SelfCheck(const harness::Scenario& scenario, const SelfCheckOptions& options)
      : options_(options), run_(scenario, scenario.seed), fault_stream_(scenario.seed, "self-check faults") {
    actions_ = fault_actions(run_.run().world, explorable_fault_types(), {});
  }

  SelfCheckReport walk() {
    for (uint64_t k = 1; k <= options_.steps && report_.problems.size() < kProblemsMax; ++k) {
      if (!run_.step(chooser_)) {
        // Nothing pending (a crashed primary, clients done): a restart may
        // bring events back.
        fire_a_fault(false);
        if (!run_.step(chooser_)) break;
      }
      ++report_.steps;
      if (k % options_.fault_every == 0) fire_a_fault(true);
      if (k % options_.copy_every == 0) check_copy();
      if (k % options_.copy_every == 0) check_dropping_stale();
      if (k % options_.commute_every == 0) check_commutation();
      compare_actor_fingerprints();
    }
    return report_;
  }

 private:
  void problem(std::string text) {
    if (report_.problems.size() < kProblemsMax) report_.problems.push_back(std::move(text));
  }

  // A random enabled fault; only the undo ones (restart, resume, heal)
  // without `any`.
  void fire_a_fault(bool any) {
    const std::vector<uint32_t> enabled = enabled_actions(run_.run().world, actions_, any, isolated_);
    if (enabled.empty()) return;
    const FaultAction& action = actions_[enabled[fault_stream_.below(enabled.size())]];
    run_.fire(action.spec, chooser_);
    track_isolated(action, isolated_);
    ++report_.faults;
  }

  // A copy is the same state, and stays the same run when driven on.
  void check_copy() {
    ++report_.copies_checked;
    harness::RunInProgress copy(run_);
    // Its own nodes and connections, made by their copy constructors, and
    // hashed afresh: what a copy that shares them would never show.
    copy.unshare_world();
    const World& a = run_.run().world;
    const World& b = copy.run().world;
    const std::string at = fmt::format("step {}", report_.steps);
    if (!a.same_state(b)) problem(at + ": a copied world is not the same state as its original");
    if (a.fingerprint() != b.fingerprint()) problem(at + ": a copied world has another fingerprint");
    if (monitor_hash(run_) != monitor_hash(copy)) problem(at + ": a copied monitor hashes differently (hash_into reads more than its state, or clone() drops some)");
    for (uint32_t i = 0; i < a.node_count(); ++i) {
      const Actor* actor = a.actor(NodeId{i});
      if (actor == nullptr) continue;
      const std::unique_ptr<Actor> clone = actor->clone();
      if (!clone->equals(*actor) || !actor->equals(*clone)) problem(at + ": " + a.node_name(NodeId{i}) + "'s clone is not equal to it");
      if (clone->fingerprint() != actor->fingerprint()) problem(at + ": " + a.node_name(NodeId{i}) + "'s clone has another fingerprint");
    }
    harness::RunInProgress original(run_);
    for (uint64_t k = 0; k < options_.follow_steps; ++k) {
      const bool stepped = original.step(chooser_);
      if (stepped != copy.step(chooser_)) {
        problem(at + ": a copy and its original disagree on whether an event is pending");
        return;
      }
      if (!stepped) break;
    }
    if (original.run().world.trace_hash() != copy.run().world.trace_hash() ||
        original.run().world.fingerprint() != copy.run().world.fingerprint()) {
      problem(at + ": a copy and its original went different ways in the next " + std::to_string(options_.follow_steps) +
              " steps (something outside the copied state steers the run)");
    }
  }

  // A run that drops its stale events before each step goes on as one that
  // keeps them. The last tied event is taken each time, so that a tie's
  // question is asked (the walk's chooser takes the earliest event) and
  // must have the same options in both.
  void check_dropping_stale() {
    harness::RunInProgress kept(run_), dropping(run_);
    const std::string at = fmt::format("step {}", report_.steps);
    for (uint64_t k = 0; k < options_.follow_steps; ++k) {
      report_.stale_events_dropped += dropping.drop_stale_events();
      const std::vector<uint64_t> ties = kept.run().world.tied_event_names();
      if (ties != dropping.run().world.tied_event_names()) {
        problem(at + ": a run rid of its stale events has other tied events than one that keeps them");
        return;
      }
      if (ties.empty()) break;
      std::vector<uint32_t> last;
      if (ties.size() > 1) last.push_back(static_cast<uint32_t>(ties.size() - 1));
      report_.ties_followed += ties.size() > 1 ? 1 : 0;
      harness::EnumeratingChooser kept_chooser(harness::ScheduleSettings{}), dropping_chooser(harness::ScheduleSettings{});
      kept_chooser.begin(last);
      dropping_chooser.begin(last);
      const bool stepped = kept.step(kept_chooser);
      if (stepped != dropping.step(dropping_chooser) || kept_chooser.asked() != dropping_chooser.asked()) {
        problem(at + ": a run rid of its stale events was asked other questions than one that keeps them");
        return;
      }
    }
    if (kept.run().world.trace_hash() != dropping.run().world.trace_hash() ||
        kept.run().world.fingerprint() != dropping.run().world.fingerprint()) {
      problem(at + ": a run rid of its stale events went another way than one that keeps them");
    }
  }

  // One step of `run`: the tied event named `event`, each question given
  // its first answer, its footprint into `footprint`; false when no such
  // event is tied.
  static bool take(harness::RunInProgress& run, uint64_t event, StepFootprint& footprint) {
    const std::vector<uint64_t> ties = run.run().world.tied_event_names();
    const auto at = std::find(ties.begin(), ties.end(), event);
    if (at == ties.end()) return false;
    harness::EnumeratingChooser chooser(harness::ScheduleSettings{});
    std::vector<uint32_t> prefix;
    if (ties.size() > 1) prefix.push_back(static_cast<uint32_t>(at - ties.begin()));
    chooser.begin(prefix);
    return run.step(chooser, &footprint) && run.run().world.delivered_event_name() == event;
  }

  // Tied events that --por sleep would call independent commute: taken in
  // either order, they end in the same world, monitor and history length.
  // Dependent ones that still meet are counted.
  void check_commutation() {
    const std::vector<uint64_t> ties = run_.run().world.tied_event_names();
    const size_t n = std::min(ties.size(), options_.tied_events_max);
    std::vector<harness::RunInProgress> after;  // the run after each tied event
    std::vector<StepFootprint> footprints(n);
    after.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      after.push_back(run_);
      const bool taken = take(after.back(), ties[i], footprints[i]);
      REPLSIM_ASSERT(taken, "a tied event can be taken");
      if (changed_beside_world(run_.run(), monitor_hash(run_), after.back().run(), monitor_hash(after.back()), {})) {
        footprints[i].make_global();
      }
    }
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        ++report_.tied_pairs;
        const bool independent = footprints[i].independent_of(footprints[j]);
        report_.tied_pairs_independent += independent ? 1 : 0;
        // Dependent pairs are taken in both orders too, to count those that
        // still meet: what footprints finer than a node could leave out.
        const bool either_global = footprints[i].global() || footprints[j].global();
        if (!independent && either_global) continue;
        harness::RunInProgress ij = after[i], ji = after[j];
        StepFootprint second;
        const bool both_taken = take(ij, ties[j], second) && take(ji, ties[i], second);
        const bool one_state = both_taken && same_state(ij, ji);
        if (!independent) {
          report_.tied_pairs_dependent_commuting += one_state ? 1 : 0;
          continue;
        }
        const std::string at = fmt::format("step {}: tied events {} and {}", report_.steps, i, j);
        if (!both_taken) {
          problem(at + " are independent by their footprints, but one disables the other");
        } else if (!one_state) {
          problem(at + " are independent by their footprints, but the two orders end in different states "
                       "(a step reads or writes what its footprint leaves out)");
        }
      }
    }
  }

  // The same world, monitor and history length: what the commutation check
  // asks of two orders.
  static bool same_state(const harness::RunInProgress& a, const harness::RunInProgress& b) {
    return a.run().world.fingerprint() == b.run().world.fingerprint() && monitor_hash(a) == monitor_hash(b) &&
           a.run().history.size() == b.run().history.size();
  }

  // Every actor state met so far, by fingerprint: a repeat must be equal.
  void compare_actor_fingerprints() {
    const World& world = run_.run().world;
    for (uint32_t i = 0; i < world.node_count(); ++i) {
      const Actor* actor = world.actor(NodeId{i});
      if (actor == nullptr) continue;
      const uint64_t fingerprint = actor->fingerprint();
      const auto it = seen_.find(fingerprint);
      if (it == seen_.end()) {
        if (seen_.size() < options_.remembered_max) seen_.emplace(fingerprint, actor->clone());
        continue;
      }
      ++report_.fingerprints_compared;
      if (it->second->equals(*actor)) continue;
      problem(fmt::format("step {}: {} has the fingerprint of an earlier, unequal state (its hash_into leaves out "
                          "something its operator== compares): now {}, then {}",
                          report_.steps, world.node_name(NodeId{i}), clipped(actor->describe()),
                          clipped(it->second->describe())));
      seen_.erase(it);  // one report per collision
    }
  }

  const SelfCheckOptions& options_;
  harness::RunInProgress run_;
  RandomChooser chooser_;
  Rng fault_stream_;
  std::vector<FaultAction> actions_;
  std::optional<NodeId> isolated_;
  // Lookups only: nothing iterates it.
  std::map<uint64_t, std::unique_ptr<Actor>> seen_;
  SelfCheckReport report_;
};

}  // namespace

SelfCheckReport self_check(const harness::Scenario& scenario, const SelfCheckOptions& options) {
  REPLSIM_ASSERT(options.copy_every > 0 && options.fault_every > 0 && options.commute_every > 0, "positive intervals");
  return SelfCheck(scenario, options).walk();
}

}  // namespace replsim::explore
