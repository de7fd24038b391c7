// The replica status timeline of a run: which status each replica had and
// who held each role, as bands over virtual time.
//
// The runner asks the protocol's monitor for a RoleView after every step that
// can change one (a server's note the protocol does not call quiet, a start,
// a fault) and hands it to the recorder, which keeps only the changes.
// Everything here is protocol-neutral: lanes, statuses and roles are the
// protocol's words.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/copy_on_write.h"

namespace replsim::harness {

struct RoleView {
  // One lane per replica, in a fixed order: ("s1 g1", "UP_TO_DATE"); "down"
  // while the node is crashed or powered off.
  std::vector<std::pair<std::string, std::string>> replicas;
  // Each role and its holder, in a fixed order: ("leader", "s1"),
  // ("master g1", "s2"): the role's name, then " gK" for a per-group role;
  // the holder is "" when nobody holds it.
  std::vector<std::pair<std::string, std::string>> roles;
  // Nodes down (crashed or powered off), by name: a role held by a node that
  // is down is not served.
  std::vector<std::string> down;
  // Every replica in its healthy status and every role held.
  bool healthy = false;
  // The same for each group alone (index K-1 for group K): its replicas
  // healthy and its roles held. Empty for a protocol without groups, whose
  // one group is healthy when `healthy` is.
  std::vector<bool> groups_healthy;
  bool operator==(const RoleView&) const = default;
};

class TimelineRecorder {
 public:
  // Changes kept before the recorder stops (and says so): a bound on memory
  // for runs that flap for hours.
  static constexpr size_t kChangesMax = 200'000;

  // Records `view` as of `at_ns` (non-decreasing) when it differs from the last.
  void record(int64_t at_ns, RoleView view);

  // The stretches [from_ns, to_ns) in which `group` (1-based) looked
  // healthy, up to `end_ns`, in time order. Nothing after a truncation: what
  // the recorder did not keep is not claimed healthy.
  std::vector<std::pair<int64_t, int64_t>> healthy_stretches(uint32_t group, int64_t end_ns) const;

  // The stretches [from_ns, to_ns) in which the whole run looked unhealthy
  // (RoleView::healthy false) that began after `since_ns`, up to `end_ns`,
  // in time order: a cluster that settled and then came apart again. One
  // already in effect at `since_ns` is left out. Nothing after a truncation,
  // as above.
  std::vector<std::pair<int64_t, int64_t>> unhealthy_stretches_since(int64_t since_ns, int64_t end_ns) const;

  // A digest of when the run and each group looked healthy: two recorders
  // with one digest (but for a 64-bit collision) report the same healthy
  // stretches, whatever their statuses and roles were. Kept up as views are
  // recorded: the explorer asks for it at every state.
  uint64_t health_digest() const;

  // The view recorded last; nullptr before the first or once truncated.
  const RoleView* last() const { return changes_->empty() || truncated_ ? nullptr : changes_->back().view.get(); }

  // {"replicas": [{"lane", "bands": [{"from_ns", "to_ns", "status"}]}],
  //  "roles": [{"role", "serves_writes", "terms": [{"from_ns", "to_ns", "node"}]}],
  //  "down": [{"node", "from_ns", "to_ns"}],
  //  "unhealthy": [{"from_ns", "to_ns"}], "truncated": bool}
  // with every open band closed at `end_ns`; `serving_roles` are the names
  // of the roles whose holders serve writes (RoleDeclaration::serves_writes).
  nlohmann::json to_json(int64_t end_ns, const std::vector<std::string>& serving_roles) const;

 private:
  // The view is shared: a run that records a change unshares the list of
  // changes (its copies keep theirs), which then copies pointers, not views.
  struct Change {
    int64_t at_ns;
    std::shared_ptr<const RoleView> view;
  };
  // The stretches in which `holds` is true of the view in effect, clipped
  // to [since_ns, end_ns).
  std::vector<std::pair<int64_t, int64_t>> stretches_where(const std::function<bool(const RoleView&)>& holds,
                                                           int64_t since_ns, int64_t end_ns) const;
  // Shared by the copies of a run that the explorer makes: views change
  // far more rarely than runs are copied.
  CopyOnWrite<std::vector<Change>> changes_;
  bool truncated_ = false;
  // health_digest's parts: the changes of health before the last change
  // (which its instant may still replace), folded, and the health the view
  // before the last showed (0: none recorded).
  uint64_t health_sealed_ = 0;
  uint64_t health_before_last_ = 0;
};

}  // namespace replsim::harness
