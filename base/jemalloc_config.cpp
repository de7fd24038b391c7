// jemalloc's options for the project's executables (compiled into each of
// them through the replsim_allocator target in the top CMakeLists.txt, never
// into the installed libraries). jemalloc reads this symbol at start-up;
// MALLOC_CONF in the environment still overrides it.
//
// thp:always backs jemalloc's memory with transparent huge pages where the
// kernel offers them on request (Debian's default, "madvise"): a search
// keeps its visited set and its queue of runs in memory it touches at
// random, and with 4 KB pages it spent its time in page faults and TLB
// misses (docs/PERFORMANCE.md, "Kept hashes and huge pages"). Allocation
// addresses never reach a decision, so the runs are the same.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's.
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
