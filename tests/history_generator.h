// Random histories that are linearizable by construction, for property tests.
//
// Processes invoke operations at random; each operation takes effect at a
// random moment between its invocation and its completion, in one global
// order applied to a sequential model. Written values are unique.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checker/history.h"
#include "sim/rng.h"

namespace replsim::testing {

enum class GeneratedModel { kRegister, kCasRegister, kKv };

inline checker::Edn edn_int(int64_t v) {
  checker::Edn e;
  e.kind = checker::Edn::Kind::kInt;
  e.integer = v;
  return e;
}
inline checker::Edn edn_string(std::string s) {
  checker::Edn e;
  e.kind = checker::Edn::Kind::kString;
  e.text = std::move(s);
  return e;
}

// `info_percent` of the operations never complete (indeterminate).
inline std::vector<checker::HistoryEvent> generate_history(uint64_t seed, GeneratedModel model, int processes, int ops,
                                                           int info_percent = 0, int keys = 1) {
  using checker::Edn;
  using checker::EventType;
  using checker::HistoryEvent;
  Rng rng(seed, "history-generator");
  struct Pending {
    bool active = false;
    bool applied = false;
    bool never_completes = false;
    HistoryEvent invoke;
    Edn output;
  };
  std::vector<Pending> pending(static_cast<size_t>(processes));
  std::map<std::string, Edn> registers;  // key -> value (nil initially)
  std::map<std::string, std::string> strings;
  std::vector<HistoryEvent> events;
  int next_value = 1;
  int issued = 0;
  int64_t process_base = 0;  // an indeterminate op retires its process id, as in Jepsen
  for (int guard = 0; guard < ops * 20 && (issued < ops || std::any_of(pending.begin(), pending.end(),
                                                                        [](const Pending& p) { return p.active; }));
       ++guard) {
    const size_t p = rng.below(static_cast<uint64_t>(processes));
    Pending& slot = pending[p];
    if (!slot.active) {
      if (issued >= ops) continue;
      ++issued;
      HistoryEvent e;
      e.process = process_base + static_cast<int64_t>(p);
      e.type = EventType::kInvoke;
      e.key = keys > 1 ? std::to_string(rng.below(static_cast<uint64_t>(keys))) : "";
      const uint64_t pick = rng.below(10);
      if (model == GeneratedModel::kKv) {
        e.f = pick < 4 ? "get" : pick < 9 ? "append" : "put";
        if (e.f != "get") e.value = edn_string("<" + std::to_string(next_value++) + ">");
      } else {
        e.f = pick < 5 ? "read" : (model == GeneratedModel::kCasRegister && pick < 7) ? "cas" : "write";
        if (e.f == "write") e.value = edn_int(next_value++);
        if (e.f == "cas") {
          Edn pair;
          pair.kind = Edn::Kind::kVector;
          pair.items = {rng.below(2) == 0 ? edn_int(next_value - 1) : edn_int(static_cast<int64_t>(rng.below(static_cast<uint64_t>(next_value)))),
                        edn_int(next_value++)};
          e.value = pair;
        }
      }
      slot = Pending{true, false, static_cast<int>(rng.below(100)) < info_percent, e, {}};
      events.push_back(e);
    } else if (!slot.applied) {
      const HistoryEvent& e = slot.invoke;
      slot.applied = true;
      if (model == GeneratedModel::kKv) {
        std::string& s = strings[e.key];
        if (e.f == "get") slot.output = edn_string(s);
        else if (e.f == "append") s += e.value.text, slot.output = e.value;
        else s = e.value.text, slot.output = e.value;
      } else {
        Edn& reg = registers[e.key];
        if (e.f == "read") slot.output = reg;
        else if (e.f == "write") reg = e.value, slot.output = e.value;
        else {
          const bool matches = reg.to_string() == e.value.items[0].to_string();
          if (matches) reg = e.value.items[1];
          slot.output = matches ? e.value : Edn{};
          if (!matches) slot.output.kind = Edn::Kind::kBool;  // marks a failed compare
        }
      }
    } else {
      HistoryEvent done = slot.invoke;
      slot.active = false;
      if (slot.never_completes) {
        // Retire the process: its operation stays open to the end.
        pending[p].active = false;
        continue;
      }
      const bool failed_cas = done.f == "cas" && slot.output.kind == Edn::Kind::kBool;
      done.type = failed_cas ? EventType::kFail : EventType::kOk;
      done.value = failed_cas ? done.value : slot.output;
      events.push_back(done);
    }
    (void)process_base;
  }
  // Processes whose op never completes must not invoke again: renumber
  // later invocations of those processes by giving each open op its own id.
  std::map<int64_t, int64_t> rename;
  std::map<int64_t, bool> open;
  int64_t fresh = 1000;
  for (HistoryEvent& e : events) {
    const int64_t original = e.process;
    if (e.type == EventType::kInvoke) {
      if (open[original]) rename[original] = fresh++;
      open[original] = true;
    } else {
      open[original] = false;
    }
    if (rename.contains(original)) e.process = rename[original];
  }
  return events;
}

}  // namespace replsim::testing
