#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole test suite under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: configures BUILD (default _build/sanitize) with
# -Db_sanitize=address,undefined, builds everything (engine, CLI, app, test
# provider, tests) and runs every suite, or the suites given as arguments, in
# the same session as tools/test.sh (private D-Bus, unlocked gnome-keyring,
# Xvfb). Exits non-zero on any failure, sanitizer report or leak.
#
#   tools/ci-sanitize.sh                  # .ci/run, after tools/test.sh
#   tools/ci-sanitize.sh engine keyring   # some suites only
#
# LeakSanitizer suppressions (tools/lsan.supp) cover one-time allocations
# inside GLib, GTK, fontconfig and libsecret only; never the project's code.
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-_build/sanitize}
start=$(date +%s)

if [ ! -f "$BUILD/build.ninja" ]; then
  # gcc's -fsanitize=undefined leaves out float-cast-overflow (a double
  # outside the range of the integer it is cast to); ask for it.
  meson setup "$BUILD" --buildtype=debug \
    -Db_sanitize=address,undefined \
    -Dc_args=-fsanitize=float-cast-overflow >/dev/null || exit 1
fi
ninja -C "$BUILD" >/dev/null || { ninja -C "$BUILD"; exit 1; }

# Full malloc stacks (fast_unwind_on_malloc=0): Debian's GLib and GTK are
# built without frame pointers, and the suppressions must see their frames.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:malloc_context_size=30}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export G_SLICE=always-malloc
# Stretches the tests' time bounds: everything runs 2-10 times slower here.
export CONSILIUM_TEST_SLOW=${CONSILIUM_TEST_SLOW:-3}

rm -f "$BUILD/meson-logs/testlog.json"
args=()
for s in "$@"; do
  args+=(--suite "$s")
done

bash tools/session.sh meson test -C "$BUILD" --no-rebuild --print-errorlogs \
  --num-processes 2 --timeout-multiplier 4 "${args[@]}"
status=$?
# A suite name that matches nothing must not pass silently.
if [ ! -s "$BUILD/meson-logs/testlog.json" ]; then
  echo "ci-sanitize: no test ran" >&2
  status=1
fi

echo "ci-sanitize: ${*:-all suites}: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
