// The test binary: the project's protocols are registered before any case
// runs, as the replsim command registers them.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "model/protocols.h"

int main(int argc, char** argv) {
  replsim::register_builtin_protocols();
  doctest::Context context(argc, argv);
  return context.run();
}
