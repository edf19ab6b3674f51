#!/usr/bin/env bash
# Regenerates the app icons in icons/ (a blue rounded square with a white "ID").
# Needs ImageMagick 6 (`convert`), the DejaVu fonts and python3. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/icons"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
convert=/usr/bin/convert
[ -x "$convert" ] || convert=convert

# Master at 1024 px: transparent corners, rounded square, white "ID".
"$convert" -size 1024x1024 xc:none \
  -fill '#1d4ed8' -draw 'roundrectangle 64,64 959,959 190,190' \
  -fill '#ffffff' -font DejaVu-Sans-Bold -pointsize 470 -gravity center \
  -annotate +0+10 'ID' \
  "PNG32:$tmp/master.png"

png() { # size file — 8-bit RGBA (tauri-codegen wants RGBA), no metadata
  "$convert" "$tmp/master.png" -filter Lanczos -resize "$1x$1" -strip "PNG32:$2"
}
png 32 "$out/32x32.png"
png 128 "$out/128x128.png"
png 256 "$out/128x128@2x.png"
png 512 "$out/icon.png"

# Windows icon: 16…256 px layers.
for s in 16 24 32 48 64 256; do png "$s" "$tmp/ico-$s.png"; done
"$convert" "$tmp"/ico-16.png "$tmp"/ico-24.png "$tmp"/ico-32.png "$tmp"/ico-48.png \
  "$tmp"/ico-64.png "$tmp"/ico-256.png "$out/icon.ico"

# macOS icon: an ICNS file is a header plus PNG entries (ic07=128, ic08=256, ic09=512).
for s in 128 256 512; do png "$s" "$tmp/icns-$s.png"; done
python3 - "$tmp" "$out/icon.icns" <<'PY'
import struct, sys
tmp, dest = sys.argv[1], sys.argv[2]
chunks = b""
for kind, size in ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512)):
    data = open(f"{tmp}/icns-{size}.png", "rb").read()
    chunks += kind + struct.pack(">I", len(data) + 8) + data
open(dest, "wb").write(b"icns" + struct.pack(">I", len(chunks) + 8) + chunks)
PY
ls -l "$out"
