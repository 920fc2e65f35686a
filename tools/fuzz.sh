#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer harnesses (clang, AddressSanitizer + UBSan) and runs
# each one for SECONDS (default 60), one after the other, single process.
# New inputs that reach new edges are merged into tests/fuzz/corpus/<harness>/
# (edge coverage only, -use_counters=0, so that the kept corpus stays small);
# crashes, leaks, timeouts and broken invariants are written to
# tests/fuzz/crashes/<harness>-crash-*. Prints executions and coverage per
# harness; exits non-zero if any harness found a problem.
#
#   tools/fuzz.sh [SECONDS] [HARNESS...]      e.g. tools/fuzz.sh 180 fuzz-sse
#   MINIMIZE=1 tools/fuzz.sh 0                 re-minimises every corpus
#   MERGE=0 tools/fuzz.sh 10                   a CI smoke run: the corpus is
#                                              left as it is
#   BUILD=_build/fuzz (default)                the clang build directory
set -u
cd "$(dirname "$0")/.."

SECS=${1:-60}
shift 2>/dev/null || true
BUILD=${BUILD:-_build/fuzz}
ALL="fuzz-sse fuzz-decoder fuzz-schema fuzz-config fuzz-run-file fuzz-reply fuzz-export fuzz-partial fuzz-result"
HARNESSES=${*:-$ALL}

max_len () {
  case "$1" in
    fuzz-config|fuzz-run-file|fuzz-export|fuzz-partial) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

if ! command -v clang >/dev/null; then
  echo "clang is needed (tools/deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dfuzzing=true -Dapp=false --buildtype=debugoptimized \
    -Db_sanitize=address,undefined >/dev/null || exit 1
fi
targets=""
for h in $HARNESSES; do
  targets="$targets tests/fuzz/$h"
done
# shellcheck disable=SC2086
ninja -C "$BUILD" $targets >/dev/null || { ninja -C "$BUILD" $targets; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export G_SLICE=always-malloc
mkdir -p tests/fuzz/crashes

status=0
summary=""
for h in $HARNESSES; do
  corpus=tests/fuzz/corpus/$h
  mkdir -p "$corpus"
  dict=""
  if [ -f "tests/fuzz/$h.dict" ]; then
    dict="-dict=tests/fuzz/$h.dict"
  fi
  scratch=$(mktemp -d)
  log="$BUILD/tests/fuzz/$h.log"

  if [ "${MINIMIZE:-0}" = 1 ]; then
    # Keep only the inputs that each reach new edges.
    min=$(mktemp -d)
    "$BUILD/tests/fuzz/$h" -merge=1 -use_counters=0 -max_len="$(max_len "$h")" "$min" "$corpus" >"$log.merge" 2>&1 &&
      rm -f "$corpus"/* && cp "$min"/* "$corpus"/
    rm -rf "$min"
  fi

  if [ "$SECS" -gt 0 ]; then
    # shellcheck disable=SC2086
    "$BUILD/tests/fuzz/$h" "$scratch" "$corpus" $dict \
      -max_total_time="$SECS" -max_len="$(max_len "$h")" -timeout=25 \
      -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="tests/fuzz/crashes/$h-" >"$log" 2>&1
    rc=$?
    # Add what reached new edges to the kept corpus.
    [ "${MERGE:-1}" = 0 ] || "$BUILD/tests/fuzz/$h" -merge=1 -use_counters=0 -max_len="$(max_len "$h")" "$corpus" "$scratch" >"$log.merge" 2>&1
  else
    rc=0
    : >"$log"
  fi
  rm -rf "$scratch"

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  files=$(find "$corpus" -type f | wc -l)
  size=$(du -sk --apparent-size "$corpus" | cut -f1)
  line=$(printf '%-14s %4ss  %10s execs  %6s/s  cov %5s  ft %6s  corpus %4s files %5s KiB' \
    "$h" "$SECS" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$files" "$size")
  if [ "$rc" != 0 ]; then
    line="$line  FAILED (see $log)"
    status=1
    grep -m1 -E 'ERROR: |runtime error|fuzz invariant|ERROR \*\*' "$log" >&2
    grep -o "tests/fuzz/crashes/$h-[a-z]*-[0-9a-f]*" "$log" | tail -1 >&2
  fi
  echo "$line"
  summary="$summary$line
"
done

echo "---"
printf '%s' "$summary"
exit $status
