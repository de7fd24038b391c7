// `replsim report DIR [DIR2] [--format html|md] [--out FILE]`: rebuilds a
// run's or a campaign's HTML page from what the folder holds, prints it as
// Markdown, or compares two folders side by side (harness/report_files.h).
#pragma once

#include <ostream>

#include "harness/report_files.h"

namespace replsim::cli {

using harness::ReportOptions;
int run_report(const ReportOptions& options, std::ostream& out);

}  // namespace replsim::cli
