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
echo "== end-to-end"; npx jest -c test/jest.config.js --ci --runInBand
echo "== model (python)"; (cd models && "$PY" -m pytest -q -p no:cacheprovider tests)
