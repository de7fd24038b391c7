#include "checker/linearizability.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "base/assert.h"
#include "base/hash.h"

namespace replsim::checker {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not linearizable";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

namespace {

// Memo of visited configurations: the set of linearized operations and the
// model state. Only exact matches are pruned. (Pruning a configuration whose
// indeterminate operations are a superset of one already seen looks sound,
// since it can do no more, but the one seen may be an ancestor still being
// explored: a subtree then "fails" only on condition that the ancestor
// succeeds elsewhere, and pruning against it later is circular. The corpus
// tests caught exactly that.) Keys live in flat arrays behind an
// open-addressing table, so an entry costs its bits, its state and a few
// words, not several allocations.
class Memo {
 public:
  explicit Memo(size_t words) : words_(words) { table_.assign(1024, kEmpty); }

  // Inserts; false when the configuration was already there.
  bool insert(uint64_t hash, const std::vector<uint64_t>& bits, const std::string& state) {
    if ((count_ + 1) * 2 > table_.size()) grow();
    size_t slot = hash & (table_.size() - 1);
    while (table_[slot] != kEmpty) {
      const uint32_t index = table_[slot];
      if (hashes_[index] == hash && states_[index] == state &&
          std::equal(bits.begin(), bits.end(), bits_.begin() + static_cast<ptrdiff_t>(index * words_))) {
        return false;
      }
      slot = (slot + 1) & (table_.size() - 1);
    }
    REPLSIM_ASSERT(count_ < kEmpty - 1, "memo index overflow");
    table_[slot] = static_cast<uint32_t>(count_++);
    hashes_.push_back(hash);
    bits_.insert(bits_.end(), bits.begin(), bits.end());
    bytes_ += state.capacity() + sizeof(std::string);
    states_.push_back(state);
    return true;
  }

  size_t size() const { return count_; }
  uint64_t bytes() const {
    return bytes_ + count_ * (words_ * 8 + sizeof(uint64_t)) + table_.size() * sizeof(uint32_t);
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  void grow() {
    std::vector<uint32_t> bigger(table_.size() * 2, kEmpty);
    for (uint32_t index = 0; index < count_; ++index) {
      size_t slot = hashes_[index] & (bigger.size() - 1);
      while (bigger[slot] != kEmpty) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = index;
    }
    table_ = std::move(bigger);
  }

  size_t words_;
  size_t count_ = 0;
  uint64_t bytes_ = 0;
  std::vector<uint32_t> table_;
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> bits_;
  std::vector<std::string> states_;
};

struct Entry {
  size_t op = 0;        // index into members
  bool is_call = false;
  size_t partner = 0;   // the call's return entry, or the return's call entry
  size_t position = 0;  // order key
};

}  // namespace

PartitionResult search_partition(const std::vector<Operation>& operations, const std::vector<size_t>& members,
                                 const Model& model, const CheckOptions& options, const std::atomic<bool>* stop) {
  PartitionResult result;
  result.checked = true;
  result.operation_count = members.size();
  const size_t n = members.size();
  if (n == 0) {
    result.verdict = Verdict::kLinearizable;
    return result;
  }

  // Entries ordered by history position; open operations return after
  // everything, in invocation order.
  std::vector<Entry> entries;
  entries.reserve(2 * n);
  const size_t open_base = SIZE_MAX / 2;
  for (size_t i = 0; i < n; ++i) {
    const Operation& op = operations[members[i]];
    entries.push_back({i, true, 0, op.invoke_position});
    entries.push_back({i, false, 0, op.open() ? open_base + op.invoke_position : op.complete_position});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.position < b.position; });
  std::vector<size_t> call_of(n), return_of(n);
  for (size_t e = 0; e < entries.size(); ++e) (entries[e].is_call ? call_of : return_of)[entries[e].op] = e;
  for (size_t i = 0; i < n; ++i) {
    entries[call_of[i]].partner = return_of[i];
    entries[return_of[i]].partner = call_of[i];
  }

  // Doubly linked list over entries; `head` is a sentinel, `end` is 2n.
  const size_t head = 2 * n + 1;
  const size_t end = 2 * n;
  std::vector<size_t> next(2 * n + 2), prev(2 * n + 2);
  for (size_t e = 0; e < 2 * n; ++e) {
    next[e] = e + 1;
    prev[e] = e == 0 ? head : e - 1;
  }
  next[head] = 0;
  prev[end] = 2 * n - 1;
  const auto unlink = [&](size_t e) {
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
  };
  const auto relink = [&](size_t e) {
    next[prev[e]] = e;
    prev[next[e]] = e;
  };

  // Zobrist keys make the linearized set's hash O(1) to update.
  std::vector<uint64_t> zobrist(n);
  for (size_t i = 0; i < n; ++i) zobrist[i] = mix64(0x5eed0000ULL + i);
  const size_t words = (n + 63) / 64;
  std::vector<uint64_t> linearized(words, 0);
  uint64_t set_hash = 0;
  Memo memo(words);
  std::vector<const Operation*> member_ops;
  member_ops.reserve(n);
  for (size_t id : members) member_ops.push_back(&operations[id]);

  // Candidates are tried in two passes over the calls before the first
  // return: operations that completed first, then indeterminate ones. An
  // indeterminate operation can always take effect later, so a legal history
  // is usually found without branching on it; the memo keeps the search
  // exhaustive either way, so the order changes the time, not the verdict.
  std::vector<uint8_t> deferred(n);
  for (size_t i = 0; i < n; ++i) deferred[i] = operations[members[i]].open() ? 1 : 0;
  struct Frame {
    size_t call_entry;
    uint8_t pass;
    std::string state_before;
  };
  std::vector<Frame> stack;
  std::string state = model.init();
  std::string next_state;
  size_t entry = next[head];
  uint8_t pass = 0;

  size_t best_depth = 0;
  std::vector<size_t> best_prefix;
  std::string best_state = state;
  size_t best_blocked = SIZE_MAX;

  // An indeterminate operation may equally not have happened, so the search
  // succeeds once every completed operation is placed, and placing an
  // indeterminate one where it leaves the state unchanged is never needed.
  size_t completed_left = 0;
  for (size_t i = 0; i < n; ++i) completed_left += operations[members[i]].open() ? 0 : 1;
  bool found = completed_left == 0;

  while (!found) {
    if (++result.steps > options.steps_max_per_partition) {
      result.budget_exhausted = "steps";
      result.verdict = Verdict::kUnknown;
      break;
    }
    if ((result.steps & 1023) == 0) {
      if (memo.bytes() > options.memory_bytes_max_per_partition) {
        result.budget_exhausted = "memory";
        result.verdict = Verdict::kUnknown;
        break;
      }
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
        result.checked = false;
        result.verdict = Verdict::kUnknown;
        break;
      }
    }
    REPLSIM_ASSERT(entry != end, "the search ran off the list");
    const Entry& current = entries[entry];
    if (current.is_call) {
      const size_t op = current.op;
      if (deferred[op] == pass && model.step(state, operations[members[op]], next_state) &&
          !(deferred[op] && next_state == state)) {
        linearized[op / 64] |= 1ULL << (op % 64);
        const uint64_t hash = mix64(set_hash ^ zobrist[op]) ^ hash_bytes(next_state);
        if (model.future_possible(next_state, member_ops, linearized) && memo.insert(hash, linearized, next_state)) {
          set_hash ^= zobrist[op];
          stack.push_back({entry, pass, state});
          std::swap(state, next_state);
          unlink(entry);
          unlink(current.partner);
          entry = next[head];
          pass = 0;
          if (!deferred[op] && --completed_left == 0) found = true;
          continue;
        }
        linearized[op / 64] &= ~(1ULL << (op % 64));
      }
      entry = next[entry];
      continue;
    }
    if (pass == 0) {  // the completed candidates are exhausted: now the indeterminate ones
      pass = 1;
      entry = next[head];
      continue;
    }
    // A return whose operation is not linearized: every placement so far
    // fails; remember the deepest such point for the explanation.
    if (stack.size() >= best_depth) {
      best_depth = stack.size();
      best_prefix.clear();
      for (const Frame& frame : stack) best_prefix.push_back(members[entries[frame.call_entry].op]);
      best_state = state;
      best_blocked = current.op;
    }
    if (stack.empty()) {
      result.verdict = Verdict::kNotLinearizable;
      break;
    }
    Frame frame = std::move(stack.back());
    stack.pop_back();
    const size_t op = entries[frame.call_entry].op;
    relink(entries[frame.call_entry].partner);
    relink(frame.call_entry);
    linearized[op / 64] &= ~(1ULL << (op % 64));
    set_hash ^= zobrist[op];
    state = std::move(frame.state_before);
    entry = next[frame.call_entry];
    pass = frame.pass;
    if (!deferred[op]) ++completed_left;
  }
  if (found) result.verdict = Verdict::kLinearizable;
  result.memo_entries = memo.size();
  result.memo_bytes = memo.bytes();

  if (result.verdict == Verdict::kNotLinearizable && best_blocked != SIZE_MAX) {
    result.longest_prefix = best_prefix;
    const Operation& blocked = operations[members[best_blocked]];
    result.unplaceable.push_back(blocked.id);
    std::string ignored;
    const bool could_apply = model.step(best_state, blocked, ignored);
    result.explanation = "After the longest linearizable prefix (" + std::to_string(best_prefix.size()) +
                         " operations), the state is " + model.describe_state(best_state) + ". " + blocked.describe() +
                         " [" + blocked.where + "] must take effect before it completed, but ";
    result.explanation += could_apply ? "every way of placing it and the operations concurrent with it leads to a "
                                        "later contradiction."
                                      : model.why_illegal(best_state, blocked) + ".";
  }
  return result;
}

bool register_fast_path(const std::vector<Operation>& operations, const std::vector<size_t>& members,
                        const Model& model, PartitionResult& result) {
  if (model.name() != "register" && model.name() != "cas-register") return false;
  const std::string initial = model.init();
  // value -> its write; reads grouped by the value they returned.
  std::map<std::string, size_t> writer;
  std::map<std::string, std::vector<size_t>> readers;
  for (size_t id : members) {
    const Operation& op = operations[id];
    if (op.f == "write") {
      const std::string value = op.input.to_string();
      if (value == initial || !writer.emplace(value, id).second) return false;  // not unique
    } else if (op.f == "read") {
      if (op.outcome != Outcome::kOk) continue;  // unknown output constrains nothing
      readers[op.output.to_string()].push_back(id);
    } else {
      return false;  // cas
    }
  }
  result.fast_path = true;
  result.checked = true;
  result.operation_count = members.size();
  const auto fail = [&](std::vector<size_t> ops, std::string why) {
    result.verdict = Verdict::kNotLinearizable;
    result.unplaceable = std::move(ops);
    result.explanation = std::move(why);
    return true;
  };
  constexpr int64_t kBefore = -1;
  const int64_t kAfter = INT64_MAX;
  const auto ret = [&](const Operation& op) {
    return op.open() ? kAfter : static_cast<int64_t>(op.complete_position);
  };

  struct Zone {
    int64_t low, high;
    std::string value;
    size_t low_op, high_op;  // the ops that define the zone's ends (SIZE_MAX: the initial value)
  };
  std::vector<Zone> forward, backward;
  const auto add_cluster = [&](const std::string& value, size_t write_id) -> bool {
    // Returns true when the cluster itself is impossible (result filled in).
    int64_t first_return = write_id == SIZE_MAX ? kBefore : ret(operations[write_id]);
    int64_t last_invoke = write_id == SIZE_MAX ? kBefore : static_cast<int64_t>(operations[write_id].invoke_position);
    size_t first_return_op = write_id, last_invoke_op = write_id;
    const auto it = readers.find(value);
    if (it != readers.end()) {
      for (size_t r : it->second) {
        const Operation& read = operations[r];
        if (write_id != SIZE_MAX && ret(read) < static_cast<int64_t>(operations[write_id].invoke_position)) {
          fail({r}, read.describe() + " [" + read.where + "] completed before the write of " + value + " [" +
                        operations[write_id].where + "] was even invoked.");
          return true;
        }
        if (ret(read) < first_return) {
          first_return = ret(read);
          first_return_op = r;
        }
        if (static_cast<int64_t>(read.invoke_position) > last_invoke) {
          last_invoke = static_cast<int64_t>(read.invoke_position);
          last_invoke_op = r;
        }
      }
    } else if (write_id != SIZE_MAX && operations[write_id].open()) {
      return false;  // an indeterminate write nobody read may never have happened
    }
    if (first_return < last_invoke) forward.push_back({first_return, last_invoke, value, first_return_op, last_invoke_op});
    else backward.push_back({last_invoke, first_return, value, last_invoke_op, first_return_op});
    return false;
  };

  for (const auto& [value, ids] : readers) {
    if (value != initial && !writer.contains(value)) {
      return fail(ids, operations[ids.front()].describe() + " [" + operations[ids.front()].where + "] returned " +
                           value + ", a value no operation wrote.");
    }
  }
  if (add_cluster(initial, SIZE_MAX)) return true;
  for (const auto& [value, id] : writer) {
    if (add_cluster(value, id)) return true;
  }
  const auto name_op = [&](size_t id) {
    return id == SIZE_MAX ? std::string("the start") : operations[id].describe() + " [" + operations[id].where + "]";
  };
  std::sort(forward.begin(), forward.end(), [](const Zone& a, const Zone& b) { return a.low < b.low; });
  for (size_t i = 1; i < forward.size(); ++i) {
    if (forward[i].low < forward[i - 1].high) {
      const Zone& a = forward[i - 1];
      const Zone& b = forward[i];
      std::vector<size_t> ops;
      for (size_t id : {a.low_op, a.high_op, b.low_op, b.high_op}) {
        if (id != SIZE_MAX && std::find(ops.begin(), ops.end(), id) == ops.end()) ops.push_back(id);
      }
      return fail(ops, "The register must hold " + a.value + " from " + name_op(a.low_op) + " until " +
                           name_op(a.high_op) + ", and " + b.value + " from " + name_op(b.low_op) + " until " +
                           name_op(b.high_op) + ": the two periods overlap, so one of the values would have to be "
                           "written twice.");
    }
  }
  for (const Zone& b : backward) {
    for (const Zone& f : forward) {
      if (f.low < b.low && b.high < f.high) {
        std::vector<size_t> ops;
        for (size_t id : {b.low_op, b.high_op, f.low_op, f.high_op}) {
          if (id != SIZE_MAX && std::find(ops.begin(), ops.end(), id) == ops.end()) ops.push_back(id);
        }
        const std::string window = b.low_op == b.high_op
                                       ? "during " + name_op(b.low_op)
                                       : "between " + name_op(b.low_op) + " and " + name_op(b.high_op);
        return fail(ops, "The value " + b.value + " must take effect " + window +
                             ", which lies entirely inside the period in which the register must hold " + f.value +
                             " (" + name_op(f.low_op) + " until " + name_op(f.high_op) + ").");
      }
    }
  }
  result.verdict = Verdict::kLinearizable;
  return true;
}

CheckResult check_linearizability(const std::vector<Operation>& operations, const Model& model,
                                  const CheckOptions& options) {
  std::map<std::string, std::vector<size_t>> by_key;
  for (const Operation& op : operations) by_key[model.partitioned_by_key() ? op.key : std::string()].push_back(op.id);
  std::vector<std::pair<std::string, std::vector<size_t>>> partitions(by_key.begin(), by_key.end());

  CheckResult result;
  result.partitions.resize(partitions.size());
  std::atomic<bool> stop{false};
  tbb::parallel_for(size_t{0}, partitions.size(), [&](size_t i) {
    PartitionResult& out = result.partitions[i];
    out.key = partitions[i].first;
    out.operation_count = partitions[i].second.size();
    if (!options.check_all_partitions && stop.load()) return;
    PartitionResult fast;
    if (options.fast_path && register_fast_path(operations, partitions[i].second, model, fast)) {
      // An illegal verdict from the zones gets the search's longest prefix
      // when a bounded search can find it.
      if (fast.verdict == Verdict::kNotLinearizable) {
        CheckOptions bounded = options;
        bounded.steps_max_per_partition = std::min<uint64_t>(options.steps_max_per_partition, 2'000'000);
        const PartitionResult searched = search_partition(operations, partitions[i].second, model, bounded);
        if (searched.verdict == Verdict::kNotLinearizable) {
          // The search's account names the operation that cannot be placed
          // and the state it met; the zones say why in aggregate.
          fast.longest_prefix = searched.longest_prefix;
          fast.unplaceable = searched.unplaceable;
          std::string zones = fast.explanation;
          if (!zones.empty()) zones[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(zones[0])));
          fast.explanation = searched.explanation + " In terms of values: " + zones;
        }
      }
      out = std::move(fast);
      out.key = partitions[i].first;
    } else {
      out = search_partition(operations, partitions[i].second, model, options,
                             options.check_all_partitions ? nullptr : &stop);
      out.key = partitions[i].first;
    }
    if (out.verdict == Verdict::kNotLinearizable) stop.store(true);
  });

  bool unknown = false;
  result.verdict = Verdict::kLinearizable;
  for (const PartitionResult& p : result.partitions) {
    if (p.verdict == Verdict::kNotLinearizable) result.verdict = Verdict::kNotLinearizable;
    if (p.verdict == Verdict::kUnknown && p.checked) unknown = true;
  }
  if (result.verdict != Verdict::kNotLinearizable && unknown) result.verdict = Verdict::kUnknown;
  return result;
}

CheckResult check_history(const std::vector<HistoryEvent>& events, const std::string& model_name,
                          const CheckOptions& options, std::vector<Operation>* prepared) {
  const auto model = make_model(model_name, {});
  auto operations = prepare_operations(pair_operations(events), *model, FailSemantics::kDidNotHappen);
  CheckResult result = check_linearizability(operations, *model, options);
  if (prepared != nullptr) *prepared = std::move(operations);
  return result;
}

nlohmann::json check_result_to_json(const CheckResult& result, const std::vector<Operation>& operations,
                                    const Model& model) {
  const auto op_json = [&](size_t id) {
    const Operation& op = operations[id];
    return nlohmann::json{{"process", op.process}, {"f", op.f},        {"key", op.key},
                          {"input", op.input.to_string()}, {"output", op.output.to_string()},
                          {"outcome", to_string(op.outcome)}, {"where", op.where}, {"text", op.describe()}};
  };
  nlohmann::json partitions = nlohmann::json::array();
  for (const PartitionResult& p : result.partitions) {
    nlohmann::json j = {{"key", p.key},
                        {"operations", p.operation_count},
                        {"verdict", p.checked ? to_string(p.verdict) : "not checked"},
                        {"fast_path", p.fast_path},
                        {"steps", p.steps},
                        {"memo_entries", p.memo_entries},
                        {"memo_bytes", p.memo_bytes}};
    if (!p.budget_exhausted.empty()) j["budget_exhausted"] = p.budget_exhausted;
    if (p.verdict == Verdict::kNotLinearizable) {
      j["explanation"] = p.explanation;
      j["unplaceable"] = nlohmann::json::array();
      for (size_t id : p.unplaceable) j["unplaceable"].push_back(op_json(id));
      j["longest_linearizable_prefix"] = nlohmann::json::array();
      for (size_t id : p.longest_prefix) j["longest_linearizable_prefix"].push_back(op_json(id));
    }
    partitions.push_back(std::move(j));
  }
  return {{"model", model.name()}, {"verdict", to_string(result.verdict)}, {"partitions", partitions}};
}

}  // namespace replsim::checker
