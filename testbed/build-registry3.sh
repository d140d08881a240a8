#!/usr/bin/env bash
# Builds CNCF Distribution 3.x (`registry`) from the vendored source tarball, offline, with Debian's
# Go 1.25 unpacked from its .deb files into a cache directory (never installed: nothing on the machine
# changes). Usage: build-registry3.sh TARBALL CACHE_DIR. Prints the path of the static binary.
# The binary is cached as CACHE_DIR/registry-3/<sha256 of the tarball>/registry, so any checkout on
# the machine (a CI clone in another folder included) reuses it; Go is cached in CACHE_DIR/go-1.25.
set -euo pipefail

tarball=${1:?usage: build-registry3.sh TARBALL CACHE_DIR}
cache=${2:?usage: build-registry3.sh TARBALL CACHE_DIR}
[ -f "$tarball" ] || { echo "registry 3 source not found: $tarball" >&2; exit 2; }

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
out="$cache/registry-3/$sum"
if [ -x "$out/registry" ]; then echo "$out/registry"; exit 0; fi
mkdir -p "$cache"

# One build at a time per cache (two suites on one machine would otherwise both compile).
exec 9>"$cache/registry-3.lock"
flock 9
if [ -x "$out/registry" ]; then echo "$out/registry"; exit 0; fi

goroot="$cache/go-1.25/usr/lib/go-1.25"
if [ ! -x "$goroot/bin/go" ]; then
  # A private apt configuration that lists trixie-backports (where golang-1.25 lives), in a temp dir.
  apt=$(mktemp -d)
  trap 'rm -rf "$apt"' EXIT
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc/preferences.d" "$apt/debs"
  cat >"$apt/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-trixie-automatic.gpg] http://deb.debian.org/debian trixie-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-trixie-automatic.gpg] http://deb.debian.org/debian trixie main
EOF
  opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o "Dir::Etc::Preferences=/nonexistent"
    -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d" -o "APT::Get::List-Cleanup=0")
  if ! apt-get "${opts[@]}" -qq update >"$apt/update.log" 2>&1; then
    cat "$apt/update.log" >&2
    echo "cannot build registry 3: Go 1.25 is needed and Debian's package index (trixie-backports) is unreachable" >&2
    exit 3
  fi
  (cd "$apt/debs" && apt-get "${opts[@]}" -qq download golang-1.25-go golang-1.25-src) || {
    echo "cannot build registry 3: could not download golang-1.25-go and golang-1.25-src from trixie-backports" >&2
    exit 3
  }
  rm -rf "$cache/go-1.25.tmp"
  mkdir -p "$cache/go-1.25.tmp"
  for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/go-1.25.tmp"; done
  rm -rf "$cache/go-1.25"
  mv "$cache/go-1.25.tmp" "$cache/go-1.25"
fi
[ -x "$goroot/bin/go" ] || { echo "cannot build registry 3: no go binary in $goroot" >&2; exit 3; }

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
src=$(echo "$work"/distribution-*)
version=v$(basename "$src" | sed 's/^distribution-//')
(
  cd "$src"
  export GOROOT="$goroot" PATH="$goroot/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=vendor GOPROXY=off \
    CGO_ENABLED=0 GOCACHE="$work/gocache" GOPATH="$work/gopath" GOTELEMETRY=off
  go build -trimpath -ldflags "-s -w -X github.com/distribution/distribution/v3/version.version=$version" \
    -o "$work/registry" ./cmd/registry
) >&2
mkdir -p "$out"
mv "$work/registry" "$out/registry.tmp"
mv "$out/registry.tmp" "$out/registry"
echo "$out/registry"
