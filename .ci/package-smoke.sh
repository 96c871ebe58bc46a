#!/usr/bin/env bash
# Packs PrivilegedAttribution, references it from a scratch console project through a local folder feed (plus
# TorchSharp-cpu from the default source) and runs one PAL training step. Proves the package, its dependencies
# and its buildTransitive TorchSharp load fix work for a consumer.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(dotnet msbuild "$repo/src/PrivilegedAttribution" -getProperty:Version)
torchsharp=$(dotnet msbuild "$repo/src/PrivilegedAttribution" -getProperty:TorchSharpVersion)
dotnet pack "$repo/src/PrivilegedAttribution" -c Release -o "$work/feed" --nologo -v:q
# A rebuilt package keeps its version: drop the copy a previous run left in the global package cache.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/privilegedattribution/$version"
mkdir "$work/consumer"
cp "$repo/.ci/package-consumer/Program.cs" "$work/consumer/"
cat > "$work/consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-feed"><package pattern="PrivilegedAttribution" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
cat > "$work/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="PrivilegedAttribution" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="$torchsharp" />
  </ItemGroup>
</Project>
XML
dotnet build "$work/consumer" -c Release --nologo -v:q
dotnet "$work/consumer/bin/Release/net10.0/Consumer.dll"
