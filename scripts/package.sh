#!/usr/bin/env bash
# Builds the desktop app for release and its Debian package (.deb), launches the release
# program against the real service, then checks what the package installs: the program
# in /usr/bin, a menu entry (.desktop file) and its icons.
# Prints the package's path and size. (AppImage is not built: its tooling downloads parts
# at build time. The Windows installers are built on Windows.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh   # system packages, the UI's npm packages (the Tauri CLI among them)

# The app embeds ui/dist; setup.sh has just built it. The Tauri CLI reads
# tauri.conf.json here, at the repository root, and builds the release binary.
ui/node_modules/.bin/tauri build --bundles deb --ci

target="${CARGO_TARGET_DIR:-target}"
deb=$(ls -t "$target"/release/bundle/deb/*.deb | head -n 1)

# The release program itself, which no other test launches (panic = "abort", its page
# served by the custom protocol): its version, commands and window against the real
# service, in a session with an unlocked keyring as on a desktop (tests/release.rs).
dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d)
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  CUSTOMER_ACCOUNT_RELEASE_EXE="$1" cargo test --workspace --locked --test release -- --ignored
' _ "$(realpath "$target/release/customer-account")"

contents=$(dpkg-deb -c "$deb")
info=$(dpkg-deb --info "$deb")
fail=0
check() { # description, pattern, text
  if grep -Eq -- "$2" <<<"$3"; then echo "ok: $1"; else echo "MISSING: $1" >&2; fail=1; fi
}
check "the program in /usr/bin"  ' (\./)?usr/bin/customer-account$' "$contents"
check "a .desktop menu entry"    ' (\./)?usr/share/applications/[^/]+\.desktop$' "$contents"
check "icons"                    ' (\./)?usr/share/icons/hicolor/[0-9x@]+/apps/customer-account\.png$' "$contents"
check "the package's name"       '^ Package: customer-account$' "$info"
check "its WebKitGTK dependency" '^ Depends: .*libwebkit2gtk-4\.1-0' "$info"
[ "$fail" -eq 0 ] || { echo "$deb is incomplete:" >&2; echo "$contents" >&2; exit 1; }

echo
echo "$info" | grep -E '^ (Package|Version|Architecture|Installed-Size|Depends):'
echo "Package: $(realpath "$deb") ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"
