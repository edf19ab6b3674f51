#!/usr/bin/env bash
# Installs what building and testing need and is missing: Debian/Ubuntu packages, the
# UI's npm packages (from the committed lock file). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# webkit2gtk: the app's window. xvfb + webkit2gtk-driver: the window in tests; xclip reads
# what the window copied to the clipboard.
# gnome-keyring + dbus: a real Secret Service for the credential store in tests.
# (Not dbus-x11: it makes the app start daemons that outlive it.)
# chromium + chromium-driver: the support console's browser tests.
source scripts/lib/packages.sh
install_missing libwebkit2gtk-4.1-dev xvfb xclip webkit2gtk-driver gnome-keyring keyutils dbus pkg-config build-essential curl chromium chromium-driver

command -v cargo >/dev/null || { echo "Rust is missing: see https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js 20.19+ and npm are missing" >&2; exit 1; }

# The window tests drive the app through tauri-driver (it starts WebKitWebDriver).
if ! command -v tauri-driver >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  cargo install tauri-driver --version '^2' --locked
fi

# The app embeds ui/dist at compile time: build it first.
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
