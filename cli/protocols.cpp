#include "cli/protocols.h"

#include "model/fastcfs/options.h"
#include "sim/input_error.h"

namespace replsim::cli {

const ProtocolCatalog& protocol_catalog() {
  static const ProtocolCatalog catalog = {
      {"fastcfs", [](const Json& options, const std::string& path) { fastcfs::read_fastcfs_options(options, path); }},
      // The engine's example primary/backup register (model/example/); its
      // one option is a deliberate bug for testing the checks.
      {"example-register",
       [](const Json& options, const std::string& path) {
         reject_unknown_keys(options, path, {"primary_skips_fsync"});
         if (options.contains("primary_skips_fsync") && !options["primary_skips_fsync"].is_boolean()) {
           throw InputError(json_path(path, "primary_skips_fsync"), "true or false",
                            describe_json(options["primary_skips_fsync"]));
         }
       }},
  };
  return catalog;
}

}  // namespace replsim::cli
