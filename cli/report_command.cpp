#include "cli/report_command.h"

namespace replsim::cli {

int run_report(const ReportOptions& options, std::ostream& out) { return harness::report_folders(options, out); }

}  // namespace replsim::cli
