#include "base/time.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "base/input_error.h"

namespace replsim {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t ns;
};

// Longest suffixes first so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 6> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

constexpr int64_t kLimitNs = 1000LL * 3'600'000'000'000LL;  // 1000 hours
constexpr int kFractionDigitsMax = 9;

std::string quoted(std::string_view text) { return fmt::format("\"{}\"", text); }

[[noreturn]] void reject(std::string_view text, const std::string& path) {
  throw InputError(path,
                   "a duration string with a unit (ns, us, ms, s, m, h), e.g. \"250us\" or "
                   "\"1.5s\", between 0 and 1000h",
                   quoted(text));
}

}  // namespace

Duration parse_duration(std::string_view text, const std::string& path) {
  size_t pos = 0;
  int64_t whole = 0;
  size_t whole_digits = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (whole_digits >= 15) reject(text, path);  // bounded before overflow
    whole = whole * 10 + (text[pos] - '0');
    ++whole_digits;
    ++pos;
  }
  int64_t fraction = 0;
  int fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (fraction_digits >= kFractionDigitsMax) reject(text, path);
      fraction = fraction * 10 + (text[pos] - '0');
      ++fraction_digits;
      ++pos;
    }
    if (fraction_digits == 0) reject(text, path);
  }
  if (whole_digits == 0 && fraction_digits == 0) reject(text, path);

  const std::string_view suffix = text.substr(pos);
  for (const Unit& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    if (whole > kLimitNs / unit.ns) reject(text, path);
    int64_t scale = 1;
    for (int i = 0; i < fraction_digits; ++i) scale *= 10;
    // fraction/scale of a unit; exact while unit.ns * fraction fits, which it
    // does for 9 digits and units up to an hour (3.6e12 * 1e9 overflows, so
    // divide first for large units and keep the remainder).
    const int64_t sub_scale_product = (unit.ns % scale) * fraction;
    if (sub_scale_product % scale != 0) reject(text, path);  // finer than 1ns
    const int64_t fraction_ns = (unit.ns / scale) * fraction + sub_scale_product / scale;
    const int64_t total = whole * unit.ns + fraction_ns;
    if (total > kLimitNs) reject(text, path);
    return Duration::ns(total);
  }
  reject(text, path);
}

std::string format_duration(Duration d) {
  int64_t ns = d.count_ns();
  std::string sign;
  if (ns < 0) {
    sign = "-";
    ns = -ns;
  }
  if (ns == 0) return "0s";
  // The largest of s, ms, us, ns that the value reaches, with every
  // remaining digit kept, so the text reads back to the same nanosecond.
  struct Scale {
    std::string_view suffix;
    int64_t ns;
    int digits;
  };
  constexpr std::array<Scale, 4> kScales{{{"s", 1'000'000'000, 9}, {"ms", 1'000'000, 6}, {"us", 1'000, 3}, {"ns", 1, 0}}};
  for (const Scale& scale : kScales) {
    if (ns < scale.ns && scale.ns != 1) continue;
    const int64_t remainder = ns % scale.ns;
    if (remainder == 0) return fmt::format("{}{}{}", sign, ns / scale.ns, scale.suffix);
    std::string digits = fmt::format("{:0{}d}", remainder, scale.digits);
    digits.erase(digits.find_last_not_of('0') + 1);
    return fmt::format("{}{}.{}{}", sign, ns / scale.ns, digits, scale.suffix);
  }
  return fmt::format("{}{}ns", sign, ns);
}

}  // namespace replsim
