#!/usr/bin/env bash
# Runs one doctest case for ctest (the CROSSCOMPILING_EMULATOR of
# replsim_tests, so every discovered test goes through here).
#
# doctest exits 0 when its --test-case filter matches nothing, so a test
# whose name the filter cannot express (a ';' CMake splits, a ',' or '*'
# doctest reads as syntax) would pass without running. This passes only when
# the binary exits 0 and its summary says exactly one case ran and passed.
# Test discovery (--list-test-cases) goes straight through.
set -uo pipefail
binary=$1
shift
if [[ " $* " == *" --list-test-cases "* || " $* " == *" --list-test-suites "* ]]; then
  exec "$binary" "$@"
fi
output=$("$binary" "$@" 2>&1)
code=$?
printf '%s\n' "$output"
if [[ $code -ne 0 ]]; then
  exit "$code"
fi
if ! grep -Eq '^\[doctest\] test cases: +1 \| +1 passed \| +0 failed' <<<"$output"; then
  echo "one_case.sh: the filter did not run exactly one test case: $*" >&2
  exit 1
fi
