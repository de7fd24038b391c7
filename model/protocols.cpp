#include "model/protocols.h"

#include <mutex>

#include "model/example/adapter.h"
#include "model/example/demo.h"
#include "model/fastcfs/adapter.h"

namespace replsim {

void register_builtin_protocols() {
  static std::once_flag once;
  std::call_once(once, [] {
    example::register_example_protocol();
    fastcfs::register_fastcfs_protocol();
  });
}

std::vector<std::string> builtin_protocol_names() { return {"example-register", "fastcfs"}; }

std::function<nlohmann::json(uint64_t, bool, bool)> builtin_demo_scenario() { return example::demo_scenario; }

}  // namespace replsim
