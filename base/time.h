// Virtual time: signed 64-bit nanoseconds behind strong types.
//
// Duration is a span, TimePoint an instant on the simulation's true timeline
// (node-local clocks are derived from it in clock.h). They do not convert into
// each other or into integers implicitly, so a latency can never be passed
// where an instant is expected. Arithmetic is plain int64; the simulated spans
// (hours at most) are far from overflow, and the constructors from text bound
// their input.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace replsim {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration ns(int64_t v) { return Duration(v); }
  static constexpr Duration us(int64_t v) { return Duration(v * 1'000); }
  static constexpr Duration ms(int64_t v) { return Duration(v * 1'000'000); }
  static constexpr Duration s(int64_t v) { return Duration(v * 1'000'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(INT64_MAX / 4); }

  constexpr int64_t count_ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) { ns_ += o.ns_; return *this; }
  constexpr Duration& operator-=(Duration o) { ns_ -= o.ns_; return *this; }

 private:
  constexpr explicit Duration(int64_t v) : ns_(v) {}
  int64_t ns_ = 0;
};

class TimePoint {
 public:
  constexpr TimePoint() = default;
  static constexpr TimePoint from_ns(int64_t v) { return TimePoint(v); }
  static constexpr TimePoint origin() { return TimePoint(0); }

  constexpr int64_t ns_since_origin() const { return ns_; }
  constexpr Duration since_origin() const { return Duration::ns(ns_); }

  constexpr auto operator<=>(const TimePoint&) const = default;
  constexpr TimePoint operator+(Duration d) const { return TimePoint(ns_ + d.count_ns()); }
  constexpr TimePoint operator-(Duration d) const { return TimePoint(ns_ - d.count_ns()); }
  constexpr Duration operator-(TimePoint o) const { return Duration::ns(ns_ - o.ns_); }
  constexpr TimePoint& operator+=(Duration d) { ns_ += d.count_ns(); return *this; }

 private:
  constexpr explicit TimePoint(int64_t v) : ns_(v) {}
  int64_t ns_ = 0;
};

// Parses "250us", "1.5s", "2m", "100ns", "20ms", "1h". A bare number, an
// unknown unit, a negative value or a value past 1000 hours is an InputError
// naming `path` and the text. Fractions are exact to the nanosecond: the
// decimal digits are parsed as integers, never through a double.
Duration parse_duration(std::string_view text, const std::string& path);

// Exact rendering in the largest of s, ms, us, ns the value reaches:
// "1.5s", "250us", "27.479253ms", "0s"; parse_duration reads it back.
std::string format_duration(Duration d);

}  // namespace replsim
