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

export GSK_RENDERER=cairo GDK_BACKEND=x11 NO_AT_BRIDGE=1
rm -f "$BUILD/meson-logs/testlog.json"

dbus-run-session -- sh -c '
  printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  xvfb-run -a -s "-screen 0 1280x900x24" meson test -C "$0" --print-errorlogs --num-processes 2 "$@"
' "$BUILD" "$@"
status=$?

python3 tools/summarize-tests.py --status="$status" "$BUILD/meson-logs/testlog.json"
