#!/bin/sh
# screenshots.sh: the screenshots in data/screenshots/ (README, AppStream),
# taken from the real app under Xvfb against the test provider (synthetic
# answers, in the driver's own process).
#
# Usage: tools/screenshots.sh [BUILDDIR] [OUTDIR] [WIDTHxHEIGHT]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
cd "$(dirname "$0")/.."

build=${1:-_build}
out=${2:-data/screenshots}
size=${3:-1280x800}
driver="$build/src/app/screenshot-driver"

ninja -C "$build" src/app/screenshot-driver data/gschemas.compiled >/dev/null

if [ -z "${CS_SCREENSHOTS_INNER:-}" ]; then
  export CS_SCREENSHOTS_INNER=1
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 2800x1000x24" "$0" "$@"
fi

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/data"
export GDK_BACKEND=x11
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1
export GTK_A11Y=none
# a light, English UI whatever the machine says
export LANGUAGE=en LC_ALL=C.UTF-8
export ADW_DEBUG_COLOR_SCHEME=prefer-light

"$driver" "$out" "$size"

# flat UI PNGs: strip metadata, keep them small
if command -v convert >/dev/null 2>&1; then
  for f in composing streaming blueprint checklist followup troubleshooting; do
    [ -f "$out/$f.png" ] && convert "$out/$f.png" -strip "$out/$f.png"
  done
fi
ls -l "$out"/composing.png "$out"/streaming.png "$out"/blueprint.png "$out"/checklist.png
