#!/usr/bin/env bash
# Builds the Windows installer offline with Debian's makensis from
# installer/windows/customer-account.nsi, around the program that build-windows.sh made.
# Signs the program and the installer when the vendor supplies a certificate:
#   WINDOWS_SIGNING_CERT      a PKCS#12 (.pfx/.p12) file with the key and certificate
#   WINDOWS_SIGNING_PASSWORD  its password (environment only, never an argument)
#   WINDOWS_SIGNING_TIMESTAMP optional RFC 3161 timestamp server URL
#   WINDOWS_SIGNING_CAFILE    optional: the root to verify against (a self-signed test
#                             certificate); by default the system's trusted roots
# then checks each signature with `osslsigncode verify`.
#
# Output, in $WINDOWS_OUT (default target-windows-out/): customer-account-<version>-setup.exe
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/packages.sh
install_missing nsis osslsigncode

out="${WINDOWS_OUT:-target-windows-out}"
[ -f "$out/customer-account.exe" ] || { echo "$out/customer-account.exe is missing: run scripts/build-windows.sh" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$out/customer-account.exe" "$out/WebView2Loader.dll" icons/icon.ico "$stage/"

sign() { # file
  [ -n "${WINDOWS_SIGNING_CERT:-}" ] || return 0
  local args=(sign -pkcs12 "$WINDOWS_SIGNING_CERT" -pass "${WINDOWS_SIGNING_PASSWORD:-}"
    -n "Customer account" -h sha256 -in "$1" -out "$1.signed")
  [ -n "${WINDOWS_SIGNING_TIMESTAMP:-}" ] && args+=(-ts "$WINDOWS_SIGNING_TIMESTAMP")
  osslsigncode "${args[@]}" >/dev/null
  mv "$1.signed" "$1"
  local verify=(verify -in "$1")
  [ -n "${WINDOWS_SIGNING_CAFILE:-}" ] && verify+=(-CAfile "$WINDOWS_SIGNING_CAFILE")
  osslsigncode "${verify[@]}" >"$stage/verify.log" 2>&1 \
    || { cat "$stage/verify.log" >&2; echo "the signature of $1 does not verify" >&2; exit 1; }
  echo "signed: $(basename "$1")"
}

sign "$stage/customer-account.exe"
installer="$out/customer-account-$version-setup.exe"
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DSOURCE="$stage" \
  -DOUTFILE="$(realpath "$out")/customer-account-$version-setup.exe" \
  installer/windows/customer-account.nsi
sign "$installer"
# The signed program, as shipped inside the installer.
cp "$stage/customer-account.exe" "$out/customer-account.exe"
echo "Installer: $(realpath "$installer") ($(stat -c %s "$installer") bytes)"
