// The explorer's sampled strategies (random-walk, pct, swarm), their shards
// and `replsim merge` of them (explore/sampling.cpp, pct.h, swarm.cpp,
// merge.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/input_error.h"
#include "explore/explorer.h"
#include "explore/merge.h"
#include "explore/pct.h"
#include "harness/runner.h"
#include "tests/explore_scenarios.h"

using namespace replsim;
using Json = nlohmann::json;
using replsim::test::explore_file;

namespace {

std::string out_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(REPLSIM_BINARY_DIR) / "explore-sampled-tests" / name;
  std::filesystem::remove_all(dir);
  return dir.string();
}

explore::ExploreResult search(const std::string& name, explore::ExploreOptions options) {
  std::ostringstream progress;
  const std::string file = explore_file(name);
  const explore::ExploreResult result =
      explore::explore(harness::load_scenario_document(file), file, options, progress);
  std::filesystem::create_directories(options.out_dir);
  std::ofstream(std::filesystem::path(options.out_dir) / "explore.json") << result.summary.dump(2) << "\n";
  return result;
}

explore::ExploreOptions sampled(const std::string& strategy, uint64_t walks, const std::string& dir) {
  explore::ExploreOptions o;
  o.strategy = strategy;
  o.walks = walks;
  o.out_dir = out_dir(dir);
  return o;
}

// The summary without the folders it names, which differ between runs.
Json without_paths(Json j) {
  if (j["violation"].is_object()) {
    j["violation"].erase("file");
    j["violation"].erase("run_dir");
  }
  return j;
}

// Runs `whole` as `shards` shards on `file`, each in its own folder, and
// merges them: the folders, merge's exit code and the merged summary.
struct Merged {
  std::vector<std::string> dirs;
  int exit_code = 0;
  Json summary;
};
Merged search_shards(const std::string& file, const explore::ExploreOptions& whole, const std::string& name,
                     uint64_t shards) {
  Merged m;
  for (uint64_t k = 1; k <= shards; ++k) {
    explore::ExploreOptions shard = whole;
    shard.out_dir = out_dir(name + "-shard" + std::to_string(k));
    shard.shard = k;
    shard.shards = shards;
    search(file, shard);
    m.dirs.push_back(shard.out_dir);
  }
  std::ostringstream out;
  const std::string merged_dir = out_dir(name + "-merged");
  m.exit_code = explore::merge_explorations(m.dirs, merged_dir, out);
  std::ifstream in(std::filesystem::path(merged_dir) / "explore.json");
  m.summary = Json::parse(in);
  return m;
}

void check_replays_to_failure(const explore::ExploreResult& found) {
  REQUIRE(found.exit_code == 1);
  CHECK(found.summary["violation"]["replayed"] == true);
  const harness::Scenario replay = harness::load_scenario_file(found.summary["violation"]["file"].get<std::string>());
  CHECK(harness::run_scenario(replay, replay.seed).verdict == "fail");
}

std::vector<EventChoice> ready_on(std::vector<uint32_t> nodes) {
  std::vector<EventChoice> ready;
  for (uint64_t i = 0; i < nodes.size(); ++i) ready.push_back({0, i, nodes[i]});
  return ready;
}

// Shrinking's passes each end at most where they began, and the
// counterexample written is the shortest one's.
void check_shortest_pass_kept(const Json& violation) {
  const Json& shrink = violation["shrink"];
  const auto by_chunks = shrink["events_by_pass"]["chunks"].get<size_t>();
  const auto by_components = shrink["events_by_pass"]["components"].get<std::vector<size_t>>();
  size_t shortest = by_chunks;
  for (size_t events : by_components) shortest = std::min(shortest, events);
  CHECK(by_chunks <= shrink["events_before"].get<size_t>());
  for (size_t events : by_components) CHECK(events <= shrink["events_before"].get<size_t>());
  CHECK(violation["events"].get<size_t>() == shortest);
  MESSAGE("events by pass: chunks " << by_chunks << ", components " << shrink["events_by_pass"]["components"].dump());
}

}  // namespace

TEST_CASE("PCT hands a tie to the highest-priority node, and a change point drops the node it chose") {
  const std::vector<EventChoice> ready = ready_on({0, 1, 2});
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    // Depth 1: no change point, so one node wins every tie it is in.
    Rng fixed_rng(seed, "test pct");
    explore::PctAnswers fixed(fixed_rng, 3, 1, 10);
    const uint32_t winner = fixed.answer({ChoiceKind::kNextEvent, 3, ready});
    for (int i = 0; i < 5; ++i) CHECK(fixed.answer({ChoiceKind::kNextEvent, 3, ready}) == winner);
    // Its own events come in order: the first of them wins.
    const std::vector<EventChoice> twice = ready_on({winner, winner});
    CHECK(fixed.answer({ChoiceKind::kNextEvent, 2, twice}) == 0);

    // Depth 2 with one expected decision: the change point is the first
    // decision, after which the first winner loses to every other node.
    Rng changing_rng(seed, "test pct");
    explore::PctAnswers changing(changing_rng, 3, 2, 1);
    const uint32_t first = changing.answer({ChoiceKind::kNextEvent, 3, ready});
    const uint32_t second = changing.answer({ChoiceKind::kNextEvent, 3, ready});
    CHECK(second != first);
    CHECK(changing.answer({ChoiceKind::kNextEvent, 3, ready}) == second);
    CHECK(changing.answer({ChoiceKind::kNextEvent, 2, ready_on({first, second})}) == 1);
    const Rng link(seed, "test link");
    CHECK(changing.answer({ChoiceKind::kMessageLoss, 2, {}, &link}) < 2);
  }
}

TEST_CASE("pct and swarm find the register's canary, and run replays each counterexample to the same failure") {
  const explore::ExploreResult pct = search("register-canary", sampled("pct", 20'000, "pct"));
  check_replays_to_failure(pct);
  CHECK(pct.summary["samples"]["pct_depth"] == 3);
  CHECK(pct.summary["violation"]["sample"].get<uint64_t>() + 1 == pct.summary["walks"].get<uint64_t>());

  const explore::ExploreResult found = search("register-canary", sampled("swarm", 20, "swarm"));
  check_replays_to_failure(found);
  CHECK(found.summary["complete"] == false);
  CHECK(found.summary["samples"]["member_states_max"] == 20'000);
}

// Paths run in parallel batches and add up in their order, up to the first
// that found a violation: the same search on one thread and on two.
TEST_CASE("a sampled search on one thread is the search on two, and so is a swarm") {
  for (const std::string strategy : {"random-walk", "pct"}) {
    CAPTURE(strategy);
    explore::ExploreOptions one = sampled(strategy, 20'000, strategy + "-1");
    explore::ExploreOptions two = sampled(strategy, 20'000, strategy + "-2");
    one.jobs = 1;
    two.jobs = 2;
    const Json a = search("register-canary", one).summary;
    CHECK(a["exit_code"] == 1);
    CHECK(without_paths(a) == without_paths(search("register-canary", two).summary));
    // The violation gone past: every path's counts, the one that found it
    // and a few after it.
    const uint64_t walks = a["violation"]["sample"].get<uint64_t>() + 10;
    explore::ExploreOptions past_one = sampled(strategy, walks, strategy + "-past-1");
    explore::ExploreOptions past_two = sampled(strategy, walks, strategy + "-past-2");
    past_one.jobs = 1;
    past_two.jobs = 2;
    past_one.known = past_two.known = {"linearizable"};
    const Json c = search("register-canary", past_one).summary;
    CHECK(c["walks"] == walks);
    CHECK(c["known_violations"].contains("linearizable"));
    CHECK(without_paths(c) == without_paths(search("register-canary", past_two).summary));
  }
  explore::ExploreOptions one = sampled("swarm", 40, "swarm-1"), two = sampled("swarm", 40, "swarm-2");
  one.jobs = 1;
  two.jobs = 2;
  one.member_states_max = two.member_states_max = 2'000;
  const Json a = search("register-clean", one).summary;
  const Json b = search("register-clean", two).summary;
  CHECK(a["exit_code"] == 3);  // a swarm never claims that nothing is there
  CHECK(a["walks"] == 40);
  CHECK(without_paths(a) == without_paths(b));
}

TEST_CASE("the shards of a sampled search merge into what the whole search reports") {
  for (const std::string strategy : {"random-walk", "pct"}) {
    CAPTURE(strategy);
    const explore::ExploreResult whole = search("register-canary", sampled(strategy, 20'000, strategy + "-whole"));
    REQUIRE(whole.exit_code == 1);
    const Merged m = search_shards("register-canary", sampled(strategy, 20'000, strategy + "-base"), strategy, 3);
    CHECK(m.exit_code == 1);
    const Json& merged = m.summary;
    CHECK(merged["violation"]["sample"] == whole.summary["violation"]["sample"]);
    CHECK(merged["violation"]["checks"] == whole.summary["violation"]["checks"]);
    CHECK(merged["violation"]["transitions"] == whole.summary["violation"]["transitions"]);
  }
  // With nothing to find every shard runs all its walks: the merged counts
  // are the whole search's, walk for walk.
  const Json whole = search("register-clean", sampled("random-walk", 90, "clean-whole")).summary;
  const Merged m = search_shards("register-clean", sampled("random-walk", 90, "clean-base"), "clean", 2);
  CHECK(m.exit_code == 3);
  const Json& merged = m.summary;
  for (const char* key : {"walks", "transitions", "judged", "leaves", "depth_reached"}) {
    CAPTURE(key);
    CHECK(merged[key] == whole[key]);
  }
  CHECK(merged["samples"]["run"] == 90);
  // A swarm's members are searches that reuse runs: their counts sum alike.
  explore::ExploreOptions swarm = sampled("swarm", 8, "swarm-whole");
  swarm.member_states_max = 2'000;
  const Json swarm_whole = search("register-clean", swarm).summary;
  const Merged swarm_merged = search_shards("register-clean", swarm, "swarm", 2);
  CHECK(swarm_whole["reused"]["states"].get<uint64_t>() > 0);
  CHECK(swarm_merged.summary["reused"] == swarm_whole["reused"]);
  CHECK(swarm_merged.summary["states_distinct"] == swarm_whole["states_distinct"]);
}

TEST_CASE("violations searched past are counted alike by a whole search, its merged shards and a swarm") {
  const std::vector<std::string> canary = {"linearizable"};
  explore::ExploreOptions whole_options = sampled("random-walk", 3000, "known-whole");
  whole_options.known = canary;
  const Json whole = search("register-canary", whole_options).summary;
  CHECK(whole["violation"].is_null());
  CHECK(whole["walks"] == 3000);  // no walk stopped the search
  REQUIRE(whole["known_violations"].contains("linearizable"));
  const Merged m = search_shards("register-canary", whole_options, "known", 2);
  CHECK(m.exit_code == 3);
  CHECK(m.summary["known_violations"] == whole["known_violations"]);
  // A shard that went past other violations is another search.
  explore::ExploreOptions stranger = sampled("random-walk", 3000, "known-stranger");
  stranger.shard = 2;
  stranger.shards = 2;
  search("register-canary", stranger);
  std::ostringstream refused;
  CHECK_THROWS_AS(explore::merge_explorations({m.dirs[0], stranger.out_dir}, out_dir("known-refused"), refused),
                  InputError);

  explore::ExploreOptions one = sampled("swarm", 6, "known-swarm-1"), two = sampled("swarm", 6, "known-swarm-2");
  one.known = two.known = canary;
  one.jobs = 1;
  two.jobs = 2;
  const Json a = search("register-canary", one).summary;
  CHECK(a["violation"].is_null());
  CHECK(a["known_violations"].contains("linearizable"));
  CHECK(a["known_violations"] == search("register-canary", two).summary["known_violations"]);
}

// A pass's share is the runs left over the passes of its wave: with fewer
// runs than passes, fewer passes; with one, the replay's alone.
TEST_CASE("shrinking within a few candidate runs spends at most them, and says which passes ran") {
  for (const uint64_t runs_max : {1, 2, 8, 9, 40}) {
    CAPTURE(runs_max);
    explore::ExploreOptions options = sampled("random-walk", 20'000, "shrink-few-" + std::to_string(runs_max));
    options.shrink_runs_max = runs_max;
    const explore::ExploreResult found = search("register-canary", options);
    check_replays_to_failure(found);
    const Json& v = found.summary["violation"];
    const Json& shrink = v["shrink"];
    CHECK(shrink["runs"].get<uint64_t>() <= runs_max);
    if (runs_max == 1) {
      CHECK(shrink["runs"] == 1);  // the path's replay
      CHECK(shrink["events_by_pass"]["chunks"].is_null());
      CHECK(shrink["events_by_pass"]["components"].empty());
      CHECK(v["events"] == shrink["events_before"]);
      continue;
    }
    CHECK(shrink["runs"].get<uint64_t>() >= 2);
    check_shortest_pass_kept(v);
    // The canary's paths have no component with two events: a component
    // pass would run as the chunks' did, and none runs.
    CHECK(shrink["events_by_pass"]["components"].empty());
    if (runs_max == 2) CHECK(shrink["runs"] == 2);  // the replay, and the chunks' pass's one run
  }
}

TEST_CASE("a counterexample is shrunk to fewer events, a BFS one no longer, and still replays") {
  const explore::ExploreResult walk = search("register-canary", sampled("random-walk", 20'000, "shrunk-walk"));
  check_replays_to_failure(walk);
  const Json& v = walk.summary["violation"];
  CHECK(v["events"].get<size_t>() < v["shrink"]["events_before"].get<size_t>());
  CHECK(v["shrink"]["runs"].get<uint64_t>() >= 1);
  CHECK(v["shrink"]["runs"].get<uint64_t>() <= v["shrink"]["runs_max"].get<uint64_t>());
  check_shortest_pass_kept(v);
  // The shrunk file holds exactly its events: faults and answers other than the first.
  const Json doc = harness::load_scenario_document(v["file"].get<std::string>());
  size_t events = 0;
  for (const Json& c : doc["schedule"]["choices"]) events += c.contains("fault") || c["answer"] != 0 ? 1 : 0;
  CHECK(events == v["events"].get<size_t>());

  explore::ExploreOptions unshrunk_options = sampled("random-walk", 20'000, "unshrunk-walk");
  unshrunk_options.shrink_runs_max = 0;
  const Json unshrunk = search("register-canary", unshrunk_options).summary["violation"];
  CHECK(unshrunk["events"] == unshrunk["shrink"]["events_before"]);
  CHECK(unshrunk["events"] == v["shrink"]["events_before"]);
  CHECK(unshrunk["shrink"]["events_by_pass"]["chunks"].is_null());
  CHECK(unshrunk["shrink"]["events_by_pass"]["components"].empty());

  explore::ExploreOptions bfs_options = sampled("bfs", 1, "shrunk-bfs");
  const explore::ExploreResult bfs = search("register-canary", bfs_options);
  check_replays_to_failure(bfs);
  CHECK(bfs.summary["violation"]["transitions"] == bfs.summary["violation"]["shrink"]["transitions_before"]);
}

TEST_CASE("a FastCFS counterexample of hundreds of random answers shrinks to the few that matter") {
  // Mutation M10 (a slave skips applying an RPC, an actor draw) on the
  // mutation table's configuration: PCT's first path breaks S7 after 320
  // events (faults and answers other than the first option; the ninth path
  // did until stop 30's change to the push connection, the second until stop
  // 27's change to the leader's ping handling). Planned by
  // step, taking one answer out moved every later one onto other messages
  // and shrinking stopped at 41 events; planned by question it ends at the
  // draw and the faults that matter.
  Json doc = {{"version", 1},
              {"name", "shrink-fastcfs"},
              {"seed", 1u},
              {"duration", "30s"},
              {"protocol", {{"name", "fastcfs"}, {"options", {{"mutations", {"M10"}}}}}},
              {"cluster", {{"servers", 3}, {"replicas", 3}, {"data_groups", 1}}},
              {"network", {{"latency", {{"dist", "lognormal"}, {"median", "500us"}, {"p99", "5ms"}}}}},
              {"workload",
               {{"clients", 2}, {"keys", 2}, {"rate", 5}, {"mix", {{"write", 0.6}, {"read", 0.4}}}, {"timeout", "2s"},
                {"start", "4s"}, {"ops_max", 6}}},
              {"checks", {"replicas_agree", "invariants"}}};
  explore::ExploreOptions options = sampled("pct", 1, "shrink-fastcfs");
  options.faults_max = 2;
  options.fault_types = {"crash", "powerloss", "pause", "isolate"};
  // The model's own findings on this configuration (MUTATION_TABLE.md).
  options.known = {"replicas_agree (S4)", "invariants (S4)", "invariants (S11)"};
  std::ostringstream progress;
  const explore::ExploreResult found = explore::explore(doc, "shrink-fastcfs.json", options, progress);
  check_replays_to_failure(found);
  const Json& v = found.summary["violation"];
  CHECK(v["shrink"]["events_before"].get<size_t>() >= 100);
  CHECK(v["events"].get<size_t>() <= 5);
  check_shortest_pass_kept(v);
  // The same finding: S7, the mutation's, and nothing the search goes past alone.
  const std::vector<std::string> signature = v["signature"];
  CHECK(std::find(signature.begin(), signature.end(), "replicas_agree (S7)") != signature.end());
}

// --counterexamples K: the first K violating paths, in path order and for
// any --jobs, each shrunk within an equal share of the runs; the one with
// the fewest events is reported, the earliest on a tie (PCT's six paths
// here have two with the fewest).
TEST_CASE("a sampled search compares its first violating paths and reports the one with the fewest events") {
  uint64_t first_violating_walk = 0;
  for (const std::string strategy : {"random-walk", "pct"}) {
    CAPTURE(strategy);
    explore::ExploreOptions first_only = sampled(strategy, 20'000, "compare-first-" + strategy);
    first_only.shrink_runs_max = 0;
    const Json first = search("register-canary", first_only).summary["violation"];
    if (strategy == "random-walk") first_violating_walk = first["sample"].get<uint64_t>();
    // Unshrunk, on one thread and on two: the same six paths, the same choice.
    explore::ExploreOptions unshrunk = sampled(strategy, 20'000, "compare-unshrunk-" + strategy);
    unshrunk.counterexamples = 6;
    unshrunk.shrink_runs_max = 0;
    unshrunk.jobs = 1;
    const Json one_thread = without_paths(search("register-canary", unshrunk).summary);
    unshrunk.jobs = 2;
    unshrunk.out_dir = out_dir("compare-unshrunk-2-" + strategy);
    const explore::ExploreResult six = search("register-canary", unshrunk);
    check_replays_to_failure(six);
    CHECK(without_paths(six.summary) == one_thread);
    const Json& compared = six.summary["violation"]["compared"];
    REQUIRE(compared.size() == 6);
    CHECK(compared[0]["sample"] == first["sample"]);
    size_t shortest = 0;
    for (size_t i = 0; i < compared.size(); ++i) {
      CHECK(compared[i]["events"] == compared[i]["events_before"]);
      if (i == 0) continue;
      CHECK(compared[i]["sample"].get<uint64_t>() > compared[i - 1]["sample"].get<uint64_t>());
      if (compared[i]["events"].get<size_t>() < compared[shortest]["events"].get<size_t>()) shortest = i;
    }
    // The canary's first violating path is not its shortest, so the choice shows.
    REQUIRE(shortest > 0);
    CHECK(six.summary["violation"]["sample"] == compared[shortest]["sample"]);
    CHECK(six.summary["violation"]["events"] == compared[shortest]["events"]);
    CHECK(six.summary["samples"]["run"] == compared[5]["sample"].get<uint64_t>() + 1);
    CHECK(six.summary["samples"]["counterexamples"] == 6);
    // Shrunk, three paths share the runs.
    explore::ExploreOptions three = sampled(strategy, 20'000, "compare-three-" + strategy);
    three.counterexamples = 3;
    const explore::ExploreResult shrunk = search("register-canary", three);
    check_replays_to_failure(shrunk);
    const Json& v = shrunk.summary["violation"];
    CHECK(v["shrink"]["runs_max"] == three.shrink_runs_max / 3);
    REQUIRE(v["compared"].size() == 3);
    for (const Json& c : v["compared"]) {
      CHECK(c["events"].get<size_t>() >= v["events"].get<size_t>());
      CHECK(c["events"].get<size_t>() <= c["events_before"].get<size_t>());
    }
  }
  // Fewer violating paths than asked (the paths end just past the first
  // one): the ones found are compared, with the whole of the runs.
  explore::ExploreOptions few = sampled("random-walk", first_violating_walk + 1, "compare-few");
  few.counterexamples = 3;
  const explore::ExploreResult found = search("register-canary", few);
  check_replays_to_failure(found);
  CHECK(found.summary["violation"]["compared"].size() == 1);
  CHECK(found.summary["samples"]["run"] == first_violating_walk + 1);
  CHECK(found.summary["violation"]["shrink"]["runs_max"] == few.shrink_runs_max);
}

TEST_CASE("sampled searches refuse what they cannot do, naming the option or file") {
  explore::ExploreOptions bfs_shard = sampled("bfs", 1, "refused");
  bfs_shard.shard = 2;
  bfs_shard.shards = 3;
  CHECK_THROWS_AS(search("register-canary", bfs_shard), InputError);
  explore::ExploreOptions no_depth = sampled("pct", 1, "refused");
  no_depth.pct_depth = 0;
  CHECK_THROWS_AS(search("register-canary", no_depth), InputError);
  explore::ExploreOptions unknown = sampled("annealing", 1, "refused");
  CHECK_THROWS_AS(search("register-canary", unknown), InputError);
  // Paths compared: from 1 to 64, sampled on one shard only.
  for (const uint32_t counterexamples : {0u, 65u}) {
    explore::ExploreOptions out_of_range = sampled("random-walk", 1, "refused");
    out_of_range.counterexamples = counterexamples;
    CHECK_THROWS_AS(search("register-canary", out_of_range), InputError);
  }
  explore::ExploreOptions compared_bfs = sampled("bfs", 1, "refused");
  compared_bfs.counterexamples = 2;
  CHECK_THROWS_AS(search("register-canary", compared_bfs), InputError);
  explore::ExploreOptions compared_shard = sampled("pct", 1, "refused");
  compared_shard.counterexamples = 2;
  compared_shard.shard = 1;
  compared_shard.shards = 2;
  CHECK_THROWS_AS(search("register-canary", compared_shard), InputError);

  // Shards of two different searches do not merge.
  const std::string walk_dir = out_dir("merge-walk"), pct_dir = out_dir("merge-pct");
  explore::ExploreOptions walk = sampled("random-walk", 10, "merge-walk"), pct = sampled("pct", 10, "merge-pct");
  search("register-clean", walk);
  search("register-clean", pct);
  std::ostringstream out;
  CHECK_THROWS_AS(explore::merge_explorations({walk_dir, pct_dir}, out_dir("merge-refused"), out), InputError);
  CHECK_THROWS_AS(explore::merge_explorations({walk_dir, walk_dir}, out_dir("merge-refused"), out), InputError);
  CHECK_THROWS_AS(explore::merge_explorations({out_dir("merge-empty")}, out_dir("merge-refused"), out), InputError);
}

TEST_CASE("a hybrid search from a protocol event starts at the step it happens, and run replays prefix and path") {
  // FastCFS with mutation M24, from the step where a master is first
  // appointed: PCT finds the mutation's invariant violation (S9).
  Json doc = {{"version", 1},
              {"name", "from-when"},
              {"seed", 1u},
              {"duration", "20s"},
              {"protocol", {{"name", "fastcfs"}, {"options", {{"mutations", {"M24"}}}}}},
              {"cluster", {{"servers", 3}, {"replicas", 3}, {"data_groups", 1}}},
              {"network", {{"latency", {{"dist", "lognormal"}, {"median", "500us"}, {"p99", "5ms"}}}}},
              {"workload",
               {{"clients", 2}, {"keys", 2}, {"rate", 20}, {"mix", {{"write", 1.0}, {"read", 0.0}}}, {"timeout", "2s"},
                {"start", "3s"}, {"ops_max", 4}}},
              {"checks", {"single_master", "invariants"}}};
  explore::ExploreOptions options = sampled("pct", 400, "from-when");
  options.fault_types = {"crash"};
  options.from_when = Json{{"becomes", "master"}};
  std::ostringstream progress;
  const explore::ExploreResult found = explore::explore(doc, "from-when.json", options, progress);
  check_replays_to_failure(found);
  CHECK(found.summary["prefix"]["when"] == Json{{"becomes", "master"}});
  CHECK(found.summary["prefix"]["steps"].get<uint64_t>() > 0);
  const harness::Scenario replay = harness::load_scenario_file(found.summary["violation"]["file"].get<std::string>());
  REQUIRE(replay.schedule.has_value());
  CHECK(replay.schedule->prefix_steps == found.summary["prefix"]["steps"].get<uint64_t>());
  CHECK_FALSE(replay.schedule->prefix_before.has_value());

  // An event the scenario's own run never reaches, or an unknown role, is
  // refused, naming the option.
  const auto refusal = [&](const Json& scenario) {
    try {
      explore::explore(scenario, "from-when.json", options, progress);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no refusal");
  };
  options.out_dir = out_dir("from-when-refused");
  Json short_run = doc;
  short_run["duration"] = "1ms";  // before any election ends
  short_run["workload"]["start"] = "0s";
  short_run["workload"]["ops_max"] = 1;
  const std::string never = refusal(short_run);
  CHECK_MESSAGE(never.find("--from-when: expected a protocol event the scenario's own run reaches") == 0, never);
  options.from_when = Json{{"becomes", "primary"}};
  const std::string unknown = refusal(doc);
  CHECK_MESSAGE(unknown.find("--from-when/becomes") == 0, unknown);
}
