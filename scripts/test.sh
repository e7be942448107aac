#!/usr/bin/env bash
# Runs every test: type-check, formatting, then the vitest suites (unit tests next to the code,
# end-to-end tests in tests/) against a real PostgreSQL (embedded unless DATABASE_URL is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"
# The package tests pack the engine with this pnpm and install it with npm (which comes with
# Node.js) from the registry, caching under .lignee/npm-cache.
export LIGNEE_PNPM="$pnpm_bin"
# The browser tests drive a real Chromium over the built UI that `lignee dev` serves.
LIGNEE_CHROMIUM="$(bash scripts/browser-setup.sh)"
export LIGNEE_CHROMIUM

# Independent preparations run side by side (most of their time is waiting on pip, Maven, the
# disk or one core): dbt in .lignee/venv (end-to-end tests run the real dbt), S3Proxy in
# .lignee/s3proxy (the raw store's S3 tests run a real S3 server), PySpark in .lignee/spark-venv
# and its jars in .lignee/spark-jars (the Spark tests run real Spark jobs), the type-check, the
# formatting check, the UI build and the engine's build (the end-to-end tests run the built CLI,
# packages/engine/dist). Each keeps its output; any failure stops the run.
logs="$(mktemp -d)"
pids=()
names=()
step() {
  local name="$1"
  shift
  names+=("$name")
  ("$@" >"$logs/$name.log" 2>&1) &
  pids+=("$!")
}
step dbt bash scripts/dbt-setup.sh
step s3proxy bash scripts/s3proxy-setup.sh
step spark bash scripts/spark-setup.sh
step type-check "$pnpm_bin" exec tsc -p tsconfig.json
step formatting "$pnpm_bin" exec prettier --check . --log-level warn
step ui-build "$pnpm_bin" --filter @lignee/ui build
step engine-build node scripts/build-engine.mjs --if-stale
failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    echo "== ${names[$i]}: ok"
  else
    echo "== ${names[$i]}: FAILED"
    cat "$logs/${names[$i]}.log"
    failed=1
  fi
done
grep -h "^lignee:" "$logs/dbt.log" "$logs/s3proxy.log" "$logs/spark.log" >&2 || true
rm -rf "$logs"
[ "$failed" -eq 0 ] || exit 1
# Installed by now: this prints the jar's path at once (tests/support/s3proxy.ts runs it).
LIGNEE_S3PROXY_JAR="$(bash scripts/s3proxy-setup.sh)"
export LIGNEE_S3PROXY_JAR
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
