#include "model/example/register_run.h"

#include "sim/assert.h"

namespace replsim::example {

RegisterRun run_register(const RegisterSystemConfig& config, uint64_t seed, Duration clients_stop, Duration duration,
                         const std::vector<ScheduledFault>& faults, TraceWriter* trace,
                         const std::function<void(const World&, const StepRecord&)>& on_step) {
  REPLSIM_ASSERT(clients_stop <= duration, "clients must stop within the run");
  RegisterSystemConfig bounded = config;
  bounded.client.stop_at = TimePoint::origin() + clients_stop;
  RegisterRun run{make_register_world(bounded, seed), {}, {}, false};
  for (const ScheduledFault& f : faults) run.world.schedule_fault(f.at, f.fault);
  RandomChooser chooser;
  run.world.run_until(TimePoint::origin() + duration, chooser, [&](const StepRecord& record) {
    run.history.observe(record);
    if (trace != nullptr) trace->write(record, run.world);
    if (on_step) on_step(run.world, record);
  });
  run.violations = check_register_run(run.world, run.history);

  run.converged = register_converged(run.world);
  return run;
}

std::vector<ScheduledFault> register_demo_faults(const World& world) {
  const auto id = [&](const char* name) {
    const auto found = world.find_node(name);
    REPLSIM_ASSERT(found.has_value(), "the demo needs s1, s2, s3 and c1");
    return *found;
  };
  const NodeId s1 = id("s1"), s2 = id("s2"), s3 = id("s3"), c1 = id("c1");
  const auto at = [](int64_t ms) { return TimePoint::origin() + Duration::ms(ms); };
  LinkConfig lossy = world.config().link;
  lossy.loss = 0.2;
  lossy.duplicate = 0.1;
  lossy.reorder = 0.1;
  std::vector<DirectedPair> all_links;
  for (uint32_t a = 0; a < world.node_count(); ++a) {
    for (uint32_t b = 0; b < world.node_count(); ++b) all_links.push_back({{a}, {b}});
  }
  std::vector<NodeId> servers{s1, s2, s3};
  return {
      {at(2000), CrashFault{s3}},
      {at(4000), RestartFault{s3}},
      {at(5000), PartitionFault{partition_shapes::one_way({s1}, {s2}), "one_way"}},
      {at(6000), HealFault{}},
      {at(7000), PowerLossFault{s2}},
      {at(8000), RestartFault{s2}},
      {at(9000), PauseFault{s3}},
      {at(9500), ResumeFault{s3}},
      {at(10000), ClockFault{s2, Duration::s(2), 500}},
      {at(11000), DiskFault{s1, DiskFaultKind::kSlow, Duration::s(2)}},
      {at(14000), LinkFault{all_links, lossy}},
      {at(16000), LinkFault{all_links, world.config().link}},
      {at(17000), DiskFault{s3, DiskFaultKind::kFsyncError, Duration::s(1)}},
      {at(19000), CorruptFault{s2}},
      {at(19500), RestartFault{s2}},
      {at(22000), PartitionFault{partition_shapes::isolate(s3, servers), "isolate"}},
      {at(23000), HealFault{}},
      {at(25000), CrashFault{s1}},
      {at(26000), RestartFault{s1}},
      {at(26500), PartitionFault{partition_shapes::one_way({c1}, {s1}), "one_way"}},
      {at(26800), HealFault{}},
  };
}

}  // namespace replsim::example
