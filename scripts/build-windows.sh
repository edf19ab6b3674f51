#!/usr/bin/env bash
# Cross-builds the release program for Windows (x86_64-pc-windows-gnu) on Debian, with
# Debian's own Rust (rustc-web + its std sources, built with -Zbuild-std) and mingw-w64,
# from the same Cargo.lock; rustup's toolchain is left alone. Lints the Windows-only code
# too (clippy for the Windows target, warnings as errors).
#
# Output: $WINDOWS_OUT (default target-windows-out/) holds customer-account.exe and the
# WebView2Loader.dll it loads at run time; ship both side by side.
#
# The build reuses $WINDOWS_TARGET_DIR (default ~/.cache/customer-account/target-windows,
# outside the clone, so CI on the same machine starts warm); from cold it takes ~20–35 min
# on 2 cores, warm a minute or two.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/packages.sh
install_missing rustc-web rust-web-src cargo-web rust-web-clippy gcc-mingw-w64-x86-64

# The app embeds ui/dist at compile time.
[ -f ui/dist/index.html ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

target_dir="${WINDOWS_TARGET_DIR:-$HOME/.cache/customer-account/target-windows}"
out="${WINDOWS_OUT:-target-windows-out}"
mkdir -p "$target_dir" "$out"

# Debian's toolchain only, for this build: /usr/bin first, nightly features of the
# stable compiler unlocked for -Zbuild-std, mingw as linker and C compiler.
# (cargo would run rustup's cargo-clippy from ~/.cargo/bin for `cargo clippy`, so
# Debian's is called by its path.)
debian() { # program subcommand args…
  local program=$1 subcommand=$2
  shift 2
  env PATH=/usr/bin:/bin \
    RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO=/usr/bin/cargo \
    CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
    CARGO_TARGET_DIR="$target_dir" \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc \
    AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar \
    "$program" "$subcommand" -Zbuild-std=std,panic_abort --target x86_64-pc-windows-gnu \
    --locked "$@"
}

echo "== release build for Windows"
debian /usr/bin/cargo build --release -p customer-account --bin customer-account \
  --features tauri/custom-protocol

echo "== clippy for Windows (the app and its client library)"
debian /usr/bin/cargo-clippy clippy --release -p customer-account -p account-client --lib --bins \
  --features tauri/custom-protocol -- -D warnings

built="$target_dir/x86_64-pc-windows-gnu/release"
cp "$built/customer-account.exe" "$out/"
# webview2-com-sys puts the x64 loader beside the exe.
cp "$built/WebView2Loader.dll" "$out/"
echo "Windows program: $(realpath "$out/customer-account.exe") ($(stat -c %s "$out/customer-account.exe") bytes)"
echo "WebView2 loader: $(realpath "$out/WebView2Loader.dll") ($(stat -c %s "$out/WebView2Loader.dll") bytes)"
