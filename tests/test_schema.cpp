// scenarios/schema.json against the loader, object by object: the schema is
// what users and editors read, the loader what runs, and they must not
// drift apart anywhere in the document.
//
// The loader is asked as a black box. For every object the schema
// describes, a valid document gets an unknown key at that place; the loader
// must refuse it at that JSON path, and the keys its message offers must be
// the schema's. Every string enum of those objects is probed the same way
// with an unknown value. Finally every object and enum in the schema must
// have been probed, so a new one cannot slip past.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <set>

#include "base/input_error.h"
#include "harness/registry.h"
#include "harness/scenario.h"
#include "model/protocols.h"

using namespace replsim;
using namespace replsim::harness;

namespace {

const std::string kProbe = "zz_probe";

Json read_schema() {
  std::ifstream in(std::string(REPLSIM_SOURCE_DIR) + "/scenarios/schema.json");
  return Json::parse(in);
}

// The quoted words of a loader message: `one of the keys "a", "b"` -> {a, b}.
std::set<std::string> quoted_words(const std::string& text) {
  std::set<std::string> words;
  for (size_t open = text.find('"'); open != std::string::npos;) {
    const size_t close = text.find('"', open + 1);
    if (close == std::string::npos) break;
    words.insert(text.substr(open + 1, close - open - 1));
    open = text.find('"', close + 1);
  }
  return words;
}

// What the loader says about `doc`: the InputError's path (without the
// file) and its expectation; an empty path when it accepts the document.
struct Refusal {
  std::string path;
  std::string expected;
  std::string found;
};

Refusal refusal(const Json& doc) {
  try {
    parse_scenario(doc, "p.json");
  } catch (const InputError& error) {
    const std::string path = error.path().substr(std::string("p.json:").size());
    return {path, error.expected(), error.found()};
  }
  return {};
}

Json base_document() {
  return {{"version", 1}, {"name", "probe"}, {"duration", "10s"}, {"protocol", {{"name", "example-register"}}}};
}

// One object of the document: how to build a valid document that has it,
// and where it is (a JSON Pointer).
struct Site {
  std::string pointer;
  Json document;
};

// Walks the schema; collects every object schema (with "properties") and
// every string enum, by schema pointer ("#/properties/cluster").
void walk(const Json& node, const std::string& at, std::set<std::string>& objects, std::set<std::string>& enums) {
  if (!node.is_object()) return;
  if (node.contains("properties")) objects.insert(at);
  if (node.contains("enum") && node["enum"].is_array() && !node["enum"].empty() && node["enum"][0].is_string()) {
    enums.insert(at);
  }
  for (const char* key : {"properties", "$defs"}) {
    if (!node.contains(key)) continue;
    for (const auto& [name, child] : node[key].items()) walk(child, at + "/" + key + "/" + name, objects, enums);
  }
  if (node.contains("items")) walk(node["items"], at + "/items", objects, enums);
  for (const char* key : {"oneOf", "anyOf"}) {
    if (!node.contains(key)) continue;
    for (size_t i = 0; i < node[key].size(); ++i) walk(node[key][i], at + "/" + key + "/" + std::to_string(i), objects, enums);
  }
}

const Json& at_pointer(const Json& schema, const std::string& pointer) {
  return schema.at(Json::json_pointer(pointer.substr(1)));  // without the leading '#'
}

// A property's schema with one level of $ref resolved.
const Json& resolved(const Json& schema, const Json& property) {
  if (property.contains("$ref")) return at_pointer(schema, property["$ref"].get<std::string>());
  return property;
}

class Prober {
 public:
  explicit Prober(const Json& schema) : schema_(schema) {}

  // The keys the loader accepts at `site`: the ones its refusal of an
  // unknown key offers.
  std::set<std::string> loader_keys(const Site& site) {
    Json doc = site.document;
    doc[Json::json_pointer(site.pointer)][kProbe] = 1;
    const Refusal r = refusal(doc);
    CHECK_MESSAGE(r.path == site.pointer + "/" + kProbe, "an unknown key at " << site.pointer << " refused at " << r.path);
    CHECK_MESSAGE(r.found.find("unknown key") != std::string::npos, r.found);
    return quoted_words(r.expected);
  }

  // Compares the keys at `sites` (together) with the properties of the
  // schema objects `schema_pointers` (together), then probes the enums.
  void compare(const std::vector<Site>& sites, const std::vector<std::string>& schema_pointers) {
    std::set<std::string> loader, documented;
    for (const Site& site : sites) {
      REQUIRE_MESSAGE(refusal(site.document).path.empty(), "the probe's base document at " << site.pointer << " is valid: "
                                                           << refusal(site.document).path << " "
                                                           << refusal(site.document).expected);
      const std::set<std::string> keys = loader_keys(site);
      loader.insert(keys.begin(), keys.end());
    }
    for (const std::string& pointer : schema_pointers) {
      for (const auto& [key, value] : at_pointer(schema_, pointer)["properties"].items()) documented.insert(key);
      probed_objects_.insert(pointer);
    }
    CAPTURE(sites.front().pointer);
    CHECK(loader == documented);
    for (const Site& site : sites) probe_enums(site, schema_pointers);
  }

  // Every string enum of the site's schema objects whose key the site's
  // document holds (so the value alone is wrong): an unknown value is
  // refused there, and the choices the loader offers are the schema's.
  void probe_enums(const Site& site, const std::vector<std::string>& schema_pointers) {
    const Json& object = site.document[Json::json_pointer(site.pointer)];
    for (const std::string& pointer : schema_pointers) {
      for (const auto& [key, property] : at_pointer(schema_, pointer)["properties"].items()) {
        if (!object.contains(key)) continue;
        const Json& p = resolved(schema_, property);
        const bool list = p.value("type", "") == "array" && p.contains("items") && p["items"].contains("enum");
        const Json& choices = list ? p["items"]["enum"] : p.value("enum", Json());
        if (!choices.is_array() || !choices[0].is_string()) continue;
        Json doc = site.document;
        doc[Json::json_pointer(site.pointer)][key] = list ? Json::array({kProbe}) : Json(kProbe);
        const Refusal r = refusal(doc);
        const std::string where = site.pointer + "/" + key + (list ? "/0" : "");
        CHECK_MESSAGE(r.path == where, "an unknown value at " << where << " refused at " << r.path);
        CHECK_MESSAGE(quoted_words(r.expected) == choices.get<std::set<std::string>>(), where << ": " << r.expected);
        probed_enums_.insert(pointer + "/properties/" + key + (list ? "/items" : ""));
        if (property.contains("$ref")) probed_enums_.insert(property["$ref"].get<std::string>() + (list ? "/items" : ""));
      }
    }
  }

  // An enum that is not a property of an object: the names of checks in
  // the checks list. The loader offers every check name; a name the schema
  // leaves out of the string form must be one of the object forms' keys
  // (converges_within needs its bound).
  void compare_check_names(const Site& site, const std::string& schema_pointer,
                           const std::set<std::string>& object_form_keys) {
    Json doc = site.document;
    doc[Json::json_pointer(site.pointer)] = kProbe;
    const Refusal r = refusal(doc);
    CHECK(r.path == site.pointer);
    const std::set<std::string> offered = quoted_words(r.expected);
    const auto names = at_pointer(schema_, schema_pointer)["enum"].get<std::set<std::string>>();
    for (const std::string& name : names) CHECK_MESSAGE(offered.contains(name), name);
    for (const std::string& name : offered) {
      CHECK_MESSAGE((names.contains(name) || object_form_keys.contains(name)), name);
    }
    probed_enums_.insert(schema_pointer);
  }

  const std::set<std::string>& probed_objects() const { return probed_objects_; }
  const std::set<std::string>& probed_enums() const { return probed_enums_; }

 private:
  const Json& schema_;
  std::set<std::string> probed_objects_;
  std::set<std::string> probed_enums_;
};

Json with(Json doc, const std::string& pointer, const Json& value) {
  doc[Json::json_pointer(pointer)] = value;
  return doc;
}

// A valid fault of each type, at /faults/0.
std::vector<Site> fault_sites() {
  const std::vector<Json> faults = {
      {{"type", "crash"}, {"node", "s1"}},
      {{"type", "powerloss"}, {"node", "s1"}},
      {{"type", "restart"}, {"node", "s1"}},
      {{"type", "pause"}, {"node", "s1"}},
      {{"type", "resume"}, {"node", "s1"}},
      {{"type", "isolate"}, {"node", "s1"}},
      {{"type", "heal"}},
      {{"type", "partition"}, {"groups", {{"s1"}, {"s2", "s3"}}}},
      {{"type", "partition_oneway"}, {"from", "s1"}, {"to", {"s2"}}},
      {{"type", "link"}, {"from", "s1"}, {"to", "s2"}, {"loss", 0.1}},
      {{"type", "clock_skew"}, {"node", "s1"}, {"offset", "1s"}},
      {{"type", "disk_fault"}, {"node", "s1"}, {"kind", "slow"}, {"duration", "1s"}},
  };
  std::vector<Site> sites;
  for (Json fault : faults) {
    fault["at"] = "1s";
    sites.push_back({"/faults/0", with(base_document(), "/faults", Json::array({fault}))});
  }
  return sites;
}

std::vector<Site> distribution_sites(std::vector<std::string>& schema_pointers) {
  const std::vector<Json> distributions = {
      {{"dist", "fixed"}, {"value", "1ms"}},
      {{"dist", "uniform"}, {"min", "1ms"}, {"max", "2ms"}},
      {{"dist", "normal"}, {"mean", "1ms"}, {"stddev", "1ms"}},
      {{"dist", "lognormal"}, {"median", "1ms"}, {"p99", "5ms"}},
      {{"dist", "pareto"}, {"min", "1ms"}, {"alpha", 1.5}},
  };
  std::vector<Site> sites;
  for (size_t i = 0; i < distributions.size(); ++i) {
    sites.push_back({"/network/latency", with(base_document(), "/network", {{"latency", distributions[i]}})});
    schema_pointers.push_back("#/$defs/distribution/oneOf/" + std::to_string(i + 1));
  }
  return sites;
}

}  // namespace

TEST_CASE("scenarios/schema.json documents exactly what the loader accepts, in every nested object") {
  const Json schema = read_schema();
  Prober prober(schema);
  const Json base = base_document();
  prober.compare({{"", base}}, {"#"});
  prober.compare({{"/protocol", base}}, {"#/properties/protocol"});
  for (const char* object : {"cluster", "network", "disk", "workload"}) {
    prober.compare({{std::string("/") + object, with(base, std::string("/") + object, Json::object())}},
                   {std::string("#/properties/") + object});
  }
  prober.compare({{"/workload/mix", with(base, "/workload", {{"mix", {{"write", 0.5}, {"read", 0.5}}}})}},
                 {"#/properties/workload/properties/mix"});
  prober.compare({{"/network/tcp", with(base, "/network", {{"tcp", Json::object()}})}},
                 {"#/properties/network/properties/tcp"});
  prober.compare({{"/expect", with(with(base, "/checks", Json::array({"linearizable"})), "/expect",
                                   {{"verdict", "fail"}, {"check", "linearizable"}})}},
                 {"#/properties/expect"});
  // A check given as an object is one of the object forms.
  prober.compare({{"/checks/0", with(base, "/checks", Json::array({{{"converges_within", "1s"}}}))}},
                 {"#/properties/checks/items/oneOf/1", "#/properties/checks/items/oneOf/2",
                  "#/properties/checks/items/oneOf/3"});
  prober.compare({{"/checks/0/linearizable", with(base, "/checks", Json::array({{{"linearizable", Json::object()}}}))}},
                 {"#/properties/checks/items/oneOf/3/properties/linearizable"});
  prober.compare_check_names({"/checks/0", with(base, "/checks", Json::array({"linearizable"}))},
                             "#/properties/checks/items/oneOf/0",
                             {"converges_within", "writes_progress_within", "linearizable"});
  // A schedule, its settings, and its two kinds of entry.
  const Json schedule = {{"steps", 1}, {"settings", Json::object()}, {"choices", Json::array()}};
  prober.compare({{"/schedule", with(base, "/schedule", schedule)}}, {"#/properties/schedule"});
  Json fixing = schedule;
  fixing["settings"]["fixed_kinds"] = Json::array({"next_event"});
  prober.compare({{"/schedule/settings", with(base, "/schedule", fixing)}},
                 {"#/properties/schedule/properties/settings"});
  Json choice = schedule, fault_entry = schedule;
  choice["choices"] = Json::array({{{"step", 0}, {"kind", "actor"}, {"answer", 1}, {"of", 2}}});
  fault_entry["choices"] = Json::array({{{"step", 0}, {"fault", {{"type", "crash"}, {"node", "s1"}, {"at", "1s"}}}}});
  prober.compare({{"/schedule/choices/0", with(base, "/schedule", choice)}},
                 {"#/properties/schedule/properties/choices/items/oneOf/0"});
  prober.compare({{"/schedule/choices/0", with(base, "/schedule", fault_entry)}},
                 {"#/properties/schedule/properties/choices/items/oneOf/1"});
  // Each distribution is its own object; each fault type allows its own
  // keys, and the schema's fault object documents them all.
  std::vector<std::string> distribution_pointers;
  const std::vector<Site> distributions = distribution_sites(distribution_pointers);
  for (size_t i = 0; i < distributions.size(); ++i) prober.compare({distributions[i]}, {distribution_pointers[i]});
  prober.compare(fault_sites(), {"#/$defs/fault"});
  // Triggers on statuses need a protocol that declares statuses.
  const Json fastcfs = with(base, "/protocol", {{"name", "fastcfs"}});
  std::vector<Site> triggers;
  for (const Json& when : {Json{{"becomes", "leader"}}, Json{{"enters", "ACTIVE"}}}) {
    triggers.push_back(
        {"/faults/0/when", with(fastcfs, "/faults", Json::array({{{"when", when}, {"type", "crash"}, {"node", "s1"}}}))});
  }
  prober.compare(triggers, {"#/$defs/fault/properties/when"});
  const Json generator = {{"families", {{"crash", {{"rate", 0.1}}}}}};
  prober.compare({{"/fault_generator", with(base, "/fault_generator", generator)}}, {"#/$defs/fault_generator"});
  prober.compare({{"/fault_generator/families", with(base, "/fault_generator", generator)}},
                 {"#/$defs/fault_generator/properties/families"});
  std::vector<Site> families;
  for (const auto& [family, ref] : schema["$defs"]["fault_generator"]["properties"]["families"]["properties"].items()) {
    Json spec = {{"rate", 0.1}};
    if (family == "partition") spec["shapes"] = {"split"};
    if (family == "disk_fault") spec["kinds"] = {"slow"};
    families.push_back({"/fault_generator/families/" + family, with(base, "/fault_generator", {{"families", {{family, spec}}}})});
  }
  REQUIRE(families.size() >= 7);
  prober.compare(families, {"#/$defs/fault_family"});
  // Protocol options: each protocol's own object.
  const Json fastcfs_options = {{"election_quorum", "auto"}, {"replication_quorum", "auto"}, {"read_rule", "master"}};
  prober.compare({{"/protocol/options", with(base, "/protocol", {{"name", "fastcfs"}, {"options", fastcfs_options}})}},
                 {"#/$defs/fastcfs_options"});
  prober.compare({{"/protocol/options", with(base, "/protocol", {{"name", "example-register"}, {"options", Json::object()}})}},
                 {"#/$defs/example_register_options"});

  // Nothing in the schema went unprobed.
  std::set<std::string> objects, enums;
  walk(schema, "#", objects, enums);
  REQUIRE(objects.size() >= 20);
  for (const std::string& pointer : objects) CHECK_MESSAGE(prober.probed_objects().contains(pointer), "not probed: " << pointer);
  for (const std::string& pointer : enums) CHECK_MESSAGE(prober.probed_enums().contains(pointer), "enum not probed: " << pointer);
}

TEST_CASE("the schema's protocol words are those the project's protocols declare") {
  const Json schema = read_schema();
  std::set<std::string> names, statuses, roles, announced, checks;
  for (const CheckDeclaration& c : platform_checks()) checks.insert(c.name);
  for (const std::string& name : builtin_protocol_names()) {
    const Protocol* p = find_protocol(name);
    REQUIRE(p != nullptr);
    names.insert(name);
    for (const StatusDeclaration& st : p->vocabulary().statuses) statuses.insert(st.name);
    for (const RoleDeclaration& r : p->vocabulary().roles) {
      roles.insert(r.name);
      if (r.announced) announced.insert(r.name);
    }
    for (const CheckDeclaration& c : p->vocabulary().checks) checks.insert(c.name);
  }
  CHECK(schema["properties"]["protocol"]["properties"]["name"]["enum"].get<std::set<std::string>>() == names);
  const Json& when = schema["$defs"]["fault"]["properties"]["when"]["properties"];
  CHECK(when["enters"]["enum"].get<std::set<std::string>>() == statuses);
  CHECK(when["becomes"]["enum"].get<std::set<std::string>>() == announced);
  CHECK(schema["properties"]["expect"]["properties"]["check"]["enum"].get<std::set<std::string>>() == checks);
  // Node selectors: every role in the pattern.
  const std::string pattern = schema["$defs"]["node"]["pattern"];
  for (const std::string& role : roles) CHECK_MESSAGE(pattern.find(role) != std::string::npos, role);
}
