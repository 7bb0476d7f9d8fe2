#!/usr/bin/env bash
# Builds the npm package oneentry-mock and the release binaries:
#
#   bash npm/pack.sh OUTDIR
#
# writes OUTDIR/oneentry-mock-<version>.tgz (one package holding the binary of every platform,
# found at run time by npm/binary.js; it replaces the package and release binaries of any
# earlier version there, once the new ones are made), and OUTDIR/release/: the same binaries as
# oneentry-mock-<version>-<os>-<arch>[.exe] with SHA256SUMS. The version is
# ONEENTRY_MOCK_VERSION when set, else the git tag of HEAD (v1.2.3 gives 1.2.3), else the
# pseudo-version Go would stamp into the module's build info (0.0.0-20261203074800-302bf47a1b2c).
# Every binary prints it with --version.
#
# PLATFORMS (space-separated <os>-<arch>) limits the cross-builds, e.g. PLATFORMS=linux-x64
# for a quick local package; the default is all six. Needs Go and npm; reaches the Go module
# proxy only when the module cache lacks a dependency, and nothing else.
set -euo pipefail

out=${1:?usage: bash npm/pack.sh OUTDIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
platforms=${PLATFORMS:-linux-x64 linux-arm64 darwin-x64 darwin-arm64 windows-x64 windows-arm64}
say() { printf 'pack: %s\n' "$*" >&2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

version=${ONEENTRY_MOCK_VERSION:-}
if [[ -z $version ]] && tag=$(git -C "$root" describe --tags --exact-match 2>/dev/null); then
	version=${tag#v}
fi
if [[ -z $version ]] && rev=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null); then
	# The pseudo-version Go stamps into a build of an untagged commit (the module's build info):
	# 0.0.0-<commit time, UTC>-<revision>; a tree with uncommitted changes gets ".dirty" (npm
	# would drop Go's "+dirty" build metadata).
	when=$(TZ=UTC git -C "$root" log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S)
	version=0.0.0-$when-$rev
	if [[ -n $(git -C "$root" status --porcelain --untracked-files=no) ]]; then
		version=$version.dirty
	fi
fi
version=${version:-0.0.0-dev}
say "version $version"

pkg=$stage/package
mkdir -p "$pkg/binaries" "$stage/release"
cp -R "$root/npm/bin" "$root/npm/examples" "$pkg/"
cp "$root/npm/binary.js" "$root/npm/index.js" "$root/npm/index.d.ts" "$root/npm/README.md" "$root/npm/package.json" "$pkg/"

sums=()
for p in $platforms; do
	os=${p%-*}
	arch=${p#*-}
	case $arch in
	x64) goarch=amd64 ;;
	arm64) goarch=arm64 ;;
	*) say "unknown architecture in $p" && exit 2 ;;
	esac
	exe=oneentry-mock
	[[ $os == windows ]] && exe=oneentry-mock.exe
	say "building $p"
	mkdir -p "$pkg/binaries/$p"
	(cd "$root" && CGO_ENABLED=0 GOOS=$os GOARCH=$goarch go build -trimpath \
		-ldflags "-s -w -X main.version=$version" -o "$pkg/binaries/$p/$exe" ./cmd/oneentry-mock)
	release=oneentry-mock-$version-$os-$arch
	[[ $os == windows ]] && release=$release.exe
	cp "$pkg/binaries/$p/$exe" "$stage/release/$release"
	sums+=("$release")
	(cd "$pkg/binaries" && sha256sum "$p/$exe") >>"$pkg/binaries/SHA256SUMS"
done
(cd "$stage/release" && sha256sum "${sums[@]}" >SHA256SUMS)

# The version goes into the staged package.json only; the repository's stays a template.
node -e '
const fs = require("fs");
const file = process.argv[1];
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.version = process.argv[2];
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$pkg/package.json" "$version"

tgz=$(cd "$pkg" && npm pack --silent --pack-destination "$stage")
[[ $tgz == "oneentry-mock-$version.tgz" ]] || { say "npm pack wrote $tgz, want oneentry-mock-$version.tgz" && exit 1; }
# Only now, with everything made, does OUTDIR change: an earlier version's package and release
# binaries go, so that OUTDIR/oneentry-mock-*.tgz names one file and release/ holds what
# SHA256SUMS lists.
rm -f "$out"/oneentry-mock-*.tgz
rm -rf "$out/release"
mv "$stage/$tgz" "$out/$tgz"
mv "$stage/release" "$out/release"
say "wrote $out/$tgz and $out/release/ ($(wc -l <"$out/release/SHA256SUMS") binaries, SHA256SUMS)"
echo "$out/$tgz"
