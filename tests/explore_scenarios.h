// The explorer's scenario files (scenarios/explore/), shared by its tests.
#pragma once

#include <string>

namespace replsim::test {

inline std::string explore_file(const std::string& name) {
  return std::string(REPLSIM_SOURCE_DIR) + "/scenarios/explore/" + name + ".json";
}

}  // namespace replsim::test
