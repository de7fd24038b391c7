// The linearizability checker.
//
// Wing-Gong-Lowe search (as in Porcupine) over a doubly linked list of call
// and return entries, memoising (linearized set, model state) so no
// configuration is explored twice, split by key when the model allows
// (P-compositionality), partitions checked in parallel with TBB. Budgets are
// counted in search steps and memo bytes, never in wall time, so the same
// history and budget always give the same answer; a partition whose budget
// runs out is "unknown", never an out-of-memory.
//
// Registers whose written values are unique take a polynomial fast path
// (Misra's zones, as used by Gibbons and Korach): each value's cluster (its
// write and its reads) must be current over a zone, and the zones must not
// conflict. The general search cross-checks it in tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checker/model.h"

namespace replsim::checker {

enum class Verdict : uint8_t { kLinearizable, kNotLinearizable, kUnknown };
const char* to_string(Verdict verdict);

struct CheckOptions {
  uint64_t steps_max_per_partition = 200'000'000;
  uint64_t memory_bytes_max_per_partition = 2ULL << 30;  // 2 GiB
  bool check_all_partitions = false;  // otherwise an illegal partition ends the check
  bool fast_path = true;
};

struct PartitionResult {
  std::string key;
  size_t operation_count = 0;
  Verdict verdict = Verdict::kUnknown;
  bool checked = false;         // false when an earlier illegal partition ended the check
  bool fast_path = false;
  std::string budget_exhausted;  // "steps" or "memory" when unknown for lack of budget
  uint64_t steps = 0;
  uint64_t memo_entries = 0;
  uint64_t memo_bytes = 0;
  // For an illegal partition: the longest linearizable prefix the search
  // found (operation ids in linearization order), the operations that could
  // not be placed after it, and why, in words.
  std::vector<size_t> longest_prefix;
  std::vector<size_t> unplaceable;
  std::string explanation;
};

struct CheckResult {
  Verdict verdict = Verdict::kLinearizable;
  std::vector<PartitionResult> partitions;
};

// Pairs, prepares and checks a history against the named model: the one path
// from events to a verdict for callers that need no model options.
// `prepared`, when given, receives the operations the result's ids refer to.
CheckResult check_history(const std::vector<HistoryEvent>& events, const std::string& model_name,
                          const CheckOptions& options = {}, std::vector<Operation>* prepared = nullptr);

// `operations` are prepared (prepare_operations) for `model`.
CheckResult check_linearizability(const std::vector<Operation>& operations, const Model& model,
                                  const CheckOptions& options);

// The general search alone on one partition (tests cross-check the fast path
// with it).
PartitionResult search_partition(const std::vector<Operation>& operations, const std::vector<size_t>& members,
                                 const Model& model, const CheckOptions& options,
                                 const std::atomic<bool>* stop = nullptr);
// The fast path alone; returns false when it does not apply.
bool register_fast_path(const std::vector<Operation>& operations, const std::vector<size_t>& members,
                        const Model& model, PartitionResult& result);

nlohmann::json check_result_to_json(const CheckResult& result, const std::vector<Operation>& operations,
                                    const Model& model);

}  // namespace replsim::checker
