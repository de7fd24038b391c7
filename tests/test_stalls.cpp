// checker/stalls.h on hand-made histories: where clients stopped getting
// answers, per group, judged from the history alone.
#include <doctest/doctest.h>

#include "checker/stalls.h"

using namespace replsim;
using namespace replsim::checker;

namespace {

constexpr int64_t kS = 1'000'000'000;

Operation op(size_t id, const char* f, const char* key, int64_t invoke_s, int64_t complete_s, Outcome outcome) {
  Operation o;
  o.id = id;
  o.f = f;
  o.key = key;
  o.invoke_time = invoke_s * kS;
  o.complete_time = complete_s < 0 ? -1 : complete_s * kS;
  o.outcome = outcome;
  o.complete_position = complete_s < 0 || outcome == Outcome::kInfo ? Operation::kNever : id;
  return o;
}

std::vector<Stall> writes_stalls(const std::vector<Operation>& ops, int64_t end_s, int64_t min_s) {
  return find_stalls(
      ops, [](const Operation& o) { return o.f == "write"; },
      [](const Operation& o) { return o.key == "a" ? 1u : 2u; }, end_s * kS, min_s * kS);
}

}  // namespace

TEST_CASE("stalls: writes offered and none acknowledged between two successes") {
  const std::vector<Operation> ops = {
      op(0, "write", "a", 1, 2, Outcome::kOk),
      op(1, "write", "a", 3, 5, Outcome::kInfo),  // timed out at 5 s
      op(2, "write", "a", 6, 8, Outcome::kFail),
      op(3, "write", "a", 9, 10, Outcome::kOk),
  };
  const auto stalls = writes_stalls(ops, 20, 2);  // the first write's own second is no stall of 2 s
  REQUIRE(stalls.size() == 1);
  CHECK(stalls[0].group == 1);
  CHECK(stalls[0].from_ns == 3 * kS);
  CHECK(stalls[0].to_ns == 10 * kS);
  CHECK(stalls[0].resolved);
  CHECK(stalls[0].offered == 3);
  CHECK(stalls[0].not_succeeded == 2);
}

TEST_CASE("stalls: an idle group does not stall, and groups are judged apart") {
  const std::vector<Operation> ops = {
      op(0, "write", "a", 1, 2, Outcome::kOk),
      op(1, "write", "b", 3, 4, Outcome::kOk),
      op(2, "write", "a", 15, 16, Outcome::kOk),  // 13 s idle, no stall
      op(3, "read", "a", 5, 14, Outcome::kInfo),  // another kind
  };
  CHECK(writes_stalls(ops, 20, 2).empty());
}

TEST_CASE("stalls: with no later success a stall lasts until the last waiting operation ended") {
  const std::vector<Operation> ops = {
      op(0, "write", "a", 1, 2, Outcome::kOk),
      op(1, "write", "a", 4, 6, Outcome::kInfo),
      op(2, "write", "a", 7, -1, Outcome::kInfo),  // never completed: until the run's end
  };
  const auto stalls = writes_stalls(ops, 30, 2);
  REQUIRE(stalls.size() == 1);
  CHECK(stalls[0].from_ns == 4 * kS);
  CHECK(stalls[0].to_ns == 30 * kS);
  CHECK_FALSE(stalls[0].resolved);
  // Shorter stalls than the minimum are left out.
  CHECK(writes_stalls(ops, 30, 27).empty());
}

TEST_CASE("stalls: an operation still waiting at a success starts the next stall there") {
  const std::vector<Operation> ops = {
      op(0, "write", "a", 1, 20, Outcome::kOk),  // slow, succeeds at 20 s
      op(1, "write", "a", 2, 3, Outcome::kOk),
  };
  const auto stalls = writes_stalls(ops, 30, 1);
  REQUIRE(stalls.size() == 2);
  CHECK(stalls[0].from_ns == 1 * kS);  // before the first success
  CHECK(stalls[0].to_ns == 3 * kS);
  CHECK(stalls[1].from_ns == 3 * kS);  // op 0 still waits
  CHECK(stalls[1].to_ns == 20 * kS);
}
