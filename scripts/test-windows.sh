#!/usr/bin/env bash
# Windows, on every test run: cross-builds the program (scripts/build-windows.sh), builds
# its installer signed with a throw-away certificate made here and checks the signatures
# (scripts/package-windows.sh), then runs the program and the installer under Wine
# against the real service on loopback (tests/windows.rs). Warm, a few minutes; from
# cold the Windows build takes 20–35 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/packages.sh
install_missing wine64 openssl

bash scripts/build-windows.sh

signing=$(mktemp -d)
trap 'rm -rf "$signing"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Customer account test signing" \
  -keyout "$signing/key.pem" -out "$signing/cert.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$signing/key.pem" -in "$signing/cert.pem" \
  -out "$signing/cert.p12" -passout pass:throwaway
WINDOWS_SIGNING_CERT="$signing/cert.p12" WINDOWS_SIGNING_PASSWORD=throwaway \
  WINDOWS_SIGNING_CAFILE="$signing/cert.pem" bash scripts/package-windows.sh

# --workspace: the same packages as scripts/test.sh's test run, so the same features
# and nothing to rebuild.
out="${WINDOWS_OUT:-target-windows-out}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
CUSTOMER_ACCOUNT_WINDOWS_EXE="$(realpath "$out/customer-account.exe")" \
  CUSTOMER_ACCOUNT_WINDOWS_INSTALLER="$(realpath "$out/customer-account-$version-setup.exe")" \
  cargo test --workspace --locked --test windows -- --ignored
