#!/usr/bin/env bash
# The project's test command (README): type-check, lint, unit + integration tests, end-to-end tests,
# and the Python model tests. Needs PostgreSQL on 127.0.0.1:5432 (BRIXIA_TEST_POSTGRES_URL to override).
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
# PGlite's CommonJS build loads its WebAssembly through import(), which Jest's VM needs this flag for.
export NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning"
PY=/usr/bin/python3

echo "== type-check"; npx tsc -p tsconfig.json --noEmit && npx tsc -p apps/dashboard/tsconfig.json --noEmit
echo "== lint"; npx nx run-many -t lint --parallel=2 --outputStyle=static
echo "== unit + integration"; npx jest -c jest.config.js --ci
# The model tests run beside the end-to-end suite, which spends much of its time waiting on its services:
# at lower priority and one torch thread, they take the cores only when the e2e suite leaves them idle.
python_log="$(mktemp)"
(cd models && OMP_NUM_THREADS=1 nice -n 10 "$PY" -m pytest -q -p no:cacheprovider tests) >"$python_log" 2>&1 &
python_pid=$!
e2e_status=0
echo "== end-to-end"; npx jest -c test/jest.config.js --ci --runInBand || e2e_status=$?
python_status=0
wait "$python_pid" || python_status=$?
echo "== model (python)"; cat "$python_log"; rm -f "$python_log"
[ "$e2e_status" -eq 0 ] || { echo "end-to-end tests failed"; exit "$e2e_status"; }
[ "$python_status" -eq 0 ] || { echo "model tests failed"; exit "$python_status"; }
