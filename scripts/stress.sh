#!/usr/bin/env bash
# `npm run test:stress`: the engine-facing part of the suite while two CPU-bound processes keep the
# machine busy, one pinned to each of the first two CPUs (a shared 2-core machine at its worst). The
# suite must pass like this; run it before every submission. Arguments (paths, vitest flags) replace
# the default, the engine lane.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
# Default: every file of the engine lane (vitest.config.ts), wherever it lives.
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(--project engine)
burners=()
stop_burners() {
  # Only the processes started here, by their pid.
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${burners[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_burners EXIT
for cpu in 0 1; do
  if command -v taskset >/dev/null && [ "$cpu" -lt "$(nproc)" ]; then
    taskset -c "$cpu" node -e 'for (;;);' &
  else
    node -e 'for (;;);' &
  fi
  burners+=($!)
done
echo "== stress: ${#burners[@]} CPU-bound processes (pids ${burners[*]}) beside: vitest run ${paths[*]}"
started=$(date +%s)
status=0
vitest run "${paths[@]}" || status=$?
echo "== stress: $(($(date +%s) - started)) s, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), exit $status"
exit "$status"
