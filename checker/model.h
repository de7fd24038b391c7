// Sequential specifications the linearizability checker checks against.
//
// A model is Porcupine-sized: an initial state, a step function that says
// whether an operation may take effect in a state (and what state follows),
// and whether operations on different keys are independent
// (P-compositionality). States are canonical strings, so the checker can hash
// and compare them without knowing the model.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checker/history.h"

namespace replsim::checker {

// What a :fail completion means.
enum class FailSemantics : uint8_t {
  kDidNotHappen,       // Jepsen's and Knossos's default: the op is dropped
  kCasReturnedFalse,   // a failed compare-and-set happened and returned false
};

struct ModelOptions {
  Edn initial;  // the initial value; nil for registers, "" for kv unless given
  bool initial_given = false;
  FailSemantics fail = FailSemantics::kDidNotHappen;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual std::string init() const = 0;
  // Rejects operations the model does not know, naming op.where.
  virtual void validate(const Operation& op) const = 0;
  // Whether `op` may take effect in `state`; if so `next` is the state after
  // it. Indeterminate operations accept any output.
  virtual bool step(const std::string& state, const Operation& op, std::string& next) const = 0;
  // Operations on different keys are independent and checked apart.
  virtual bool partitioned_by_key() const { return false; }
  // A read-only operation: with an unknown output it constrains nothing.
  virtual bool read_only(const Operation& op) const = 0;
  // Sound pruning: false only when no order of the operations still to be
  // linearized (those in `members` whose bit in `linearized` is clear) can
  // reach every output they promise from `state`. The search abandons such a
  // configuration at once instead of discovering the dead end later.
  virtual bool future_possible(const std::string& state, const std::vector<const Operation*>& members,
                               const std::vector<uint64_t>& linearized) const {
    (void)state;
    (void)members;
    (void)linearized;
    return true;
  }
  virtual std::string describe_state(const std::string& state) const { return state; }
  // One sentence on why `op` cannot take effect in `state`.
  virtual std::string why_illegal(const std::string& state, const Operation& op) const;
};

// "register", "cas-register", "multi-register", "mutex", "kv". InputError
// for an unknown name (with a hint).
std::unique_ptr<Model> make_model(const std::string& name, const ModelOptions& options);

// The operations the search considers: failed operations are dropped or kept
// as "returned false" per the fail semantics; indeterminate read-only
// operations are dropped (they constrain nothing). Validates every kept op.
std::vector<Operation> prepare_operations(const std::vector<Operation>& operations, const Model& model,
                                          FailSemantics fail);

}  // namespace replsim::checker
