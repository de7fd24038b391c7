# The platform's libraries are what an outside project builds a protocol
# against (docs/TUTORIAL.md), so each is installed with its headers and
# exported as replsim::<name>; the project's own protocols and tools are not.
include(GNUInstallDirs)

# Headers install under include/replsim/<folder>/, so a consumer writes the
# same `#include "harness/protocol.h"` the project's code does.
set(REPLSIM_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/replsim")
set(REPLSIM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/replsim")

# replsim_platform_library(<target> <export name>): called in the folder that
# defines <target> (a layer: base/, sim/, ..., model/kit/).
function(replsim_platform_library target export_name)
  file(RELATIVE_PATH folder "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${REPLSIM_INSTALL_INCLUDEDIR}>)
  # The headers use C++20; a consumer must compile them as such.
  target_compile_features(${target} PUBLIC cxx_std_20)
  # Our warnings (and -Werror) apply to our sources only. The options are
  # copied rather than linked: a link to replsim_warnings, even a private
  # one, would enter the export, and a consumer's code would inherit them.
  target_compile_options(${target} PRIVATE $<TARGET_PROPERTY:replsim_warnings,INTERFACE_COMPILE_OPTIONS>)
  if(REPLSIM_SANITIZE)
    # Sanitized archives need the sanitizer runtimes wherever they are linked.
    target_link_options(${target} INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
  endif()
  install(TARGETS ${target} EXPORT replsimTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # Every header of the folder: a header added to a layer is installed
  # without a list to keep up to date.
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/" DESTINATION "${REPLSIM_INSTALL_INCLUDEDIR}/${folder}"
    FILES_MATCHING PATTERN "*.h")
endfunction()
