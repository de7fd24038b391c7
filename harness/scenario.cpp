#include "harness/scenario.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "base/assert.h"
#include "base/input_error.h"
#include "harness/engine_config.h"
#include "harness/registry.h"

namespace replsim::harness {
namespace {

const std::vector<std::string> kTopLevelKeys = {"version", "name",    "description", "seed",   "duration",
                                                "protocol", "cluster", "network",     "disk",   "workload",
                                                "faults",  "fault_generator", "checks", "expect", "schedule"};
const std::vector<std::string> kFaultTypes = {"crash",     "powerloss", "restart", "pause", "resume",
                                              "partition", "partition_oneway", "isolate", "heal",
                                              "link",      "clock_skew", "disk_fault"};
const std::vector<std::string> kShapes = {"split", "isolate", "majority_minority", "one_way", "ring", "bridge"};
const std::vector<std::string> kDiskKinds = {"fsync_error", "full", "slow", "read_error", "corrupt"};
const std::vector<std::string> kGeneratedFamilies = {"crash", "powerloss", "pause", "partition",
                                                     "clock_skew", "disk_fault", "link"};

void reject_unknown(const Json& object, const std::string& path, const std::vector<std::string>& allowed) {
  reject_unknown_keys(object, path, as_views(allowed));
}

std::string choose(const Json& value, const std::string& path, const std::vector<std::string>& choices) {
  return read_choice(value, path, as_views(choices));
}

uint32_t read_whole(const Json& value, const std::string& path, int64_t low, int64_t high) {
  if (!value.is_number_integer() || value.get<int64_t>() < low || value.get<int64_t>() > high) {
    throw InputError(path, "a whole number from " + std::to_string(low) + " to " + std::to_string(high),
                     describe_json(value));
  }
  return static_cast<uint32_t>(value.get<int64_t>());
}

double read_range(const Json& value, const std::string& path, double low, double high) {
  const double x = read_number(value, path);
  if (!(x >= low && x <= high)) {
    throw InputError(path, "a number from " + std::to_string(low) + " to " + std::to_string(high), describe_json(value));
  }
  return x;
}

// Durations that may be negative, like a clock offset: "-2s".
Duration read_signed_duration(const Json& value, const std::string& path) {
  if (value.is_string() && value.get_ref<const std::string&>().starts_with("-")) {
    return Duration::zero() - parse_duration(value.get_ref<const std::string&>().substr(1), path);
  }
  return read_duration(value, path);
}

uint64_t read_count(const Json& value, const std::string& path) {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0)) {
    throw InputError(path, "a non-negative whole number", describe_json(value));
  }
  return value.get<uint64_t>();
}

class Parser {
 public:
  Parser() = default;
  // For parts read apart from a document (a search's trigger): the
  // scenario's protocol, cluster and clients name what they may refer to.
  explicit Parser(const Scenario& s)
      : protocol_(find_protocol(s.protocol)), cluster_(s.cluster), clients_(s.workload.clients) {
    REPLSIM_ASSERT(protocol_ != nullptr, "a loaded scenario's protocol is registered");
  }
  FaultTrigger trigger(const Json& value, const std::string& path) { return parse_when(value, path); }

  Scenario parse(const Json& doc) {
    reject_unknown(doc, "", kTopLevelKeys);
    Scenario s;
    const Json& version = require_key(doc, "version", "");
    if (!version.is_number_integer() || version.get<int64_t>() != 1) {
      throw InputError("/version", "1 (the only version of the format)", describe_json(version));
    }
    s.name = read_string(require_key(doc, "name", ""), "/name");
    if (s.name.empty()) throw InputError("/name", "a non-empty name", "an empty string");
    if (doc.contains("description")) s.description = read_string(doc["description"], "/description");
    if (doc.contains("seed")) {
      if (!doc["seed"].is_number_unsigned()) throw InputError("/seed", "a non-negative whole number", describe_json(doc["seed"]));
      s.seed = doc["seed"].get<uint64_t>();
    }
    s.duration = read_duration(require_key(doc, "duration", ""), "/duration");
    if (s.duration <= Duration::zero()) throw InputError("/duration", "a positive duration", describe_json(doc["duration"]));
    parse_protocol(require_key(doc, "protocol", ""), s);
    if (doc.contains("cluster")) parse_cluster(doc["cluster"], s.cluster);
    cluster_ = s.cluster;
    if (doc.contains("network")) parse_network(doc["network"], s);
    if (doc.contains("disk")) s.disk = read_disk_config(doc["disk"], "/disk", s.disk);
    if (doc.contains("workload")) parse_workload(doc["workload"], s);
    clients_ = s.workload.clients;
    if (doc.contains("faults")) {
      const Json& faults = doc["faults"];
      if (!faults.is_array()) throw InputError("/faults", "a list of faults", describe_json(faults));
      for (size_t i = 0; i < faults.size(); ++i) s.faults.push_back(parse_fault(faults[i], json_path("/faults", i), s));
    }
    if (doc.contains("fault_generator")) s.fault_generator = parse_generator(doc["fault_generator"], s);
    if (doc.contains("checks")) parse_checks(doc["checks"], s);
    if (doc.contains("expect")) parse_expect(doc["expect"], s);
    if (doc.contains("schedule")) s.schedule = parse_schedule(doc["schedule"], s);
    return s;
  }

 private:
  void parse_protocol(const Json& value, Scenario& s) {
    reject_unknown(value, "/protocol", {"name", "options"});
    std::vector<std::string> names;
    for (const Protocol* p : registered_protocols()) names.push_back(p->vocabulary().protocol);
    s.protocol = choose(require_key(value, "name", "/protocol"), "/protocol/name", names);
    protocol_ = find_protocol(s.protocol);
    REPLSIM_ASSERT(protocol_ != nullptr, "a listed protocol is registered");
    if (value.contains("options")) {
      expect_object(value["options"], "/protocol/options");
      s.protocol_options = value["options"];
    }
  }

  const Vocabulary& vocabulary() const { return protocol_->vocabulary(); }

  // The check names this protocol's scenarios may list: the platform's and its own.
  std::vector<std::string> check_names() const {
    std::vector<std::string> names;
    for (const CheckDeclaration& c : platform_checks()) names.push_back(c.name);
    for (const CheckDeclaration& c : vocabulary().checks) names.push_back(c.name);
    return names;
  }

  // The links' behaviour, and under "tcp" the connections' settings.
  void parse_network(const Json& value, Scenario& s) {
    reject_unknown(value, "/network", {"latency", "loss", "duplicate", "reorder", "tcp"});
    Json links = value;
    if (links.contains("tcp")) {
      s.tcp = read_tcp_config(links["tcp"], "/network/tcp", s.tcp);
      links.erase("tcp");
    }
    s.network = read_link_config(links, "/network", s.network);
  }

  void parse_cluster(const Json& value, ClusterSpec& c) {
    reject_unknown(value, "/cluster", {"servers", "data_groups", "replicas", "timer_slack"});
    if (value.contains("servers")) c.servers = read_whole(value["servers"], "/cluster/servers", 1, 64);
    if (value.contains("data_groups")) c.data_groups = read_whole(value["data_groups"], "/cluster/data_groups", 1, 1024);
    c.replicas = value.contains("replicas") ? read_whole(value["replicas"], "/cluster/replicas", 1, c.servers)
                                            : std::min<uint32_t>(c.replicas, c.servers);
    if (value.contains("timer_slack")) c.timer_slack = read_distribution(value["timer_slack"], "/cluster/timer_slack");
  }

  void parse_workload(const Json& value, Scenario& s) {
    WorkloadSpec& w = s.workload;
    reject_unknown(value, "/workload", {"clients", "keys", "rate", "mix", "timeout", "start", "stop", "ops_max"});
    if (value.contains("clients")) w.clients = read_whole(value["clients"], "/workload/clients", 0, 1000);
    if (value.contains("keys")) w.keys = read_whole(value["keys"], "/workload/keys", 1, 1'000'000);
    if (value.contains("rate")) w.rate = read_range(value["rate"], "/workload/rate", 0, 1e6);
    if (value.contains("mix")) {
      reject_unknown(value["mix"], "/workload/mix", {"write", "read"});
      w.write = value["mix"].contains("write") ? read_probability(value["mix"]["write"], "/workload/mix/write") : 0.0;
      w.read = value["mix"].contains("read") ? read_probability(value["mix"]["read"], "/workload/mix/read") : 0.0;
      if (std::abs(w.write + w.read - 1.0) > 1e-9) {
        throw InputError("/workload/mix", "shares that add up to 1",
                         "write " + std::to_string(w.write) + " + read " + std::to_string(w.read));
      }
    }
    if (value.contains("timeout")) w.timeout = read_duration(value["timeout"], "/workload/timeout");
    if (value.contains("start")) w.start = read_duration(value["start"], "/workload/start");
    if (value.contains("stop")) w.stop = read_duration(value["stop"], "/workload/stop");
    if (value.contains("ops_max")) w.ops_max = read_whole(value["ops_max"], "/workload/ops_max", 1, 1'000'000'000);
    const Duration stop = w.stop.value_or(s.duration);
    if (w.start > stop || stop > s.duration) {
      throw InputError("/workload", "0 <= start <= stop <= duration (" + format_duration(s.duration) + ")",
                       "start " + format_duration(w.start) + ", stop " + format_duration(stop));
    }
  }

  uint32_t parse_group(const Json& value, const std::string& path) {
    const std::string text = read_string(value, path);
    const std::string expected = "a data group g1 .. g" + std::to_string(cluster_.data_groups);
    if (text.size() < 2 || text[0] != 'g' || text.find_first_not_of("0123456789", 1) != std::string::npos ||
        text.size() > 6) {
      throw InputError(path, expected, describe_json(value));
    }
    const uint32_t group = static_cast<uint32_t>(std::stoul(text.substr(1)));
    if (group < 1 || group > cluster_.data_groups) throw InputError(path, expected, describe_json(value));
    return group;
  }

  // "ROLE" or "ROLE:gK" as the protocol declares the role.
  std::vector<std::string> role_forms() const {
    std::vector<std::string> forms;
    for (const RoleDeclaration& r : vocabulary().roles) forms.push_back(r.per_group ? r.name + ":gN" : r.name);
    return forms;
  }

  NodeSelector parse_selector(const Json& value, const std::string& path) {
    const std::string text = read_string(value, path);
    NodeSelector sel;
    sel.text = text;
    std::string roles;
    for (const std::string& form : role_forms()) roles += "\"" + form + "\", ";
    const std::string expected = "a node s1 .. s" + std::to_string(cluster_.servers) +
                                 (clients_ > 0 ? ", c1 .. c" + std::to_string(clients_) : std::string()) +
                                 ", or a role of " + vocabulary().protocol + ": " + roles + "\"any\"";
    const size_t colon = text.find(':');
    const std::string word = text.substr(0, colon);
    if (text == "any") {
      sel.kind = NodeSelector::Kind::kAny;
    } else if (const RoleDeclaration* role = vocabulary().role(word)) {
      sel.kind = NodeSelector::Kind::kRole;
      sel.name = role->name;
      if (role->per_group != (colon != std::string::npos)) {
        throw InputError(path, role->per_group ? "\"" + word + ":gN\" (the role is held per group)" : "\"" + word + "\" (the role has no group)",
                         describe_json(value));
      }
      if (role->per_group) sel.group = parse_group(Json(text.substr(colon + 1)), path);
    } else if (text.size() >= 2 && (text[0] == 's' || text[0] == 'c') &&
               text.find_first_not_of("0123456789", 1) == std::string::npos && text.size() <= 6) {
      const uint32_t index = static_cast<uint32_t>(std::stoul(text.substr(1)));
      const uint32_t limit = text[0] == 's' ? cluster_.servers : clients_;
      if (index < 1 || index > limit) throw InputError(path, expected, describe_json(value));
      sel.kind = NodeSelector::Kind::kNamed;
      sel.name = text;
    } else {
      std::vector<std::string> words = {"any"};
      for (const RoleDeclaration& r : vocabulary().roles) words.push_back(r.name);
      std::string found = describe_json(value);
      const std::string hint = closest_match(word, as_views(words));
      if (!hint.empty()) found += " (did you mean \"" + hint + "\"?)";
      throw InputError(path, expected, found);
    }
    return sel;
  }

  std::vector<NodeSelector> parse_node_set(const Json& value, const std::string& path) {
    std::vector<NodeSelector> nodes;
    if (value.is_string()) {
      nodes.push_back(parse_selector(value, path));
      return nodes;
    }
    if (!value.is_array() || value.empty()) throw InputError(path, "a node or a non-empty list of nodes", describe_json(value));
    for (size_t i = 0; i < value.size(); ++i) nodes.push_back(parse_selector(value[i], json_path(path, i)));
    return nodes;
  }

  FaultTrigger parse_when(const Json& value, const std::string& path) {
    expect_object(value, path);
    reject_unknown(value, path, {"node", "group", "enters", "becomes"});
    std::vector<std::string> statuses, roles;
    for (const StatusDeclaration& st : vocabulary().statuses) statuses.push_back(st.name);
    for (const RoleDeclaration& r : vocabulary().roles) {
      if (r.announced) roles.push_back(r.name);
    }
    FaultTrigger t;
    if (value.contains("node")) t.node = parse_selector(value["node"], json_path(path, "node"));
    if (value.contains("group")) t.group = parse_group(value["group"], json_path(path, "group"));
    if (value.contains("enters") == value.contains("becomes")) {
      throw InputError(path, "exactly one of \"enters\" (a replica status) or \"becomes\" (a role)",
                       value.contains("enters") ? "both" : "neither");
    }
    if (value.contains("enters")) {
      if (statuses.empty()) {
        throw InputError(json_path(path, "enters"), "\"becomes\": " + vocabulary().protocol + " declares no replica statuses",
                         describe_json(value["enters"]));
      }
      t.enters = choose(value["enters"], json_path(path, "enters"), statuses);
    }
    if (value.contains("becomes")) t.becomes = choose(value["becomes"], json_path(path, "becomes"), roles);
    return t;
  }

  FaultSpec parse_fault(const Json& value, const std::string& path, const Scenario& s) {
    expect_object(value, path);
    FaultSpec f;
    f.path = path;
    f.type = choose(require_key(value, "type", path), json_path(path, "type"), kFaultTypes);
    std::vector<std::string> allowed = {"type", "at", "when", "after"};
    const auto allow = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys) allowed.push_back(k);
    };
    if (f.type == "partition") allow({"groups"});
    else if (f.type == "partition_oneway") allow({"from", "to"});
    else if (f.type == "link") allow({"from", "to", "latency", "loss", "duplicate", "reorder"});
    else if (f.type == "clock_skew") allow({"node", "offset", "drift"});
    else if (f.type == "disk_fault") allow({"node", "kind", "duration"});
    else if (f.type != "heal") allow({"node"});
    reject_unknown(value, path, allowed);

    if (value.contains("at") == value.contains("when")) {
      throw InputError(path, "exactly one of \"at\" (a time) or \"when\" (a protocol event)",
                       value.contains("at") ? "both" : "neither");
    }
    if (value.contains("at")) {
      f.at = read_duration(value["at"], json_path(path, "at"));
      if (*f.at > s.duration) {
        throw InputError(json_path(path, "at"), "a time within the run (" + format_duration(s.duration) + ")",
                         describe_json(value["at"]));
      }
      if (value.contains("after")) throw InputError(json_path(path, "after"), "\"after\" only with \"when\"", "it with \"at\"");
    } else {
      f.when = parse_when(value["when"], json_path(path, "when"));
      if (value.contains("after")) f.after = read_duration(value["after"], json_path(path, "after"));
    }
    const auto required = [&](const char* key) -> const Json& { return require_key(value, key, path); };
    if (f.type == "partition") {
      const Json& groups = required("groups");
      const std::string groups_path = json_path(path, "groups");
      if (!groups.is_array() || groups.size() < 2) {
        throw InputError(groups_path, "a list of at least two groups of nodes", describe_json(groups));
      }
      for (size_t i = 0; i < groups.size(); ++i) f.groups.push_back(parse_node_set(groups[i], json_path(groups_path, i)));
      // A node in two groups would be cut from itself's other group and
      // from nothing else: a partition nobody asked for. Roles are resolved
      // when the fault fires, where an overlap skips the fault.
      std::map<std::string, size_t> group_of;
      for (size_t i = 0; i < f.groups.size(); ++i) {
        for (const NodeSelector& n : f.groups[i]) {
          if (n.kind != NodeSelector::Kind::kNamed) continue;
          const auto [it, added] = group_of.emplace(n.name, i);
          if (!added && it->second != i) {
            throw InputError(groups_path, "groups that share no node",
                             n.name + " in groups " + std::to_string(it->second) + " and " + std::to_string(i));
          }
        }
      }
    } else if (f.type == "partition_oneway" || f.type == "link") {
      f.from = parse_node_set(required("from"), json_path(path, "from"));
      f.to = parse_node_set(required("to"), json_path(path, "to"));
      if (f.type == "link") {
        if (value.contains("latency")) f.latency = read_distribution(value["latency"], json_path(path, "latency"));
        if (value.contains("loss")) f.loss = read_probability(value["loss"], json_path(path, "loss"));
        if (value.contains("duplicate")) f.duplicate = read_probability(value["duplicate"], json_path(path, "duplicate"));
        if (value.contains("reorder")) f.reorder = read_probability(value["reorder"], json_path(path, "reorder"));
        if (!f.latency && !f.loss && !f.duplicate && !f.reorder) {
          throw InputError(path, "at least one of latency, loss, duplicate, reorder", "none");
        }
      }
    } else if (f.type != "heal") {
      f.node = parse_selector(required("node"), json_path(path, "node"));
    }
    if (f.type == "clock_skew") {
      if (value.contains("offset")) f.offset = read_signed_duration(value["offset"], json_path(path, "offset"));
      if (value.contains("drift")) {
        f.drift_ppm = static_cast<int64_t>(std::llround(read_range(value["drift"], json_path(path, "drift"), -0.5, 0.5) * 1e6));
      }
      if (!f.offset && !f.drift_ppm) throw InputError(path, "\"offset\" or \"drift\" (or both)", "neither");
    }
    if (f.type == "disk_fault") {
      f.disk_kind = choose(required("kind"), json_path(path, "kind"), kDiskKinds);
      if (f.disk_kind != "corrupt") f.duration = read_duration(required("duration"), json_path(path, "duration"));
      else if (value.contains("duration")) f.duration = read_duration(value["duration"], json_path(path, "duration"));
    }
    return f;
  }

  FaultGeneratorSpec parse_generator(const Json& value, const Scenario& s) {
    const std::string path = "/fault_generator";
    reject_unknown(value, path, {"families", "start", "quiet_period", "max_faults", "swarm"});
    FaultGeneratorSpec g;
    if (value.contains("start")) g.start = read_duration(value["start"], json_path(path, "start"));
    if (value.contains("quiet_period")) g.quiet_period = read_duration(value["quiet_period"], json_path(path, "quiet_period"));
    if (value.contains("max_faults")) g.max_faults = read_whole(value["max_faults"], json_path(path, "max_faults"), 0, 10'000);
    if (value.contains("swarm")) {
      if (!value["swarm"].is_boolean()) throw InputError(json_path(path, "swarm"), "true or false", describe_json(value["swarm"]));
      g.swarm = value["swarm"].get<bool>();
    }
    if (g.start + g.quiet_period > s.duration) {
      throw InputError(path, "start + quiet_period within the run (" + format_duration(s.duration) + ")",
                       format_duration(g.start) + " + " + format_duration(g.quiet_period));
    }
    const Json& families = require_key(value, "families", path);
    const std::string families_path = json_path(path, "families");
    reject_unknown(families, families_path, kGeneratedFamilies);
    for (const auto& [name, spec] : families.items()) {
      const std::string at = json_path(families_path, name);
      std::vector<std::string> keys = {"rate", "duration"};
      if (name == "partition") keys.push_back("shapes");
      if (name == "disk_fault") keys.push_back("kinds");
      if (name == "clock_skew") keys.insert(keys.end(), {"max_offset", "max_drift"});
      if (name == "link") keys.insert(keys.end(), {"loss", "duplicate"});
      reject_unknown(spec, at, keys);
      FaultFamilySpec f;
      f.rate_per_s = read_range(require_key(spec, "rate", at), json_path(at, "rate"), 0, 100);
      if (spec.contains("duration")) f.duration = read_distribution(spec["duration"], json_path(at, "duration"));
      const auto list = [&](const char* key, const std::vector<std::string>& choices, std::vector<std::string>& out) {
        if (!spec.contains(key)) {
          out = choices;
          return;
        }
        const Json& items = spec[key];
        if (!items.is_array() || items.empty()) throw InputError(json_path(at, key), "a non-empty list", describe_json(items));
        for (size_t i = 0; i < items.size(); ++i) out.push_back(choose(items[i], json_path(json_path(at, key), i), choices));
      };
      if (name == "partition") list("shapes", kShapes, f.shapes);
      if (name == "disk_fault") list("kinds", kDiskKinds, f.kinds);
      if (spec.contains("max_offset")) f.max_offset = read_duration(spec["max_offset"], json_path(at, "max_offset"));
      if (spec.contains("max_drift")) f.max_drift = read_range(spec["max_drift"], json_path(at, "max_drift"), 0, 0.5);
      if (spec.contains("loss")) f.loss = read_probability(spec["loss"], json_path(at, "loss"));
      if (spec.contains("duplicate")) f.duplicate = read_probability(spec["duplicate"], json_path(at, "duplicate"));
      g.families[name] = f;
    }
    return g;
  }

  void parse_checks(const Json& value, Scenario& s) {
    if (!value.is_array()) throw InputError("/checks", "a list of checks", describe_json(value));
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string at = json_path("/checks", i);
      CheckSpec c;
      if (value[i].is_string()) {
        c.name = choose(value[i], at, check_names());
        if (c.name == "converges_within" || c.name == "writes_progress_within") {
          throw InputError(at, "{\"" + c.name + "\": \"30s\"} (it needs a bound)", describe_json(value[i]));
        }
      } else {
        const std::string expected =
            "{\"converges_within\": DURATION}, {\"writes_progress_within\": DURATION} or {\"linearizable\": {BUDGET}}";
        reject_unknown(value[i], at, {"converges_within", "writes_progress_within", "linearizable"});
        if (value[i].size() != 1) throw InputError(at, expected, describe_json(value[i]));
        if (value[i].contains("converges_within") || value[i].contains("writes_progress_within")) {
          c.name = value[i].begin().key();
          c.within = read_duration(value[i][c.name], json_path(at, c.name));
        } else {
          c.name = "linearizable";
          c.budget = parse_budget(value[i]["linearizable"], json_path(at, "linearizable"));
        }
      }
      s.checks.push_back(c);
    }
  }

  static LinearizabilityBudget parse_budget(const Json& value, const std::string& path) {
    reject_unknown(value, path, {"steps_max", "memory_mb_max", "fast_path"});
    LinearizabilityBudget b;
    const auto whole = [&](const char* key, uint64_t high) {
      const Json& v = value[key];
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<uint64_t>() > high) {
        throw InputError(json_path(path, key), "a whole number from 1 to " + std::to_string(high), describe_json(v));
      }
      return v.get<uint64_t>();
    };
    if (value.contains("steps_max")) b.steps_max = whole("steps_max", 100'000'000'000ULL);
    if (value.contains("memory_mb_max")) b.memory_mb_max = whole("memory_mb_max", 1'000'000);
    if (value.contains("fast_path")) {
      if (!value["fast_path"].is_boolean()) {
        throw InputError(json_path(path, "fast_path"), "true or false", describe_json(value["fast_path"]));
      }
      b.fast_path = value["fast_path"].get<bool>();
    }
    return b;
  }

  void parse_expect(const Json& value, Scenario& s) {
    reject_unknown(value, "/expect", {"verdict", "check"});
    s.expect.verdict = choose(require_key(value, "verdict", "/expect"), "/expect/verdict", {"pass", "fail"});
    if (value.contains("check")) {
      if (s.expect.verdict != "fail") throw InputError("/expect/check", "a failing check only with \"verdict\": \"fail\"", "one with pass");
      s.expect.check = choose(value["check"], "/expect/check", check_names());
      const bool listed = std::any_of(s.checks.begin(), s.checks.end(),
                                      [&](const CheckSpec& c) { return c.name == s.expect.check; });
      if (!listed) throw InputError("/expect/check", "a check listed in /checks", describe_json(value["check"]));
    }
  }

  // A path's fault entries are its faults, fired before the world step
  // they name; the scenario's own faults fire during the sampled prefix
  // only, and a generator would draw faults the path never saw.
  Schedule parse_schedule(const Json& value, const Scenario& s) {
    const std::string path = "/schedule";
    reject_unknown(value, path, {"settings", "prefix_steps", "prefix_before", "steps", "choices"});
    if (s.fault_generator) {
      throw InputError(path, "a schedule in a scenario without fault_generator (the path's entries are its faults)",
                       "both");
    }
    Schedule schedule;
    if (value.contains("settings")) {
      const Json& settings = value["settings"];
      const std::string at = json_path(path, "settings");
      reject_unknown(settings, at, {"delay_cap", "pick_max", "fixed_kinds"});
      if (settings.contains("delay_cap")) {
        schedule.settings.delay_cap = read_duration(settings["delay_cap"], json_path(at, "delay_cap"));
      }
      if (settings.contains("pick_max")) {
        schedule.settings.pick_max = read_whole(settings["pick_max"], json_path(at, "pick_max"), 2, 1'000'000);
      }
      if (settings.contains("fixed_kinds")) {
        const std::string kinds_at = json_path(at, "fixed_kinds");
        const Json& kinds = settings["fixed_kinds"];
        if (!kinds.is_array()) throw InputError(kinds_at, "an array of question kinds", describe_json(kinds));
        for (size_t i = 0; i < kinds.size(); ++i) {
          const std::string item_at = kinds_at + "/" + std::to_string(i);
          if (!kinds[i].is_string()) throw InputError(item_at, "a question kind's name", describe_json(kinds[i]));
          schedule.settings.fix(fixable_choice_kind(kinds[i].get<std::string>(), item_at));
        }
      }
    }
    schedule.steps = read_count(require_key(value, "steps", path), json_path(path, "steps"));
    if (value.contains("prefix_steps")) {
      schedule.prefix_steps = read_count(value["prefix_steps"], json_path(path, "prefix_steps"));
      if (schedule.prefix_steps > schedule.steps) {
        throw InputError(json_path(path, "prefix_steps"), "at most the schedule's steps (" + std::to_string(schedule.steps) + ")",
                         describe_json(value["prefix_steps"]));
      }
    }
    if (value.contains("prefix_before")) {
      schedule.prefix_before = read_duration(value["prefix_before"], json_path(path, "prefix_before"));
    }
    const Json& choices = require_key(value, "choices", path);
    if (!choices.is_array()) throw InputError(json_path(path, "choices"), "a list of choices and faults", describe_json(choices));
    for (size_t i = 0; i < choices.size(); ++i) {
      schedule.entries.push_back(parse_schedule_entry(choices[i], json_path(json_path(path, "choices"), i), schedule, s));
    }
    return schedule;
  }

  ScheduleEntry parse_schedule_entry(const Json& value, const std::string& path, const Schedule& schedule,
                                     const Scenario& s) {
    ScheduleEntry e;
    const bool is_fault = value.is_object() && value.contains("fault");
    reject_unknown(value, path, is_fault ? std::vector<std::string>{"step", "fault"}
                                         : std::vector<std::string>{"step", "kind", "answer", "of"});
    const Json& step = require_key(value, "step", path);
    e.step = read_count(step, json_path(path, "step"));
    const uint64_t previous = schedule.entries.empty() ? schedule.prefix_steps : schedule.entries.back().step;
    if (e.step < previous || e.step > schedule.steps) {
      throw InputError(json_path(path, "step"),
                       "a step from " + std::to_string(previous) + " (the entry before) to " +
                           std::to_string(schedule.steps) + " (the schedule's steps)",
                       describe_json(step));
    }
    if (is_fault) {
      e.fault = parse_fault(value["fault"], json_path(path, "fault"), s);
      if (!e.fault->at) throw InputError(json_path(path, "fault"), "a fault with \"at\" (when the path fired it)", "\"when\"");
      return e;
    }
    e.kind = read_string(require_key(value, "kind", path), json_path(path, "kind"));
    e.arity = read_whole(require_key(value, "of", path), json_path(path, "of"), 2, 1'000'000);
    e.answer = read_whole(require_key(value, "answer", path), json_path(path, "answer"), 0, e.arity - 1);
    // At the path's end only a fault's own questions (a torn write) remain.
    const bool after_final_fault = !schedule.entries.empty() && schedule.entries.back().step == e.step &&
                                   (schedule.entries.back().fault || !schedule.entries.back().kind.empty());
    if (e.step == schedule.steps && !after_final_fault) {
      throw InputError(json_path(path, "step"), "a choice's step below the schedule's steps (or a fault's question at it)",
                       describe_json(step));
    }
    return e;
  }

  const Protocol* protocol_ = nullptr;
  ClusterSpec cluster_;
  uint32_t clients_ = 3;
};

}  // namespace

const std::vector<std::string>& scenario_fault_types() { return kFaultTypes; }

FaultTrigger parse_trigger(const Json& value, const std::string& path, const Scenario& scenario) {
  return Parser(scenario).trigger(value, path);
}

Scenario parse_scenario(const Json& document, const std::string& file) {
  try {
    Scenario s = Parser().parse(document);
    s.file = file;
    // What only the protocol knows: its options and the cluster shapes it runs.
    find_protocol(s.protocol)->check_scenario(s);
    return s;
  } catch (const InputError& error) {
    throw InputError(file + ":" + (error.path().empty() ? "/" : error.path()), error.expected(), error.found());
  }
}

Json fault_spec_to_json(const FaultSpec& f) {
  Json j = {{"type", f.type}};
  if (f.at) j["at"] = format_duration(*f.at);
  if (f.when) {
    Json when = Json::object();
    if (f.when->node) when["node"] = f.when->node->text;
    if (f.when->group != 0) when["group"] = "g" + std::to_string(f.when->group);
    if (!f.when->enters.empty()) when["enters"] = f.when->enters;
    if (!f.when->becomes.empty()) when["becomes"] = f.when->becomes;
    j["when"] = when;
    if (f.after != Duration::zero()) j["after"] = format_duration(f.after);
  }
  const auto texts = [](const std::vector<NodeSelector>& nodes) {
    Json list = Json::array();
    for (const NodeSelector& n : nodes) list.push_back(n.text);
    return list;
  };
  if (f.node) j["node"] = f.node->text;
  if (!f.groups.empty()) {
    j["groups"] = Json::array();
    for (const auto& group : f.groups) j["groups"].push_back(texts(group));
  }
  if (!f.from.empty()) j["from"] = texts(f.from);
  if (!f.to.empty()) j["to"] = texts(f.to);
  if (f.latency) j["latency"] = f.latency->to_json();
  if (f.loss) j["loss"] = *f.loss;
  if (f.duplicate) j["duplicate"] = *f.duplicate;
  if (f.reorder) j["reorder"] = *f.reorder;
  if (f.offset) {
    j["offset"] = *f.offset < Duration::zero() ? "-" + format_duration(Duration::zero() - *f.offset)
                                               : format_duration(*f.offset);
  }
  if (f.drift_ppm) j["drift"] = static_cast<double>(*f.drift_ppm) / 1e6;
  if (!f.disk_kind.empty()) j["kind"] = f.disk_kind;
  if (f.duration) j["duration"] = format_duration(*f.duration);
  return j;
}

std::vector<ChoiceKind> fixable_choice_kinds() {
  return {ChoiceKind::kNextEvent,     ChoiceKind::kMessageDelay, ChoiceKind::kMessageLoss,   ChoiceKind::kMessageDuplicate,
          ChoiceKind::kMessageReorder, ChoiceKind::kDiskLatency,  ChoiceKind::kTimerSlack,    ChoiceKind::kTornWrite,
          ChoiceKind::kCorruptTarget,  ChoiceKind::kFaultTarget,  ChoiceKind::kFaultTiming,   ChoiceKind::kActor};
}

ChoiceKind fixable_choice_kind(const std::string& name, const std::string& at) {
  std::string names;
  for (ChoiceKind kind : fixable_choice_kinds()) {
    if (name == to_string(kind)) return kind;
    names += (names.empty() ? "\"" : ", \"") + std::string(to_string(kind)) + "\"";
  }
  throw InputError(at, "a question kind a search branches on: one of " + names, "\"" + name + "\"");
}

Json schedule_to_json(const Schedule& schedule) {
  Json choices = Json::array();
  for (const ScheduleEntry& e : schedule.entries) {
    if (e.fault) choices.push_back({{"step", e.step}, {"fault", fault_spec_to_json(*e.fault)}});
    else choices.push_back({{"step", e.step}, {"kind", e.kind}, {"answer", e.answer}, {"of", e.arity}});
  }
  Json j = {{"settings", {{"delay_cap", format_duration(schedule.settings.delay_cap)}, {"pick_max", schedule.settings.pick_max}}},
            {"steps", schedule.steps},
            {"choices", std::move(choices)}};
  // Only when some are fixed, so a schedule without them reads as before.
  if (schedule.settings.fixed_kinds != 0) {
    Json fixed = Json::array();
    for (ChoiceKind kind : fixable_choice_kinds()) {
      if (schedule.settings.fixes(kind)) fixed.push_back(to_string(kind));
    }
    j["settings"]["fixed_kinds"] = std::move(fixed);
  }
  if (schedule.prefix_steps > 0) j["prefix_steps"] = schedule.prefix_steps;
  if (schedule.prefix_before) j["prefix_before"] = format_duration(*schedule.prefix_before);
  return j;
}

Json load_scenario_document(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file, "a readable scenario file", "a file that cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  Json document;
  try {
    document = Json::parse(text.str());
  } catch (const Json::parse_error& error) {
    // Byte offset to line and column, so an editor can jump there.
    const std::string content = text.str();
    const size_t byte = std::min<size_t>(error.byte == 0 ? 0 : error.byte - 1, content.size());
    const size_t line = 1 + static_cast<size_t>(std::count(content.begin(), content.begin() + static_cast<ptrdiff_t>(byte), '\n'));
    const size_t line_start = content.rfind('\n', byte == 0 ? 0 : byte - 1);
    const size_t column = byte - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    throw InputError(file + ":" + std::to_string(line) + ":" + std::to_string(column), "valid JSON", error.what());
  }
  return document;
}

Scenario load_scenario_file(const std::string& file) { return parse_scenario(load_scenario_document(file), file); }

}  // namespace replsim::harness
