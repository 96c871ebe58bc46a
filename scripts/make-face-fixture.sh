#!/usr/bin/env bash
# Builds the face fixture used by the landmark tests and the FacialExpression sample's CI run (never committed):
#   artifacts/face-fixture/photos/   astronaut.png (Debian python3-skimage) and grace_hopper.jpg (Debian facedetect),
#                                    both public domain, with faces.csv (dlib's frontal-face detector boxes), and
#                                    lfw_subset.npy (python3-skimage's 25×25 LFW crops, for more reference faces)
#   artifacts/face-fixture/rafdb/basic/   a tiny RAF-DB "basic" layout made from them by tools/FaceFixture
# The photos are taken from the .deb files themselves (apt-get download + dpkg-deb -x), so none of the packages'
# dependencies is installed. Needs Debian's libdlib-data (the 68-point model) for the RAF-DB part.
# Usage: bash scripts/make-face-fixture.sh [--photos-only] [OUTPUT_FOLDER]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
photos_only=0
if [ "${1:-}" = "--photos-only" ]; then photos_only=1; shift; fi
out=${1:-$repo/artifacts/face-fixture}
mkdir -p "$out/photos"

astronaut=usr/lib/python3/dist-packages/skimage/data/astronaut.png
lfw=usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy
hopper=usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg
if [ ! -f "$out/photos/astronaut.png" ] || [ ! -f "$out/photos/grace_hopper.jpg" ] || [ ! -f "$out/photos/lfw_subset.npy" ]; then
    if [ -f "/$astronaut" ] && [ -f "/$hopper" ] && [ -f "/$lfw" ]; then
        cp "/$astronaut" "$out/photos/astronaut.png"
        cp "/$lfw" "$out/photos/lfw_subset.npy"
        cp "/$hopper" "$out/photos/grace_hopper.jpg"
    else
        work=$(mktemp -d)
        trap 'rm -rf "$work"' EXIT
        if ! (cd "$work" && apt-get download python3-skimage facedetect >/dev/null 2>&1); then
            if [ "$(id -u)" -eq 0 ]; then apt-get update -q >/dev/null; else sudo apt-get update -q >/dev/null; fi
            (cd "$work" && apt-get download python3-skimage facedetect >/dev/null)
        fi
        for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
        cp "$work/root/$astronaut" "$out/photos/astronaut.png"
        cp "$work/root/$lfw" "$out/photos/lfw_subset.npy"
        cp "$work/root/$hopper" "$out/photos/grace_hopper.jpg"
    fi
fi
# Face boxes from dlib's frontal-face detector (tools/dlib-reference detect), as dlib rectangles (inclusive corners).
cat > "$out/photos/faces.csv" <<'CSV'
image,left,top,right,bottom
astronaut.png,179,83,266,170
grace_hopper.jpg,161,113,376,328
CSV
echo "face photos in $out/photos"

if [ "$photos_only" -eq 0 ]; then
    rm -rf "$out/rafdb"
    dotnet run --project "$repo/tools/FaceFixture" -c Release -- --photos "$out/photos" --out "$out/rafdb/basic"
fi
