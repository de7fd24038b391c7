// What one step touched: the resources it read and wrote, recorded while it
// ran. A model checker's partial-order reduction compares two steps'
// footprints to tell whether running them in either order ends in the same
// state (explore/ says how it uses that).
//
// A resource is a node (its actor, disk, clock, timers, status), a
// connection, a datagram link's FIFO clamp, or the world's counter of
// connection ids. Two steps are independent when neither wrote what the
// other read or wrote, and neither is global. A step is global when it
// touched what every step reads (a fault, the partitions), or when its
// observer said so (a step that changed what a driver keeps of the run).
// Over-approximating is always sound: a read recorded that did not matter
// only makes two steps dependent that were not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace replsim {

class StepFootprint {
 public:
  static uint64_t node(uint32_t index) { return kNode | index; }
  static uint64_t connection(uint64_t id) { return kConnection | id; }
  static uint64_t link(uint32_t from, uint32_t to) { return kLink | (uint64_t{from} << 24) | to; }
  static uint64_t connection_ids() { return kConnectionIds; }

  void read(uint64_t resource) { add_once(reads_, resource); }
  void write(uint64_t resource) { add_once(writes_, resource); }
  void make_global() { global_ = true; }
  // Adds what `other` touched: the footprint of a step run with several
  // answers is the union of the answers' footprints.
  void add(const StepFootprint& other);

  bool global() const { return global_; }
  bool independent_of(const StepFootprint& other) const;
  size_t resources() const { return reads_.size() + writes_.size(); }

 private:
  static constexpr uint64_t kNode = uint64_t{1} << 60;
  static constexpr uint64_t kConnection = uint64_t{2} << 60;
  static constexpr uint64_t kLink = uint64_t{3} << 60;
  static constexpr uint64_t kConnectionIds = uint64_t{4} << 60;
  // A step touches a handful of resources; a bound turns a runaway into a
  // finding rather than a slow search.
  static constexpr size_t kResourcesMax = 4096;

  static void add_once(std::vector<uint64_t>& set, uint64_t resource);
  static bool meets(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

  std::vector<uint64_t> reads_, writes_;  // each resource once, in the order first touched
  bool global_ = false;
};

}  // namespace replsim
