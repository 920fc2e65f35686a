#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command the way the test suites need it: in a private D-Bus session
# with an unlocked gnome-keyring (the "secrets" component only) and an Xvfb
# display, with the renderer and backend the widget tests expect.
#
#   tools/session.sh meson test -C _build/test
set -u
export GSK_RENDERER=${GSK_RENDERER:-cairo} GDK_BACKEND=${GDK_BACKEND:-x11} NO_AT_BRIDGE=1
exec dbus-run-session -- sh -c '
  printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec xvfb-run -a -s "-screen 0 1280x900x24" "$@"
' sh "$@"
