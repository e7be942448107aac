#!/usr/bin/env bash
# Starts Lignée on the job-offer pipeline: installs what is missing, starts the embedded
# PostgreSQL (data under .lignee/) and, without France Travail credentials, the local API
# simulator; installs dbt into .lignee/venv; loads the reference data and the last three days
# of offers and builds the dbt models; builds the UI when its sources changed; then serves the
# platform (API and UI, port LIGNEE_PORT, default 3000) until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"
bash scripts/dbt-setup.sh >/dev/null
from="$(node -e 'const d=new Date(Date.now()-3*864e5);console.log(d.toISOString().slice(0,10))')"
to="$(node -e 'const d=new Date(Date.now()-1*864e5);console.log(d.toISOString().slice(0,10))')"
"$pnpm_bin" -s lignee materialize --select '*' --from "$from" --to "$to"

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
echo "Open http://127.0.0.1:$port in your browser (Ctrl-C to stop)"
exec "$pnpm_bin" -s lignee dev --port "$port"
