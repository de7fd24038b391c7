// 128-bit integers for exact intermediate products (clock drift, bounded
// random draws). GCC and Clang provide them; __extension__ keeps -Wpedantic
// quiet about the non-standard type.
#pragma once

namespace replsim {
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
}  // namespace replsim
