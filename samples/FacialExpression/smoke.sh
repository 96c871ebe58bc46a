#!/usr/bin/env bash
# CI smoke runs of the FacialExpression sample on a copy of the tiny RAF-DB-layout fixture
# (scripts/make-face-fixture.sh), each one epoch of ResNet-18 at 64×64. The first predicts the landmarks and trains
# from scratch with the default options (the facial-expression augmentation, PAL with the landmark prior) and checks
# that every output was written; the others read its landmark cache and exercise each training option: torchvision
# weights as .pth and as safetensors (random ones, written by tools/pytorch-weights/write_weights.py), the
# action-unit prior, class weights, label smoothing, and the flip-only and no augmentation. Their accuracies mean
# nothing (the fixture's labels cycle through the classes).
# Usage: bash samples/FacialExpression/smoke.sh [OUTPUT_FOLDER]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fixture=artifacts/face-fixture/rafdb/basic
out=${1:-artifacts/facial-expression-smoke}
if [ ! -f "$fixture/EmoLabel/list_patition_label.txt" ]; then
    echo "smoke: $fixture is missing; run scripts/make-face-fixture.sh first." >&2
    exit 1
fi
rm -rf "$out"
mkdir -p "$out"
data=$out/basic
cp -r "$fixture" "$data"
rm -f "$data/landmarks68.csv"

weights=artifacts/pytorch-weights
if [ ! -f "$weights/resnet18.pth" ] || [ ! -f "$weights/resnet18.safetensors" ]; then
    # The PretrainedWeights tests write that folder at their set-up (CI runs them first); Debian's python3-torch.
    /usr/bin/python3 tools/pytorch-weights/write_weights.py "$out/pytorch-weights" >/dev/null
    weights=$out/pytorch-weights
fi

# train NAME OPTIONS...: one epoch (a quarter of the training faces held out, so that validation runs too), outputs
# in $out/NAME, the printed lines in $out/NAME.log.
train() {
    local name=$1
    shift
    echo "-- FacialExpression smoke: $name: $*"
    dotnet run -c Release --no-build --project samples/FacialExpression -- train --layout rafdb --data "$data" \
        --epochs 1 --batch-size 8 --size 64 --validation-fraction 0.25 --overlays 4 --threads 2 --out "$out/$name" \
        "$@" 2>&1 | tee "$out/$name.log"
}

# expect NAME TEXT...: the run's log or its metrics.json (which holds its settings) contains each TEXT.
expect() {
    local name=$1
    shift
    for text in "$@"; do
        grep -qF -- "$text" "$out/$name.log" "$out/$name/metrics.json" ||
            { echo "smoke: $name: '$text' is in neither its log nor its metrics.json" >&2; exit 1; }
    done
}

train defaults
for file in metrics.md metrics.json confusion-matrix.csv confusion-matrix.png training-curves.png heatmap-overlays.png \
    attribution-overlays.png; do
    [ -s "$out/defaults/$file" ] || { echo "smoke: $out/defaults/$file was not written" >&2; exit 1; }
done
[ -s "$data/landmarks68.csv" ] || { echo "smoke: the landmark cache was not written" >&2; exit 1; }
expect defaults '"Augment": "facial-expression"' '"Prior": "landmarks"' '"ClassWeights": "none"' 'peak resident memory'

train pth-action-units --weights "$weights/resnet18.pth" --prior action-units --class-weights inverse-frequency \
    --label-smoothing 0.1 --augment flip
expect pth-action-units "Loaded 120 of 122 entries from '" "resnet18.pth' (PyTorchZip, a torchvision ResNet-18" \
    "kept the model's head 'fc'" '"Prior": "action-units"' '"ClassWeights": "inverse-frequency"' \
    '"LabelSmoothing": 0.1' '"Augment": "flip"'

# The baseline (λ = 0: PAL's term logged, without the second order).
train safetensors-no-augmentation --weights "$weights/resnet18.safetensors" --augment none --pal-lambda 0
expect safetensors-no-augmentation "Loaded 120 of 122 entries from '" "resnet18.safetensors' (Safetensors" \
    '"Augment": "none"' '"Lambda": 0,' 'peak resident memory'
echo "FacialExpression smoke runs: all outputs written to $out"
