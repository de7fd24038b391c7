#include "checker/edn.h"

#include <cctype>
#include <charconv>

namespace replsim::checker {
namespace {
constexpr int kDepthMax = 256;  // nesting bound: a malformed file cannot exhaust the stack

bool is_delimiter(char c) {
  return c == '\0' || std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' || c == '[' ||
         c == ']' || c == '{' || c == '}' || c == '"' || c == ';';
}
}  // namespace

const Edn* Edn::get(std::string_view keyword) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_keyword(keyword)) return &items[i + 1];
  }
  return nullptr;
}

std::string Edn::to_string() const {
  const auto join = [&](const char* open, const char* close) {
    std::string out = open;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ' ';
      out += items[i].to_string();
    }
    return out + close;
  };
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kFloat: return std::to_string(floating);
    case Kind::kString: {
      std::string out = "\"";
      for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Kind::kKeyword: return ":" + text;
    case Kind::kSymbol: return text;
    case Kind::kVector: return join("[", "]");
    case Kind::kList: return join("(", ")");
    case Kind::kMap: return join("{", "}");
    case Kind::kSet: return join("#{", "}");
  }
  return "?";
}

char EdnReader::take() {
  const char c = text_[pos_++];
  if (c == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  return c;
}

void EdnReader::fail(const std::string& what) const { throw EdnError(line_, column_, what); }

void EdnReader::skip_space() {
  while (pos_ < text_.size()) {
    const char c = peek();
    if (c == ';') {
      while (pos_ < text_.size() && peek() != '\n') take();
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      take();
    } else {
      return;
    }
  }
}

bool EdnReader::more() {
  skip_space();
  return pos_ < text_.size();
}

Edn EdnReader::read() {
  skip_space();
  if (pos_ >= text_.size()) fail("expected a value, found the end of the input");
  const int line = line_;
  const int column = column_;
  Edn value;
  const char c = peek();
  if (c == '[' || c == '(' || c == '{') {
    take();
    if (++depth_ > kDepthMax) fail("nesting deeper than 256 levels");
    value = c == '[' ? read_collection(Edn::Kind::kVector, ']')
                     : c == '(' ? read_collection(Edn::Kind::kList, ')') : read_collection(Edn::Kind::kMap, '}');
    --depth_;
    if (value.kind == Edn::Kind::kMap && value.items.size() % 2 != 0) fail("a map needs an even number of forms");
  } else if (c == '#') {
    take();
    if (peek() == '{') {
      take();
      if (++depth_ > kDepthMax) fail("nesting deeper than 256 levels");
      value = read_collection(Edn::Kind::kSet, '}');
      --depth_;
    } else if (peek() == '_') {
      take();
      read();  // discard the next form
      return read();
    } else {
      read_token();     // the tag
      return read();    // the tagged value stands for itself
    }
  } else if (c == '"') {
    value = read_string();
  } else if (c == ')' || c == ']' || c == '}') {
    fail(std::string("unexpected '") + c + "'");
  } else {
    value = read_token();
  }
  value.line = line;
  value.column = column;
  return value;
}

Edn EdnReader::read_collection(Edn::Kind kind, char close) {
  Edn value;
  value.kind = kind;
  while (true) {
    skip_space();
    if (pos_ >= text_.size()) fail(std::string("expected '") + close + "' before the end of the input");
    if (peek() == close) {
      take();
      return value;
    }
    value.items.push_back(read());
  }
}

Edn EdnReader::read_string() {
  take();  // opening quote
  Edn value;
  value.kind = Edn::Kind::kString;
  while (true) {
    if (pos_ >= text_.size()) fail("a string is not closed");
    const char c = take();
    if (c == '"') return value;
    if (c != '\\') {
      value.text += c;
      continue;
    }
    if (pos_ >= text_.size()) fail("a string is not closed");
    const char escaped = take();
    switch (escaped) {
      case 'n': value.text += '\n'; break;
      case 't': value.text += '\t'; break;
      case 'r': value.text += '\r'; break;
      case '"': value.text += '"'; break;
      case '\\': value.text += '\\'; break;
      default: fail(std::string("unknown escape '\\") + escaped + "' in a string");
    }
  }
}

Edn EdnReader::read_token() {
  const size_t start = pos_;
  while (!is_delimiter(peek())) take();
  const std::string_view token = text_.substr(start, pos_ - start);
  if (token.empty()) fail("expected a value");
  Edn value;
  if (token == "nil") return value;
  if (token == "true" || token == "false") {
    value.kind = Edn::Kind::kBool;
    value.boolean = token == "true";
    return value;
  }
  if (token[0] == ':') {
    if (token.size() == 1) fail("an empty keyword");
    value.kind = Edn::Kind::kKeyword;
    value.text = std::string(token.substr(1));
    return value;
  }
  const bool numeric = std::isdigit(static_cast<unsigned char>(token[0])) ||
                       ((token[0] == '-' || token[0] == '+') && token.size() > 1 &&
                        std::isdigit(static_cast<unsigned char>(token[1])));
  if (numeric) {
    std::string_view digits = token[0] == '+' ? token.substr(1) : token;
    if (!digits.empty() && digits.back() == 'N') digits.remove_suffix(1);  // bigint suffix
    int64_t integer = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
    if (error == std::errc() && end == digits.data() + digits.size()) {
      value.kind = Edn::Kind::kInt;
      value.integer = integer;
      return value;
    }
    double floating = 0;
    const auto [fend, ferror] = std::from_chars(digits.data(), digits.data() + digits.size(), floating);
    if (ferror == std::errc() && fend == digits.data() + digits.size()) {
      value.kind = Edn::Kind::kFloat;
      value.floating = floating;
      return value;
    }
    fail("a malformed number '" + std::string(token) + "'");
  }
  value.kind = Edn::Kind::kSymbol;
  value.text = std::string(token);
  return value;
}

}  // namespace replsim::checker
