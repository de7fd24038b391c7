// DFS on several threads (`--strategy dfs --jobs J`, J > 1): each thread
// searches depth-first from its own stack, a thread with an empty stack
// takes the oldest state of another's (the one with most of its subtree
// ahead), and all share one visited set (SharedVisitedSet), so a state
// is expanded by whichever thread admits it first.
//
// What that changes against one thread (EXPLORER.md, "DFS on several
// threads"): which thread reaches a state first, and at what depth, depends
// on the threads' timing. A complete search admits the same states (every
// key stands for one future, so the set of reachable keys does not depend
// on the order), but its transitions, duplicates, judgements and depth
// count the work each run happened to do (and with paths cut by the depth
// bound, which leaves are judged, so whether it is complete). A violation
// is not reported as found: the search runs again on one thread, so the
// counterexample is the one-thread DFS's, the same on every run, unless
// that search ends without it (a bound met first, or the state judged on
// no path it took); then the threads' violation is reported. A search cut
// by a bound (states, memory, time) searched a share of the states that
// timing chose.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "base/assert.h"
#include "explore/search.h"

namespace replsim::explore {

// Passes without work a thread yields before it sleeps between passes.
constexpr uint32_t kIdlePassesBeforeSleep = 64;

// One thread's stack and counts. The stack is locked by its owner for each
// push and pop, and by a thread that takes its oldest state.
struct Search::DfsWorker {
  std::mutex mutex;
  std::deque<SearchNode> stack;
  Tally tally;
  uint64_t duplicates = 0, truncated = 0, slept = 0, woken = 0;
  size_t ties_max = 0;
  Reuse reuse;
  size_t stack_peak = 0;
};

struct Search::ParallelDfs {
  std::vector<std::unique_ptr<DfsWorker>> workers;
  SharedVisitedSet visited;
  std::atomic<uint64_t> states{0};
  // States on some stack or being expanded: the search ends when none are.
  std::atomic<uint64_t> pending{0};
  std::atomic<bool> stop{false};
  std::mutex stopped_by_mutex;
  std::optional<std::string> stopped_by;  // the first bound met, under stopped_by_mutex

  void halt(const char* why) {
    const std::lock_guard<std::mutex> lock(stopped_by_mutex);
    if (!stopped_by) stopped_by = why;
    stop.store(true, std::memory_order_relaxed);
  }
  // The newest state of the thread's own stack, else the oldest of another's.
  std::optional<SearchNode> take(size_t index) {
    for (size_t k = 0; k < workers.size(); ++k) {
      DfsWorker& w = *workers[(index + k) % workers.size()];
      const std::lock_guard<std::mutex> lock(w.mutex);
      if (w.stack.empty()) continue;
      SearchNode node = k == 0 ? std::move(w.stack.back()) : std::move(w.stack.front());
      if (k == 0) w.stack.pop_back();
      else w.stack.pop_front();
      return node;
    }
    return std::nullopt;
  }
};

void Search::parallel_depth_first(SearchNode root) {
  REPLSIM_ASSERT(options_.jobs > 1 && options_.jobs <= kJobsMax, "the CLI bounds --jobs; one job is the plain DFS");
  REPLSIM_ASSERT(!options_.shuffle_seed, "a shuffled DFS runs on one thread");
  const SearchNode copy_of_root = root;
  std::optional<Violation> found;
  {
    ParallelDfs shared;
    search_on_threads(shared, std::move(root));
    for (const std::unique_ptr<DfsWorker>& w : shared.workers) {
      if (!found && w->tally.violation) found = w->tally.violation;
    }
    if (!found) return take_counts(shared);
  }  // the threads' visited set and stacks are freed before the search runs again
  // Counted again from the root by one thread: the same counterexample on every run.
  progress_ << "explore: a thread found a violation; the DFS runs again on one thread for its counterexample\n";
  visited_ = VisitedSet();
  tally_ = Tally{};
  states_ = duplicates_ = branches_truncated_ = queue_peak_ = events_slept_ = states_woken_ = 0;
  ties_max_ = 0;
  reuse_ = Reuse{};
  if (options_.rerun_states_max != 0) states_max_ = std::min(options_.rerun_states_max, options_.states_max);
  reset_orbits();
  admit_root(copy_of_root);
  depth_first(SearchNode(copy_of_root));
  if (!tally_.violation) {
    // The one-thread search met a bound first (--time-limit counts the
    // threads' time too; the allocator may keep their memory resident a
    // while), or judged the state on another path (whether a state is
    // judged depends on the transition into it and on the depth bound). The
    // threads' violation is real (its path replays), so it is the one
    // reported; the summary says which search its counts are.
    const std::string rerun_end = stopped_by_ ? *stopped_by_ : "complete";
    progress_ << "explore: the one-thread DFS ended (" << rerun_end
              << ") without the violation; the threads' violation stands\n";
    tally_.violation = found;
    dfs_rerun_ended_ = rerun_end;
    stopped_by_.reset();
    dfs_threads_ = options_.jobs;
  }
}

// Runs the threads until the search ends; an exception in one stops them
// all and is rethrown here once each has been joined.
void Search::search_on_threads(ParallelDfs& shared, SearchNode root) {
  for (unsigned k = 0; k < options_.jobs; ++k) shared.workers.push_back(std::make_unique<DfsWorker>());
  uint16_t wake = 0;
  shared.visited.admit(root.key, 0, true, true, 0, wake);
  shared.states = states_;
  shared.pending = 1;
  shared.workers[0]->stack.push_back(std::move(root));
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::exception_ptr error;
  const auto work = [this, &shared, &error_mutex, &error](size_t index) {
    try {
      dfs_worker(shared, index);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      shared.halt("error");
    }
  };
  try {
    for (size_t k = 1; k < options_.jobs; ++k) threads.emplace_back(work, k);
  } catch (...) {
    shared.halt("error");
    for (std::thread& t : threads) t.join();
    throw;
  }
  work(0);
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

// The summary's counts from the threads' (their timing chose the order).
void Search::take_counts(ParallelDfs& shared) {
  for (const std::unique_ptr<DfsWorker>& w : shared.workers) {
    REPLSIM_ASSERT(w->stack.empty() || shared.stop, "a search that was not stopped emptied every stack");
    tally_.add(w->tally);
    duplicates_ += w->duplicates;
    branches_truncated_ += w->truncated;
    events_slept_ += w->slept;
    states_woken_ += w->woken;
    ties_max_ = std::max(ties_max_, w->ties_max);
    reuse_.add(w->reuse);
    queue_peak_ += w->stack_peak;  // a bound on the states held at once: each thread's peak, summed
  }
  states_ = shared.states;
  stopped_by_ = shared.stopped_by;
  dfs_threads_ = options_.jobs;
  shared_visited_entries_ = shared.visited.size();
  shared_visited_bytes_ = shared.visited.bytes();
  REPLSIM_ASSERT(shared_visited_entries_ == states_, "each admitted state was counted once");
}

// One thread's share: expand, admit and judge as depth_first does, until
// no state is left anywhere or a bound or a violation stops every thread.
void Search::dfs_worker(ParallelDfs& shared, size_t index) {
  DfsWorker& w = *shared.workers[index];
  std::vector<SearchNode> kept;
  uint32_t idle_passes = 0;
  while (!shared.stop.load(std::memory_order_relaxed)) {
    std::optional<SearchNode> node = shared.take(index);
    if (!node) {
      if (shared.pending.load(std::memory_order_acquire) == 0) return;
      // Back off once yielding did not find work: an idle thread must not
      // take the core or the stacks' locks from the one that has work.
      ++idle_passes;
      if (idle_passes < kIdlePassesBeforeSleep) std::this_thread::yield();
      else std::this_thread::sleep_for(std::chrono::microseconds(50));
      continue;
    }
    idle_passes = 0;
    Expansion e = expand(*node, reuses(w.reuse));
    if (e.memory_full) {
      shared.halt("memory_mb_max");
      continue;  // as one thread does: the expansion is not counted
    }
    w.truncated += e.truncated;
    w.slept += e.slept;
    w.ties_max = std::max(w.ties_max, e.ties);
    w.reuse.add(e.reuse);
    if (e.no_event) record(w.tally, "no_event", verdict_of(*node), nullptr);
    kept.clear();
    for (SearchNode& child : e.children) {
      if (w.tally.violation || shared.stop.load(std::memory_order_relaxed)) continue;
      const Admission admission = admit_shared(shared, w, child);
      if (admission == Admission::kSeen) continue;
      // A woken state was judged when first admitted.
      if (admission != Admission::kWoken && needs_judging(child)) record(w.tally, leaf_of(child), verdict_of(child), nullptr);
      if (!w.tally.violation && leaf_of(child) == nullptr) kept.push_back(std::move(child));
    }
    if (w.tally.violation) shared.halt("violation");
    // The children count before another thread can take one, and before
    // their parent stops counting: no thread sees nothing pending while a
    // state is still to be searched, and the count never goes below zero.
    shared.pending.fetch_add(kept.size(), std::memory_order_release);
    {
      const std::lock_guard<std::mutex> lock(w.mutex);
      for (SearchNode& child : kept) w.stack.push_back(std::move(child));
      w.stack_peak = std::max(w.stack_peak, w.stack.size());
    }
    const uint64_t pending_before = shared.pending.fetch_sub(1, std::memory_order_acq_rel);
    REPLSIM_ASSERT(pending_before > 0, "a state being expanded is pending");
    if (index == 0) report_parallel_progress(shared);
  }
}

// admit() for a thread of a parallel DFS.
Search::Admission Search::admit_shared(ParallelDfs& shared, DfsWorker& w, SearchNode& child) {
  ++w.tally.transitions;
  w.tally.depth_reached = std::max(w.tally.depth_reached, child.depth);
  if (child.run.run().world.now() > horizon_) return Admission::kAdded;
  const uint16_t sleep = sleep_mask_of(child);
  const Admission admission =
      shared.visited.admit(child.key, child.depth, true, leaf_of(child) == nullptr, sleep, child.wake);
  if (admission != Admission::kAdded) ++w.duplicates;  // lowered: searched again from a smaller depth, as one thread does
  if (admission == Admission::kSeen) return admission;
  if (admission == Admission::kWoken) {
    ++w.woken;
    return admission;
  }
  uint64_t states = 0;
  if (admission == Admission::kLowered) {
    states = shared.states.load(std::memory_order_relaxed);
  } else {
    states = shared.states.fetch_add(1, std::memory_order_relaxed) + 1;
    count_orbit(child);
  }
  if (states >= states_max_) shared.halt("states_max");
  else if (states % 64 == 0 && resident_bytes() > options_.memory_mb_max << 20) shared.halt("memory_mb_max");
  else if (time_up()) shared.halt("time_limit");
  return admission;
}

void Search::report_parallel_progress(ParallelDfs& shared) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::seconds(1) || now - started_ < std::chrono::seconds(1)) return;
  last_progress_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const uint64_t states = shared.states.load(std::memory_order_relaxed);
  progress_ << fmt::format("explore: {} states ({:.0f}/s) on {} threads, {} on stacks or in hand, resident {} MiB\n",
                           states, static_cast<double>(states) / seconds, shared.workers.size(),
                           shared.pending.load(std::memory_order_relaxed), resident_bytes() >> 20);
}

}  // namespace replsim::explore
