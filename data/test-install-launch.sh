#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR, checks that every desktop file
# lands in its place, then starts the installed app through its desktop file
# with `gio launch`, waits for it to own its bus name and show a window, and
# asks it to quit; the demo provider is installed where the app looks for it
# and starts. Needs a display and a session bus (tools/test.sh gives
# both); skipped (77) without them.
#
# Usage: test-install-launch.sh BUILD_DIR PREFIX APP_ID
set -u

build=$1
prefix=$2
app_id=$3
# CONSILIUM_TEST_SLOW=N (sanitizer builds): every wait gives up N times later
SLOW=${CONSILIUM_TEST_SLOW:-1}

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "no X display or session bus: skipped"
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/consilium-install-XXXXXX")
pid=""
cleanup () {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install failed"; }

root="$tmp/root$prefix"
for f in \
  "bin/consilium" \
  "share/applications/$app_id.desktop" \
  "share/metainfo/$app_id.metainfo.xml" \
  "share/glib-2.0/schemas/$app_id.gschema.xml" \
  "share/icons/hicolor/scalable/apps/$app_id.svg" \
  "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
do
  [ -e "$root/$f" ] || fail "$prefix/$f was not installed"
done
[ -x "$root/bin/consilium" ] || fail "$prefix/bin/consilium is not executable"

# The demo provider the welcome page starts, where the app looks for it
# (LIBEXECDIR in config.h), and it listens when started as the app does.
libexecdir=$(sed -n 's/^#define LIBEXECDIR "\(.*\)"$/\1/p' "$build/config.h")
[ -n "$libexecdir" ] || fail "config.h defines no LIBEXECDIR"
demo="$root${libexecdir#"$prefix"}/consilium-test-provider"
[ -x "$demo" ] || fail "$libexecdir/consilium-test-provider (the demo provider) was not installed"
"$demo" --port-file="$tmp/demo.port" >/dev/null 2>&1 &
demo_pid=$!
i=0
until [ -s "$tmp/demo.port" ]; do
  i=$((i + 1))
  [ $i -le $((100 * SLOW)) ] || { kill "$demo_pid" 2>/dev/null; fail "the installed demo provider did not write its port within $((10 * SLOW)) s"; }
  sleep 0.1
done
kill "$demo_pid" 2>/dev/null
wait "$demo_pid" 2>/dev/null

# With DESTDIR, gnome.post_install leaves the caches to the packager's
# triggers; do what they do.
glib-compile-schemas --strict "$root/share/glib-2.0/schemas" || fail "the installed schemas do not compile"

# every language in LINGUAS is installed and translates
for lang in $(sed 's/#.*//' "$(dirname "$0")/../po/LINGUAS"); do
  mo="$root/share/locale/$lang/LC_MESSAGES/consilium.mo"
  [ -e "$mo" ] || fail "$prefix/share/locale/$lang/LC_MESSAGES/consilium.mo was not installed"
done
if [ -e "$root/share/locale/de/LC_MESSAGES/consilium.mo" ]; then
  got=$(LC_ALL=C.UTF-8 LANGUAGE=de TEXTDOMAINDIR="$root/share/locale" gettext -d consilium "Preferences")
  [ "$got" = "Einstellungen" ] || fail "the German catalogue translates “Preferences” as “$got”"
fi

desktop="$root/share/applications/$app_id.desktop"
grep -q "^Exec=$prefix/bin/consilium" "$desktop" || fail "Exec= in the desktop file does not start $prefix/bin/consilium"
grep -q "^Icon=$app_id\$" "$desktop" || fail "Icon= in the desktop file is not $app_id"

# The files sit under DESTDIR, not PREFIX: point the launcher there.
mkdir -p "$tmp/apps/applications" "$tmp/config" "$tmp/data" "$tmp/cache"
sed "s|^Exec=$prefix/bin/|Exec=$root/bin/|" "$desktop" >"$tmp/apps/applications/$app_id.desktop"

owner () {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$app_id" 2>/dev/null
}
case "$(owner)" in
  *true*) fail "$app_id already runs on this session bus; cannot test a fresh start" ;;
esac

XDG_DATA_DIRS="$tmp/apps:$root/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
GSETTINGS_SCHEMA_DIR="$root/share/glib-2.0/schemas" \
GSETTINGS_BACKEND=memory \
XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" \
G_DEBUG= NO_AT_BRIDGE=1 \
  gio launch "$tmp/apps/applications/$app_id.desktop" >"$tmp/launch.log" 2>&1 ||
  { cat "$tmp/launch.log" >&2; fail "gio launch failed"; }

i=0
until owner | grep -q true; do
  i=$((i + 1))
  [ $i -le $((300 * SLOW)) ] || { cat "$tmp/launch.log" >&2; fail "the app did not register $app_id on the bus within $((30 * SLOW)) s"; }
  sleep 0.1
done

pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetConnectionUnixProcessID "$app_id" |
      sed -n 's/.*uint32 \([0-9][0-9]*\).*/\1/p')
[ -n "$pid" ] || fail "could not find the app's process"
case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
  "$root/bin/consilium") ;;
  *) fail "the process owning $app_id ($pid: $(readlink "/proc/$pid/exe" 2>&1)) is not the installed binary" ;;
esac

if command -v xwininfo >/dev/null 2>&1; then
  i=0
  until xwininfo -root -tree 2>/dev/null | grep -qi '"consilium"'; do
    i=$((i + 1))
    [ $i -le $((150 * SLOW)) ] || fail "no Consilium window appeared within $((15 * SLOW)) s"
    sleep 0.1
  done
fi

# still alive after building its window?
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the app exited right after starting"

gdbus call --session --dest "$app_id" --object-path "/$(echo "$app_id" | tr . /)" \
  --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null 2>&1
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1))
  [ $i -le $((100 * SLOW)) ] || fail "the app did not quit through app.quit within $((10 * SLOW)) s"
  sleep 0.1
done
pid=""

echo "installed into $tmp/root$prefix, started through the desktop file, quit cleanly"
exit 0
