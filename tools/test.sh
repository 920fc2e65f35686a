#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the whole test suite: engine, integration over loopback HTTP, the real
# keyring and the GTK widgets under Xvfb. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

sh tools/deps.sh || exit 1

BUILD=${BUILD:-_build/test}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=debug || exit 1
fi
ninja -C "$BUILD" || exit 1

rm -f "$BUILD/meson-logs/testlog.json"

bash tools/session.sh meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
status=$?

python3 tools/summarize-tests.py --status="$status" "$BUILD/meson-logs/testlog.json"
