#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Consilium needs to build, run and test
# (locales: the sources test-locale-de makes de_DE.UTF-8 from, with
# localedef, where the system has not generated it).
set -eu

PACKAGES="meson ninja-build pkg-config gcc gettext python3
libglib2.0-dev libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev
libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libgraphviz-dev
desktop-file-utils appstream
xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools at-spi2-core
clang libclang-rt-14-dev valgrind imagemagick x11-apps
locales"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "Installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
fi
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
