// The engine benchmark's workload: tokens passed between random nodes.
//
// Each node starts a few tokens; whoever receives a token forwards it to a
// random peer. Nothing else happens, so the figure measures the engine's
// per-event cost: queue, network draws, delivery, the trace hash.
#pragma once

#include "sim/actor.h"

namespace replsim::bench {

struct Token {
  static constexpr const char* kName = "Token";
  uint64_t id = 0;
  uint64_t hops = 0;
  bool operator==(const Token&) const = default;
  void hash_into(Hasher& h) const { h.add(id).add(hops); }
  std::string describe() const { return "id=" + std::to_string(id) + " hops=" + std::to_string(hops); }
};

class TokenActor final : public ActorOf<TokenActor> {
 public:
  TokenActor(uint32_t nodes, uint32_t tokens_per_node) : nodes_(nodes), tokens_per_node_(tokens_per_node) {}

  void on_start(Context& ctx, const DiskImage&) override {
    for (uint32_t i = 0; i < tokens_per_node_; ++i) forward(ctx, Token{ctx.self().index * 1000ULL + i, 0});
  }
  void on_message(Context& ctx, NodeId, ConnectionId, const Message& message) override {
    if (const Token* token = message.as<Token>()) {
      ++received_;
      forward(ctx, Token{token->id, token->hops + 1});
    }
  }
  void on_timer(Context&, TimerKey) override {}
  void on_disk(Context&, const DiskCompletion&) override {}
  nlohmann::json describe() const override { return {{"received", received_}}; }

  bool operator==(const TokenActor&) const = default;
  void hash_into(Hasher& h) const { h.add(received_); }

 private:
  void forward(Context& ctx, Token token) {
    const auto peer = static_cast<uint32_t>(ctx.random_below(nodes_));
    ctx.send(NodeId{peer}, make_message(token));
  }

  uint32_t nodes_;
  uint32_t tokens_per_node_;
  uint64_t received_ = 0;
};

}  // namespace replsim::bench
