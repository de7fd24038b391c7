// Registers FastCFS ("fastcfs") with the platform.
#pragma once

namespace replsim::fastcfs {

void register_fastcfs_protocol();

}  // namespace replsim::fastcfs
