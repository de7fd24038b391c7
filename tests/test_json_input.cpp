#include <doctest/doctest.h>

#include "harness/engine_config.h"
#include "base/input_error.h"
#include "base/json_input.h"
#include "sim/disk.h"
#include "sim/network.h"

using namespace replsim;
using replsim::harness::read_disk_config;
using replsim::harness::read_link_config;

TEST_CASE("probabilities must be numbers from 0 to 1") {
  CHECK(read_probability(Json(0.25), "/p") == 0.25);
  CHECK(read_probability(Json(0), "/p") == 0.0);
  CHECK(read_probability(Json(1), "/p") == 1.0);
  for (const Json& bad : {Json(-0.1), Json(1.5), Json("0.5"), Json(nullptr), Json::array({0.5})}) {
    CAPTURE(bad.dump());
    try {
      read_probability(bad, "/network/loss");
      FAIL("accepted a bad probability");
    } catch (const InputError& error) {
      CHECK(error.path() == "/network/loss");
      CHECK(error.expected().find("[0, 1]") != std::string::npos);
      CHECK(error.found() == describe_json(bad));
    }
  }
}

TEST_CASE("unknown keys are errors with a did-you-mean hint") {
  try {
    reject_unknown_keys(Json::parse(R"({"latency": "1ms", "los": 0.1})"), "/network", {"latency", "loss"});
    FAIL("accepted an unknown key");
  } catch (const InputError& error) {
    CHECK(error.path() == "/network/los");
    CHECK(error.found().find("did you mean \"loss\"") != std::string::npos);
  }
  try {
    reject_unknown_keys(Json::parse(R"({"zzzzzz": 1})"), "", {"latency", "loss"});
    FAIL("accepted an unknown key");
  } catch (const InputError& error) {
    CHECK(error.found().find("did you mean") == std::string::npos);
  }
}

TEST_CASE("json paths escape keys as JSON Pointer does") {
  CHECK(json_path("/a", "b") == "/a/b");
  CHECK(json_path("/a", "x/y~z") == "/a/x~1y~0z");
  CHECK(json_path("/faults", size_t{3}) == "/faults/3");
}

TEST_CASE("link configs read every knob and reject bad ones") {
  const LinkConfig base;
  const LinkConfig config = read_link_config(
      Json::parse(R"({"latency": {"dist": "fixed", "value": "1ms"}, "loss": 0.1, "duplicate": 0.2, "reorder": 0.3})"),
      "/network", base);
  CHECK(config.latency == Distribution::fixed(Duration::ms(1)));
  CHECK(config.loss == 0.1);
  CHECK(config.duplicate == 0.2);
  CHECK(config.reorder == 0.3);
  CHECK(read_link_config(Json::parse(R"({"loss": 0.5})"), "/n", base).latency == base.latency);
  CHECK_THROWS_AS(read_link_config(Json::parse(R"({"loss": 2})"), "/n", base), InputError);
  CHECK_THROWS_AS(read_link_config(Json::parse(R"({"latency": "fast"})"), "/n", base), InputError);
  CHECK_THROWS_AS(read_link_config(Json::parse(R"([1])"), "/n", base), InputError);
}

TEST_CASE("read_choice suggests the closest valid value") {
  try {
    read_choice(Json("majorty"), "/protocol/options/election_quorum", {"auto", "any", "majority"});
    FAIL("accepted a bad choice");
  } catch (const InputError& error) {
    CHECK(error.found().find("did you mean \"majority\"") != std::string::npos);
    CHECK(error.expected().find("\"auto\", \"any\", \"majority\"") != std::string::npos);
  }
}

TEST_CASE("disk configs read latencies and knobs and reject bad ones") {
  const DiskConfig base;
  const DiskConfig config = read_disk_config(
      Json::parse(R"({"write_latency": "50us", "fsync_latency": {"dist": "lognormal", "median": "2ms", "p99": "20ms"},
                      "torn_write_probability": 0, "slow_factor": 5})"),
      "/disk", base);
  CHECK(config.write_latency == Distribution::fixed(Duration::us(50)));
  CHECK(config.fsync_latency == Distribution(LogNormalDist{Duration::ms(2), Duration::ms(20)}));
  CHECK(config.read_latency == base.read_latency);
  CHECK(config.torn_write_probability == 0.0);
  CHECK(config.slow_factor == 5);
  for (const char* bad : {R"({"slow_factor": 0})", R"({"slow_factor": 2.5})", R"({"fsync_latency": 3})",
                          R"({"torn_write_probability": 1.1})", R"({"fsync": "1ms"})"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(read_disk_config(Json::parse(bad), "/disk", base), InputError);
  }
}
