#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The test suites under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: configures BUILD (default _build/asan) with
# -Db_sanitize=address,undefined -Dapp=false, builds it and runs the suites
# engine, integration and fuzz-smoke (or the suites given as arguments).
# Exits non-zero on any failure, sanitizer report or leak.
#
#   tools/ci-sanitize.sh                 # from .ci/run, after the main suite
#   tools/ci-sanitize.sh engine keyring  # other suites
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-_build/asan}
SUITES=${*:-engine integration fuzz-smoke}
start=$(date +%s)

if [ ! -f "$BUILD/build.ninja" ]; then
  # gcc's -fsanitize=undefined leaves out float-cast-overflow (a double
  # outside the range of the integer it is cast to); ask for it.
  meson setup "$BUILD" -Dapp=false --buildtype=debug \
    -Db_sanitize=address,undefined \
    -Dc_args=-fsanitize=float-cast-overflow >/dev/null || exit 1
fi
ninja -C "$BUILD" >/dev/null || { ninja -C "$BUILD"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:malloc_context_size=40}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export G_SLICE=always-malloc
# Stretches the tests' time bounds: everything runs 2-5 times slower here.
export CONSILIUM_TEST_SLOW=${CONSILIUM_TEST_SLOW:-3}

rm -f "$BUILD/meson-logs/testlog.json"
args=""
for s in $SUITES; do
  args="$args --suite $s"
done

# The keyring and integration suites want a session bus with an unlocked
# gnome-keyring, like tools/test.sh.
# shellcheck disable=SC2086
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  dbus-run-session -- sh -c '
    printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    b=$0
    meson test -C "$b" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 4 "$@"
  ' "$BUILD" $args
else
  meson test -C "$BUILD" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 4 $args
fi
status=$?
# A suite name that matches nothing must not pass silently.
if [ ! -s "$BUILD/meson-logs/testlog.json" ]; then
  echo "ci-sanitize: no test ran" >&2
  status=1
fi

echo "ci-sanitize: suites $SUITES: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
