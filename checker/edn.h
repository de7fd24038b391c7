// A small EDN reader: enough of the format for Jepsen and Knossos histories.
//
// Supported: nil, true, false, integers, strings, keywords, symbols, vectors,
// lists, maps and sets; commas are whitespace and ';' starts a comment. Tagged
// literals (#inst "...") keep their value and drop the tag. Errors carry the
// line and column.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace replsim::checker {

struct Edn {
  enum class Kind : uint8_t { kNil, kBool, kInt, kFloat, kString, kKeyword, kSymbol, kVector, kList, kMap, kSet };
  Kind kind = Kind::kNil;
  bool boolean = false;
  int64_t integer = 0;
  double floating = 0;
  std::string text;                          // string, keyword (without ':'), symbol
  std::vector<Edn> items;                    // vector, list, set; a map's keys and values alternate
  int line = 0;
  int column = 0;

  bool is_keyword(std::string_view name) const { return kind == Kind::kKeyword && text == name; }
  // For maps: the value under keyword `name`, or nullptr.
  const Edn* get(std::string_view keyword) const;
  // Canonical text: nil, 3, "abc", :kw, [1 2], {:a 1}.
  std::string to_string() const;
};

class EdnError : public std::runtime_error {
 public:
  EdnError(int line, int column, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what),
        line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

class EdnReader {
 public:
  explicit EdnReader(std::string_view text) : text_(text) {}
  // Skips whitespace and comments; false at the end of the input.
  bool more();
  Edn read();
  int line() const { return line_; }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  char take();
  [[noreturn]] void fail(const std::string& what) const;
  void skip_space();
  Edn read_collection(Edn::Kind kind, char close);
  Edn read_string();
  Edn read_token();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  int depth_ = 0;
};

}  // namespace replsim::checker
