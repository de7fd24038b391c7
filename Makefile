# Entry points for people and CI. Each target installs what it needs first,
# so on a fresh Debian machine `make demo` and `make test` are enough.
.PHONY: deps build debug asan demo test bench clean

JOBS ?= $(shell nproc)

deps:
	@scripts/install-deps

# Release builds the tool and the benchmarks; the tests run in debug and asan.
build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target replsim engine_bench checker_bench fuzz_bench fastcfs_bench

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
	@echo "FastCFS reports: build/demo/fastcfs-failover/run.json (failover, nothing lost),"
	@echo "                 build/demo/fastcfs-any-quorum/run.json (quorum any: an acknowledged write is lost, as expected)"

# Unit, property and end-to-end tests in the Debug and sanitizer builds, then
# the same runs in Debug, ASan and Release must produce the same trace hashes.
test: debug asan build
	ctest --preset debug -j $(JOBS)
	ctest --preset asan -j $(JOBS)
	scripts/cross-build-hash build/debug/replsim build/asan/replsim build/release/replsim

bench: build
	build/release/bench/engine_bench
	build/release/bench/checker_bench 2> build/release/checker_bench.log
	build/release/bench/fastcfs_bench
	build/release/bench/fuzz_bench

clean:
	rm -rf build
