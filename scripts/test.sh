#!/usr/bin/env bash
# The test command (`npm test`): toolchain, static checks, then every test against a real Docker engine.
# On Linux as root the test bed starts its own private dockerd (testbed/); elsewhere set
# DRPC_TEST_DOCKER_HOST to an engine the suite may use (Docker Desktop on a Mac).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
# The static checks run side by side (each is one process on one core; on a busy 2-core machine the
# five together finish in about the time of the slowest); each one's output is shown if it fails.
echo "== lint and typecheck"
checks=$(mktemp -d)
trap 'rm -rf "$checks"' EXIT
pids=()
eslint . >"$checks/eslint" 2>&1 & pids+=($!)
prettier --check . >"$checks/prettier" 2>&1 & pids+=($!)
for p in tsconfig.json tsconfig.main.json tsconfig.renderer.json; do
  [ ! -f "$p" ] || { tsc -p "$p" >"$checks/tsc-$p" 2>&1 & pids+=($!); }
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
if [ "$failed" = 1 ]; then
  for f in "$checks"/*; do [ ! -s "$f" ] || { echo "-- ${f##*/}"; cat "$f"; }; done
  exit 1
fi
# Two lanes side by side (see vitest.config.ts): the engine lane in the foreground, the unit lane in the
# background, its report shown after. In one process vitest runs two one-file-at-a-time projects one
# after the other, hence two processes.
echo "== tests: the engine lane (the unit lane runs beside it; its report follows)"
vitest run --project unit --passWithNoTests "$@" >"$checks/unit-lane" 2>&1 &
unit_pid=$!
engine_status=0
vitest run --project engine --passWithNoTests "$@" || engine_status=$?
unit_status=0
wait "$unit_pid" || unit_status=$?
echo "== tests: the unit lane"
cat "$checks/unit-lane"
if [ "$engine_status" != 0 ] || [ "$unit_status" != 0 ]; then
  echo "== tests failed: engine lane exit $engine_status, unit lane exit $unit_status" >&2
  exit 1
fi
# Nothing may be left behind by the suite: no engine process, mount or bridge of the test bed.
if [ "${DRPC_NO_TESTBED:-}" != 1 ]; then
  read -r tb br < <(node --import tsx -e 'import("./testbed/layout.ts").then(m => console.log(m.TESTBED_DIR, m.NET.bridge))')
  if [ ! -e "$tb/dockerd.pid" ] || ! kill -0 "$(cat "$tb/dockerd.pid" 2>/dev/null)" 2>/dev/null; then
    left=$(grep -c " $tb" /proc/mounts || true)
    [ "$left" = 0 ] || { echo "test bed left $left mounts under $tb" >&2; exit 1; }
    [ ! -e "/sys/class/net/$br" ] || { echo "test bed left its bridge $br" >&2; exit 1; }
    echo "== clean: no engine, mount or bridge of the test bed left behind"
  fi
fi
