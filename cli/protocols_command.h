// `replsim protocols [--json]`: the registered protocols and what each
// declares (roles, statuses, checks, the history model, note kinds).
#pragma once

#include <ostream>

namespace replsim::cli {

int run_protocols(bool json, std::ostream& out);

}  // namespace replsim::cli
