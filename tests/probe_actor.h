// A test actor that sends numbered probes, records what it receives, fires a
// timer and writes one disk record per start, so tests can observe the
// network, the clocks, pauses, crashes and restarts from the outside.
#pragma once

#include <vector>

#include "sim/actor.h"
#include "base/assert.h"
#include "sim/world.h"

namespace replsim::testing {

struct Probe {
  static constexpr const char* kName = "Probe";
  uint64_t seq = 0;
  bool operator==(const Probe&) const = default;
  void hash_into(Hasher& h) const { h.add(seq); }
  std::string describe() const { return std::to_string(seq); }
};

struct ProbePlan {
  std::vector<NodeId> targets;  // each gets `count` probes at start
  uint64_t count = 0;
  Duration timer_delay = Duration::zero();  // zero: no timer
  bool operator==(const ProbePlan&) const = default;
};

class ProbeActor final : public ActorOf<ProbeActor> {
 public:
  explicit ProbeActor(ProbePlan plan) : plan_(std::move(plan)) {}

  void on_start(Context& ctx, const DiskImage& disk) override {
    boots_seen_on_disk_ = disk.records("boots").size();
    ctx.disk_append("boots", "boot");
    ctx.disk_fsync("boots");
    for (NodeId target : plan_.targets) {
      for (uint64_t i = 0; i < plan_.count; ++i) ctx.send(target, make_message(Probe{i}));
    }
    if (plan_.timer_delay > Duration::zero()) ctx.set_timer({1, 0}, plan_.timer_delay);
  }
  void on_message(Context&, NodeId from, ConnectionId, const Message& message) override {
    if (const Probe* probe = message.as<Probe>()) received_.push_back({from.index, probe->seq});
  }
  void on_timer(Context& ctx, TimerKey) override { timer_fired_local_ns_.push_back(ctx.local_now().ns_since_origin()); }
  void on_disk(Context&, const DiskCompletion& completion) override {
    if (completion.status == DiskStatus::kOk) ++disk_ok_;
  }
  nlohmann::json describe() const override { return {{"received", received_.size()}}; }

  bool operator==(const ProbeActor&) const = default;
  void hash_into(Hasher& h) const {
    h.add(static_cast<uint64_t>(received_.size())).add(boots_seen_on_disk_).add(disk_ok_);
    for (const auto& [from, seq] : received_) h.add(from).add(seq);
  }

  struct Received {
    uint32_t from;
    uint64_t seq;
    bool operator==(const Received&) const = default;
  };
  const std::vector<Received>& received() const { return received_; }
  const std::vector<int64_t>& timer_fired_local_ns() const { return timer_fired_local_ns_; }
  uint64_t boots_seen_on_disk() const { return boots_seen_on_disk_; }

 private:
  ProbePlan plan_;
  std::vector<Received> received_;
  std::vector<int64_t> timer_fired_local_ns_;
  uint64_t boots_seen_on_disk_ = 0;
  uint64_t disk_ok_ = 0;
};

// A world of `nodes` probe actors n1..nN; plans[i] is node i's plan (missing
// plans send nothing).
inline World make_probe_world(size_t nodes, std::vector<ProbePlan> plans, LinkConfig link = {}, uint64_t seed = 1) {
  WorldConfig config;
  config.seed = seed;
  config.link = std::move(link);
  for (size_t i = 1; i <= nodes; ++i) config.node_names.push_back("n" + std::to_string(i));
  plans.resize(nodes);
  return World(config, [plans](NodeId id) { return std::make_unique<ProbeActor>(plans[id.index]); });
}

inline const ProbeActor& probe(const World& world, uint32_t index) {
  const ProbeActor* actor = world.actor_as<ProbeActor>(NodeId{index});
  REPLSIM_ASSERT(actor != nullptr, "no probe actor there");
  return *actor;
}

}  // namespace replsim::testing
