#!/usr/bin/env bash
# Packs the four packages into a local folder feed and uses them as a user would, in scratch projects:
#  1. net10.0 console: PrivilegedAttribution + TorchSharp-cpu, one PAL training step (.ci/package-consumer);
#  2. net8.0 console, the same program, published self-contained for linux-x64 (the .NET 8 targeting and runtime
#     packs come from NuGet; no .NET 8 runtime is installed) and run from its folder;
#  3. the README's Quick start, extracted from README.md (and checked identical to the package readme's), in a
#     project that gets its references from the README's own `dotnet add package` lines, built and run;
#  4. PrivilegedAttribution.Landmarks.SkiaSharp alone (its readme's install line and program): decodes a JPEG and
#     predicts 68 landmarks on Linux, with no native-asset reference of its own;
#  5. a netstandard2.0 / net6.0 project must fail to restore with NuGet's NU1202 "not compatible";
#  6. PrivilegedAttribution.PretrainedWeights alone (its readme's install lines and program): loads a torchvision
#     ResNet-18 state dict written by Debian's PyTorch (tools/pytorch-weights) into a 7-class TorchVision.NET model.
# Every project builds with warnings as errors and nullable checks on. Each stage prints one "package smoke:" line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(dotnet msbuild "$repo/src/PrivilegedAttribution" -getProperty:Version)
torchsharp=$(dotnet msbuild "$repo/src/PrivilegedAttribution" -getProperty:TorchSharpVersion)
packages=(PrivilegedAttribution PrivilegedAttribution.Landmarks PrivilegedAttribution.Landmarks.SkiaSharp
    PrivilegedAttribution.PretrainedWeights)
for package in "${packages[@]}"; do
    dotnet pack "$repo/src/$package" -c Release -o "$work/feed" --nologo -v:q
    # A rebuilt package keeps its version: drop the copy a previous run left in the global package cache.
    rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/${package,,}/$version"
done

# Every project below $work finds this file: our packages from the folder feed, the rest from the default source.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-feed">
      <package pattern="PrivilegedAttribution" />
      <package pattern="PrivilegedAttribution.*" />
    </packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

# project DIR TFM [PACKAGE VERSION]...: a console project as `dotnet new console` makes it, but stricter.
project() {
    local dir=$1 tfm=$2
    shift 2
    mkdir -p "$dir"
    {
        echo '<Project Sdk="Microsoft.NET.Sdk">'
        echo "  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>$tfm</TargetFramework>"
        echo '    <Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>'
        echo '    <TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup>'
        echo '  <ItemGroup>'
        while [ $# -gt 0 ]; do
            echo "    <PackageReference Include=\"$1\" Version=\"$2\" />"
            shift 2
        done
        echo '  </ItemGroup>'
        echo '</Project>'
    } > "$dir/$(basename "$dir").csproj"
}

# section FILE HEADING LANGUAGE: the first ```LANGUAGE block under the markdown heading HEADING.
section() {
    awk -v heading="$2" -v fence="\`\`\`$3" '
        $0 == heading { inside = 1; next }
        inside && /^## / { exit }
        inside && !code && $0 == fence { code = 1; next }
        code && $0 == "```" { exit }
        code { print }' "$1"
}

# 1. net10.0
project "$work/net10" net10.0 PrivilegedAttribution "$version" TorchSharp-cpu "$torchsharp"
cp "$repo/.ci/package-consumer/Program.cs" "$work/net10/"
dotnet build "$work/net10" -c Release --nologo -v:q
dotnet "$work/net10/bin/Release/net10.0/net10.dll" | tee "$work/net10.log"
if [ "${CI:-}" = "true" ] && ! grep -q 'e\.g\. /_/' "$work/net10.log"; then
    echo "package smoke: a CI build must map source paths to /_/ (ContinuousIntegrationBuild)." >&2
    exit 1
fi
echo "package smoke: net10.0 consumer ran a PAL step from the packed package"

# 2. net8.0, self-contained
project "$work/net8" net8.0 PrivilegedAttribution "$version" TorchSharp-cpu "$torchsharp"
cp "$repo/.ci/package-consumer/Program.cs" "$work/net8/"
dotnet publish "$work/net8" -c Release -r linux-x64 --self-contained -o "$work/net8/out" --nologo -v:q
"$work/net8/out/net8" | tee "$work/net8.log"
if ! grep -q '(\.NET 8\.' "$work/net8.log"; then
    echo "package smoke: the net8.0 consumer did not run on .NET 8." >&2
    exit 1
fi
echo "package smoke: net8.0 consumer (self-contained, linux-x64) ran a PAL step from the packed package"

# 3. the README's Quick start, as written, with the README's install lines
section "$repo/README.md" "## Quick start" csharp > "$work/quickstart.cs"
section "$repo/src/PrivilegedAttribution/README.md" "## Quick start" csharp > "$work/quickstart-package.cs"
section "$repo/README.md" "## Install" bash > "$work/install.sh"
section "$repo/src/PrivilegedAttribution/README.md" "## Install" bash > "$work/install-package.sh"
if [ ! -s "$work/quickstart.cs" ] || [ ! -s "$work/install.sh" ]; then
    echo "package smoke: no ## Install bash block or ## Quick start csharp block in README.md." >&2
    exit 1
fi
if ! cmp -s "$work/quickstart.cs" "$work/quickstart-package.cs" ||
    ! cmp -s "$work/install.sh" "$work/install-package.sh"; then
    echo "package smoke: README.md and src/PrivilegedAttribution/README.md differ in Install or Quick start:" >&2
    diff "$work/install.sh" "$work/install-package.sh" >&2 || true
    diff "$work/quickstart.cs" "$work/quickstart-package.cs" >&2 || true
    exit 1
fi
project "$work/quickstart" net10.0
cp "$work/quickstart.cs" "$work/quickstart/Program.cs"
(cd "$work/quickstart" && grep '^dotnet add package ' "$work/install.sh" | bash -euo pipefail >/dev/null)
dotnet build "$work/quickstart" -c Release --nologo -v:q
(cd "$work/quickstart" && dotnet bin/Release/net10.0/quickstart.dll)
echo "package smoke: the README's Quick start ($(wc -l < "$work/quickstart.cs") lines) compiled and ran with" \
    "the README's install lines: $(grep -c '^dotnet add package ' "$work/install.sh") packages"

# 4. PrivilegedAttribution.Landmarks.SkiaSharp alone decodes a JPEG and predicts on Linux
skia_readme="$repo/src/PrivilegedAttribution.Landmarks.SkiaSharp/README.md"
photo="$repo/artifacts/face-fixture/photos/grace_hopper.jpg"
if [ ! -f "$photo" ]; then
    echo "package smoke: $photo is missing: run scripts/make-face-fixture.sh first." >&2
    exit 1
fi
project "$work/skia" net10.0
section "$skia_readme" "## Use" csharp > "$work/skia/Program.cs"
(cd "$work/skia" && section "$skia_readme" "## Install" bash | grep '^dotnet add package ' |
    bash -euo pipefail >/dev/null)
cp "$photo" "$work/skia/face.jpg"
dotnet build "$work/skia" -c Release --nologo -v:q
(cd "$work/skia" && dotnet bin/Release/net10.0/skia.dll)
references=$(grep -o 'PackageReference Include="[^"]*"' "$work/skia/skia.csproj" | cut -d'"' -f2 | paste -sd' ')
resolved=$(grep -o '"SkiaSharp[A-Za-z0-9.]*/[0-9.]*"' "$work/skia/obj/project.assets.json" | tr -d '"' | sort -u |
    paste -sd' ')
echo "package smoke: $references alone decoded a JPEG and predicted its landmarks (resolved $resolved)"

# 5. an unsupported framework gets NuGet's own error, not a restore that fails later at compile time
mkdir "$work/unsupported"
cat > "$work/unsupported/unsupported.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFrameworks>netstandard2.0;net6.0</TargetFrameworks></PropertyGroup>
  <ItemGroup><PackageReference Include="PrivilegedAttribution" Version="$version" /></ItemGroup>
</Project>
XML
if dotnet restore "$work/unsupported" > "$work/unsupported.log" 2>&1; then
    echo "package smoke: a netstandard2.0 / net6.0 project restored PrivilegedAttribution without error." >&2
    exit 1
fi
for tfm in netstandard2.0 net6.0; do
    grep -q "error NU1202: Package PrivilegedAttribution $version is not compatible with $tfm " \
        "$work/unsupported.log" ||
        { cat "$work/unsupported.log" >&2; echo "package smoke: no NU1202 error for $tfm." >&2; exit 1; }
done
echo "package smoke: netstandard2.0 and net6.0 get NuGet's NU1202 (not compatible; supports net10.0, net8.0)"

# 6. PrivilegedAttribution.PretrainedWeights alone loads a torchvision state dict (and TorchSharp loads on Debian 12
# through the package's own copy of the native fix: no PrivilegedAttribution reference here)
weights_readme="$repo/src/PrivilegedAttribution.PretrainedWeights/README.md"
weights="$repo/artifacts/pytorch-weights/resnet18.pth"
if [ ! -f "$weights" ]; then
    # The package's tests write the same folder at their set-up; Debian's python3-torch is needed (scripts/setup.sh).
    /usr/bin/python3 "$repo/tools/pytorch-weights/write_weights.py" "$work/pytorch-weights" >/dev/null
    weights="$work/pytorch-weights/resnet18.pth"
fi
project "$work/weights" net10.0
section "$weights_readme" "## Use" csharp > "$work/weights/Program.cs"
(cd "$work/weights" && section "$weights_readme" "## Install" bash | grep '^dotnet add package ' |
    bash -euo pipefail >/dev/null)
cp "$weights" "$work/weights/resnet18.pth"
dotnet build "$work/weights" -c Release --nologo -v:q
(cd "$work/weights" && dotnet bin/Release/net10.0/weights.dll) | tee "$work/weights.log"
if ! grep -q "^Loaded 120 of 122 entries from 'resnet18.pth' .*kept the model's head 'fc'" "$work/weights.log"; then
    echo "package smoke: PrivilegedAttribution.PretrainedWeights did not report 120 entries loaded and the head kept." >&2
    exit 1
fi
references=$(grep -o 'PackageReference Include="[^"]*"' "$work/weights/weights.csproj" | cut -d'"' -f2 | paste -sd' ')
echo "package smoke: $references loaded a torchvision ResNet-18 state dict into a 7-class model"
