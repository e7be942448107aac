#!/usr/bin/env bash
# Runs every test: type-check, formatting, then the vitest suites (unit tests next to the code,
# end-to-end tests in tests/) against a real PostgreSQL (embedded unless DATABASE_URL is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"
bash scripts/dbt-setup.sh >/dev/null # dbt in .lignee/venv: end-to-end tests run the real dbt
# The browser tests drive a real Chromium over the built UI that `lignee dev` serves.
LIGNEE_CHROMIUM="$(bash scripts/browser-setup.sh)"
export LIGNEE_CHROMIUM

echo "== type-check"
"$pnpm_bin" exec tsc -p tsconfig.json
echo "== formatting"
"$pnpm_bin" exec prettier --check . --log-level warn
echo "== building the UI"
"$pnpm_bin" --filter @lignee/ui build >/dev/null
echo "== tests"
mkdir -p test-results
rm -f test-results/vitest.json
status=0
"$pnpm_bin" exec vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# The verdict comes from the report, not only from the exit code: a library's exit hook in the
# test process (embedded-postgres stops its server on exit) can turn a failing run's code into 0.
# One plain summary line that any CI can read.
node -e '
  const fs = require("fs");
  if (!fs.existsSync("test-results/vitest.json")) { console.error("no test report was written"); process.exit(1); }
  const r = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  const ok = r.success && r.numFailedTests === 0 && r.numFailedTestSuites === 0 && r.numTotalTests > 0;
  process.exit(ok ? 0 : 1);
' || status=1
exit "$status"
