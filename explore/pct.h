// PCT's scheduler (Burckhardt, Kothari, Musuvathi and Nagarakatte,
// "A randomized scheduler with probabilistic guarantees of finding bugs",
// ASPLOS 2010) over the events the world offers at one instant, the nodes
// being the threads: one path's answers (sampling.cpp drives the paths).
//
// The n nodes get distinct random priorities d .. d+n-1, and d-1 change
// points are drawn among the k scheduling decisions a path is expected to
// make. Each tie goes to the ready event of the highest-priority node (the
// earliest of that node's own), and at the i-th change point (i = 1 ..
// d-1) the node just chosen drops to priority i. A bug that needs d
// ordering constraints is then hit with probability at least
// 1/(n k^(d-1)) per path. Questions that are not about order (loss,
// delays, actor draws) are answered uniformly from the same stream.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "harness/schedule_chooser.h"
#include "sim/rng.h"

namespace replsim::explore {

class PctAnswers final : public harness::TailAnswers {
 public:
  // `nodes` > 0, 1 <= `depth`; `decisions_expected` is k (0 is taken as 1).
  PctAnswers(Rng& rng, uint32_t nodes, uint32_t depth, uint64_t decisions_expected);
  uint32_t answer(const harness::Question& question) override;

 private:
  uint64_t& priority_of(uint32_t node);

  Rng& rng_;
  std::vector<uint64_t> priority_;       // per node; the highest runs
  std::vector<uint64_t> change_points_;  // decision numbers; the i-th (from 1) sets priority i
  uint64_t decisions_ = 0;
};

}  // namespace replsim::explore
