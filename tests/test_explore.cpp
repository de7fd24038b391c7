// The explorer (explore/explorer.h), the schedule it writes, and the runs in
// progress it branches (harness/runner.h).
#include <doctest/doctest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/hash.h"
#include "base/input_error.h"
#include "explore/explorer.h"
#include "explore/search.h"
#include "explore/self_check.h"
#include "explore/visited_set.h"
#include "harness/registry.h"
#include "harness/runner.h"
#include "harness/schedule_chooser.h"
#include "tests/probe_actor.h"
#include "tests/explore_scenarios.h"

using namespace replsim;
using namespace replsim::harness;
using Json = nlohmann::json;
using replsim::test::explore_file;

namespace {

// The counterexample file a search's summary names.
std::string counterexample_text(const Json& summary) {
  std::ifstream in(summary["violation"]["file"].get<std::string>());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string out_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(REPLSIM_BINARY_DIR) / "explore-tests" / name;
  std::filesystem::remove_all(dir);
  return dir.string();
}

explore::ExploreResult search(const std::string& name, explore::ExploreOptions options, const Json* document = nullptr) {
  std::ostringstream progress;
  const std::string file = explore_file(name);
  return explore::explore(document != nullptr ? *document : load_scenario_document(file), file, options, progress);
}

explore::ExploreOptions options_in(const std::string& dir) {
  explore::ExploreOptions o;
  o.out_dir = out_dir(dir);
  return o;
}

}  // namespace

TEST_CASE("explore finds the register's deliberate bug, and run replays its counterexample to the same failure") {
  const explore::ExploreResult result = search("register-canary", options_in("canary"));
  REQUIRE(result.exit_code == 1);
  const Json& v = result.summary["violation"];
  CHECK(v["checks"] == Json::array({"linearizable"}));
  CHECK(v["replayed"] == true);
  // The path's one budgeted fault is a power loss of the primary; its
  // restart is free.
  std::vector<std::string> faults;
  for (const Json& f : v["faults"]) faults.push_back(f["type"].get<std::string>() + " " + f.value("node", ""));
  CHECK(faults == std::vector<std::string>{"powerloss s1", "restart s1"});

  const Scenario replay = load_scenario_file(v["file"].get<std::string>());
  REQUIRE(replay.schedule.has_value());
  CHECK(replay.faults.empty());
  const ScenarioRun run = run_scenario(replay, replay.seed);
  CHECK(run.verdict == "fail");
  CHECK(failed_checks(run) == std::vector<std::string>{"linearizable"});
  CHECK(run.as_expected);
  CHECK(run.world.stats().steps == v["steps"].get<uint64_t>());
  // Without the schedule the same file passes: the failure is the path's.
  Json plain = load_scenario_document(v["file"].get<std::string>());
  plain.erase("schedule");
  plain["expect"] = {{"verdict", "pass"}};
  CHECK(run_scenario(parse_scenario(plain, "plain"), 1).verdict == "pass");
}

TEST_CASE("explore --known goes past the canary's violation, counts it, and still stops at another") {
  const explore::ExploreResult found = search("register-canary", options_in("known-first"));
  REQUIRE(found.exit_code == 1);
  const Json& v = found.summary["violation"];

  explore::ExploreOptions past = options_in("known-past");
  past.known = v["signature"].get<std::vector<std::string>>();
  const explore::ExploreResult result = search("register-canary", past);
  CHECK(result.summary["violation"].is_null());
  CHECK(result.summary["known"] == v["signature"]);
  REQUIRE(result.summary["known_violations"].size() == 1);
  const Json& known = result.summary["known_violations"].front();
  CHECK(known["signature"] == v["signature"]);
  CHECK(known["judgements"].get<uint64_t>() >= 1);
  // BFS meets it first at the depth of the shortest counterexample.
  CHECK(known["transitions_min"] == v["transitions"]);
  // Going past it, the search covers more than the search that stopped.
  CHECK(result.summary["states_distinct"].get<uint64_t>() > found.summary["states_distinct"].get<uint64_t>());
  CHECK(result.exit_code == (result.summary["complete"].get<bool>() ? 0 : 3));

  // A known element that is not the whole signature does not hide it.
  explore::ExploreOptions other = options_in("known-other");
  other.known = {"invariants (S99)"};
  CHECK(search("register-canary", other).summary["violation"]["signature"] == v["signature"]);
}

TEST_CASE("without the bug the same search completes with no violation, and BFS and DFS reach the same states") {
  const explore::ExploreResult bfs = search("register-clean", options_in("clean-bfs"));
  CHECK(bfs.exit_code == 0);
  CHECK(bfs.summary["complete"] == true);
  CHECK(bfs.summary["violation"].is_null());
  CHECK(bfs.summary["judged"].get<uint64_t>() > 100);
  CHECK(bfs.summary["depth_reached"].get<uint32_t>() < 200);  // not cut by the depth bound
  explore::ExploreOptions dfs_options = options_in("clean-dfs");
  dfs_options.strategy = "dfs";
  const explore::ExploreResult dfs = search("register-clean", dfs_options);
  CHECK(dfs.exit_code == 0);
  CHECK(dfs.summary["states_distinct"] == bfs.summary["states_distinct"]);
}

TEST_CASE("--fault-nodes narrows the faults to some servers: the canary needs its primary's power loss") {
  explore::ExploreOptions backups = options_in("fault-nodes-backups");
  backups.fault_nodes = {"s2", "s3"};
  const explore::ExploreResult spared = search("register-canary", backups);
  CHECK(spared.exit_code == 0);  // complete: no path loses a write when only backups fail
  CHECK(spared.summary["fault_nodes"] == Json::array({"s2", "s3"}));

  explore::ExploreOptions primary = options_in("fault-nodes-primary");
  primary.fault_nodes = {"s1"};
  const explore::ExploreResult found = search("register-canary", primary);
  const explore::ExploreResult all = search("register-canary", options_in("fault-nodes-all"));
  REQUIRE(found.exit_code == 1);
  CHECK(found.summary["violation"]["replayed"] == true);
  CHECK(found.summary["violation"]["transitions"] == all.summary["violation"]["transitions"]);
  CHECK(found.summary["states_distinct"].get<uint64_t>() < all.summary["states_distinct"].get<uint64_t>());

  explore::ExploreOptions unknown = options_in("fault-nodes-unknown");
  unknown.fault_nodes = {"s9"};
  CHECK_THROWS_AS(search("register-canary", unknown), InputError);
  unknown.strategy = "swarm";
  CHECK_THROWS_AS(search("register-canary", unknown), InputError);
}

// Swarm members narrow their trees this way (--fixed-kinds for any search):
// a fixed kind is answered by its first option and never branches.
TEST_CASE("a search with question kinds fixed branches on the others only, and its counterexample replays them fixed") {
  const explore::ExploreResult all = search("register-clean", options_in("fixed-none"));
  explore::ExploreOptions narrow_options = options_in("fixed-order");
  narrow_options.settings.fix(ChoiceKind::kNextEvent);
  const explore::ExploreResult narrow = search("register-clean", narrow_options);
  CHECK(narrow.exit_code == 0);
  CHECK(narrow.summary["complete"] == true);
  CHECK(narrow.summary["settings"]["fixed_kinds"] == Json::array({"next_event"}));
  CHECK(narrow.summary["states_distinct"].get<uint64_t>() < all.summary["states_distinct"].get<uint64_t>());
  CHECK(narrow.summary["states_distinct"].get<uint64_t>() > 1);

  explore::ExploreOptions canary_options = options_in("fixed-canary");
  canary_options.settings.fix(ChoiceKind::kNextEvent);
  canary_options.settings.fix(ChoiceKind::kMessageDelay);
  const explore::ExploreResult canary = search("register-canary", canary_options);
  REQUIRE(canary.exit_code == 1);
  const Json written = load_scenario_document(canary.summary["violation"]["file"].get<std::string>());
  CHECK(written["schedule"]["settings"]["fixed_kinds"] == Json::array({"next_event", "message_delay"}));
  for (const Json& entry : written["schedule"]["choices"]) {
    CHECK(entry.value("kind", "") != "next_event");
    CHECK(entry.value("kind", "") != "message_delay");
  }
  const Scenario replay = parse_scenario(written, "replay");
  CHECK(replay.schedule->settings == canary_options.settings);
  const ScenarioRun run = run_scenario(replay, replay.seed);
  CHECK(failed_checks(run) == std::vector<std::string>{"linearizable"});
  // Only kinds a search branches on can be fixed.
  CHECK_THROWS_AS(fixable_choice_kind("nonce", "--fixed-kinds"), InputError);
}

TEST_CASE("a hybrid search starts where the simulator's own run is at a time, and run replays prefix and path") {
  explore::ExploreOptions options = options_in("hybrid");
  options.from = Duration::ms(110);  // before the client's first operation
  const explore::ExploreResult result = search("register-canary", options);
  REQUIRE(result.exit_code == 1);
  const uint64_t prefix = result.summary["prefix"]["steps"].get<uint64_t>();
  CHECK(prefix > 0);
  const Scenario replay = load_scenario_file(result.summary["violation"]["file"].get<std::string>());
  CHECK(replay.schedule->prefix_steps == prefix);
  CHECK(replay.schedule->entries.front().step >= prefix);
  CHECK(run_scenario(replay, replay.seed).verdict == "fail");
  // From a time after the client's operations ended, no path reaches the
  // bug: the prefix is the simulator's, not the search's.
  options.from = Duration::ms(150);
  CHECK(search("register-canary", options).exit_code == 0);
}

TEST_CASE("a hybrid search's prefix fires the scenario's faults, and run replays them before the path") {
  // A backup crashes and restarts before the search starts: the prefix
  // carries both, the search explores from the restarted cluster.
  Json doc = load_scenario_document(explore_file("register-canary"));
  doc["faults"] = Json::array({{{"type", "crash"}, {"node", "s2"}, {"at", "50ms"}},
                               {{"type", "restart"}, {"node", "s2"}, {"at", "80ms"}},
                               {{"type", "crash"}, {"node", "s3"}, {"at", "2s"}}});  // after the prefix: never fires
  explore::ExploreOptions options = options_in("hybrid-faults");
  options.from = Duration::ms(110);
  const explore::ExploreResult result = search("register-canary", options, &doc);
  REQUIRE(result.exit_code == 1);
  std::vector<std::string> faults;
  for (const Json& f : result.summary["violation"]["faults"]) faults.push_back(f["type"].get<std::string>() + " " + f.value("node", ""));
  CHECK(faults == std::vector<std::string>{"crash s2", "restart s2", "powerloss s1", "restart s1"});
  const Scenario replay = load_scenario_file(result.summary["violation"]["file"].get<std::string>());
  CHECK(replay.faults.size() == 3);
  CHECK(replay.schedule->prefix_before == Duration::ms(110));  // cut by time, as the search cut it
  CHECK(run_scenario(replay, replay.seed).verdict == "fail");
  // Without --from the scenario's faults are refused.
  CHECK_THROWS_AS(search("register-canary", options_in("hybrid-faults-refused"), &doc), InputError);
}

TEST_CASE("random walks sample paths with the same choices and faults: one finds the canary, and none claims a proof") {
  explore::ExploreOptions options = options_in("walks");
  options.strategy = "random-walk";
  options.walks = 20'000;
  const explore::ExploreResult found = search("register-canary", options);
  REQUIRE(found.exit_code == 1);
  const uint64_t walks = found.summary["walks"].get<uint64_t>();
  CHECK(walks > 1);  // the canary's window is narrow: a walk seldom hits it
  const Scenario replay = load_scenario_file(found.summary["violation"]["file"].get<std::string>());
  CHECK(run_scenario(replay, replay.seed).verdict == "fail");
  // The same seed, the same walks.
  options.out_dir = out_dir("walks-again");
  CHECK(search("register-canary", options).summary["walks"] == walks);
  // Without the bug: no violation, and exit 3, since a sample proves nothing.
  options.walks = 200;
  const explore::ExploreResult clean = search("register-clean", options);
  CHECK(clean.exit_code == 3);
  CHECK(clean.summary["complete"] == false);
  CHECK(clean.summary["walks"] == 200);
}

TEST_CASE("a BFS on one thread and on two gives the same states and the same counterexample") {
  explore::ExploreOptions one = options_in("jobs-1"), two = options_in("jobs-2");
  one.jobs = 1;
  two.jobs = 2;
  const explore::ExploreResult a = search("register-canary", one);
  const explore::ExploreResult b = search("register-canary", two);
  CHECK(a.summary["states_distinct"] == b.summary["states_distinct"]);
  CHECK(a.summary["transitions"] == b.summary["transitions"]);
  CHECK(a.summary["reused"] == b.summary["reused"]);  // decided per chunk
  CHECK(counterexample_text(a.summary) == counterexample_text(b.summary));
}

TEST_CASE("the same search twice writes the same summary") {
  const explore::ExploreResult first = search("register-canary", options_in("twice-1"));
  const explore::ExploreResult second = search("register-canary", options_in("twice-2"));
  Json a = first.summary, b = second.summary;
  for (Json* j : {&a, &b}) {
    (*j)["violation"].erase("file");
    (*j)["violation"].erase("run_dir");
  }
  CHECK(a == b);
}

TEST_CASE("a search stopped by a bound says so and exits 3, never 0") {
  explore::ExploreOptions options = options_in("bounded");
  options.states_max = 500;
  const explore::ExploreResult result = search("register-clean", options);
  CHECK(result.exit_code == 3);
  CHECK(result.summary["complete"] == false);
  CHECK(result.summary["stopped_by"] == "states_max");
}

TEST_CASE("explore refuses a scenario it cannot search, naming what is missing") {
  const Json canary = load_scenario_document(explore_file("register-canary"));
  const auto refused = [&](Json doc, const std::string& path) {
    try {
      search("register-canary", options_in("refused"), &doc);
    } catch (const InputError& error) {
      CHECK_MESSAGE(std::string(error.what()).find(path) != std::string::npos, error.what());
      return true;
    }
    return false;
  };
  Json no_bound = canary;
  no_bound["workload"].erase("ops_max");
  CHECK(refused(no_bound, "/workload/ops_max"));
  Json faults = canary;
  faults["faults"] = Json::array({{{"type", "crash"}, {"node", "s1"}, {"at", "1s"}}});
  CHECK(refused(faults, "/faults"));
  explore::ExploreOptions bad_type = options_in("refused");
  bad_type.fault_types = {"meteor"};
  CHECK_THROWS_AS(search("register-canary", bad_type), InputError);
}

TEST_CASE("a schedule that does not match the run is refused, naming its entry") {
  const explore::ExploreResult result = search("register-canary", options_in("tamper"));
  REQUIRE(result.exit_code == 1);
  const Json doc = load_scenario_document(result.summary["violation"]["file"].get<std::string>());
  // Another number of options for the first choice.
  Json tampered = doc;
  tampered["schedule"]["choices"][0]["of"] = tampered["schedule"]["choices"][0]["of"].get<uint32_t>() + 1;
  try {
    run_scenario(parse_scenario(tampered, "tampered"), 1);
    FAIL("a tampered schedule replayed");
  } catch (const InputError& error) {
    CHECK(std::string(error.what()).find("tampered:/schedule/choices/0") != std::string::npos);
  }
  // A path that ends on a fault (a power loss asking whether it tears a
  // write): the fault's own questions are answered at the path's end.
  Json ends_on_fault = doc;
  uint64_t fault_step = 0;
  for (const Json& e : doc["schedule"]["choices"]) {
    if (e.contains("fault") && e["fault"]["type"] == "powerloss") fault_step = e["step"].get<uint64_t>();
  }
  REQUIRE(fault_step > 0);
  Json kept = Json::array();
  for (const Json& e : doc["schedule"]["choices"]) {
    if (e["step"].get<uint64_t>() < fault_step || (e["step"] == fault_step && e.value("kind", "") != "next_event")) kept.push_back(e);
  }
  ends_on_fault["schedule"]["choices"] = kept;
  ends_on_fault["schedule"]["steps"] = fault_step;
  ends_on_fault["expect"] = {{"verdict", "pass"}};
  const ScenarioRun cut = run_scenario(parse_scenario(ends_on_fault, "ends-on-fault"), 1);
  CHECK(cut.world.stats().steps == fault_step);
  CHECK(cut.faults.size() == 2);  // the power loss and the restart, after the last step
  // Steps beyond the path's: the last entries are never asked for.
  Json short_path = doc;
  short_path["schedule"]["steps"] = 3;
  CHECK_THROWS_AS(run_scenario(parse_scenario(short_path, "short"), 1), InputError);
  // A schedule beside a fault generator is refused by the loader.
  Json with_generator = doc;
  with_generator["fault_generator"] = {{"families", {{"crash", {{"rate", 0.1}}}}}, {"quiet_period", "1s"}};
  CHECK_THROWS_AS(parse_scenario(with_generator, "both"), InputError);
}

TEST_CASE("a run in progress copies: the copy goes on exactly as the original") {
  for (const char* file : {"/scenarios/example-register/backup-crash-and-partition.json",
                           "/scenarios/fastcfs/master-crash-failover.json"}) {
    CAPTURE(file);
    Json doc = load_scenario_document(std::string(REPLSIM_SOURCE_DIR) + file);
    doc.erase("faults");
    const Scenario s = parse_scenario(doc, file);
    RandomChooser chooser;
    RunInProgress original(s, 7);
    for (int i = 0; i < 3000; ++i) REQUIRE(original.step(chooser));
    RunInProgress copy(original);
    Hasher a, b;
    original.run().monitor->hash_into(a);
    copy.run().monitor->hash_into(b);
    CHECK(a.value() == b.value());
    for (int i = 0; i < 3000; ++i) {
      REQUIRE(original.step(chooser));
      REQUIRE(copy.step(chooser));
    }
    CHECK(copy.run().world.trace_hash() == original.run().world.trace_hash());
    CHECK(copy.run().world.fingerprint() == original.run().world.fingerprint());
    CHECK(copy.run().history.size() == original.run().history.size());
    CHECK(copy.judged().verdict == original.judged().verdict);
  }
}

namespace {

// A power loss of s1 and its restart, as a driver fires them.
std::pair<FaultSpec, FaultSpec> powerloss_and_restart_of_s1() {
  FaultSpec powerloss, restart;
  powerloss.type = "powerloss";
  restart.type = "restart";
  for (FaultSpec* f : {&powerloss, &restart}) f->node = NodeSelector{NodeSelector::Kind::kNamed, "s1", 0, "s1"};
  return {powerloss, restart};
}

// What two runs that went on alike agree on besides the world: the
// monitor's state, the clients' history and the verdict.
void check_same_monitor_history_verdict(const RunInProgress& a, const RunInProgress& b) {
  Hasher ha, hb;
  a.run().monitor->hash_into(ha);
  b.run().monitor->hash_into(hb);
  CHECK(ha.value() == hb.value());
  CHECK(a.run().history.size() == b.run().history.size());
  CHECK(a.judged().verdict == b.judged().verdict);
}

}  // namespace

// The explorer drops the events that can never be delivered from each state
// it keeps (World::drop_stale_events): a run that drops them after every
// step must go on as one that keeps them. A power loss and a restart leave
// a dead process's events behind, besides superseded timers and segments.
TEST_CASE("a run that drops its stale events after every step goes on exactly as one that keeps them") {
  for (const std::string file : {"/scenarios/example-register/backup-crash-and-partition.json",
                                 "/scenarios/fastcfs/master-crash-failover.json"}) {
    CAPTURE(file);
    Json doc = load_scenario_document(std::string(REPLSIM_SOURCE_DIR) + file);
    doc.erase("faults");
    const Scenario s = parse_scenario(doc, file);
    const auto [powerloss, restart] = powerloss_and_restart_of_s1();
    RandomChooser chooser;
    RunInProgress kept(s, 7), dropping(s, 7);
    size_t dropped = 0;
    for (int i = 0; i < 6000; ++i) {
      const bool stepped = kept.step(chooser);
      REQUIRE(dropping.step(chooser) == stepped);
      if (!stepped) break;
      dropped += dropping.drop_stale_events();
      if (i % 100 == 0) {
        REQUIRE(kept.run().world.fingerprint() == dropping.run().world.fingerprint());
        // A drop asks only the events of what a step changed since the
        // last (World::ChangesSinceDrop): it must leave what asking every
        // event leaves.
        RunInProgress asked_all = kept;  // never dropped: its drop asks all
        asked_all.drop_stale_events();
        REQUIRE(asked_all.run().world.pending_event_count() == dropping.run().world.pending_event_count());
      }
      if (i == 1500 || i == 3000) {
        // Right after a drop, a fault leaves events stale again: the
        // fingerprint must ask each event anew.
        for (RunInProgress* run : {&kept, &dropping}) run->fire(i == 1500 ? powerloss : restart, chooser);
        REQUIRE(kept.run().world.fingerprint() == dropping.run().world.fingerprint());
      }
    }
    CHECK(dropped > 100);  // the register 174, FastCFS 1,479
    CHECK(dropping.run().world.pending_event_count() <= kept.run().world.pending_event_count());
    CHECK(dropping.run().world.trace_hash() == kept.run().world.trace_hash());
    check_same_monitor_history_verdict(dropping, kept);
  }
}

// An explorer's worlds drop the data of the notes no check reads
// (NoteDeclaration::data_read): the run must go on as one that keeps it,
// and only its trace hash, which covers note data, tells them apart.
TEST_CASE("a run that drops the data of unread notes goes on exactly as one that keeps it") {
  Json doc = load_scenario_document(std::string(REPLSIM_SOURCE_DIR) + "/scenarios/fastcfs/master-crash-failover.json");
  doc.erase("faults");
  const Scenario s = parse_scenario(doc, "notes");
  const auto [powerloss, restart] = powerloss_and_restart_of_s1();
  RandomChooser chooser;
  RunInProgress kept(s, 7), dropping(s, 7);
  dropping.drop_unread_note_data();
  for (int i = 0; i < 6000; ++i) {
    const bool stepped = kept.step(chooser);
    REQUIRE(dropping.step(chooser) == stepped);
    if (!stepped) break;
    if (i == 1500 || i == 3000) {
      for (RunInProgress* run : {&kept, &dropping}) run->fire(i == 1500 ? powerloss : restart, chooser);
    }
  }
  CHECK(dropping.run().world.fingerprint() == kept.run().world.fingerprint());
  check_same_monitor_history_verdict(dropping, kept);
  CHECK(dropping.run().world.trace_hash() != kept.run().world.trace_hash());  // channels closed at the power loss
}

TEST_CASE("a run cut short before the cluster settles leaves a check of the settled end undecided, never failed") {
  Json doc = load_scenario_document(std::string(REPLSIM_SOURCE_DIR) + "/scenarios/fastcfs/master-crash-failover.json");
  doc["faults"] = Json::array();
  doc["checks"] = Json::array({"no_lost_acked_writes", "invariants"});
  const Scenario s = parse_scenario(doc, "cut");
  RunInProgress run(s, 1);
  run.run_sampled_before(TimePoint::origin() + Duration::s(8));
  const auto [powerloss, restart] = powerloss_and_restart_of_s1();
  RandomChooser chooser;
  run.fire(powerloss, chooser);
  run.fire(restart, chooser);
  const ScenarioRun cut = run.judged();
  REQUIRE_FALSE(cut.convergence_gap.empty());
  CHECK(cut.checks[0].verdict == CheckVerdict::kUndecided);
  CHECK(cut.checks[0].details.front().find("the path ended before the cluster settled") != std::string::npos);
  CHECK(cut.checks[1].verdict == CheckVerdict::kPass);  // a per-step invariant is judged at any cut
}

TEST_CASE("timer windows: with timer slack a search branches on each timer firing on time or late") {
  // The world asks once per timer set, from the node's timer stream: on
  // time (0) or at the slack's highest, capped by delay_cap (1).
  World world = testing::make_probe_world(1, {testing::ProbePlan{{}, 0, Duration::ms(100)}});
  world.set_timer_slack(Distribution::uniform(Duration::zero(), Duration::ms(30)));
  ScheduleSettings settings;
  settings.delay_cap = Duration::ms(20);
  const auto fired_at_ns = [&](uint32_t answer) {
    World w = world;
    EnumeratingChooser chooser(settings);
    std::vector<BranchChoice> asked;
    for (size_t step = 0; step < 100 && testing::probe(w, 0).timer_fired_local_ns().empty(); ++step) {
      chooser.begin(step == 0 ? std::vector<uint32_t>{answer} : std::vector<uint32_t>{});
      REQUIRE(w.step(chooser) != nullptr);
      asked.insert(asked.end(), chooser.asked().begin(), chooser.asked().end());
    }
    CHECK(asked == std::vector<BranchChoice>{{ChoiceKind::kTimerSlack, answer, 2}});
    REQUIRE(testing::probe(w, 0).timer_fired_local_ns().size() == 1);
    return testing::probe(w, 0).timer_fired_local_ns().front();
  };
  CHECK(fired_at_ns(0) == Duration::ms(100).count_ns());
  CHECK(fired_at_ns(1) == Duration::ms(120).count_ns());
}

TEST_CASE("timer windows: a late timer gives the canary a shorter counterexample, and run replays it") {
  // Without slack BFS's shortest path is 24 transitions; with every node's
  // timers up to 20 ms late, one of them late makes it 23.
  Json doc = load_scenario_document(explore_file("register-canary"));
  doc["cluster"]["timer_slack"] = {{"dist", "uniform"}, {"min", "0ms"}, {"max", "20ms"}};
  const explore::ExploreResult result = search("register-canary", options_in("timer-slack"), &doc);
  REQUIRE(result.exit_code == 1);
  const Json& v = result.summary["violation"];
  CHECK(v["replayed"] == true);
  CHECK(v["transitions"] == 23);
  const Scenario replay = load_scenario_file(v["file"].get<std::string>());
  REQUIRE(replay.schedule.has_value());
  REQUIRE(replay.cluster.timer_slack.has_value());
  size_t late = 0;
  for (const ScheduleEntry& e : replay.schedule->entries) late += !e.fault && e.kind == "timer_slack" && e.answer == 1;
  CHECK(late >= 1);
  CHECK(run_scenario(replay, replay.seed).verdict == "fail");
}

TEST_CASE("the branching chooser counts each question's options as documented") {
  ScheduleSettings settings;
  settings.pick_max = 4;
  settings.delay_cap = Duration::ms(10);
  EnumeratingChooser chooser(settings);
  Rng stream(1, "test");
  chooser.begin({});
  CHECK_FALSE(chooser.chance(stream, ChoiceKind::kMessageLoss, 0.0));
  CHECK(chooser.chance(stream, ChoiceKind::kMessageLoss, 1.0));
  CHECK_FALSE(chooser.chance(stream, ChoiceKind::kSegmentLoss, 0.5));
  CHECK(chooser.asked().empty());
  CHECK_FALSE(chooser.chance(stream, ChoiceKind::kMessageLoss, 0.5));
  CHECK(chooser.delay(stream, ChoiceKind::kMessageDelay, Distribution::fixed(Duration::ms(1))) == Duration::ms(1));
  CHECK(chooser.delay(stream, ChoiceKind::kMessageDelay, Distribution::uniform(Duration::ms(1), Duration::ms(30))) ==
        Duration::ms(1));
  CHECK(chooser.pick(stream, ChoiceKind::kActor, 100) == 0);
  CHECK_FALSE(chooser.percent(stream, ChoiceKind::kActor, 50));
  chooser.pick(stream, ChoiceKind::kNonce, 1'000'000);  // drawn, never a branch
  REQUIRE(chooser.asked().size() == 4);
  {
    ScheduleSettings fixing = settings;
    fixing.fix(ChoiceKind::kMessageDelay);
    EnumeratingChooser fixed(fixing);
    fixed.begin({1});  // the answer goes to the first question that branches
    CHECK(fixed.delay(stream, ChoiceKind::kMessageDelay, Distribution::uniform(Duration::ms(1), Duration::ms(30))) ==
          Duration::ms(1));
    CHECK(fixed.chance(stream, ChoiceKind::kMessageLoss, 0.5));
    CHECK(fixed.asked() == std::vector<BranchChoice>{{ChoiceKind::kMessageLoss, 1, 2}});
  }
  CHECK(chooser.asked()[1] == BranchChoice{ChoiceKind::kMessageDelay, 0, 2});
  CHECK(chooser.asked()[2] == BranchChoice{ChoiceKind::kActor, 0, 4});
  // The odometer: the last question advances first; the highest values are
  // the cap and the range's last index.
  std::vector<uint32_t> prefix;
  REQUIRE(chooser.next_prefix(prefix));
  CHECK(prefix == std::vector<uint32_t>{0, 0, 0, 1});
  chooser.begin({0, 1, 3});
  chooser.chance(stream, ChoiceKind::kMessageLoss, 0.5);
  CHECK(chooser.delay(stream, ChoiceKind::kMessageDelay, Distribution::uniform(Duration::ms(1), Duration::ms(30))) ==
        Duration::ms(10));
  CHECK(chooser.pick(stream, ChoiceKind::kActor, 100) == 99);
  chooser.begin({0, 0, 2});
  chooser.chance(stream, ChoiceKind::kMessageLoss, 0.5);
  chooser.delay(stream, ChoiceKind::kMessageDelay, Distribution::uniform(Duration::ms(1), Duration::ms(30)));
  CHECK(chooser.pick(stream, ChoiceKind::kActor, 100) == 66);
}

// With a fixed latency, events tie at one instant: the check takes each two
// that --por sleep would call independent in both orders.
TEST_CASE("every registered protocol passes explore's self-check: copies, equality, fingerprints and independent "
          "steps agree") {
  for (const Protocol* protocol : registered_protocols()) {
    const std::string name = protocol->vocabulary().protocol;
    if (name.starts_with("test-")) continue;  // a test's own protocol is checked in its test
    for (const bool fixed_latency : {false, true}) {
      CAPTURE(name);
      CAPTURE(fixed_latency);
      Json document = {{"version", 1},
                       {"name", "self-check"},
                       {"duration", "60s"},
                       {"protocol", {{"name", name}}},
                       {"workload", {{"clients", 2}, {"keys", 2}, {"rate", 50}, {"start", "100ms"}}}};
      if (fixed_latency) document["network"] = {{"latency", {{"dist", "fixed"}, {"value", "1ms"}}}};
      explore::SelfCheckOptions options;
      options.steps = 8'000;
      const explore::SelfCheckReport report = explore::self_check(parse_scenario(document, name), options);
      for (const std::string& problem : report.problems) MESSAGE(problem);
      CHECK(report.problems.empty());
      CHECK(report.faults >= 3);
      CHECK(report.copies_checked >= 10);
      CHECK(report.stale_events_dropped > 0);
      if (fixed_latency) CHECK(report.tied_pairs_independent > 0);
      if (fixed_latency) CHECK(report.ties_followed > 0);
    }
  }
}

TEST_CASE("liveness is judged on paths whose faults ended, and undecided on a path cut with a fault in effect") {
  // The register settles after a restart, but not within a microsecond: a
  // path that crashes and restarts a server fails the bound, and run
  // replays the failure.
  Json tight = load_scenario_document(explore_file("register-clean"));
  tight["checks"] = Json::array({"linearizable", {{"converges_within", "1us"}}});
  explore::ExploreOptions options = options_in("liveness-tight");
  options.fault_types = {"crash"};
  const explore::ExploreResult found = search("register-clean", options, &tight);
  REQUIRE(found.exit_code == 1);
  CHECK(found.summary["violation"]["checks"] == Json::array({"converges_within"}));
  const Scenario replay = load_scenario_file(found.summary["violation"]["file"].get<std::string>());
  const ScenarioRun replayed = run_scenario(replay, replay.seed);
  CHECK(replayed.verdict == "fail");
  bool restarted = false;
  for (const AppliedFault& f : replayed.faults) restarted |= f.type() == "restart";
  CHECK(restarted);

  // A crash never undone: the path's end says nothing about liveness.
  Json loose = tight;
  loose["checks"] = Json::array({{{"converges_within", "100ms"}}});
  const Scenario scenario = parse_scenario(loose, "loose.json");
  RunInProgress run(scenario, scenario.seed);
  harness::EnumeratingChooser chooser(ScheduleSettings{});
  FaultSpec crash;
  crash.type = "crash";
  crash.node = NodeSelector{NodeSelector::Kind::kNamed, "s2", 0, "s2"};
  run.fire(crash, chooser);
  for (int i = 0; i < 200 && run.step(chooser); ++i) {
  }
  REQUIRE(run.run().world.now() > TimePoint::origin() + Duration::ms(100));
  const ScenarioRun cut = run.judged();
  REQUIRE(cut.checks.size() == 1);
  CHECK(cut.checks[0].verdict == CheckVerdict::kUndecided);
  CHECK(cut.checks[0].details[0].find("fault not undone (s2 crashed)") != std::string::npos);
  // Restarted, the same path is judged: the register settles within the bound.
  FaultSpec restart = crash;
  restart.type = "restart";
  run.fire(restart, chooser);
  for (int i = 0; i < 200 && run.step(chooser); ++i) {
  }
  CHECK(run.judged().checks[0].verdict == CheckVerdict::kPass);
}

TEST_CASE("the visited set finds every key it was given, with its depth and sleep set, through its growth") {
  explore::VisitedSet visited;
  // Keys equal in their low bits, and 0, besides spread ones: the table
  // probes past its collisions.
  std::vector<uint64_t> keys = {0, 1, 1ULL << 40, 2ULL << 40, 3ULL << 40};
  for (uint64_t i = 0; i < 50'000; ++i) keys.push_back(mix64(i + 1000));
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto [slot, added] = visited.emplace(keys[i], static_cast<uint32_t>(i % 97), static_cast<uint16_t>(i));
    REQUIRE(added);
    CHECK(slot->depth == i % 97);
    CHECK(slot->sleep == static_cast<uint16_t>(i));
  }
  CHECK(visited.size() == keys.size());
  CHECK(visited.bytes() >= keys.size() * 2 * 16);  // at most half full
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto [slot, added] = visited.emplace(keys[i], 1000, 7);
    REQUIRE_FALSE(added);
    REQUIRE(slot->depth == i % 97);  // an entry keeps its depth and sleep set
    REQUIRE(slot->sleep == static_cast<uint16_t>(i));
    if (i % 2 == 0) slot->depth = 0;
  }
  CHECK(visited.size() == keys.size());
  CHECK(visited.emplace(keys[4], 5).first->depth == 0);  // lowered by the caller
  CHECK(visited.emplace(keys[5], 5).first->depth == 5 % 97);
}

TEST_CASE("the shared visited set admits each key once across threads, lowers a depth only when asked, and wakes "
          "what slept") {
  using Admission = explore::SharedVisitedSet::Admission;
  explore::SharedVisitedSet visited;
  uint16_t wake = 0;
  CHECK(visited.admit(7, 10, true, true, 0, wake) == Admission::kAdded);
  CHECK(visited.admit(7, 12, true, true, 0, wake) == Admission::kSeen);
  CHECK(visited.admit(7, 4, false, true, 0, wake) == Admission::kSeen);
  CHECK(visited.admit(7, 4, true, true, 0b1110, wake) == Admission::kLowered);  // the sleep set of the new arrival
  CHECK(visited.admit(7, 5, true, true, 0b1110, wake) == Admission::kSeen);    // 4 stays
  // Events asleep then and awake now are woken. Deeper than stored, they
  // stay asleep in the entry (taken with less of the bound left); at the
  // stored depth the entry keeps what both held.
  CHECK(visited.admit(7, 5, true, true, 0b0110, wake) == Admission::kWoken);
  CHECK(wake == 0b1000);
  CHECK(visited.admit(7, 4, true, true, 0b0110, wake) == Admission::kWoken);
  CHECK(wake == 0b1000);
  CHECK(visited.admit(7, 4, true, true, 0b0111, wake) == Admission::kSeen);
  CHECK(wake == 0);
  CHECK(visited.admit(7, 4, true, false, 0b0001, wake) == Admission::kSeen);  // a leaf takes nothing
  CHECK(visited.admit(7, 4, true, true, 0b0001, wake) == Admission::kWoken);
  CHECK(wake == 0b0110);
  // Two threads admit overlapping halves of 200,000 keys: each key is added
  // by exactly one of them.
  constexpr uint64_t kKeys = 200'000;
  std::array<uint64_t, 2> added{};
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 2; ++t) {
    threads.emplace_back([&visited, &added, t] {
      for (uint64_t i = t * kKeys / 4; i < t * kKeys / 4 + 3 * kKeys / 4; ++i) {
        uint16_t woken = 0;
        if (visited.admit(mix64(i + 1), 1, true, true, 0, woken) == Admission::kAdded) ++added[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(added[0] + added[1] == kKeys);
  CHECK(visited.size() == kKeys + 1);
}

// One key, one future for the verdicts too: two states merge only when the
// scenario's checks read the same of the paths that led there. With a
// convergence bound: the last fault's time while the bound may still be
// compared with the time since, and whether the cluster settled in time.
TEST_CASE("a state's key covers what the checks read of its path, and no more") {
  Json document = load_scenario_document(explore_file("register-clean"));
  const auto covered_with = [&document](const Json& checks) {
    document["checks"] = checks;
    return explore::judged_path_data_of(parse_scenario(document, "register-clean"));
  };
  const explore::JudgedPathData history_only = covered_with(Json::array({"linearizable"}));
  CHECK_FALSE(history_only.operation_times);
  CHECK_FALSE(history_only.health_times);
  CHECK(history_only.convergence_bounds.empty());
  const explore::JudgedPathData stalls = covered_with(Json::array({{{"writes_progress_within", "1s"}}}));
  CHECK(stalls.operation_times);
  CHECK(stalls.health_times);
  const explore::JudgedPathData convergence =
      covered_with(Json::array({"linearizable", {{"converges_within", "100ms"}}}));
  REQUIRE(convergence.convergence_bounds == std::vector<Duration>{Duration::ms(100)});
  CHECK_FALSE(convergence.operation_times);

  const Scenario scenario = parse_scenario(document, "register-clean");  // outlives the run, as it must
  RunInProgress progress(scenario, 1);
  progress.run_sampled_before(TimePoint::origin() + Duration::s(1));
  const TimePoint now = progress.run().world.now();
  REQUIRE(now >= TimePoint::origin() + Duration::ms(250));
  const auto digest = [&progress](const explore::JudgedPathData& covered, std::optional<TimePoint> fault,
                                  std::optional<TimePoint> settled) {
    ScenarioRun run = progress.run();
    run.last_fault_at = fault;
    run.converged_at = settled;
    Hasher h;
    explore::hash_judged_path_data(h, run, covered);
    return h.value();
  };
  const auto ago = [now](int64_t ms) { return std::optional<TimePoint>(now - Duration::ms(ms)); };
  const std::nullopt_t unsettled = std::nullopt;
  // Within the bound of now: when the fault came decides a later verdict.
  CHECK(digest(convergence, ago(50), unsettled) != digest(convergence, ago(60), unsettled));
  // Past it: decided alike for good, but not like no fault at all.
  CHECK(digest(convergence, ago(150), unsettled) == digest(convergence, ago(250), unsettled));
  CHECK(digest(convergence, ago(150), unsettled) != digest(convergence, std::nullopt, unsettled));
  // Settled: in time or late, not when.
  CHECK(digest(convergence, ago(250), ago(200)) == digest(convergence, ago(240), ago(190)));
  CHECK(digest(convergence, ago(250), ago(200)) != digest(convergence, ago(250), ago(100)));
  CHECK(digest(convergence, ago(250), ago(200)) != digest(convergence, ago(250), unsettled));
  // A search with the history's checks only merges all of these.
  CHECK(digest(history_only, ago(50), unsettled) == digest(history_only, ago(250), ago(200)));

  // The key holds them, and the history's digest holds the operations' times when asked.
  explore::SearchNode node{.run = progress};
  REQUIRE_FALSE(progress.run().history.empty());
  CHECK(explore::state_key(node, nullptr, history_only) != explore::state_key(node, nullptr, convergence));
  explore::SearchNode timed = node;
  explore::fold_history(node, false);
  explore::fold_history(timed, true);
  CHECK(node.history_digest != timed.history_digest);
  CHECK(explore::state_key(node, nullptr, history_only) != explore::state_key(timed, nullptr, history_only));
  // A value is hashed whole (a protocol's values may become strings or lists), and the operation's name.
  const auto event_digest = [](const checker::Edn& value) {
    checker::HistoryEvent event;
    event.value = value;
    Hasher h;
    explore::hash_history_event(h, event, false);
    return h.value();
  };
  checker::Edn text, other_text, list, other_list;
  text.kind = other_text.kind = checker::Edn::Kind::kString;
  text.text = "a";
  other_text.text = "b";
  list.kind = other_list.kind = checker::Edn::Kind::kVector;
  list.items = {text};
  other_list.items = {other_text};
  CHECK(event_digest(text) != event_digest(other_text));
  CHECK(event_digest(list) != event_digest(other_list));
  CHECK(event_digest(list) == event_digest(list));  // a hash, not an address
  checker::HistoryEvent named, renamed;
  named.where = "c1 op 1";
  renamed.where = "c1 op 2";
  Hasher named_hash, renamed_hash;
  explore::hash_history_event(named_hash, named, false);
  explore::hash_history_event(renamed_hash, renamed, false);
  CHECK(named_hash.value() != renamed_hash.value());  // a failure's details quote the name
  // The register's read check compares times; its durability check and FastCFS's checks do not.
  CHECK(covered_with(Json::array({"invariants"})).operation_times);
  CHECK_FALSE(covered_with(Json::array({"no_lost_acked_writes"})).operation_times);
}

namespace {

// The register with two clients writing once each, searched to 20 s: small
// enough for a complete search with crashes.
Json two_writers_once_document() {
  Json document = load_scenario_document(explore_file("register-clean"));
  document["workload"]["clients"] = 2;
  document["workload"]["ops_max"] = 1;
  document["workload"]["mix"] = {{"write", 1.0}, {"read", 0.0}};
  document["duration"] = "20s";
  return document;
}

}  // namespace

// One key must stand for one future: two states merged under a key that
// part at their next step (they differed in what the world hands out next,
// a disk operation's id, say) make which states a search covers depend on
// the order it takes them in. Until stop 36 a DFS in another order covered
// 50,288 states here, BFS and DFS 50,262.
TEST_CASE("a complete search covers the same states in any order: BFS, DFS, DFS with its successors shuffled") {
  const Json document = two_writers_once_document();
  explore::ExploreOptions bfs_options = options_in("order-bfs");
  bfs_options.fault_types = {"crash"};
  const explore::ExploreResult bfs = search("register-clean", bfs_options, &document);
  REQUIRE(bfs.summary["complete"] == true);
  const uint64_t states = bfs.summary["states_distinct"].get<uint64_t>();
  for (uint64_t seed : {0, 1, 2}) {
    CAPTURE(seed);
    explore::ExploreOptions dfs_options = options_in("order-dfs");
    dfs_options.fault_types = {"crash"};
    dfs_options.strategy = "dfs";
    if (seed > 0) dfs_options.shuffle_seed = seed;
    const explore::ExploreResult dfs = search("register-clean", dfs_options, &document);
    CHECK(dfs.summary["violation"].is_null());
    CHECK(dfs.summary["stopped_by"].is_null());
    CHECK(dfs.summary["states_distinct"].get<uint64_t>() == states);
  }
}

// On several threads, whichever admits a state first searches it: the same
// states, whatever the timing was. The orbits' digest (a sum over the
// states' orbits, in any order) shows the same set, not only as many.
TEST_CASE("a complete DFS on several threads admits the states one thread admits") {
  const Json document = two_writers_once_document();
  explore::ExploreOptions one = options_in("dfs-threads");
  one.fault_types = {"crash"};
  one.strategy = "dfs";
  one.symmetry = "count";
  const explore::ExploreResult single = search("register-clean", one, &document);
  REQUIRE(single.summary["complete"] == true);
  CHECK_FALSE(single.summary.contains("dfs_threads"));
  for (unsigned jobs : {2u, 3u}) {
    CAPTURE(jobs);
    explore::ExploreOptions several = one;
    several.jobs = jobs;
    const explore::ExploreResult dfs = search("register-clean", several, &document);
    CHECK(dfs.summary["complete"] == true);
    CHECK(dfs.summary["dfs_threads"] == jobs);
    CHECK(dfs.summary["states_distinct"] == single.summary["states_distinct"]);
    CHECK(dfs.summary["symmetry"]["orbits"] == single.summary["symmetry"]["orbits"]);
    CHECK(dfs.summary["symmetry"]["orbit_digest"] == single.summary["symmetry"]["orbit_digest"]);
  }
  // Cut by the state bound: stopped, not complete, at most jobs - 1 states past it.
  explore::ExploreOptions cut = one;
  cut.jobs = 2;
  cut.states_max = 5'000;
  const explore::ExploreResult stopped = search("register-clean", cut, &document);
  CHECK(stopped.exit_code == 3);
  CHECK(stopped.summary["stopped_by"] == "states_max");
  CHECK(stopped.summary["complete"] == false);
  CHECK(stopped.summary["states_distinct"].get<uint64_t>() >= 5'000);
  CHECK(stopped.summary["states_distinct"].get<uint64_t>() <= 5'001);
}

// A violation found on several threads is found again on one, so the
// summary and the counterexample do not depend on the threads' timing.
TEST_CASE("a DFS on several threads that finds a violation reports the one-thread DFS's counterexample") {
  explore::ExploreOptions one = options_in("dfs-threads-1");
  one.strategy = "dfs";
  one.jobs = 1;
  explore::ExploreOptions two = one;
  two.out_dir = out_dir("dfs-threads-2");
  two.jobs = 2;
  const explore::ExploreResult a = search("register-canary", one);
  std::ostringstream progress;
  const std::string file = explore_file("register-canary");
  const explore::ExploreResult b = explore::explore(load_scenario_document(file), file, two, progress);
  REQUIRE(a.exit_code == 1);
  REQUIRE(b.exit_code == 1);
  CHECK(progress.str().find("the DFS runs again on one thread") != std::string::npos);
  Json summary_a = a.summary, summary_b = b.summary;
  for (Json* s : {&summary_a, &summary_b}) {
    s->at("violation").erase("file");
    s->at("violation").erase("run_dir");
  }
  CHECK(summary_a == summary_b);
  CHECK_FALSE(summary_b.contains("dfs_threads"));
  const auto read = [](const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(read(std::filesystem::path(one.out_dir) / "counterexample.json") ==
        read(std::filesystem::path(two.out_dir) / "counterexample.json"));
}

// When the one-thread DFS run again for the counterexample ends without the
// violation (here its state bound, cut to one state), the threads' own
// violation is reported: replayed like any other, with the summary saying
// whose counts and violation these are.
TEST_CASE("a DFS on several threads reports its threads' violation when the one-thread rerun ends without it") {
  explore::ExploreOptions two = options_in("dfs-threads-rerun-cut");
  two.strategy = "dfs";
  two.jobs = 2;
  two.rerun_states_max = 1;
  std::ostringstream progress;
  const std::string file = explore_file("register-canary");
  const explore::ExploreResult cut = explore::explore(load_scenario_document(file), file, two, progress);
  REQUIRE(cut.exit_code == 1);
  CHECK(progress.str().find("the one-thread DFS ended (states_max) without the violation") != std::string::npos);
  CHECK(cut.summary["dfs_threads"] == 2);
  CHECK(cut.summary["dfs_rerun_ended"] == "states_max");
  CHECK(cut.summary["stopped_by"].is_null());
  // The rerun's counts: the bound is checked as a state is admitted, so the
  // root and its first child.
  CHECK(cut.summary["states_distinct"] == 2);
  const Json& violation = cut.summary["violation"];
  CHECK(violation["replayed"] == true);
  CHECK(violation["signature"] == Json::array({"linearizable"}));
  const Scenario replay = load_scenario_file(violation["file"].get<std::string>());
  CHECK(failed_checks(run_scenario(replay, replay.seed)) == std::vector<std::string>{"linearizable"});
}

// Search::Reuse: a state's last successor takes the state's run. With fixed
// latencies a step asks at most which tied event goes first, so the guess
// of the last successor holds; with uniform ones a step that sends asks
// for each message's delay, the guess fails, and the state is rebuilt from
// the root for the successors after it. Either way the search reaches the
// states, and the verdicts, that copying every successor reaches.
TEST_CASE("a state's last successor reuses its run, a wrong guess rebuilds it, and the search is the same as copying") {
  for (const std::string latency : {"fixed", "uniform"}) {
    Json document = two_writers_once_document();
    if (latency == "uniform") document["network"]["latency"] = {{"dist", "uniform"}, {"min", "1ms"}, {"max", "3ms"}};
    for (const std::string strategy : {"dfs", "bfs"}) {
      CAPTURE(latency);
      CAPTURE(strategy);
      explore::ExploreOptions reusing = options_in("reuse");
      reusing.fault_types = {"crash"};
      reusing.strategy = strategy;
      reusing.jobs = 2;
      reusing.states_max = 20'000;
      explore::ExploreOptions copying = reusing;
      copying.out_dir = out_dir("copy");
      copying.reuse_runs = false;
      if (strategy == "dfs") reusing.jobs = copying.jobs = 1;
      Json reused = search("register-clean", reusing, &document).summary;
      Json copied = search("register-clean", copying, &document).summary;
      CHECK(copied["reused"] == Json{{"states", 0}, {"rebuilt", 0}, {"transitions_replayed", 0}});
      const uint64_t states = reused["reused"]["states"].get<uint64_t>();
      const uint64_t rebuilt = reused["reused"]["rebuilt"].get<uint64_t>();
      // Fixed: every state with a step reuses its run. Uniform: the
      // rebuilds soon cost more than the copies saved, and reusing pauses.
      if (latency == "fixed") {
        CHECK(states > 1000);
        CHECK(rebuilt == 0);
      } else {
        CHECK(states > 0);
        CHECK(rebuilt > 0);
      }
      CHECK((rebuilt == 0) == (reused["reused"]["transitions_replayed"] == 0));
      if (strategy == "bfs") {  // decided per chunk: the same on one thread, rebuilds and all
        explore::ExploreOptions one_thread = reusing;
        one_thread.out_dir = out_dir("reuse-1");
        one_thread.jobs = 1;
        const Json single = search("register-clean", one_thread, &document).summary;
        CHECK(single["reused"] == reused["reused"]);
        CHECK(single["states_distinct"] == reused["states_distinct"]);
      }
      reused.erase("reused");
      copied.erase("reused");
      CHECK(reused == copied);
    }
  }
  // The canary's counterexample, found and shrunk either way: the same file.
  for (const std::string strategy : {"dfs", "bfs"}) {
    CAPTURE(strategy);
    explore::ExploreOptions reusing = options_in("reuse-canary");
    reusing.strategy = strategy;
    explore::ExploreOptions copying = reusing;
    copying.out_dir = out_dir("copy-canary");
    copying.reuse_runs = false;
    const Json reused = search("register-canary", reusing).summary;
    const Json copied = search("register-canary", copying).summary;
    CHECK(reused["reused"]["states"].get<uint64_t>() > 0);
    REQUIRE(reused["violation"].is_object());
    REQUIRE(copied["violation"].is_object());
    CHECK(counterexample_text(reused) == counterexample_text(copied));
    CHECK(reused["violation"]["signature"] == copied["violation"]["signature"]);
  }
}
