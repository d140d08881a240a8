#!/usr/bin/env bash
# The test command (`npm test`): toolchain, static checks, then every test against a real Docker engine.
# On Linux as root the test bed starts its own private dockerd (testbed/); elsewhere set
# DRPC_TEST_DOCKER_HOST to an engine the suite may use (Docker Desktop on a Mac).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
echo "== lint"; eslint . ; prettier --check . >/dev/null || { prettier --check .; exit 1; }
echo "== typecheck"; tsc -p tsconfig.json
echo "== tests"; vitest run "$@"
