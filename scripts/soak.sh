#!/usr/bin/env bash
# The soak run (issue 25): long PAL training runs of TorchVision ResNet-18 (batch 8, 64×64, PAL at layer3), one
# fresh process per optimiser — TorchSharp's Adam and SGD and the package's FlatMemoryAdam and FlatMemorySGD — and
# a Markdown table of live tensors and resident memory after 1/20, 1/4, 1/2 and all of the steps (100, 500, 1000 and
# 2000 by default), with the CPU named. Memory that stays flat shows the same figures after the first checkpoint.
# It is not part of the unit suite: 2,000 steps take minutes per optimiser (the report gives seconds per step).
# A run whose resident memory passes --max-resident-mib (default 6144) stops there and the table says where:
# TorchSharp's Adam grows by tens of MiB per step and would otherwise take the machine's memory.
# Usage: bash scripts/soak.sh [STEPS] [more options of the soak command, e.g. --optimizer adam,flat-adam
#        --threads 2 --allocator default --output soak.md]
# `dotnet run -c Release --project benchmarks/PrivilegedAttribution.Benchmarks -- soak --help` lists the options.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
steps=2000
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then steps=$1; shift; fi
project=$repo/benchmarks/PrivilegedAttribution.Benchmarks
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build "$project/PrivilegedAttribution.Benchmarks.csproj" -c Release -nologo >"$log" 2>&1 \
    || { cat "$log"; exit 1; }
"$project/bin/Release/net10.0/PrivilegedAttribution.Benchmarks" soak --steps "$steps" "$@"
