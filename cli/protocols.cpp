#include "cli/protocols.h"

#include "model/fastcfs/options.h"

namespace replsim::cli {

const ProtocolCatalog& protocol_catalog() {
  static const ProtocolCatalog catalog = {
      {"fastcfs", [](const Json& options, const std::string& path) { fastcfs::read_fastcfs_options(options, path); }},
  };
  return catalog;
}

}  // namespace replsim::cli
