#include "cli/check_command.h"

#include <fmt/format.h>

#include "checker/history_io.h"
#include "checker/linearizability.h"
#include "base/input_error.h"

namespace replsim::cli {

int run_check(const CheckCommandOptions& options, std::ostream& out) {
  using namespace checker;
  ModelOptions model_options;
  if (!options.initial.empty()) {
    try {
      EdnReader reader(options.initial);
      model_options.initial = reader.read();
      model_options.initial_given = true;
    } catch (const EdnError& error) {
      throw InputError("--init", "an EDN value such as nil, 0 or \"\"", std::string(error.what()));
    }
  }
  if (options.fail_semantics == "did-not-happen") {
    model_options.fail = FailSemantics::kDidNotHappen;
  } else if (options.fail_semantics == "cas-returned-false") {
    model_options.fail = FailSemantics::kCasReturnedFalse;
  } else {
    throw InputError("--fail", "did-not-happen or cas-returned-false", "\"" + options.fail_semantics + "\"");
  }
  const auto model = make_model(options.model, model_options);
  const auto events = read_history_file(options.history_path, parse_history_format(options.format));
  const auto operations = prepare_operations(pair_operations(events), *model, model_options.fail);

  CheckOptions check;
  check.check_all_partitions = options.all_partitions;
  check.fast_path = !options.no_fast_path;
  check.steps_max_per_partition = options.steps_max;
  check.memory_bytes_max_per_partition = options.memory_mb_max << 20;
  const CheckResult result = check_linearizability(operations, *model, check);

  if (options.json) {
    nlohmann::json j = check_result_to_json(result, operations, *model);
    j["history"] = options.history_path;
    out << j.dump(2) << "\n";
  } else {
    out << fmt::format("{}: {} ({} operations, {} partitions, model {})\n", options.history_path,
                       to_string(result.verdict), operations.size(), result.partitions.size(), model->name());
    for (const PartitionResult& p : result.partitions) {
      if (p.verdict == Verdict::kLinearizable) continue;
      const std::string name = p.key.empty() ? "history" : "key " + p.key;
      if (!p.checked) continue;
      if (p.verdict == Verdict::kUnknown) {
        out << fmt::format("  {}: unknown, the {} budget ran out after {} steps\n", name, p.budget_exhausted, p.steps);
        continue;
      }
      out << fmt::format("  {}: not linearizable\n    {}\n", name, p.explanation);
      if (!p.longest_prefix.empty()) {
        out << fmt::format("    longest linearizable prefix: {} operations, ending with {}\n", p.longest_prefix.size(),
                           operations[p.longest_prefix.back()].describe());
      }
    }
  }
  switch (result.verdict) {
    case Verdict::kLinearizable: return 0;
    case Verdict::kNotLinearizable: return 1;
    case Verdict::kUnknown: return 3;
  }
  return 3;
}

}  // namespace replsim::cli
