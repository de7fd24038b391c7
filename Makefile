# Entry points for people and CI. Each target installs what it needs first,
# so on a fresh Debian machine `make demo` and `make test` are enough.
.PHONY: deps browser-deps build debug asan demo test bench mutation-table clean

JOBS ?= $(shell nproc)

deps:
	@scripts/install-deps

# Chromium for the report browser test (ctest: browser.report).
browser-deps:
	@scripts/install-deps --browser

# Release builds the tool and the benchmarks; the tests run in debug and asan.
build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target replsim engine_bench checker_bench fuzz_bench fastcfs_bench report_bench explore_bench

debug: deps
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)

asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

demo: build
	build/release/replsim demo --seed 1 --out build/demo --trace
	@echo "Report: build/demo/run.json   Trace: build/demo/trace.jsonl"
	build/release/replsim run scenarios/fastcfs/master-crash-failover.json --out build/demo/fastcfs-failover --trace
	build/release/replsim run scenarios/fastcfs/any-quorum-loses-acked-write.json --out build/demo/fastcfs-any-quorum
	build/release/replsim run scenarios/fastcfs/majority-quorum-keeps-acked-write.json --out build/demo/fastcfs-majority-quorum
	build/release/replsim report build/demo/fastcfs-any-quorum build/demo/fastcfs-majority-quorum --out build/demo/quorum-any-vs-majority.html
	@echo "FastCFS reports (open in a browser):"
	@echo "  build/demo/fastcfs-failover/report.html    master crash and failover, nothing lost"
	@echo "  build/demo/fastcfs-any-quorum/report.html  quorum any: an acknowledged write is lost, as expected"
	@echo "  build/demo/quorum-any-vs-majority.html     the same faults under quorum any and quorum majority"

# Unit, property and end-to-end tests in the Debug and sanitizer builds; the
# Debug suite also runs the same commands with the Debug, ASan and Release
# binaries and compares their outputs (determinism.cross_build), so every
# build comes first.
test: browser-deps debug asan build
	ctest --preset debug -j $(JOBS)
	ctest --preset asan -j $(JOBS)

bench: build
	build/release/bench/engine_bench
	build/release/bench/checker_bench 2> build/release/checker_bench.log
	build/release/bench/fastcfs_bench
	build/release/bench/fuzz_bench
	build/release/bench/report_bench
	build/release/bench/explore_bench

# Every FastCFS mutation against fuzzing and the explorer's strategies, the
# same wall time each (MUTATION_BUDGET seconds; 21 rows x 5 methods: about
# 2 hours at 60 s). Writes docs/MUTATION_TABLE.md; not part of CI.
MUTATION_BUDGET ?= 60
mutation-table: build
	scripts/mutation-table build/release/replsim --budget $(MUTATION_BUDGET) --out build/mutation-table
	cp build/mutation-table/MUTATION_TABLE.md docs/MUTATION_TABLE.md

clean:
	rm -rf build
