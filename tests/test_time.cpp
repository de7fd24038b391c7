#include <doctest/doctest.h>

#include "base/input_error.h"
#include "base/time.h"

using namespace replsim;

TEST_CASE("durations parse with every unit, fractions exact to the nanosecond") {
  CHECK(parse_duration("250us", "x") == Duration::us(250));
  CHECK(parse_duration("1.5s", "x") == Duration::ms(1500));
  CHECK(parse_duration("2m", "x") == Duration::s(120));
  CHECK(parse_duration("1h", "x") == Duration::s(3600));
  CHECK(parse_duration("100ns", "x") == Duration::ns(100));
  CHECK(parse_duration("20ms", "x") == Duration::ms(20));
  CHECK(parse_duration("0s", "x") == Duration::zero());
  CHECK(parse_duration("0.000000001s", "x") == Duration::ns(1));
  CHECK(parse_duration("1.000000001s", "x") == Duration::ns(1'000'000'001));
  CHECK(parse_duration(".5s", "x") == Duration::ms(500));
  CHECK(parse_duration("1.25m", "x") == Duration::s(75));
}

TEST_CASE("format_duration reads back to the same value") {
  for (int64_t ns : {0LL, 1LL, 999LL, 1'000LL, 1'500LL, 27'479'253LL, 1'000'000'000LL, 1'500'000'000LL,
                     123'456'789'012LL, 3'600'000'000'000LL}) {
    const Duration d = Duration::ns(ns);
    CAPTURE(ns);
    CHECK(parse_duration(format_duration(d), "x") == d);
  }
  CHECK(format_duration(Duration::ms(1500)) == "1.5s");
  CHECK(format_duration(Duration::us(250)) == "250us");
  CHECK(format_duration(Duration::ns(27'479'253)) == "27.479253ms");
}

TEST_CASE("bad duration text names the path and the text") {
  for (const char* bad : {"", "5", "1.5", "ms", "-1s", "1..5s", "1.s", "5 s", "5sec", "1e3ms", "0.5ns",
                          "1.0000000001s", "1001h", "99999999999999999999s", "s5"}) {
    CAPTURE(bad);
    try {
      parse_duration(bad, "/network/latency/min");
      FAIL("accepted a bad duration");
    } catch (const InputError& error) {
      CHECK(error.path() == "/network/latency/min");
      CHECK(error.found() == std::string("\"") + bad + "\"");
      CHECK(error.expected().find("unit") != std::string::npos);
    }
  }
}

TEST_CASE("time points and durations do arithmetic without mixing") {
  const TimePoint t = TimePoint::origin() + Duration::s(2);
  CHECK(t - TimePoint::origin() == Duration::s(2));
  CHECK(t + Duration::ms(5) > t);
  CHECK((t - Duration::s(1)).ns_since_origin() == 1'000'000'000);
  static_assert(!std::is_convertible_v<Duration, TimePoint>);
  static_assert(!std::is_convertible_v<int64_t, Duration>);
}
