#!/usr/bin/env bash
# `npm run fuzz`: every property test with a random seed and 100 times the cases of `npm test` (see
# testbed/property.ts). A failure prints its seed, path and counterexample; replay it with
# `DRPC_FUZZ=1 DRPC_FUZZ_SEED=<seed> npx vitest run <file>`, then keep it as a regression test.
# Arguments replace the default files (every test file that uses fast-check).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(git ls-files '*.test.ts' '*.test.tsx' | xargs grep -l "from 'fast-check'")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
total() { node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").filter(Boolean).map(JSON.parse);console.log(`${l.reduce((a,x)=>a+x.properties,0)} properties, ${l.reduce((a,x)=>a+x.cases,0)} cases`)' "$1"; }
# Property tests need no engine; the long ones get time for 100 times the cases.
export DRPC_NO_TESTBED=1
echo "== npm test's fixed seed"
DRPC_PROPERTY_LOG="$log" vitest run "${files[@]}" >/dev/null
fixed=$(total "$log")
: >"$log"
echo "== random seeds, 100x the cases"
DRPC_FUZZ=1 DRPC_PROPERTY_LOG="$log" vitest run --testTimeout=3600000 "${files[@]}"
echo "== fuzz: npm test runs ${fixed}; this run ran $(total "$log")"
