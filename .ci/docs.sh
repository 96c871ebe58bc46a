#!/usr/bin/env bash
# The docs site (docs/, DocFX) as CI checks it, after the set-up's build and face fixture:
#  1. installs what is missing: the DocFX tool (.config/dotnet-tools.json) and Debian's chromium;
#  2. makes the README's figure (docs/figure → docs/images/pal-figure.png; generated, never committed);
#  3. compiles every C# snippet of README.md, docs/index.md and docs/articles/*.md that is a complete program
#     (a ```csharp block), with warnings as errors, against the four packages of src/. The convention, also stated
#     in docs/articles/contributing-to-the-docs.md: ```csharp is a complete program and is compiled; ```csharp fragment
#     is an excerpt (a line or two inside a loop shown elsewhere in full) and is not; ```csharp pending-api uses API
#     that is not in src/ yet and is listed here until it is enabled;
#  4. builds the site with warnings as errors (a broken link, cross-reference or include fails it);
#  5. serves it on the loopback and renders the home page and PalLoss's API page in headless Chromium, failing on a
#     blank or error page.
# Each stage prints one "docs:" line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. tools
dotnet tool restore >/dev/null
if ! command -v chromium >/dev/null; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -q && "${as_root[@]}" apt-get install -y -q chromium
fi
echo "docs: docfx $(dotnet docfx --version | head -1 | cut -d+ -f1) and $(chromium --version 2>/dev/null | head -1) ready"

# 2. the README's figure
if [ ! -f artifacts/face-fixture/rafdb/basic/EmoLabel/list_patition_label.txt ]; then
    echo "docs: the face fixture is missing: run scripts/make-face-fixture.sh (scripts/setup.sh does)." >&2
    exit 1
fi
dotnet build docs/figure -c Release --nologo -v:q
dotnet run -c Release --no-build --project docs/figure -- artifacts/face-fixture/rafdb/basic docs/images/pal-figure.png
[ -s docs/images/pal-figure.png ] || { echo "docs: docs/images/pal-figure.png was not written." >&2; exit 1; }
echo "docs: the README's figure made by docs/figure"

# 3. snippets. blocks FILE INFO: prints "LINE<TAB>" before the first line of each ```INFO block at column 0, the
# block's lines after it, and a form feed after each block.
blocks() {
    awk -v fence="\`\`\`$2" '
        !code && $0 == fence { code = 1; printf "%d\t", NR + 1; next }
        code && $0 == "```" { code = 0; printf "\f"; next }
        code { print }' "$1"
}
torchsharp=$(dotnet msbuild src/PrivilegedAttribution -getProperty:TorchSharpVersion)
mkdir -p "$work/snippet"
cat > "$work/snippet/snippet.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors><PlatformTarget>x64</PlatformTarget></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="TorchVision" Version="$torchsharp" />
    <ProjectReference Include="$repo/src/PrivilegedAttribution/PrivilegedAttribution.csproj" />
    <ProjectReference Include="$repo/src/PrivilegedAttribution.Landmarks/PrivilegedAttribution.Landmarks.csproj" />
    <ProjectReference
        Include="$repo/src/PrivilegedAttribution.Landmarks.SkiaSharp/PrivilegedAttribution.Landmarks.SkiaSharp.csproj" />
    <ProjectReference
        Include="$repo/src/PrivilegedAttribution.PretrainedWeights/PrivilegedAttribution.PretrainedWeights.csproj" />
  </ItemGroup>
</Project>
XML
echo 'return 0;' > "$work/snippet/Program.cs"
dotnet build "$work/snippet" -c Release --nologo -v:q >/dev/null
compiled=0; failed=0; fragments=0; pending=()
for file in README.md docs/index.md docs/articles/*.md; do
    # An indented ```csharp block (inside a list item) would escape the check: complete programs stand at column 0.
    if grep -nE '^\s+```csharp\s*$' "$file"; then
        echo "docs: $file has an indented \`\`\`csharp block: put programs at the start of a line, or mark" \
            "excerpts \`\`\`csharp fragment." >&2
        exit 1
    fi
    fragments=$((fragments + $(grep -cE '^\s*```csharp fragment$' "$file" || true)))
    while IFS= read -r line; do pending+=("$file:$line"); done < <(grep -n '^```csharp pending-api$' "$file" | cut -d: -f1)
    blocks "$file" csharp > "$work/blocks"
    while IFS= read -r -d $'\f' block; do
        [ -n "${block//[$'\n']/}" ] || continue
        start=${block%%$'\t'*}
        printf '%s' "${block#*$'\t'}" > "$work/snippet/Program.cs"
        if dotnet build "$work/snippet" -c Release --nologo -v:q --no-restore > "$work/build.log" 2>&1; then
            compiled=$((compiled + 1))
        else
            failed=$((failed + 1))
            echo "docs: the C# program at $file:$start does not compile:" >&2
            grep -E 'error|warning' "$work/build.log" | sed 's/^/    /' | sort -u >&2
        fi
    done < <(sed 's/\r$//' "$work/blocks")
done
if [ "$failed" -ne 0 ]; then
    echo "docs: $failed of $((compiled + failed)) C# programs do not compile." >&2
    exit 1
fi
if [ "$compiled" -eq 0 ]; then
    echo 'docs: no ```csharp program found in README.md or docs/: the snippet check ran on nothing.' >&2
    exit 1
fi
echo "docs: $compiled C# programs compiled ($fragments fragments not compiled)"
if [ ${#pending[@]} -gt 0 ]; then
    echo "docs: ${#pending[@]} snippets wait for API not in src/ yet (\`\`\`csharp pending-api): ${pending[*]}"
fi

# README.md is the repository's front page, not a page of the site: its relative links (files and folders of the
# repository, the figure made above) are checked here; the site's own links are checked by docfx below.
broken=0
while IFS= read -r target; do
    path=${target%%#*}
    [ -z "$path" ] || [ -e "$path" ] || { echo "docs: README.md links to $target, which does not exist." >&2; broken=1; }
done < <(grep -o '](\([^)]*\))' README.md | sed 's/^](//; s/)$//' | grep -vE '^(https?:|mailto:|#)')
[ "$broken" -eq 0 ] || exit 1
echo "docs: README.md's relative links resolve"

# 4. the site
rm -rf docs/_site docs/api docs/obj
dotnet docfx docs/docfx.json --warningsAsErrors > "$work/docfx.log" 2>&1 ||
    { cat "$work/docfx.log" >&2; echo "docs: docfx build failed (warnings are errors)." >&2; exit 1; }
grep -E '^ +[0-9]+ (warning|error)' "$work/docfx.log" | tr -s ' ' | paste -sd, | sed 's/^/docs: docfx build passed:/'

# 5. render two pages in headless Chromium, served over the loopback
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory docs/_site "$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
done
# render PAGE TEXT...: the page must load (HTTP 200), render a DOM holding each TEXT, and paint a screenshot that is
# not one flat colour.
render() {
    local page=$1 url="http://127.0.0.1:$port/$1"
    shift
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
    [ "$status" = 200 ] || { echo "docs: $url answered HTTP $status." >&2; return 1; }
    local chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars
        --virtual-time-budget=5000)
    "${chrome[@]}" --user-data-dir="$(mktemp -d -p "$work")" --dump-dom "$url" > "$work/dom.html" 2>/dev/null
    for text in "$@"; do
        grep -qF -- "$text" "$work/dom.html" ||
            { echo "docs: $page rendered without '$text' (blank or error page)." >&2; return 1; }
    done
    "${chrome[@]}" --user-data-dir="$(mktemp -d -p "$work")" --window-size=1280,900 \
        --screenshot="$work/page.png" "$url" > /dev/null 2>&1
    python3 - "$work/page.png" "$page" <<'PY'
import struct, sys, zlib
# Decodes the screenshot (8-bit RGB or RGBA PNG, as Chromium writes it) and counts the colours of a grid of its
# pixels: a blank or plain error page paints a handful.
data = open(sys.argv[1], "rb").read()
width, height, depth, kind = struct.unpack(">IIBB", data[16:26])
assert depth == 8 and kind in (2, 6), f"unexpected PNG: depth {depth}, colour type {kind}"
idat, at = b"", 8
while at < len(data):
    length, name = struct.unpack(">I4s", data[at:at + 8])
    if name == b"IDAT":
        idat += data[at + 8:at + 8 + length]
    at += 12 + length
raw, n = zlib.decompress(idat), {2: 3, 6: 4}[kind]
stride, rows, previous = width * n, [], bytearray(width * n)
for y in range(height):
    kind_of_filter, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a, b = line[i - n] if i >= n else 0, previous[i]
        c = previous[i - n] if i >= n else 0
        if kind_of_filter == 1: line[i] = (line[i] + a) & 255
        elif kind_of_filter == 2: line[i] = (line[i] + b) & 255
        elif kind_of_filter == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif kind_of_filter == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    previous = line
colours = {bytes(rows[y][x * n:x * n + 3]) for y in range(0, height, 5) for x in range(0, width, 5)}
if len(colours) < 16:
    sys.exit(f"docs: {sys.argv[2]} painted {len(colours)} colours: a blank or error page.")
PY
    echo "docs: $page rendered in headless Chromium"
}
render index.html "PrivilegedAttribution" "pal-figure.png" "Getting started"
render api/PrivilegedAttribution.PalLoss.html "Class PalLoss" "The Privileged Attribution Loss" "Pearson (default), the paper"
