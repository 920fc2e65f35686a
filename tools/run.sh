#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing (Debian 12), builds Consilium, starts the demo
# provider (synthetic answers, no API key needed) and runs the app.
set -eu
cd "$(dirname "$0")/.."

sh tools/deps.sh

BUILD=${BUILD:-_build/run}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=debugoptimized
fi
ninja -C "$BUILD"

# The demo provider lets a newcomer try the whole flow without any key.
# The app finds it through this port file and offers it, labelled as a demo.
RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
PORT_FILE="$RUNTIME_DIR/consilium-demo-provider.port"
rm -f "$PORT_FILE"
"$BUILD/tests/consilium-test-provider" --port-file="$PORT_FILE" >/dev/null &
provider=$!
trap 'kill $provider 2>/dev/null; rm -f "$PORT_FILE"' EXIT

export GSETTINGS_SCHEMA_DIR="$PWD/$BUILD/data"
"$BUILD/src/app/consilium" "$@"
