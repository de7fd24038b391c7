#include <map>

#include "checker/model.h"
#include "base/input_error.h"
#include "base/json_input.h"

namespace replsim::checker {
namespace {

[[noreturn]] void reject(const Operation& op, const std::string& expected) {
  throw InputError(op.where, expected, "an operation :" + op.f + " with value " + op.input.to_string());
}

// read / write / cas on a value per key; plain registers refuse cas.
class RegisterModel final : public Model {
 public:
  RegisterModel(bool allow_cas, Edn initial) : allow_cas_(allow_cas), initial_(initial.to_string()) {}
  std::string name() const override { return allow_cas_ ? "cas-register" : "register"; }
  std::string init() const override { return initial_; }
  // One register per key (ops without a key share one), as Jepsen's
  // independent checker splits them.
  bool partitioned_by_key() const override { return true; }
  void validate(const Operation& op) const override {
    if (op.f == "read" || op.f == "write") return;
    if (op.f == "cas" && allow_cas_) {
      if (op.input.kind != Edn::Kind::kVector || op.input.items.size() != 2) reject(op, "a cas value [from to]");
      return;
    }
    reject(op, allow_cas_ ? "an operation :read, :write or :cas" : "an operation :read or :write");
  }
  bool read_only(const Operation& op) const override { return op.f == "read"; }
  bool step(const std::string& state, const Operation& op, std::string& next) const override {
    if (op.f == "read") {
      next = state;
      return op.outcome != Outcome::kOk || op.output_text == state;
    }
    if (op.f == "write") {
      next = op.input_text;
      return true;
    }
    const bool matches = op.input_item_texts[0] == state;
    next = matches ? op.input_item_texts[1] : state;
    if (op.outcome == Outcome::kOk) return matches;
    if (op.outcome == Outcome::kFail) return !matches;  // happened and returned false
    return true;                                        // unknown: either way
  }
  std::string why_illegal(const std::string& state, const Operation& op) const override {
    if (op.f == "read") return "it returned " + op.output.to_string() + " while the register held " + state;
    if (op.f == "cas" && op.outcome == Outcome::kOk) {
      return "it succeeded comparing with " + op.input.items[0].to_string() + " while the register held " + state;
    }
    return "it failed comparing with " + op.input.items[0].to_string() + " yet the register held exactly that";
  }

 private:
  bool allow_cas_;
  std::string initial_;
};

// Knossos's multi-register: :txn operations over several keys, each micro-op
// [:read k v] or [:write k v]; also plain :read/:write with a :key.
class MultiRegisterModel final : public Model {
 public:
  explicit MultiRegisterModel(Edn initial) : initial_(initial.to_string()) {}
  std::string name() const override { return "multi-register"; }
  std::string init() const override { return ""; }
  void validate(const Operation& op) const override {
    if (op.f == "read" || op.f == "write") {
      if (op.key.empty()) reject(op, "a :key on :read and :write");
      return;
    }
    if (op.f != "txn") reject(op, "an operation :txn, :read or :write");
    for (const Edn* value : {&op.input, &op.output}) {
      if (value->kind == Edn::Kind::kNil && value == &op.output) continue;
      if (value->kind != Edn::Kind::kVector && value->kind != Edn::Kind::kList) reject(op, "a :txn value [[f k v] ...]");
      for (const Edn& micro : value->items) {
        const bool shaped = (micro.kind == Edn::Kind::kVector || micro.kind == Edn::Kind::kList) &&
                            micro.items.size() == 3 && micro.items[0].kind == Edn::Kind::kKeyword;
        const std::string f = shaped ? micro.items[0].text : "";
        if (!(f == "r" || f == "read" || f == "w" || f == "write")) reject(op, "micro-ops [:r k v] or [:w k v]");
      }
    }
  }
  bool read_only(const Operation& op) const override {
    if (op.f == "read") return true;
    if (op.f == "write") return false;
    for (const Edn& micro : op.input.items) {
      if (micro.items[0].text == "w" || micro.items[0].text == "write") return false;
    }
    return true;
  }
  bool step(const std::string& state, const Operation& op, std::string& next) const override {
    std::map<std::string, std::string> values = decode(state);
    const auto value_of = [&](const std::string& key) {
      const auto it = values.find(key);
      return it == values.end() ? initial_ : it->second;
    };
    if (op.f == "read" || op.f == "write") {
      if (op.f == "write") values[op.key] = op.input.to_string();
      else if (op.outcome == Outcome::kOk && op.output.to_string() != value_of(op.key)) return false;
      next = encode(values);
      return true;
    }
    const Edn& micros = op.outcome == Outcome::kOk && op.output.kind != Edn::Kind::kNil ? op.output : op.input;
    for (const Edn& micro : micros.items) {
      const std::string key = micro.items[1].to_string();
      if (micro.items[0].text == "w" || micro.items[0].text == "write") {
        values[key] = micro.items[2].to_string();
      } else if (op.outcome == Outcome::kOk && micro.items[2].to_string() != value_of(key)) {
        return false;
      }
    }
    next = encode(values);
    return true;
  }

 private:
  static std::map<std::string, std::string> decode(const std::string& state) {
    std::map<std::string, std::string> values;
    size_t pos = 0;
    while (pos < state.size()) {
      const size_t eq = state.find('\x1f', pos);
      const size_t end = state.find('\x1e', eq);
      values[state.substr(pos, eq - pos)] = state.substr(eq + 1, end - eq - 1);
      pos = end + 1;
    }
    return values;
  }
  static std::string encode(const std::map<std::string, std::string>& values) {
    std::string state;
    for (const auto& [k, v] : values) state += k + '\x1f' + v + '\x1e';
    return state;
  }
  std::string initial_;
};

class MutexModel final : public Model {
 public:
  std::string name() const override { return "mutex"; }
  std::string init() const override { return "free"; }
  void validate(const Operation& op) const override {
    if (op.f != "acquire" && op.f != "release") reject(op, "an operation :acquire or :release");
  }
  bool read_only(const Operation&) const override { return false; }
  bool step(const std::string& state, const Operation& op, std::string& next) const override {
    if (op.f == "acquire") {
      next = "held";
      return state == "free";
    }
    next = "free";
    return state == "held";
  }
  std::string why_illegal(const std::string& state, const Operation& op) const override {
    return op.f == "acquire" ? "the mutex was already held" : "the mutex was " + state + ", not held";
  }
};

// The corpus's key-value store: a string per key; put replaces, append
// concatenates, get returns the current string.
class KvModel final : public Model {
 public:
  explicit KvModel(std::string initial) : initial_(std::move(initial)) {}
  std::string name() const override { return "kv"; }
  std::string init() const override { return initial_; }
  bool partitioned_by_key() const override { return true; }
  void validate(const Operation& op) const override {
    if (op.f != "get" && op.f != "put" && op.f != "append") reject(op, "an operation :get, :put or :append");
    if (op.f != "get" && op.input.kind != Edn::Kind::kString) reject(op, "a string value");
  }
  bool read_only(const Operation& op) const override { return op.f == "get"; }
  bool step(const std::string& state, const Operation& op, std::string& next) const override {
    if (op.f == "get") {
      next = state;
      return op.outcome != Outcome::kOk || (op.output.kind == Edn::Kind::kString && op.output.text == state);
    }
    next = op.f == "put" ? op.input.text : state + op.input.text;
    return true;
  }
  // The string only grows, except when a put replaces it. So every get still
  // to be linearized must return a string that starts with the current
  // state, or with the value of a put still to be linearized.
  bool future_possible(const std::string& state, const std::vector<const Operation*>& members,
                       const std::vector<uint64_t>& linearized) const override {
    const auto pending = [&](size_t i) { return (linearized[i / 64] & (1ULL << (i % 64))) == 0; };
    for (size_t i = 0; i < members.size(); ++i) {
      const Operation& get = *members[i];
      if (get.f != "get" || get.outcome != Outcome::kOk || !pending(i)) continue;
      const std::string& wanted = get.output.text;
      if (wanted.starts_with(state)) continue;
      bool reachable = false;
      for (size_t j = 0; j < members.size() && !reachable; ++j) {
        reachable = members[j]->f == "put" && pending(j) && wanted.starts_with(members[j]->input.text);
      }
      if (!reachable) return false;
    }
    return true;
  }
  std::string describe_state(const std::string& state) const override { return "\"" + state + "\""; }
  std::string why_illegal(const std::string& state, const Operation& op) const override {
    return "it returned " + op.output.to_string() + " while the key held \"" + state + "\"";
  }

 private:
  std::string initial_;
};

}  // namespace

std::string Model::why_illegal(const std::string& state, const Operation&) const {
  return "it cannot take effect when the state is " + describe_state(state);
}

std::unique_ptr<Model> make_model(const std::string& name, const ModelOptions& options) {
  if (name == "register") return std::make_unique<RegisterModel>(false, options.initial);
  if (name == "cas-register") return std::make_unique<RegisterModel>(true, options.initial);
  if (name == "multi-register") return std::make_unique<MultiRegisterModel>(options.initial);
  if (name == "mutex") return std::make_unique<MutexModel>();
  if (name == "kv") {
    std::string initial;
    if (options.initial_given) {
      if (options.initial.kind != Edn::Kind::kString) {
        throw InputError("--init", "a string initial value for kv, e.g. '\"\"'", options.initial.to_string());
      }
      initial = options.initial.text;
    }
    return std::make_unique<KvModel>(initial);
  }
  std::string found = "\"" + name + "\"";
  const std::string hint = closest_match(name, {"register", "cas-register", "multi-register", "mutex", "kv"});
  if (!hint.empty()) found += " (did you mean \"" + hint + "\"?)";
  throw InputError("--model", "one of register, cas-register, multi-register, mutex, kv", found);
}

std::vector<Operation> prepare_operations(const std::vector<Operation>& operations, const Model& model,
                                          FailSemantics fail) {
  std::vector<Operation> kept;
  for (const Operation& op : operations) {
    if (op.outcome == Outcome::kFail && !(fail == FailSemantics::kCasReturnedFalse && op.f == "cas")) continue;
    model.validate(op);
    if (op.outcome == Outcome::kInfo && model.read_only(op)) continue;
    Operation copy = op;
    copy.id = kept.size();
    copy.input_text = op.input.to_string();
    copy.output_text = op.output.to_string();
    for (const Edn& item : op.input.items) copy.input_item_texts.push_back(item.to_string());
    kept.push_back(std::move(copy));
  }
  return kept;
}

}  // namespace replsim::checker
