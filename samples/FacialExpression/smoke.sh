#!/usr/bin/env bash
# CI smoke run of the FacialExpression sample on the tiny RAF-DB-layout fixture (scripts/make-face-fixture.sh):
# predicts the landmarks, trains ResNet-18 with PAL for one epoch at 64×64 and checks every output was written.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
data=artifacts/face-fixture/rafdb/basic
out=artifacts/facial-expression-smoke
if [ ! -f "$data/EmoLabel/list_patition_label.txt" ]; then
    echo "smoke: $data is missing; run scripts/make-face-fixture.sh first." >&2
    exit 1
fi
rm -rf "$out" "$data/landmarks68.csv"
dotnet run -c Release --no-build --project samples/FacialExpression -- train --layout rafdb --data "$data" \
    --epochs 1 --batch-size 8 --size 64 --overlays 4 --threads 2 --out "$out"
for file in metrics.md metrics.json confusion-matrix.csv confusion-matrix.png training-curves.png heatmap-overlays.png \
    attribution-overlays.png; do
    [ -s "$out/$file" ] || { echo "smoke: $out/$file was not written" >&2; exit 1; }
done
[ -s "$data/landmarks68.csv" ] || { echo "smoke: the landmark cache was not written" >&2; exit 1; }
echo "FacialExpression smoke run: all outputs written to $out"
