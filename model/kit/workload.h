// The workload half of a closed-loop client, shared by every protocol's
// client: one operation at a time, each a read or a write of a random key,
// a think time between operations, and the operation's own timeout after
// which it is indeterminate. It reports every invocation and completion as a
// typed operation (the history the platform's checks read), so a protocol's
// client only speaks its protocol: what to send for the operation, and what
// an answer means.
//
// Written values are unique across the run ((client index + 1) * 1e9 + op
// number), so a read names the write it saw. A client keeps no disk: it is
// not meant to be crashed (a restarted client would reuse op numbers).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "sim/actor.h"

namespace replsim::kit {

struct WorkloadOptions {
  uint64_t keys = 5;
  uint64_t read_percent = 50;
  Duration think_time = Duration::ms(30);
  Duration timeout = Duration::s(1);  // per operation: then "info"
  Duration first_op_after = Duration::zero();
  TimePoint stop_at = TimePoint::from_ns(INT64_MAX);  // on the client's clock: no new operation from then on
  uint64_t ops_max = 10'000'000;
  bool operator==(const WorkloadOptions&) const = default;
};

struct WorkloadOp {
  uint64_t op = 0;  // 1, 2, ... per client
  bool is_write = false;
  uint64_t key = 0;
  uint64_t value = 0;  // the value a write writes; 0 for a read
  bool operator==(const WorkloadOp&) const = default;
};

class ClosedLoopWorkload {
 public:
  // The timer kinds the workload sets; a client must use others.
  static constexpr uint32_t kThinkTimerKind = 0x6b697401;    // "kit" 1
  static constexpr uint32_t kTimeoutTimerKind = 0x6b697402;  // "kit" 2
  static constexpr uint64_t kValueStride = 1'000'000'000;

  ClosedLoopWorkload(uint32_t client_index, WorkloadOptions options);

  // Arms the first think time; call from on_start.
  void start(Context& ctx);
  bool owns(TimerKey key) const { return key.kind == kThinkTimerKind || key.kind == kTimeoutTimerKind; }

  enum class Tick : uint8_t {
    kNothing,   // a stale timer, or the workload is over
    kIssue,     // outstanding() is a new operation, already reported: send it
    kTimedOut,  // the outstanding operation ended as indeterminate: stop waiting for its answer
  };
  // For a timer the workload owns.
  Tick on_timer(Context& ctx, TimerKey key);

  const std::optional<WorkloadOp>& outstanding() const { return outstanding_; }
  // The outstanding operation's answer: ok (with the value a read returned,
  // 0 for nil) or failed (it did not take effect).
  void complete(Context& ctx, OperationPhase phase, uint64_t value);

  uint64_t ops_issued() const { return next_op_ - 1; }
  uint32_t client_index() const { return client_index_; }
  bool operator==(const ClosedLoopWorkload&) const = default;
  void hash_into(Hasher& h) const;
  nlohmann::json describe() const;

 private:
  void issue(Context& ctx);
  void report(Context& ctx, OperationPhase phase, uint64_t value) const;

  uint32_t client_index_;
  WorkloadOptions options_;
  uint64_t next_op_ = 1;
  std::optional<WorkloadOp> outstanding_;
};

}  // namespace replsim::kit
