#!/usr/bin/env bash
# ctest runs each doctest case as its own entry; this fails unless the
# entries are exactly the binary's cases, name for name (a case left out of
# discovery, or a name ctest mangled, would otherwise never run).
#   every_case_registered.sh TEST_BINARY BUILD_DIR
set -euo pipefail
binary=${1:?usage: every_case_registered.sh TEST_BINARY BUILD_DIR}
build=${2:?usage: every_case_registered.sh TEST_BINARY BUILD_DIR}
cases=$(mktemp)
entries=$(mktemp)
trap 'rm -f "$cases" "$entries"' EXIT
"$binary" --list-test-cases | grep -v -e '^\[doctest\]' -e '^=*$' | sort > "$cases"
ctest --test-dir "$build" --show-only=json-v1 | python3 -c '
import json, sys
for test in json.load(sys.stdin)["tests"]:
    if any(arg.startswith("--test-case=") for arg in test.get("command", [])):
        print(test["name"])
' | sort > "$entries"
count_cases=$(wc -l < "$cases")
count_entries=$(wc -l < "$entries")
if [[ $count_cases -eq 0 ]]; then
  echo "FAIL: the binary lists no test cases" >&2
  exit 1
fi
if ! diff "$cases" "$entries"; then
  echo "FAIL: $count_cases doctest cases, $count_entries ctest entries; '<' a case without its entry, '>' an entry that is no case" >&2
  exit 1
fi
echo "every_case_registered: $count_cases cases, $count_entries ctest entries, the same names"
