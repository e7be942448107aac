#!/usr/bin/env bash
# Starts Lignée on the job-offer pipeline: installs what is missing, starts the embedded
# PostgreSQL (data under .lignee/) and, without France Travail credentials, the local API
# simulator; installs dbt into .lignee/venv and PySpark into .lignee/spark-venv; loads the
# reference data and the last three days of offers, builds the dbt models and the Spark assets
# (the lake's silver/offres and its aggregate; only what is not fresh yet: a second start skips
# the days already loaded), printing the progress of each day and model; builds the UI when its
# sources changed; then serves the platform (API and UI, port LIGNEE_PORT, default 3000) until
# Ctrl-C, announcing its address once it answers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"
bash scripts/dbt-setup.sh >/dev/null
# The lake's assets run on Spark, which needs Java 17+ and Maven: without them, or if its
# install fails, the demo builds everything else and says so.
selection='*'
if ! bash scripts/spark-setup.sh >/dev/null; then
  echo "lignee: Spark could not be installed (see above): the demo leaves out the lake's assets (silver/offres, gold/…); run \`bash scripts/spark-setup.sh\` once Java 17+ and Maven are there" >&2
  selection='raw/*,emploi/*'
fi
# The CLI as `pnpm lignee` runs it (built again when its sources changed), without pnpm's own
# start-up.
lignee() { node scripts/lignee.mjs "$@"; }
from="$(node -e 'const d=new Date(Date.now()-3*864e5);console.log(d.toISOString().slice(0,10))')"
to="$(node -e 'const d=new Date(Date.now()-1*864e5);console.log(d.toISOString().slice(0,10))')"
# Only what is not fresh yet: on a second start the days already loaded (and the reference data
# and models built from them) are skipped. --log prints, per day, the pages and offers collected,
# then each model built.
echo "lignee: loading the reference data and the offers of $from … $to (what is not fresh yet)" >&2
set +e
load_err="$(mktemp)"
lignee materialize --select "$selection" --stale --from "$from" --to "$to" --log \
  2> >(tee "$load_err" | grep -v '^error: nothing to materialise' >&2)
load_status=$?
wait # the tee above
set -e
if [ "$load_status" -eq 2 ] && grep -q "nothing to materialise" "$load_err"; then
  echo "lignee: everything is fresh already ($from … $to): nothing to load" >&2
elif [ "$load_status" -ne 0 ]; then
  rm -f "$load_err"
  exit "$load_status"
fi
rm -f "$load_err"

# The UI is built again only when a file of packages/ui/src or its index.html is newer than the
# last build (packages/ui/dist/index.html, rewritten by every build).
ui="packages/ui"
ui_stamp="$ui/dist/index.html"
if [ ! -f "$ui_stamp" ] \
  || [ -n "$(find "$ui/src" "$ui/index.html" -newer "$ui_stamp" -print -quit 2>/dev/null)" ]; then
  echo "lignee: building the UI" >&2
  mkdir -p .lignee
  log=".lignee/ui-build.log"
  if ! "$pnpm_bin" --filter @lignee/ui build >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "lignee: the UI did not build (full log: $log); serving the API only" >&2
  fi
fi

port="${LIGNEE_PORT:-3000}"
url="http://127.0.0.1:$port"
# The platform in the background, so that its address is announced only once it answers.
node scripts/lignee.mjs dev --port "$port" &
dev=$!
trap 'kill -TERM "$dev" 2>/dev/null || true' INT TERM
answers() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null --max-time 2 "$url/"
  else
    node -e "fetch('$url/').then(() => process.exit(0), () => process.exit(1))" 2>/dev/null
  fi
}
until answers; do
  if ! kill -0 "$dev" 2>/dev/null; then
    wait "$dev" || exit $?
    exit 1
  fi
  sleep 0.2
done
echo "Open $url in your browser (Ctrl-C to stop)"
# Until the platform stops (Ctrl-C: it is asked to stop, and its exit status is ours).
set +e
while kill -0 "$dev" 2>/dev/null; do wait "$dev"; done
wait "$dev"
exit $?
