#include "base/json_input.h"

#include <algorithm>
#include <vector>

#include "base/input_error.h"

namespace replsim {

std::string json_path(const std::string& parent, std::string_view key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') escaped += "~0";
    else if (c == '/') escaped += "~1";
    else escaped += c;
  }
  return parent + "/" + escaped;
}

std::string json_path(const std::string& parent, size_t index) {
  return parent + "/" + std::to_string(index);
}

std::string describe_json(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return std::string("the boolean ") + (value.get<bool>() ? "true" : "false");
    case Json::value_t::string: return "the string " + value.dump();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "the number " + value.dump();
    case Json::value_t::array: return "an array of " + std::to_string(value.size()) + " items";
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string list_choices(const std::vector<std::string_view>& choices) {
  std::string text;
  for (std::string_view choice : choices) {
    if (!text.empty()) text += ", ";
    text += "\"" + std::string(choice) + "\"";
  }
  return text;
}

}  // namespace

std::vector<std::string_view> as_views(const std::vector<std::string>& words) {
  return std::vector<std::string_view>(words.begin(), words.end());
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    const size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

void expect_object(const Json& value, const std::string& path) {
  if (!value.is_object()) throw InputError(path, "an object", describe_json(value));
}

void reject_unknown_keys(const Json& object, const std::string& path, const std::vector<std::string_view>& allowed) {
  expect_object(object, path);
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string found = "the unknown key \"" + key + "\"";
    const std::string hint = closest_match(key, allowed);
    if (!hint.empty()) found += " (did you mean \"" + hint + "\"?)";
    throw InputError(json_path(path, key), "one of the keys " + list_choices(allowed), found);
  }
}

const Json& require_key(const Json& object, std::string_view key, const std::string& path) {
  expect_object(object, path);
  const auto it = object.find(key);
  if (it == object.end()) {
    throw InputError(json_path(path, key), "a value for the required key \"" + std::string(key) + "\"",
                     "nothing");
  }
  return *it;
}

std::string read_string(const Json& value, const std::string& path) {
  if (!value.is_string()) throw InputError(path, "a string", describe_json(value));
  return value.get<std::string>();
}

double read_number(const Json& value, const std::string& path) {
  if (!value.is_number()) throw InputError(path, "a number", describe_json(value));
  return value.get<double>();
}

Duration read_duration(const Json& value, const std::string& path) {
  if (!value.is_string()) {
    throw InputError(path, "a duration string with a unit, e.g. \"250us\" or \"1.5s\"",
                     describe_json(value));
  }
  return parse_duration(value.get_ref<const std::string&>(), path);
}

double read_probability(const Json& value, const std::string& path) {
  if (!value.is_number()) throw InputError(path, "a probability (a number in [0, 1])", describe_json(value));
  const double p = value.get<double>();
  if (!(p >= 0.0 && p <= 1.0)) throw InputError(path, "a probability (a number in [0, 1])", describe_json(value));
  return p;
}

std::string read_choice(const Json& value, const std::string& path, const std::vector<std::string_view>& choices) {
  const std::string text = read_string(value, path);
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  std::string found = describe_json(value);
  const std::string hint = closest_match(text, choices);
  if (!hint.empty()) found += " (did you mean \"" + hint + "\"?)";
  throw InputError(path, "one of " + list_choices(choices), found);
}

}  // namespace replsim
