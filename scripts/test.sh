#!/usr/bin/env bash
# Runs every test: type-check, formatting, then the vitest suites (unit tests next to the code,
# end-to-end tests in tests/) against a real PostgreSQL (embedded unless DATABASE_URL is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"

echo "== type-check"
"$pnpm_bin" exec tsc -p tsconfig.json
echo "== formatting"
"$pnpm_bin" exec prettier --check . --log-level warn
echo "== tests"
mkdir -p test-results
status=0
"$pnpm_bin" exec vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# One plain summary line that any CI can read.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit "$status"
