// A client of the example register: one operation at a time, each a read or
// a write of a random key, with a timeout after which the operation is
// indeterminate. It reports every invocation and completion as a note, which
// is how histories are collected without the client knowing about checkers.
//
// Written values are unique across the run ((client index + 1) * 1e9 + op
// number), so a read names the write it saw. A client keeps no disk: it is
// not meant to be crashed (a restarted client would reuse op numbers).
#pragma once

#include <optional>

#include "sim/actor.h"

namespace replsim::example {

struct ClientOptions {
  NodeId primary;
  uint64_t keys = 3;
  uint64_t read_percent = 50;
  Duration think_time = Duration::ms(10);
  Duration timeout = Duration::ms(500);
  uint64_t ops_max = 1'000'000;
  Duration first_op_after = Duration::zero();           // extra wait before the first operation
  TimePoint stop_at = TimePoint::from_ns(INT64_MAX);  // on the client's clock: no new op from then on
  bool operator==(const ClientOptions&) const = default;
};

class RegisterClient final : public ActorOf<RegisterClient> {
 public:
  RegisterClient(uint32_t client_index, ClientOptions options) : client_index_(client_index), options_(options) {}

  void on_start(Context& ctx, const DiskImage& disk) override;
  void on_message(Context& ctx, NodeId from, const Message& message) override;
  void on_timer(Context& ctx, TimerKey key) override;
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override;

  bool operator==(const RegisterClient&) const = default;
  void hash_into(Hasher& h) const;

  uint64_t ops_issued() const { return next_op_ - 1; }

 private:
  struct Outstanding {
    uint64_t op = 0;
    bool is_write = false;
    uint64_t key = 0;
    uint64_t value = 0;
    bool operator==(const Outstanding&) const = default;
  };

  void issue(Context& ctx);
  void finish(Context& ctx, const char* type, uint64_t value);

  uint32_t client_index_;
  ClientOptions options_;
  uint64_t next_op_ = 1;
  std::optional<Outstanding> outstanding_;
};

}  // namespace replsim::example
