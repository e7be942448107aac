#!/usr/bin/env bash
# Starts Lignée on the job-offer pipeline: installs what is missing, starts the embedded
# PostgreSQL (data under .lignee/) and, without France Travail credentials, the local API
# simulator; installs dbt into .lignee/venv; loads the reference data and the last three days
# of offers, builds the dbt models, then shows the status and the runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pnpm_bin="$(bash scripts/bootstrap.sh)"
bash scripts/dbt-setup.sh >/dev/null
from="$(node -e 'const d=new Date(Date.now()-3*864e5);console.log(d.toISOString().slice(0,10))')"
to="$(node -e 'const d=new Date(Date.now()-1*864e5);console.log(d.toISOString().slice(0,10))')"
"$pnpm_bin" -s lignee materialize --select '*' --from "$from" --to "$to"
"$pnpm_bin" -s lignee status
"$pnpm_bin" -s lignee runs --limit 5
