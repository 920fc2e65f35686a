#!/bin/sh
# bench-app.sh: the desktop app's benchmark, next to GNOME Text Editor
#
# Usage: bench/bench-app.sh [BUILDDIR] [ROUNDS]
#
# Starts a private D-Bus session and Xvfb (no window manager, no compositor),
# then with bench-app (bench/bench-app.c), once with GTK's default renderer
# (GL; under Xvfb that is Mesa's llvmpipe, software) and once with
# GSK_RENDERER=cairo:
#   1. launch time to the first mapped window and to the first painted frame,
#      and RSS 2 s later, for Consilium (`src/app/consilium`) and for GNOME
#      Text Editor (`gnome-text-editor`, if installed: apt-get install
#      gnome-text-editor), both measured the same way;
#   2. a run of 8 candidates in the app against the standalone test provider:
#      the longest main-loop stall and frame interval while they stream, and
#      RSS after the run; without a judge, and with one (default renderer).
# Needs xvfb-run (or Xvfb) and dbus-run-session. The accessibility bus is
# off (GTK_A11Y=none) for every program: under a bare Xvfb it is not there.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

build=${1:-_build}
rounds=${2:-7}
bench="$build/bench/bench-app"

if [ ! -x "$bench" ]; then
  echo "No $bench: run 'ninja -C $build bench/bench-app src/app/consilium tests/consilium-test-provider' first" >&2
  exit 2
fi

if [ -z "${BENCH_APP_INNER:-}" ]; then
  export BENCH_APP_INNER=1
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1000x24" "$0" "$@"
fi

# the same environment for every program measured
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/data"
export GIO_USE_VFS=local
export NO_AT_BRIDGE=1
export GDK_BACKEND=x11
export GTK_A11Y=none

for renderer in default cairo; do
  if [ "$renderer" = cairo ]; then
    export GSK_RENDERER=cairo
  else
    unset GSK_RENDERER
  fi
  if command -v gnome-text-editor >/dev/null 2>&1; then
    echo "== launch: Consilium (src/app/consilium) and GNOME Text Editor $(dpkg-query -W -f='${Version}' gnome-text-editor 2>/dev/null || true) in turn, renderer $renderer"
    "$bench" launch -n "$rounds" "$build/src/app/consilium" --vs gnome-text-editor
  else
    echo "== launch: Consilium (src/app/consilium), renderer $renderer (GNOME Text Editor is not installed)"
    "$bench" launch -n "$rounds" "$build/src/app/consilium"
  fi
  echo "== run: 8 candidates in the app, no judge, renderer $renderer"
  "$bench" run -n 5
done
unset GSK_RENDERER
echo "== run: 8 candidates in the app, with a judge, renderer default"
"$bench" run -n 5 --judge
