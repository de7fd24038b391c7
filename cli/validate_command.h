// `replsim validate FILE...`: checks scenario files without running them.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace replsim::cli {

// Prints one line per file; returns 0 when all are valid, 2 otherwise.
int run_validate(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

}  // namespace replsim::cli
