// Linearizability checker benchmarks over the shared corpus (Release).
// Prints `figure <name> <value> <unit>` lines; per-file times go to stderr.
//
// The corpus folder is the build's REPLSIM_SHARED_DIR, or the environment
// variable of the same name. Wall-clock time is read only around checks.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "checker/history_io.h"
#include "checker/linearizability.h"
#include "tests/history_generator.h"

namespace {

using namespace replsim;
using namespace replsim::checker;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Loaded {
  std::string name;
  std::vector<Operation> operations;
};

Loaded load(const std::filesystem::path& path, const Model& model, FailSemantics fail) {
  return {path.filename().string(),
          prepare_operations(pair_operations(read_history_file(path.string(), HistoryFormat::kAuto)), model, fail)};
}

}  // namespace

int main() {
  const char* env = std::getenv("REPLSIM_SHARED_DIR");
  const std::filesystem::path corpus =
      std::filesystem::path(env != nullptr ? env : REPLSIM_SHARED_DIR) / "data/linearizability/porcupine/test_data";
  if (!std::filesystem::exists(corpus)) {
    fmt::print(stderr, "checker_bench: no corpus at {}\n", corpus.string());
    return 2;
  }

  // etcd: 102 files, cas-register, a failed cas returned false. Best of 5
  // per file, summed, as the Porcupine reference figure is.
  ModelOptions cas_options;
  cas_options.fail = FailSemantics::kCasReturnedFalse;
  const auto cas = make_model("cas-register", cas_options);
  std::vector<std::filesystem::path> etcd_files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus / "jepsen")) etcd_files.push_back(entry.path());
  std::sort(etcd_files.begin(), etcd_files.end());
  double etcd_total_ms = 0;
  double etcd_max_ms = 0;
  for (const auto& path : etcd_files) {
    const Loaded history = load(path, *cas, cas_options.fail);
    double best = 1e18;
    for (int run = 0; run < 5; ++run) {
      const auto start = Clock::now();
      const CheckResult result = check_linearizability(history.operations, *cas, CheckOptions{});
      best = std::min(best, ms_since(start));
      if (result.verdict == Verdict::kUnknown) fmt::print(stderr, "{}: unknown\n", history.name);
    }
    fmt::print(stderr, "etcd {} {:.3f} ms\n", history.name, best);
    etcd_total_ms += best;
    etcd_max_ms = std::max(etcd_max_ms, best);
  }
  fmt::print("figure checker_etcd_all_files {:.1f} ms\n", etcd_total_ms);
  fmt::print("figure checker_etcd_slowest_file {:.2f} ms\n", etcd_max_ms);

  // kv: split by key; c50-bad with every key decided (no early exit).
  ModelOptions kv_options;
  const auto kv = make_model("kv", kv_options);
  CheckOptions all_keys;
  all_keys.check_all_partitions = true;
  for (const char* name : {"c50-ok", "c50-bad"}) {
    const Loaded history = load(corpus / "kv" / (std::string(name) + ".txt"), *kv, kv_options.fail);
    const auto start = Clock::now();
    const CheckResult result = check_linearizability(history.operations, *kv, all_keys);
    const double elapsed = ms_since(start);
    uint64_t memo_bytes_max = 0;
    size_t undecided = 0;
    for (const PartitionResult& p : result.partitions) {
      memo_bytes_max = std::max(memo_bytes_max, p.memo_bytes);
      undecided += p.verdict == Verdict::kUnknown ? 1 : 0;
      fmt::print(stderr, "{} key {}: {} in {} steps, memo {} entries\n", name, p.key, to_string(p.verdict), p.steps,
                 p.memo_entries);
    }
    const std::string tag = std::string(name) == "c50-ok" ? "c50_ok" : "c50_bad";
    fmt::print("figure checker_kv_{}_all_keys {:.1f} ms\n", tag, elapsed);
    fmt::print("figure checker_kv_{}_undecided_keys {} keys\n", tag, undecided);
    fmt::print("figure checker_kv_{}_memo_max {:.1f} MB\n", tag, static_cast<double>(memo_bytes_max) / 1e6);
  }

  // Each c50-bad key alone, the way Porcupine needs minutes for key "0".
  {
    const Loaded history = load(corpus / "kv" / "c50-bad.txt", *kv, kv_options.fail);
    double slowest = 0;
    for (const std::string key : {"0", "9"}) {
      std::vector<size_t> members;
      for (const Operation& op : history.operations) {
        if (op.key == key) members.push_back(op.id);
      }
      const auto start = Clock::now();
      const PartitionResult p = search_partition(history.operations, members, *kv, CheckOptions{});
      slowest = std::max(slowest, ms_since(start));
      fmt::print(stderr, "c50-bad key {} alone: {}\n", key, to_string(p.verdict));
    }
    fmt::print("figure checker_kv_c50_bad_key_0_or_9_alone {:.2f} ms\n", slowest);
  }

  // A unique-value register history of 100,000 operations (the fast path).
  {
    const auto events = testing::generate_history(11, testing::GeneratedModel::kRegister, 20, 100'000, 1);
    const auto model = make_model("register", {});
    const auto operations = prepare_operations(pair_operations(events), *model, FailSemantics::kDidNotHappen);
    const auto start = Clock::now();
    const CheckResult result = check_linearizability(operations, *model, CheckOptions{});
    fmt::print("figure checker_register_100k_ops {:.1f} ms\n", ms_since(start));
    if (result.verdict != Verdict::kLinearizable) fmt::print(stderr, "100k history: {}\n", to_string(result.verdict));
  }
  return 0;
}
