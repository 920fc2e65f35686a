#!/bin/sh
# walk.sh: a PNG of every screen of the real app (tools/walk-driver.c), for a
# person to look at before calling UI work done.
#
# Usage: tools/walk.sh [BUILDDIR] [OUTDIR] [LANGUAGE]
#   LANGUAGE de takes the German shots from the translations this build made.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
cd "$(dirname "$0")/.."

build=${1:-_build}
out=${2:-/tmp/consilium-walk}
lang=${3:-en}

ninja -C "$build" src/app/walk-driver data/gschemas.compiled po/de/LC_MESSAGES/consilium.mo >/dev/null 2>&1 ||
  ninja -C "$build" src/app/walk-driver data/gschemas.compiled >/dev/null

if [ -z "${CS_WALK_INNER:-}" ]; then
  export CS_WALK_INNER=1
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 2800x1000x24" "$0" "$@"
fi

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/data"
export GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none
export ADW_DEBUG_COLOR_SCHEME=prefer-light
# any locale but C lets LANGUAGE choose; C.UTF-8 is always there
export LC_ALL=C.UTF-8 LANGUAGE="$lang" WALK_LOCALEDIR="$PWD/$build/po"

for what in ${WALKS:-welcome walk error narrow faults rounds chooser}; do
  "$build/src/app/walk-driver" "$out/$what" "$what"
done
ls "$out"/*/*.png
