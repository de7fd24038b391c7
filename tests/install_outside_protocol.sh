#!/usr/bin/env bash
# install.outside_protocol: the installed package alone builds and runs a
# protocol written outside the tree (examples/outside-protocol).
#
#   tests/install_outside_protocol.sh CMAKE GENERATOR CXX BUILD_DIR SOURCE_DIR
#
# Installs BUILD_DIR into a fresh temporary prefix, copies the example
# project out of the source tree, configures it with that prefix as its only
# way to replsim, builds it, and runs its command: the passing scenario must
# exit 0, the one with the deliberate bug 1 naming acked_writes_survive;
# validate, fuzz and shrink must work with the outside protocol too. Every
# step's exit code is checked. The temporary folder is removed on success and
# kept (its path printed) on failure.
set -euo pipefail

cmake=$1
generator=$2
cxx=$3
build_dir=$(cd "$4" && pwd)
source_dir=$(cd "$5" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/replsim-install.XXXXXX")
trap 'code=$?; if [[ $code -eq 0 ]]; then rm -rf "$work"; else echo "install_outside_protocol: files kept in $work" >&2; fi' EXIT

fail() {
  echo "install_outside_protocol: FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

# Runs a command, shows its output, and fails unless it exits with `want`.
expect_exit() {
  local want=$1 out=$2
  shift 2
  local code=0
  "$@" >"$out" 2>&1 || code=$?
  cat "$out"
  [[ $code -eq $want ]] || fail "'$*' exited $code, expected $want"
}

prefix=$work/prefix
step "install $build_dir into $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix"

# The platform only: the project's protocols stay out of the package.
for leaked in include/replsim/model/example include/replsim/model/fastcfs include/replsim/model/protocols.h \
              lib/libreplsim_example.a lib/libreplsim_fastcfs.a lib/libreplsim_protocols.a; do
  [[ ! -e $prefix/$leaked ]] || fail "the package holds $leaked, a protocol of the project"
done
# Nothing installed may point back into the source or build tree.
if grep -rIl -F -e "$source_dir" -e "$build_dir" "$prefix"; then
  fail "installed files name the source or build tree (above)"
fi

project=$work/outside-protocol
step "copy examples/outside-protocol to $project, out of the source tree"
cp -R "$source_dir/examples/outside-protocol" "$project"

outside_build=$work/build
step "configure it against $prefix only"
"$cmake" -S "$project" -B "$outside_build" -G "$generator" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
found=$(sed -n 's/^replsim_DIR:PATH=//p' "$outside_build/CMakeCache.txt")
[[ $found == "$prefix"/* ]] || fail "find_package(replsim) used '$found', not the package in $prefix"

step "build it"
"$cmake" --build "$outside_build" -j2
if grep -F -e "$source_dir" "$outside_build/compile_commands.json"; then
  fail "the outside project was compiled with a path into the source tree (above)"
fi

walsim=$outside_build/walsim
scenarios=$project/wal_register/scenarios
runs=$work/runs

step "its command knows its protocol and none of the project's"
expect_exit 0 "$work/protocols.out" "$walsim" protocols
grep -qx 'wal-register' "$work/protocols.out" || fail "walsim protocols does not list wal-register"
! grep -Eq 'example-register|fastcfs' "$work/protocols.out" || fail "walsim knows a protocol of the project"

step "validate both scenario files"
expect_exit 0 "$work/validate.out" "$walsim" validate "$scenarios/power-loss-keeps-acked-writes.json" \
  "$scenarios/ack-before-fsync-loses-writes.json"

step "the correct server passes every check (exit 0)"
expect_exit 0 "$work/pass.out" "$walsim" run "$scenarios/power-loss-keeps-acked-writes.json" --out "$runs/pass"
for check in linearizable acked_writes_survive converges_within; do
  grep -Eq "^  $check +pass$" "$work/pass.out" || fail "$check did not pass on the correct server"
done
[[ -s $runs/pass/run.json && -s $runs/pass/report.html ]] || fail "the run left no run.json or report.html"

step "the deliberate bug fails acked_writes_survive (exit 1)"
expect_exit 1 "$work/fail.out" "$walsim" run "$scenarios/ack-before-fsync-loses-writes.json" --out "$runs/fail"
grep -Eq '^  acked_writes_survive +FAIL$' "$work/fail.out" || fail "acked_writes_survive is not named as failing"

step "fuzz a few seeds of the correct server (exit 0)"
expect_exit 0 "$work/fuzz.out" "$walsim" fuzz "$scenarios/fuzz-every-fault.json" --seeds 1..8 --jobs 1 --out "$runs/fuzz"
grep -q '^fuzz: 8 passed, 0 failed, 0 undecided$' "$work/fuzz.out" || fail "the fuzz campaign did not pass 8 seeds"

step "shrink the failing scenario; the shrunk one fails the same check"
expect_exit 0 "$work/shrink.out" "$walsim" shrink "$scenarios/ack-before-fsync-loses-writes.json" --out "$work/shrunk.json"
expect_exit 1 "$work/shrunk.out" "$walsim" run "$work/shrunk.json" --out "$runs/shrunk"
grep -Eq '^  acked_writes_survive +FAIL$' "$work/shrunk.out" || fail "the shrunk scenario does not fail acked_writes_survive"

echo "install_outside_protocol: the installed package builds and runs an outside protocol"
