// Messages between actors: immutable values behind shared pointers.
//
// A protocol defines each message as a plain value struct with
//   static constexpr const char* kName;
//   bool operator==(const T&) const;           // usually = default
//   void hash_into(Hasher&) const;
//   std::string describe() const;              // one line, for traces
// and sends it with make_message(T{...}). The engine boxes it once; the box
// is never changed, so a duplicated delivery or a copied world shares it.
// Receivers ask `message.as<T>()`, which is a pointer compare, not RTTI.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "base/hash.h"

namespace replsim {

namespace detail {
template <typename T>
struct TypeTag {
  static constexpr char tag = 0;
};
}  // namespace detail

class Message {
 public:
  virtual ~Message() = default;
  virtual const char* type_name() const = 0;
  // Its hash with node ids renamed (actor.h); null: as they are.
  virtual uint64_t fingerprint(const NodeRenaming* renaming) const = 0;
  uint64_t fingerprint() const { return fingerprint(nullptr); }
  virtual bool equals(const Message& other) const = 0;
  virtual std::string describe() const = 0;

  template <typename T>
  const T* as() const {
    if (type_tag() != &detail::TypeTag<T>::tag) return nullptr;
    return static_cast<const T*>(payload());
  }

 protected:
  virtual const void* type_tag() const = 0;
  virtual const void* payload() const = 0;
};

using MessagePtr = std::shared_ptr<const Message>;

template <typename T>
class MessageBox final : public Message {
 public:
  explicit MessageBox(T value) : value_(std::move(value)) {}

  const char* type_name() const override { return T::kName; }
  using Message::fingerprint;
  uint64_t fingerprint(const NodeRenaming* renaming) const override {
    static const uint64_t name_hash = hash_bytes(T::kName);
    Hasher h(name_hash);
    h.rename_nodes(renaming);
    value_.hash_into(h);
    return h.value();
  }
  bool equals(const Message& other) const override {
    const T* same = other.as<T>();
    return same != nullptr && *same == value_;
  }
  std::string describe() const override { return std::string(T::kName) + "{" + value_.describe() + "}"; }

 protected:
  const void* type_tag() const override { return &detail::TypeTag<T>::tag; }
  const void* payload() const override { return &value_; }

 private:
  T value_;
};

template <typename T>
MessagePtr make_message(T value) {
  return std::make_shared<const MessageBox<std::decay_t<T>>>(std::move(value));
}

// A message kept in actor state (say, for retransmission). Equality is by
// content, so two worlds that reached the same state by separate runs
// compare equal although each built its own message object.
struct KeptMessage {
  MessagePtr message;
  bool operator==(const KeptMessage& other) const {
    if (message == nullptr || other.message == nullptr) return message == other.message;
    return message == other.message || message->equals(*other.message);
  }
};

}  // namespace replsim
