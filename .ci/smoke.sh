#!/usr/bin/env bash
# CI smoke runs (after the set-up's build): every sample for one short epoch on a small subset, and the benchmarks
# in their short configuration. They prove that the programs run and write their outputs; their numbers mean
# nothing. Prints one line per run and exits non-zero if any failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=()

# smoke NAME EXPECTED-FILE COMMAND...: runs the command and checks that it wrote the file (when one is named).
smoke() {
    local name=$1 expected=$2
    shift 2
    local started=$SECONDS
    echo "== smoke: $name"
    if "$@" && { [ -z "$expected" ] || [ -s "$expected" ]; }; then
        echo "== smoke: $name passed ($((SECONDS - started)) s)"
    else
        echo "== smoke: $name FAILED ($((SECONDS - started)) s)" >&2
        failed+=("$name")
    fi
}

run() { dotnet run -c Release --no-build --project "$@"; }

# smoke_stops NAME EXIT-CODE TEXT COMMAND...: the command must fail with that exit code and print TEXT (a run that
# must stop, e.g. on a diverging loss, instead of training on NaN weights).
smoke_stops() {
    local name=$1 code=$2 text=$3
    shift 3
    echo "== smoke: $name"
    local log rc=0
    log=$("$@" 2>&1) || rc=$?
    if [ "$rc" -eq "$code" ] && grep -qF "$text" <<<"$log"; then
        echo "== smoke: $name passed (exit $rc)"
    else
        echo "$log" | tail -20 >&2
        echo "== smoke: $name FAILED (exit $rc, expected $code and '$text')" >&2
        failed+=("$name")
    fi
}

decoy=experiments/DecoyMnist
smoke decoy-mnist "$out/decoy/results.json" run $decoy -- --seeds 1 --epochs 1 --train-limit 500 --protocols cdep \
    --out "$out/decoy"
smoke decoy-mnist-sweep "$out/sweep/sweep.json" run $decoy -- sweep --seeds 1 --epochs 1 --train-limit 300 \
    --protocols cdep --methods pal --lambdas 1,30 --out "$out/sweep"
smoke decoy-mnist-small-data "$out/small/small-data.png" run $decoy -- small-data --seeds 1 --epochs 1 --sizes 50,100 \
    --min-steps 3 --out "$out/small"
# The small-data protocol's own λs and PAL's schedule (chosen on its validation splits), not the decoy experiment's.
# PAL's λ chosen per seed and size on the validation digits among 0, 1, 3 and 10 (PalStrength.Choose).
smoke decoy-mnist-small-data-lambdas "" grep -q 'PAL: pool1, λ=3, .*λ held for half the steps, then → 0; its λ chosen per seed and size on the validation digits among 0, 1, 3, 10 (PalStrength.Choose, margin 1 SE; .*: 50 digits: [0-9]*; 100 digits: [0-9]*\. RRR: λ=1, ' \
    "$out/small/small-data.md"
smoke decoy-mnist-lambda-selection-study "$out/small-study/lambda-selection-study.md" run $decoy -- \
    lambda-selection-study --runs "$out/small/small-data.json" --out "$out/small-study"
# A merge labels its report with its own options: runs made with others are refused, not mislabelled.
smoke decoy-mnist-merge "$out/decoy-merged/results.md" run $decoy -- --merge "$out/decoy/results.json" --seeds 1 \
    --epochs 1 --train-limit 500 --protocols cdep --out "$out/decoy-merged"
smoke_stops decoy-mnist-merge-mislabelled 2 "Give --merge the options the runs were made with" run $decoy \
    -- --merge "$out/decoy/results.json" --seeds 1 --train-limit 500 --protocols cdep --out "$out/decoy-merged-8"
smoke_stops decoy-mnist-merge-other-data 2 "its runs were made with data" run $decoy \
    -- --merge "$out/decoy/results.json" --seeds 1 --epochs 1 --protocols cdep --out "$out/decoy-merged-all"
smoke decoy-mnist-small-data-merge "$out/small-merged/small-data.md" run $decoy -- small-data \
    --merge "$out/small/small-data.json" --min-steps 3 --out "$out/small-merged"
smoke_stops decoy-mnist-small-data-merge-mislabelled 2 "Give --merge the options the runs were made with" \
    run $decoy -- small-data --merge "$out/small/small-data.json" --min-steps 3 --pal-lambda 10 \
    --out "$out/small-merged-10"
smoke_stops decoy-mnist-small-data-merge-constant 2 "Give --merge the options the runs were made with" \
    run $decoy -- small-data --merge "$out/small/small-data.json" --min-steps 3 --pal-schedule constant \
    --out "$out/small-merged-constant"
smoke_stops decoy-mnist-small-data-merge-fixed-lambda 2 "its PAL λ selection was" \
    run $decoy -- small-data --merge "$out/small/small-data.json" --min-steps 3 --pal-lambda-selection fixed \
    --out "$out/small-merged-fixed"
smoke_stops decoy-mnist-small-data-merge-clutter 2 "this merge would label them cluttered" \
    run $decoy -- small-data --merge "$out/small/small-data.json" --min-steps 3 --clutter 4:8 \
    --out "$out/small-merged-cluttered"
smoke decoy-mnist-small-data-clutter "$out/clutter/small-data.png" run $decoy -- small-data --seeds 1 --epochs 1 \
    --sizes 50 --min-steps 3 --clutter 4:8 --out "$out/clutter"
# PAL's layer chosen with its λ on validation, and the study's rows for it.
smoke decoy-mnist-small-data-layers "$out/layers/small-data.json" run $decoy -- small-data --seeds 1 --epochs 1 \
    --sizes 50 --min-steps 3 --methods unpenalised,pal --pal-layer-candidates pool1,relu2 --out "$out/layers"
smoke decoy-mnist-small-data-layers-note "" grep -q 'among 0, 1, 3, 10 at each of the layers pool1, relu2 ' \
    "$out/layers/small-data.md"
smoke_stops decoy-mnist-small-data-layers-fixed 2 "small-data: --pal-layer-candidates needs --pal-lambda-selection" \
    run $decoy -- small-data --seeds 1 --sizes 50 --pal-lambda 3 --pal-layer-candidates pool1,relu2 \
    --out "$out/layers-fixed"
smoke decoy-mnist-lambda-selection-study-layers "" bash -c "dotnet run -c Release --no-build --project $decoy -- \
    lambda-selection-study --runs '$out/layers/small-data.json' --out '$out/layers-study' | grep -q 'at relu2 only'"
# What cluttered data offer the prior (images only), and a clear stop without --clutter.
smoke decoy-mnist-clutter-coverage "" bash -c "dotnet run -c Release --no-build --project $decoy -- clutter-coverage \
    --clutter 4:8 | grep -q \"clutter where the object's heatmap\""
smoke_stops decoy-mnist-clutter-coverage-clean 2 "give --clutter FRAGMENTS:SIZE" run $decoy -- clutter-coverage
# A learning rate that makes the weights diverge: the loop stops with a message and exit code 3.
smoke_stops decoy-mnist-diverges 3 "Training stopped: the loss is not finite" run $decoy -- --seeds 1 --epochs 1 \
    --train-limit 300 --protocols cdep --methods unpenalised --lr 1e12 --out "$out/diverge"
# The samples read the digits where scripts/fetch-mnist.sh puts them (artifacts/mnist) and the face fixture.
smoke quick-start "" run samples/QuickStart -- --epochs 1 --train-size 1000
smoke mask-prior "$out/mask-prior/mask-prior-attribution.png" run samples/MaskPrior -- --epochs 1 --train-size 1000 \
    --out "$out/mask-prior"
smoke resnet-integration "$out/resnet/resnet18-training-curves.png" run samples/TorchVisionIntegration -- \
    --train-size 64 --validation-size 32 --test-size 32 --epochs 1 --out "$out/resnet"
smoke resnet-integration-faces "$out/resnet-faces/resnet18-attribution.png" run samples/TorchVisionIntegration -- \
    --faces artifacts/face-fixture/rafdb/basic --epochs 1 --out "$out/resnet-faces"
# torchvision weights (random ones, written by the PretrainedWeights tests' set-up, which ran before the smoke).
smoke resnet-integration-weights "$out/resnet-weights/resnet18-training-curves.png" run samples/TorchVisionIntegration \
    -- --weights artifacts/pytorch-weights/resnet18.pth --train-size 64 --validation-size 32 --test-size 32 --epochs 1 \
    --out "$out/resnet-weights"
smoke vgg-integration "$out/vgg/vgg11bn-training-curves.png" run samples/TorchVisionIntegration -- --model vgg11_bn \
    --train-size 32 --validation-size 16 --test-size 16 --epochs 1 --out "$out/vgg"
smoke facial-expression "" bash samples/FacialExpression/smoke.sh "$out/facial-expression"
smoke landmark-benchmark "" run benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- --filter '*' --job Dry
smoke benchmarks "" run benchmarks/PrivilegedAttribution.Benchmarks -- smoke
# dlib's C++ predictor beside ours, only where tools/dlib-reference was built (it needs Debian's libdlib-dev).
if [ -x artifacts/dlib-reference/dlib-reference ]; then
    smoke landmarks-versus-dlib "" run benchmarks/PrivilegedAttribution.Landmarks.Benchmarks -- versus-dlib \
        --repeat 1 --rounds 1 --batch 4 --loads 1
else
    echo "== smoke: landmarks-versus-dlib skipped (artifacts/dlib-reference not built; see tools/dlib-reference)"
fi

if [ ${#failed[@]} -ne 0 ]; then
    echo "smoke runs FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "smoke runs: all passed"
