#!/usr/bin/env bash
# Renders assets/icon/corelab.svg into the PNGs committed beside it (corelab-NxN.png), the
# sizes of the hicolor icon theme that the Debian package installs, and the one the window
# uses. Needs rsvg-convert (Debian: apt-get install librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."

svg=assets/icon/corelab.svg
command -v rsvg-convert >/dev/null || { echo "rsvg-convert not found: apt-get install librsvg2-bin" >&2; exit 1; }
for size in 16 32 48 64 128 256 512; do
  out="assets/icon/corelab-${size}.png"
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio --format png \
    --output "$out" "$svg"
  echo "$out"
done
