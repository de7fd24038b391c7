// The one error type for bad user input (scenario files, options, histories).
//
// It carries where the bad value is (a JSON path like "/network/latency/min",
// or a command-line option), what was expected and what was found, so every
// front end prints the same kind of message and exits with code 2. Nothing in
// the engine crashes on user input: parsers throw this instead.
#pragma once

#include <stdexcept>
#include <string>

namespace replsim {

class InputError : public std::runtime_error {
 public:
  InputError(std::string path, std::string expected, std::string found)
      : std::runtime_error(compose(path, expected, found)),
        path_(std::move(path)),
        expected_(std::move(expected)),
        found_(std::move(found)) {}

  const std::string& path() const { return path_; }
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }

 private:
  static std::string compose(const std::string& path, const std::string& expected,
                             const std::string& found) {
    std::string text = path.empty() ? std::string("input") : path;
    text += ": expected ";
    text += expected;
    text += ", found ";
    text += found;
    return text;
  }

  std::string path_;
  std::string expected_;
  std::string found_;
};

}  // namespace replsim
