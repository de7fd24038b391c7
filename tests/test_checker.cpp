#include <doctest/doctest.h>

#include <sstream>

#include "checker/history_io.h"
#include "checker/linearizability.h"
#include "base/input_error.h"
#include "tests/history_generator.h"

using namespace replsim;
using namespace replsim::checker;

namespace {

CheckResult check_text(const std::string& text, const std::string& model_name, CheckOptions options = {},
                       FailSemantics fail = FailSemantics::kDidNotHappen, ModelOptions model_options = {}) {
  model_options.fail = fail;
  const auto model = make_model(model_name, model_options);
  const auto operations =
      prepare_operations(pair_operations(read_history_text(text, HistoryFormat::kAuto, "test")), *model, fail);
  return check_linearizability(operations, *model, options);
}

Verdict verdict_of(const std::vector<HistoryEvent>& events, const std::string& model_name, bool fast_path,
                   FailSemantics fail = FailSemantics::kCasReturnedFalse) {
  ModelOptions model_options;
  model_options.fail = fail;
  const auto model = make_model(model_name, model_options);
  const auto operations = prepare_operations(pair_operations(events), *model, fail);
  CheckOptions options;
  options.fast_path = fast_path;
  options.check_all_partitions = true;
  return check_linearizability(operations, *model, options).verdict;
}

}  // namespace

TEST_CASE("EDN histories: a vector of maps, one map per line, comments, nemesis skipped") {
  const char* vector_form = R"([{:process 0, :type :invoke, :f :write, :value 1}
    {:process 0, :type :ok, :f :write, :value 1} ; a comment
    {:process :nemesis, :type :info, :f :start, :value nil}
    {:process 1, :type :invoke, :f :read, :value nil}
    {:process 1, :type :ok, :f :read, :value 1}])";
  const auto events = read_history_text(vector_form, HistoryFormat::kEdn, "h.edn");
  REQUIRE(events.size() == 4);
  CHECK(events[3].value.integer == 1);
  CHECK(events[0].where == "h.edn:1");
  const std::string lines = "{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :read, :value 2}\n";
  CHECK(read_history_text(lines, HistoryFormat::kEdn, "x").size() == 2);
  CHECK(check_text(vector_form, "register").verdict == Verdict::kLinearizable);
}

TEST_CASE("JSON histories and etcd log lines read into the same events") {
  const char* json = R"({"history": [
    {"process": 0, "type": "invoke", "f": "cas", "value": [1, 2]},
    {"process": 0, "type": "fail", "f": "cas", "value": [1, 2]},
    {"process": 1, "type": "invoke", "f": "read", "value": null, "time": 5},
    {"process": 1, "type": "ok", "f": "read", "value": null, "time": 9}]})";
  const auto from_json = read_history_text(json, HistoryFormat::kAuto, "h.json");
  const char* etcd =
      "INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 0\t:fail\t:cas\t[1 2]\n"
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\tnil\n";
  const auto from_etcd = read_history_text(etcd, HistoryFormat::kAuto, "h.log");
  REQUIRE(from_json.size() == from_etcd.size());
  for (size_t i = 0; i < from_json.size(); ++i) {
    CHECK(from_json[i].type == from_etcd[i].type);
    CHECK(from_json[i].f == from_etcd[i].f);
    CHECK(from_json[i].value.to_string() == from_etcd[i].value.to_string());
  }
  CHECK(from_json[3].time == 9);
  // A read that timed out has an unknown output: it becomes indeterminate.
  const auto timed_out = read_history_text(
      "INFO  jepsen.util - 2\t:invoke\t:read\tnil\nINFO  jepsen.util - 2\t:fail\t:read\t:timed-out\n",
      HistoryFormat::kEtcdLog, "t.log");
  CHECK(timed_out[1].type == EventType::kInfo);
}

TEST_CASE("the EDN writer's output reads back to the same history") {
  const auto events = testing::generate_history(7, testing::GeneratedModel::kKv, 4, 60, 10, 3);
  std::ostringstream edn;
  write_edn_history(events, edn);
  const auto again = read_history_text(edn.str(), HistoryFormat::kEdn, "round-trip");
  REQUIRE(again.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(again[i].process == events[i].process);
    CHECK(again[i].type == events[i].type);
    CHECK(again[i].f == events[i].f);
    CHECK(again[i].key == events[i].key);
    CHECK(again[i].value.to_string() == events[i].value.to_string());
  }
}

TEST_CASE("malformed histories name the file, the line and what was wrong") {
  struct Case {
    const char* text;
    const char* path;
    const char* found_part;
  };
  const Case cases[] = {
      {"{:process 0, :type :ok, :f :read, :value 1}\n", "h:1", "no operation in progress"},
      {"{:process 0, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :write, :value 1}\n", "h:2",
       "second invocation by process 0"},
      {"{:process 0, :type :invoke, :f :read}\n{:process 0, :type :ok, :f :write, :value 1}\n", "h:2",
       "completion of :write"},
      {"{:process 0, :type :begin, :f :read}\n", "h:1", "\"begin\""},
      {"{:process 0, :type :invoke, :f :read\n", "h:2", "expected '}'"},
      {"{:process \"p\", :type :invoke, :f :read}\n", "h:1", "\"p\""},
      {"[{:process 0 :type :invoke :f :read} {:process 0}", "h:1", "expected ']'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    try {
      pair_operations(read_history_text(c.text, HistoryFormat::kEdn, "h"));
      FAIL("accepted a malformed history");
    } catch (const InputError& error) {
      CHECK(error.path() == c.path);
      CHECK(std::string(error.what()).find(c.found_part) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(read_history_text(R"({"history": [{"process": 0, "type": "invoke"}]})", HistoryFormat::kJson, "j"),
                  InputError);
  CHECK_THROWS_AS(read_history_text("garbage line\n", HistoryFormat::kEtcdLog, "e"), InputError);
  // An operation the model does not know.
  CHECK_THROWS_AS(check_text("{:process 0, :type :invoke, :f :increment, :value 1}", "register"), InputError);
  CHECK_THROWS_AS(make_model("regsiter", {}), InputError);
}

TEST_CASE("registers: stale reads are caught, indeterminate writes may land late") {
  const char* stale = R"(
    {:process 0, :type :invoke, :f :write, :value 1} {:process 0, :type :ok, :f :write, :value 1}
    {:process 1, :type :invoke, :f :write, :value 2} {:process 1, :type :ok, :f :write, :value 2}
    {:process 2, :type :invoke, :f :read} {:process 2, :type :ok, :f :read, :value 1})";
  for (bool fast : {true, false}) {
    CheckOptions options;
    options.fast_path = fast;
    const CheckResult result = check_text(stale, "register", options);
    CHECK(result.verdict == Verdict::kNotLinearizable);
    REQUIRE(result.partitions.size() == 1);
    CHECK(result.partitions[0].fast_path == fast);
    CHECK_FALSE(result.partitions[0].explanation.empty());
    CHECK_FALSE(result.partitions[0].unplaceable.empty());
  }
  const char* late = R"(
    {:process 0, :type :invoke, :f :write, :value 1} {:process 0, :type :info, :f :write, :value 1}
    {:process 1, :type :invoke, :f :read} {:process 1, :type :ok, :f :read, :value nil}
    {:process 2, :type :invoke, :f :read} {:process 2, :type :ok, :f :read, :value 1})";
  CHECK(check_text(late, "register").verdict == Verdict::kLinearizable);
  const char* too_early = R"(
    {:process 1, :type :invoke, :f :read} {:process 1, :type :ok, :f :read, :value 1}
    {:process 0, :type :invoke, :f :write, :value 1} {:process 0, :type :ok, :f :write, :value 1})";
  CHECK(check_text(too_early, "register").verdict == Verdict::kNotLinearizable);
}

TEST_CASE("both failure semantics of compare-and-set") {
  // The cas failed while the register held 1 == from: impossible if it
  // happened, fine if a failure means it did not happen.
  const char* text = R"(
    {:process 0, :type :invoke, :f :write, :value 1} {:process 0, :type :ok, :f :write, :value 1}
    {:process 1, :type :invoke, :f :cas, :value [1 2]} {:process 1, :type :fail, :f :cas, :value [1 2]})";
  CHECK(check_text(text, "cas-register", {}, FailSemantics::kCasReturnedFalse).verdict == Verdict::kNotLinearizable);
  CHECK(check_text(text, "cas-register", {}, FailSemantics::kDidNotHappen).verdict == Verdict::kLinearizable);
  const char* ok_cas = R"(
    {:process 0, :type :invoke, :f :cas, :value [nil 5]} {:process 0, :type :ok, :f :cas, :value [nil 5]}
    {:process 1, :type :invoke, :f :read} {:process 1, :type :ok, :f :read, :value 5})";
  CHECK(check_text(ok_cas, "cas-register").verdict == Verdict::kLinearizable);
  CHECK_THROWS_AS(check_text(ok_cas, "register"), InputError);
}

TEST_CASE("mutex, multi-register and kv models") {
  const char* double_acquire = R"(
    {:process 0, :type :invoke, :f :acquire} {:process 0, :type :ok, :f :acquire}
    {:process 1, :type :invoke, :f :acquire} {:process 1, :type :ok, :f :acquire})";
  CHECK(check_text(double_acquire, "mutex").verdict == Verdict::kNotLinearizable);
  const char* handover = R"(
    {:process 0, :type :invoke, :f :acquire} {:process 0, :type :ok, :f :acquire}
    {:process 1, :type :invoke, :f :acquire}
    {:process 0, :type :invoke, :f :release} {:process 0, :type :ok, :f :release}
    {:process 1, :type :ok, :f :acquire})";
  CHECK(check_text(handover, "mutex").verdict == Verdict::kLinearizable);

  const char* txn = R"(
    {:process 0, :type :invoke, :f :txn, :value [[:w :x 1] [:w :y 2]]}
    {:process 0, :type :ok, :f :txn, :value [[:w :x 1] [:w :y 2]]}
    {:process 1, :type :invoke, :f :txn, :value [[:r :x nil] [:r :y nil]]}
    {:process 1, :type :ok, :f :txn, :value [[:r :x 1] [:r :y nil]]})";
  CHECK(check_text(txn, "multi-register").verdict == Verdict::kNotLinearizable);  // a torn transaction

  const char* kv = R"(
    {:process 0, :type :invoke, :f :append, :key "a", :value "x"} {:process 0, :type :ok, :f :append, :key "a", :value "x"}
    {:process 1, :type :invoke, :f :get, :key "b"} {:process 1, :type :ok, :f :get, :key "b", :value ""}
    {:process 1, :type :invoke, :f :get, :key "a"} {:process 1, :type :ok, :f :get, :key "a", :value "xy"})";
  const CheckResult result = check_text(kv, "kv", CheckOptions{.check_all_partitions = true});
  CHECK(result.verdict == Verdict::kNotLinearizable);
  REQUIRE(result.partitions.size() == 2);
  CHECK(result.partitions[0].key == "a");
  CHECK(result.partitions[0].verdict == Verdict::kNotLinearizable);
  CHECK(result.partitions[1].verdict == Verdict::kLinearizable);
}

TEST_CASE("budgets end in unknown, counted in steps, reproducibly") {
  const auto events = testing::generate_history(3, testing::GeneratedModel::kCasRegister, 8, 200, 20);
  const auto model = make_model("cas-register", {});
  const auto operations = prepare_operations(pair_operations(events), *model, FailSemantics::kCasReturnedFalse);
  CheckOptions tiny;
  tiny.steps_max_per_partition = 10;
  const CheckResult first = check_linearizability(operations, *model, tiny);
  const CheckResult second = check_linearizability(operations, *model, tiny);
  CHECK(first.verdict == Verdict::kUnknown);
  CHECK(first.partitions[0].budget_exhausted == "steps");
  CHECK(first.partitions[0].steps == second.partitions[0].steps);
  CHECK(check_linearizability(operations, *model, CheckOptions{}).verdict == Verdict::kLinearizable);
}

TEST_CASE("property: histories of correct sequential executions with random overlaps are linearizable") {
  using testing::GeneratedModel;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    CHECK(verdict_of(testing::generate_history(seed, GeneratedModel::kRegister, 5, 60, 10), "register", false) ==
          Verdict::kLinearizable);
    CHECK(verdict_of(testing::generate_history(seed, GeneratedModel::kCasRegister, 5, 60, 10), "cas-register",
                     false) == Verdict::kLinearizable);
    CHECK(verdict_of(testing::generate_history(seed, GeneratedModel::kKv, 6, 80, 10, 3), "kv", false) ==
          Verdict::kLinearizable);
  }
}

TEST_CASE("property: one corrupted value is caught") {
  using testing::GeneratedModel;
  int corrupted = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    for (GeneratedModel kind : {GeneratedModel::kRegister, GeneratedModel::kKv}) {
      auto events = testing::generate_history(seed, kind, 5, 60, 0, kind == GeneratedModel::kKv ? 3 : 1);
      // Corrupt the output of one completed read into a value nobody wrote.
      for (size_t i = events.size(); i-- > 0;) {
        HistoryEvent& e = events[i];
        if (e.type != EventType::kOk || (e.f != "read" && e.f != "get")) continue;
        e.value = kind == GeneratedModel::kKv ? testing::edn_string(e.value.text + "<corrupt>") : testing::edn_int(-7);
        ++corrupted;
        break;
      }
      const std::string model = kind == GeneratedModel::kKv ? "kv" : "register";
      CAPTURE(seed);
      CHECK(verdict_of(events, model, false) == Verdict::kNotLinearizable);
      CHECK(verdict_of(events, model, true) == Verdict::kNotLinearizable);
    }
  }
  CHECK(corrupted > 500);
}

TEST_CASE("the unique-value register fast path agrees with the search on thousands of random histories") {
  int illegal = 0;
  int checked = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    auto events = testing::generate_history(seed, testing::GeneratedModel::kRegister, 4, 24, 15);
    // Perturb a third of them: swap the outputs of two reads, which may or
    // may not break linearizability.
    Rng rng(seed, "perturb");
    if (rng.below(3) == 0) {
      std::vector<size_t> reads;
      for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].type == EventType::kOk && events[i].f == "read") reads.push_back(i);
      }
      if (reads.size() >= 2) {
        const size_t a = reads[rng.below(reads.size())];
        const size_t b = reads[rng.below(reads.size())];
        std::swap(events[a].value, events[b].value);
      }
    }
    const Verdict by_search = verdict_of(events, "register", false);
    const Verdict by_zones = verdict_of(events, "register", true);
    CAPTURE(seed);
    CHECK(by_search != Verdict::kUnknown);
    CHECK(by_zones == by_search);
    illegal += by_search == Verdict::kNotLinearizable ? 1 : 0;
    ++checked;
  }
  CHECK(illegal > 100);              // the perturbations do produce illegal histories
  CHECK(checked - illegal > 1000);  // and most stay legal
}

TEST_CASE("the fast path decides a 100,000-operation unique-value history") {
  const auto events = testing::generate_history(11, testing::GeneratedModel::kRegister, 20, 100'000, 1);
  const auto model = make_model("register", {});
  const auto operations = prepare_operations(pair_operations(events), *model, FailSemantics::kDidNotHappen);
  const CheckResult result = check_linearizability(operations, *model, CheckOptions{});
  CHECK(result.verdict == Verdict::kLinearizable);
  CHECK(result.partitions[0].fast_path);
}
