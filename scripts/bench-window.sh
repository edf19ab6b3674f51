#!/usr/bin/env bash
# Measures the window's cold start: from launching the release program to the account
# screen painted (a linked workstation, the real service on loopback), median of 7 runs
# under Xvfb, with peak memory; also the welcome screen of a workstation not linked. The
# paint is the page's own timing (tests/window.rs, Target); when WebDriver first saw the
# screen displayed is printed beside it. A measurement, not a test.
#
# BENCH_BARE=/path/to/a-bare-tauri-app measures that binary the same way (to its page's
# first paint) for comparison; build it with the same release profile. BENCH_RUNS=N: N
# runs. BENCH_APP_BEFORE=/path/to/another/build adds it to the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The release program as the Tauri CLI builds it (scripts/package.sh builds the same).
cargo build --release --locked --features tauri/custom-protocol
export BENCH_APP="$(realpath "${CARGO_TARGET_DIR:-target}/release/customer-account")"

dbus-run-session -- bash -c '
  set -euo pipefail
  export XDG_DATA_HOME=$(mktemp -d)
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  cargo test --locked --test window cold_start_figures -- --ignored --nocapture
'
