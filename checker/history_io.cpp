#include "checker/history_io.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/input_error.h"

namespace replsim::checker {
namespace {

std::string at(const std::string& name, int line) { return name + ":" + std::to_string(line); }

EventType event_type(const std::string& text, const std::string& where) {
  if (text == "invoke") return EventType::kInvoke;
  if (text == "ok") return EventType::kOk;
  if (text == "fail") return EventType::kFail;
  if (text == "info") return EventType::kInfo;
  throw InputError(where, "an event type :invoke, :ok, :fail or :info", "\"" + text + "\"");
}

// Keys are compared as text: "x", 3 and :x name keys x, 3 and x.
std::string key_text(const Edn& key) {
  return key.kind == Edn::Kind::kString || key.kind == Edn::Kind::kKeyword ? key.text : key.to_string();
}

Edn from_json(const nlohmann::json& j) {
  Edn e;
  switch (j.type()) {
    case nlohmann::json::value_t::null: break;
    case nlohmann::json::value_t::boolean: e.kind = Edn::Kind::kBool; e.boolean = j.get<bool>(); break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: e.kind = Edn::Kind::kInt; e.integer = j.get<int64_t>(); break;
    case nlohmann::json::value_t::number_float: e.kind = Edn::Kind::kFloat; e.floating = j.get<double>(); break;
    case nlohmann::json::value_t::string: e.kind = Edn::Kind::kString; e.text = j.get<std::string>(); break;
    case nlohmann::json::value_t::array:
      e.kind = Edn::Kind::kVector;
      for (const auto& item : j) e.items.push_back(from_json(item));
      break;
    case nlohmann::json::value_t::object:
      e.kind = Edn::Kind::kMap;
      for (const auto& [k, v] : j.items()) {
        Edn keyword;
        keyword.kind = Edn::Kind::kKeyword;
        keyword.text = k;
        e.items.push_back(keyword);
        e.items.push_back(from_json(v));
      }
      break;
    default: break;
  }
  return e;
}

std::vector<HistoryEvent> read_json(const std::string& text, const std::string& name) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw InputError(name + " (byte " + std::to_string(error.byte) + ")", "valid JSON", error.what());
  }
  const nlohmann::json* list = &document;
  std::string base = "";
  if (document.is_object()) {
    if (!document.contains("history")) throw InputError(name, "an object with a \"history\" array", "no \"history\" key");
    list = &document["history"];
    base = "/history";
  }
  if (!list->is_array()) throw InputError(name + ":" + base, "an array of events", "something else");
  std::vector<HistoryEvent> events;
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    const std::string where = name + ":" + base + "/" + std::to_string(i);
    if (!item.is_object()) throw InputError(where, "an event object", item.dump());
    HistoryEvent event;
    event.where = where;
    if (!item.contains("process") || !(item["process"].is_number_integer())) {
      throw InputError(where + "/process", "an integer process", item.contains("process") ? item["process"].dump() : "nothing");
    }
    event.process = item["process"].get<int64_t>();
    if (!item.contains("type") || !item["type"].is_string()) throw InputError(where + "/type", "a type string", "nothing");
    event.type = event_type(item["type"].get<std::string>(), where + "/type");
    if (!item.contains("f") || !item["f"].is_string()) throw InputError(where + "/f", "an operation name string", "nothing");
    event.f = item["f"].get<std::string>();
    if (item.contains("key")) event.key = key_text(from_json(item["key"]));
    if (item.contains("value")) event.value = from_json(item["value"]);
    if (item.contains("time")) {
      if (!item["time"].is_number_integer()) throw InputError(where + "/time", "an integer time in ns", item["time"].dump());
      event.time = item["time"].get<int64_t>();
    }
    for (const auto& [k, v] : item.items()) {
      if (k != "process" && k != "type" && k != "f" && k != "key" && k != "value" && k != "time") {
        throw InputError(where + "/" + k, "only process, type, f, key, value, time", "the key \"" + k + "\"");
      }
    }
    events.push_back(std::move(event));
  }
  return events;
}

void add_edn_event(const Edn& map, const std::string& name, std::vector<HistoryEvent>& events) {
  const std::string where = at(name, map.line);
  if (map.kind != Edn::Kind::kMap) throw InputError(where, "an event map {:process ... :type ... :f ...}", map.to_string());
  const Edn* process = map.get("process");
  if (process == nullptr) throw InputError(where, "a :process", "none");
  if (process->is_keyword("nemesis")) return;  // fault injections are not operations
  if (process->kind != Edn::Kind::kInt) throw InputError(where, "an integer :process", process->to_string());
  const Edn* type = map.get("type");
  if (type == nullptr || type->kind != Edn::Kind::kKeyword) {
    throw InputError(where, "a :type keyword", type == nullptr ? "none" : type->to_string());
  }
  const Edn* f = map.get("f");
  if (f == nullptr || (f->kind != Edn::Kind::kKeyword && f->kind != Edn::Kind::kString && f->kind != Edn::Kind::kSymbol)) {
    throw InputError(where, "an :f keyword", f == nullptr ? "none" : f->to_string());
  }
  HistoryEvent event;
  event.where = where;
  event.process = process->integer;
  event.type = event_type(type->text, where);
  event.f = f->text;
  if (const Edn* key = map.get("key")) event.key = key_text(*key);
  if (const Edn* value = map.get("value")) event.value = *value;
  if (const Edn* time = map.get("time"); time != nullptr && time->kind == Edn::Kind::kInt) event.time = time->integer;
  events.push_back(std::move(event));
}

std::vector<HistoryEvent> read_edn(const std::string& text, const std::string& name) {
  std::vector<HistoryEvent> events;
  try {
    EdnReader reader(text);
    while (reader.more()) {
      const Edn form = reader.read();
      if (form.kind == Edn::Kind::kVector || form.kind == Edn::Kind::kList) {
        for (const Edn& item : form.items) add_edn_event(item, name, events);
      } else {
        add_edn_event(form, name, events);
      }
    }
  } catch (const EdnError& error) {
    throw InputError(name + ":" + std::to_string(error.line()), "valid EDN", error.what());
  }
  return events;
}

std::vector<HistoryEvent> read_etcd_log(const std::string& text, const std::string& name) {
  std::vector<HistoryEvent> events;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = at(name, number);
    const size_t marker = line.find("jepsen.util - ");
    if (marker == std::string::npos) throw InputError(where, "a line \"INFO  jepsen.util - P :type :f value\"", line);
    std::string rest = line.substr(marker + 14);
    try {
      EdnReader reader(rest);
      const Edn process = reader.read();
      const Edn type = reader.read();
      const Edn f = reader.read();
      Edn value;
      if (reader.more()) value = reader.read();
      if (reader.more()) throw EdnError(1, 0, "unexpected text after the value");
      if (process.kind != Edn::Kind::kInt || type.kind != Edn::Kind::kKeyword || f.kind != Edn::Kind::kKeyword) {
        throw EdnError(1, 0, "expected a process number, a :type and an :f");
      }
      HistoryEvent event;
      event.where = where;
      event.process = process.integer;
      event.type = event_type(type.text, where);
      event.f = f.text;
      // A read that timed out has an unknown output: indeterminate.
      if (value.is_keyword("timed-out")) {
        if (event.type == EventType::kFail) event.type = EventType::kInfo;
        value = Edn{};
      }
      event.value = value;
      events.push_back(std::move(event));
    } catch (const EdnError& error) {
      throw InputError(where, "\"P :type :f value\" after \"jepsen.util - \"", std::string(error.what()) + ": " + rest);
    }
  }
  return events;
}

}  // namespace

HistoryFormat parse_history_format(const std::string& text) {
  if (text == "auto") return HistoryFormat::kAuto;
  if (text == "json") return HistoryFormat::kJson;
  if (text == "edn") return HistoryFormat::kEdn;
  if (text == "etcd-log") return HistoryFormat::kEtcdLog;
  throw InputError("--format", "one of auto, json, edn, etcd-log", "\"" + text + "\"");
}

std::vector<HistoryEvent> read_history_text(const std::string& text, HistoryFormat format, const std::string& name) {
  if (format == HistoryFormat::kAuto) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    if (text.find("jepsen.util - ") != std::string::npos) format = HistoryFormat::kEtcdLog;
    else if (text[first] == '{' && text.find("\"process\"") != std::string::npos) format = HistoryFormat::kJson;
    else if (text[first] == '[' && text.find("\"process\"") != std::string::npos) format = HistoryFormat::kJson;
    else format = HistoryFormat::kEdn;
  }
  switch (format) {
    case HistoryFormat::kJson: return read_json(text, name);
    case HistoryFormat::kEdn: return read_edn(text, name);
    case HistoryFormat::kEtcdLog: return read_etcd_log(text, name);
    case HistoryFormat::kAuto: break;
  }
  return {};
}

std::vector<HistoryEvent> read_history_file(const std::string& path, HistoryFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "a readable history file", "a file that cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return read_history_text(buffer.str(), format, path);
}

void write_edn_history(const std::vector<HistoryEvent>& events, std::ostream& out) {
  for (const HistoryEvent& e : events) {
    out << "{:process " << e.process << ", :type :" << to_string(e.type) << ", :f :" << e.f;
    if (!e.key.empty()) {
      Edn key;
      key.kind = Edn::Kind::kString;
      key.text = e.key;
      out << ", :key " << key.to_string();
    }
    out << ", :value " << e.value.to_string();
    if (e.time >= 0) out << ", :time " << e.time;
    out << "}\n";
  }
}

}  // namespace replsim::checker
