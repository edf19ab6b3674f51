#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the UI's type check, and the tests of
# every crate (the service on loopback with a real SMTP server, a real SQLite file — and
# the service's tests once more on a real PostgreSQL server started for them —, a
# real Secret Service for the credential store, and the app's real window under Xvfb
# driven through WebDriver); then the release build and its Debian package; last, the
# Windows program and installer, cross-built and tried under Wine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A fresh clone never rebuilds incrementally; the incremental caches only take disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

cargo fmt --all -- --check
(cd ui && npm run typecheck --silent && npm test --silent)
cargo clippy --workspace --all-targets --locked -- -D warnings

# A session bus with an unlocked keyring, as on a desktop; a virtual display for windows.
dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d)
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  cargo test --workspace --locked
'

# Every service, console and ledger test again, on PostgreSQL: a server of their own
# (Debian's PostgreSQL 15, initdb in a temporary folder, a free loopback port), stopped
# and removed afterwards.
bash scripts/with-postgres.sh cargo test -p account-server --locked

# The benchmarks' own checks (every search answers, every hash verifies), at a small
# size: their timings mean nothing here and none is asserted.
ACCOUNTS=2000 QUERIES=5 cargo test --workspace --locked --bench password_hash --bench search

# The release build and its Debian package, checked (about 2 to 5 minutes more).
bash scripts/package.sh

# Windows: the program cross-built, its signed installer, both tried under Wine.
bash scripts/test-windows.sh
