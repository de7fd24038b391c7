// Reading histories from files and writing them as EDN.
//
// Formats:
//  - json: our format, documented in docs/HISTORY_FORMAT.md: {"history": [event...]}
//    or a bare array of events {"process", "type", "f", "key"?, "value"?, "time"?}.
//  - edn: Jepsen/Knossos histories: a vector or list of maps, or one map per line;
//    events of the :nemesis process are skipped.
//  - etcd-log: the Jepsen etcd log lines of the linearizability corpus
//    ("INFO  jepsen.util - 3 :invoke :cas [1 4]").
// Errors are InputError naming the file and line (or EDN line and column).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "checker/history.h"

namespace replsim::checker {

enum class HistoryFormat : uint8_t { kAuto, kJson, kEdn, kEtcdLog };
// "auto", "json", "edn", "etcd-log"; InputError otherwise.
HistoryFormat parse_history_format(const std::string& text);

std::vector<HistoryEvent> read_history_file(const std::string& path, HistoryFormat format);
std::vector<HistoryEvent> read_history_text(const std::string& text, HistoryFormat format, const std::string& name);

// One EDN map per line, readable by Jepsen's and Knossos's tools.
void write_edn_history(const std::vector<HistoryEvent>& events, std::ostream& out);

}  // namespace replsim::checker
