#!/usr/bin/env bash
# Installs the `berth` command from this repository as a .NET tool, with only the .NET SDK needed:
# packs src/Berth.Cli into artifacts/packages and installs (or updates) the tool from there.
#
#   scripts/install.sh                     global tool: ~/.dotnet/tools/berth (put ~/.dotnet/tools on PATH)
#   scripts/install.sh --tool-path DIR     into DIR instead (no PATH change needed if you call DIR/berth)
#   scripts/install.sh --serve             then start 'berth serve --demo' (the Berth server with its demo
#                                          cluster and job stream; prints the URL and the admin token)
#   scripts/install.sh --demo              then run 'berth simulate --demo' (the simulator's policy comparison)
#
# Uninstall: dotnet tool uninstall --global Berth.Cli
set -euo pipefail
cd "$(dirname "$0")/.."

tool_path=""
demo=0
serve=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tool-path) tool_path="$2"; shift 2 ;;
    --demo) demo=1; shift ;;
    --serve) serve=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "error: unknown option '$1'; use --tool-path DIR, --serve or --demo" >&2; exit 2 ;;
  esac
done

packages="$PWD/artifacts/packages"
# A version of its own for every build (0.1.0-dev.STAMP), so that NuGet's cache never hands back older bits.
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' src/Berth.Cli/Berth.Cli.csproj)-dev.$(date -u +%Y%m%d%H%M%S)"
echo "Packing src/Berth.Cli $version into $packages ..."
dotnet pack src/Berth.Cli -c Release -o "$packages" --nologo -v quiet -p:VersionSuffix="${version#*-}"

if [ -n "$tool_path" ]; then
  where=(--tool-path "$tool_path")
  berth="$tool_path/berth"
else
  where=(--global)
  berth="berth"
fi

dotnet tool uninstall "${where[@]}" Berth.Cli >/dev/null 2>&1 || true
dotnet tool install "${where[@]}" --add-source "$packages" --ignore-failed-sources Berth.Cli --version "$version"

if [ -z "$tool_path" ] && ! command -v berth >/dev/null 2>&1; then
  echo "Installed to ~/.dotnet/tools, which is not on your PATH; add it:  export PATH=\"\$PATH:\$HOME/.dotnet/tools\""
  berth="$HOME/.dotnet/tools/berth"
fi
"$berth" --version

if [ "$demo" = 1 ]; then
  "$berth" simulate --demo
fi

if [ "$serve" = 1 ]; then
  exec "$berth" serve --demo
fi
