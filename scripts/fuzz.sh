#!/usr/bin/env bash
# Fuzzes one reader of the Landmarks packages with AFL++ and SharpFuzz (docs/articles/fuzzing.md).
#   scripts/fuzz.sh list             the targets
#   scripts/fuzz.sh TARGET SECONDS   a campaign: installs what is missing (afl++ with apt-get, the SharpFuzz tool
#                                    from .config/dotnet-tools.json), builds fuzz/PrivilegedAttribution.Fuzz,
#                                    instruments the Landmarks assemblies (and Sep, their CSV reader), runs afl-fuzz
#                                    for SECONDS from the committed seeds, replays every crash and hang, and ends
#                                    with one line: executions, rate, crashes, hangs and the CPU.
# Work goes to fuzz/out/TARGET (git-ignored; FUZZ_OUT overrides): findings/default/{crashes,hangs} hold the inputs,
# which replay with: dotnet fuzz/out/replay/PrivilegedAttribution.Fuzz.dll TARGET --replay PATH...
# A campaign resumes nothing: each run starts from the seeds (a previous findings folder is moved aside).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
project="$repo/fuzz/PrivilegedAttribution.Fuzz"
out="${FUZZ_OUT:-$repo/fuzz/out}"
bin="$out/bin"          # instrumented: runs only under afl-fuzz
replay="$out/replay"    # the same build uninstrumented: replays inputs (an instrumented one faults outside afl-fuzz)

usage() {
    echo "usage: scripts/fuzz.sh list | TARGET SECONDS" >&2
    exit 2
}

build() {
    # A fresh output folder each time: SharpFuzz instruments in place and refuses an instrumented assembly.
    rm -rf "$bin"
    dotnet build "$project" -c Release -o "$bin" -v quiet -nologo -clp:ErrorsOnly >/dev/null
}

[ $# -ge 1 ] || usage
if [ "$1" = list ]; then
    build
    dotnet "$bin/PrivilegedAttribution.Fuzz.dll" list
    exit 0
fi
[ $# -eq 2 ] || usage
target=$1
seconds=$2
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
[ -d "$project/Corpus/$target" ] || { echo "fuzz.sh: no target '$target' (scripts/fuzz.sh list)" >&2; exit 2; }

if ! command -v afl-fuzz >/dev/null; then
    echo "fuzz.sh: installing afl++" >&2
    sudo=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    $sudo apt-get install -y afl++ >/dev/null
fi
(cd "$repo" && dotnet tool restore >/dev/null)

build
rm -rf "$replay"
cp -r "$bin" "$replay"
for assembly in PrivilegedAttribution.Landmarks PrivilegedAttribution.Landmarks.SkiaSharp Sep; do
    (cd "$repo" && dotnet sharpfuzz "$bin/$assembly.dll" >/dev/null)
done

work="$out/$target"
mkdir -p "$work"
rm -rf "$work/seeds" "$work/findings.previous"
[ -d "$work/findings" ] && mv "$work/findings" "$work/findings.previous"
cp -r "$project/Corpus/$target" "$work/seeds"
# The real model's first 2 KiB as one more seed, taken from the installed Debian package (never committed).
if [ "$target" = dlib-model ] && [ -f /usr/share/dlib/shape_predictor_68_face_landmarks.dat ]; then
    head -c 2048 /usr/share/dlib/shape_predictor_68_face_landmarks.dat > "$work/seeds/real-model-first-2048-bytes.dat"
fi
if [ "$target" = image ] || [ "$target" = jpeg-end ]; then
    dotnet "$replay/PrivilegedAttribution.Fuzz.dll" image --write-seeds "$work/seeds"
fi

# dotnet is not an AFL-compiled binary (SharpFuzz speaks the fork-server protocol itself); the runtime reserves far
# more address space than afl-fuzz's default memory limit; a shared machine has no core to bind to alone.
# -t: an input that runs longer than 5 s is a hang (the first inputs also pay for JIT compilation); for images,
# 20 s: an image of SkiaImages.MaxPixelCount pixels is within the contract however small its file (a GIF's canvas
# size is one header field), and the target decodes it twice (about 8 s on a 2-core EPYC).
timeout_ms=5000
[ "$target" = image ] && timeout_ms=20000
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1 AFL_SKIP_CRASHES=1
# The harness writes every input to a scratch folder under TMPDIR: memory-backed where the machine has one.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then
    export TMPDIR=/dev/shm
fi
afl-fuzz -V "$seconds" -t "$timeout_ms" -m none -i "$work/seeds" -o "$work/findings" \
    -- dotnet "$bin/PrivilegedAttribution.Fuzz.dll" "$target" > "$work/afl.log" 2>&1 || {
    echo "fuzz.sh: afl-fuzz failed; the end of $work/afl.log:" >&2
    tail -30 "$work/afl.log" >&2
    exit 1
}

stats="$work/findings/default/fuzzer_stats"
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$work/findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$work/findings/default/hangs" -type f -name 'id:*' | wc -l)
if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    echo "fuzz.sh: replaying the crashes and hangs:"
    dotnet "$replay/PrivilegedAttribution.Fuzz.dll" "$target" --replay "$work/findings/default/crashes" \
        "$work/findings/default/hangs" | grep -v '^accepted\|^refused' || true
fi

cpu=$(lscpu | awk -F': *' '/^Model name/ { print $2; exit }')
family=$(lscpu | awk -F': *' '/^CPU family/ { print $2; exit }')
model=$(lscpu | awk -F': *' '/^Model:/ { print $2; exit }')
isa=$(grep -q -w avx512f /proc/cpuinfo && echo AVX-512 || { grep -q -w avx2 /proc/cpuinfo && echo AVX2 || echo SSE; })
cores=$(nproc)
execs=$(stat execs_done)
elapsed=$(( $(stat last_update) - $(stat start_time) ))
rate=$(awk -v e="$execs" -v s="$elapsed" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
echo "$target: $execs executions in ${elapsed} s ($rate/s), $crashes crashes, $hangs hangs," \
    "$(stat corpus_count) inputs in the corpus; afl-fuzz $(stat afl_version), 1 process;" \
    "CPU: $cpu (family $family model $model, $isa, $cores cores)"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
