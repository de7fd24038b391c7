// Path-aware readers for user-supplied JSON (scenario files, configs).
//
// Every reader takes the JSON Pointer of the value it reads ("/network/loss")
// and throws InputError naming that path, what was expected and what was
// found. Unknown keys are errors with a "did you mean" hint, never ignored,
// because a misspelt fault option that silently does nothing is the worst
// kind of test.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace replsim {

using Json = nlohmann::json;

// "/a" + "b" -> "/a/b"; keys are escaped as JSON Pointer requires.
std::string json_path(const std::string& parent, std::string_view key);
std::string json_path(const std::string& parent, size_t index);

// A short human description of a JSON value for error messages:
// `the string "abc"`, `the number 3`, `an array of 2 items`.
std::string describe_json(const Json& value);

// The closest candidate by edit distance, or "" when none is close enough.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);
inline std::string closest_match(std::string_view word, std::initializer_list<std::string_view> candidates) {
  return closest_match(word, std::vector<std::string_view>(candidates));
}

void expect_object(const Json& value, const std::string& path);
void reject_unknown_keys(const Json& object, const std::string& path, const std::vector<std::string_view>& allowed);
inline void reject_unknown_keys(const Json& object, const std::string& path,
                                std::initializer_list<std::string_view> allowed) {
  reject_unknown_keys(object, path, std::vector<std::string_view>(allowed));
}
const Json& require_key(const Json& object, std::string_view key, const std::string& path);

std::string read_string(const Json& value, const std::string& path);
double read_number(const Json& value, const std::string& path);
Duration read_duration(const Json& value, const std::string& path);
// A number in [0, 1].
double read_probability(const Json& value, const std::string& path);
// One of `choices`; a near miss gets a hint.
std::string read_choice(const Json& value, const std::string& path, const std::vector<std::string_view>& choices);
inline std::string read_choice(const Json& value, const std::string& path,
                               std::initializer_list<std::string_view> choices) {
  return read_choice(value, path, std::vector<std::string_view>(choices));
}
// For lists kept as strings.
std::vector<std::string_view> as_views(const std::vector<std::string>& words);

}  // namespace replsim
