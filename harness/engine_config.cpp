#include "harness/engine_config.h"

#include "base/assert.h"
#include "base/input_error.h"

namespace replsim::harness {

Distribution read_distribution(const Json& value, const std::string& path) {
  if (value.is_string()) return Distribution(FixedDist{read_duration(value, path)}, path);
  if (!value.is_object()) {
    throw InputError(path, "a distribution object like {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"5ms\"} or a duration string",
                     describe_json(value));
  }
  const std::string kind = read_choice(require_key(value, "dist", path), json_path(path, "dist"),
                                       {"fixed", "uniform", "normal", "lognormal", "pareto"});
  const auto duration_at = [&](std::string_view key) {
    return read_duration(require_key(value, key, path), json_path(path, key));
  };
  if (kind == "fixed") {
    reject_unknown_keys(value, path, {"dist", "value"});
    return Distribution(FixedDist{duration_at("value")}, path);
  }
  if (kind == "uniform") {
    reject_unknown_keys(value, path, {"dist", "min", "max"});
    return Distribution(UniformDist{duration_at("min"), duration_at("max")}, path);
  }
  if (kind == "normal") {
    reject_unknown_keys(value, path, {"dist", "mean", "stddev"});
    return Distribution(NormalDist{duration_at("mean"), duration_at("stddev")}, path);
  }
  if (kind == "lognormal") {
    reject_unknown_keys(value, path, {"dist", "median", "p99"});
    return Distribution(LogNormalDist{duration_at("median"), duration_at("p99")}, path);
  }
  REPLSIM_ASSERT(kind == "pareto", "read_choice returned an unlisted kind");
  reject_unknown_keys(value, path, {"dist", "min", "alpha", "max"});
  ParetoDist pareto;
  pareto.min = duration_at("min");
  pareto.alpha = read_number(require_key(value, "alpha", path), json_path(path, "alpha"));
  if (value.contains("max")) pareto.max = duration_at("max");
  return Distribution(pareto, path);
}

LinkConfig read_link_config(const Json& value, const std::string& path, const LinkConfig& base) {
  reject_unknown_keys(value, path, {"latency", "loss", "duplicate", "reorder"});
  LinkConfig config = base;
  if (value.contains("latency")) config.latency = read_distribution(value["latency"], json_path(path, "latency"));
  if (value.contains("loss")) config.loss = read_probability(value["loss"], json_path(path, "loss"));
  if (value.contains("duplicate")) {
    config.duplicate = read_probability(value["duplicate"], json_path(path, "duplicate"));
  }
  if (value.contains("reorder")) config.reorder = read_probability(value["reorder"], json_path(path, "reorder"));
  return config;
}

DiskConfig read_disk_config(const Json& value, const std::string& path, const DiskConfig& base) {
  reject_unknown_keys(value, path,
                      {"write_latency", "fsync_latency", "read_latency", "torn_write_probability", "slow_factor"});
  DiskConfig config = base;
  const auto latency = [&](const char* key, Distribution& target) {
    if (value.contains(key)) target = read_distribution(value[key], json_path(path, key));
  };
  latency("write_latency", config.write_latency);
  latency("fsync_latency", config.fsync_latency);
  latency("read_latency", config.read_latency);
  if (value.contains("torn_write_probability")) {
    config.torn_write_probability =
        read_probability(value["torn_write_probability"], json_path(path, "torn_write_probability"));
  }
  if (value.contains("slow_factor")) {
    const std::string at = json_path(path, "slow_factor");
    const Json& factor = value["slow_factor"];
    if (!factor.is_number_integer() || factor.get<int64_t>() < 1 || factor.get<int64_t>() > 1'000'000) {
      throw InputError(at, "a whole number from 1 to 1000000", describe_json(factor));
    }
    config.slow_factor = factor.get<int64_t>();
  }
  return config;
}

TcpConfig read_tcp_config(const Json& value, const std::string& path, const TcpConfig& base) {
  reject_unknown_keys(value, path,
                      {"rto_initial", "rto_min", "rto_max", "user_timeout", "orphan_timeout", "syn_retries", "dupack_threshold",
                       "tail_loss_probe", "keepalive_idle", "keepalive_interval", "keepalive_probes"});
  TcpConfig tcp = base;
  const auto duration = [&](const char* key, Duration& target) {
    if (!value.contains(key)) return;
    target = read_duration(value[key], json_path(path, key));
    if (target <= Duration::zero()) throw InputError(json_path(path, key), "a positive duration", describe_json(value[key]));
  };
  const auto whole = [&](const char* key, uint32_t& target, uint32_t low, uint32_t high) {
    if (!value.contains(key)) return;
    const Json& v = value[key];
    if (!v.is_number_integer() || v.get<int64_t>() < low || v.get<int64_t>() > high) {
      throw InputError(json_path(path, key), "a whole number from " + std::to_string(low) + " to " + std::to_string(high),
                       describe_json(v));
    }
    target = v.get<uint32_t>();
  };
  duration("rto_initial", tcp.rto_initial);
  duration("rto_min", tcp.rto_min);
  duration("rto_max", tcp.rto_max);
  duration("user_timeout", tcp.user_timeout);
  duration("orphan_timeout", tcp.orphan_timeout);
  duration("keepalive_idle", tcp.keepalive_idle);
  duration("keepalive_interval", tcp.keepalive_interval);
  whole("syn_retries", tcp.syn_retries, 0, 100);
  whole("dupack_threshold", tcp.dupack_threshold, 1, 1000);
  whole("keepalive_probes", tcp.keepalive_probes, 1, 1000);
  if (value.contains("tail_loss_probe")) {
    if (!value["tail_loss_probe"].is_boolean()) {
      throw InputError(json_path(path, "tail_loss_probe"), "true or false", describe_json(value["tail_loss_probe"]));
    }
    tcp.tail_loss_probe = value["tail_loss_probe"].get<bool>();
  }
  if (tcp.rto_min > tcp.rto_max || tcp.rto_initial > tcp.rto_max) {
    throw InputError(path, "rto_min <= rto_max and rto_initial <= rto_max",
                     format_duration(tcp.rto_min) + ", " + format_duration(tcp.rto_initial) + ", " + format_duration(tcp.rto_max));
  }
  return tcp;
}

}  // namespace replsim::harness
