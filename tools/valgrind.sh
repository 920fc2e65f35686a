#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Valgrind memcheck on the engine tests: fails on any memory error and on
# any definite leak. tools/valgrind.supp (plus GLib's own glib.supp) only
# hides GLib/GIO/libsoup/libsecret/json-glib internals, never project code.
#
#   tools/valgrind.sh [meson test arguments]   e.g. tools/valgrind.sh test-run
#   BUILD=_build/valgrind (default): a build without sanitizers
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-_build/valgrind}
if ! command -v valgrind >/dev/null; then
  echo "valgrind is needed (tools/deps.sh installs it)" >&2
  exit 1
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dapp=false --buildtype=debug >/dev/null || exit 1
fi
ninja -C "$BUILD" >/dev/null || { ninja -C "$BUILD"; exit 1; }

supp="--suppressions=$PWD/tools/valgrind.supp"
if [ -f /usr/share/glib-2.0/valgrind/glib.supp ]; then
  supp="$supp --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"
fi

export G_SLICE=always-malloc G_DEBUG=gc-friendly
# Stretches the tests' time bounds: valgrind runs everything 10-50 times slower.
export CONSILIUM_TEST_SLOW=${CONSILIUM_TEST_SLOW:-10}
wrapper="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
--show-leak-kinds=definite --error-exitcode=1 --num-callers=40 \
--track-origins=yes $supp"

if [ $# -eq 0 ]; then
  set -- --suite engine
fi
# test-decoder (some 30 000 decodes) takes about 630 s under memcheck on a
# shared two-core machine against a 120 s meson timeout: a multiplier of 20
# keeps a margin for a busier machine; it bounds the wait, not the tests.
exec meson test -C "$BUILD" --no-rebuild --print-errorlogs --num-processes 1 \
  --timeout-multiplier 20 --wrapper="$wrapper" "$@"
