#!/usr/bin/env bash
# The replsim command's exit codes and files, as a user sees them.
set -u
out=${1:?usage: cli_exit_codes.sh OUT_DIR}
bin=${REPLSIM:?set REPLSIM to the replsim binary}
rm -rf "$out"
failures=0

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want=$1 what=$2
  shift 3
  "$@" >"$out.stdout" 2>"$out.stderr"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$out.stdout" "$out.stderr"; failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}

mkdir -p "$(dirname "$out")"
expect 0 "demo passes" -- "$bin" demo --seed 1 --out "$out/pass" --trace
[[ -s "$out/pass/run.json" && -s "$out/pass/trace.jsonl" ]] || { echo "FAIL: run.json or trace.jsonl missing"; failures=$((failures + 1)); }
grep -q '"verdict": "pass"' "$out/pass/run.json" || { echo "FAIL: run.json has no pass verdict"; failures=$((failures + 1)); }
expect 1 "a deliberate bug is a violation" -- "$bin" demo --seed 1 --out "$out/bug" --mutation-primary-skips-fsync
grep -q 'acked_write_durable' "$out.stdout" || { echo "FAIL: the violation is not named"; failures=$((failures + 1)); }
expect 2 "an unknown option is bad usage" -- "$bin" demo --sede 3
expect 2 "a non-numeric seed is bad usage" -- "$bin" demo --seed abc
expect 2 "no subcommand is bad usage" -- "$bin"
expect 2 "an output folder that cannot be made is bad input" -- "$bin" demo --out /proc/replsim-cannot-exist
grep -q -- '--out' "$out.stderr" || { echo "FAIL: the error does not name --out"; failures=$((failures + 1)); }

echo "$failures failed"
[[ $failures -eq 0 ]]
