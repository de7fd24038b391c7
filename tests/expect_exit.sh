#!/usr/bin/env bash
# expect_exit.sh CODE COMMAND...: passes when COMMAND exits with exactly CODE.
want=$1
shift
"$@"
got=$?
if [[ $got -ne $want ]]; then
  echo "expected exit $want, got $got: $*" >&2
  exit 1
fi
