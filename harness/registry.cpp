#include "harness/registry.h"

#include <map>
#include <mutex>
#include <string>

#include "base/assert.h"

namespace replsim::harness {
namespace {

// Registration happens before any run starts; fuzz campaigns read the
// registry from several threads at once, never while it changes.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Protocol>, std::less<>> protocols;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_protocol(std::unique_ptr<Protocol> protocol) {
  REPLSIM_ASSERT(protocol != nullptr, "registering nothing");
  const std::string name = protocol->vocabulary().protocol;
  REPLSIM_ASSERT(!name.empty(), "a protocol needs a name");
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  REPLSIM_ASSERT(!r.protocols.contains(name), "a protocol name registered twice");
  r.protocols.emplace(name, std::move(protocol));
}

const Protocol* find_protocol(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.protocols.find(name);
  return it == r.protocols.end() ? nullptr : it->second.get();
}

std::vector<const Protocol*> registered_protocols() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<const Protocol*> out;
  for (const auto& [name, protocol] : r.protocols) out.push_back(protocol.get());
  return out;
}

}  // namespace replsim::harness
