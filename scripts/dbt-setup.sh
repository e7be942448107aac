#!/usr/bin/env bash
# Installs dbt (dbt-core + dbt-postgres, pinned in dbt/requirements.txt) into a project-local
# virtual environment, .lignee/venv, and prints the path of its dbt executable on stdout
# (everything else goes to stderr). Idempotent: a stamp file records a hash of the requirements
# and of the Python version, so a second call returns at once, and a change of either rebuilds
# the environment from scratch (no stale packages left behind). Safe to call from several
# processes at once: the slow path runs under a lock.
#
# Needs Python 3.10 to 3.13 with the venv module (LIGNEE_PYTHON names another interpreter than
# python3) and access to PyPI, or to an index pip is configured for.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${LIGNEE_PYTHON:-python3}"
venv="$root/.lignee/venv"
dbt_bin="$venv/bin/dbt"
stamp="$venv/.lignee-requirements-stamp"
requirements="$root/dbt/requirements.txt"
constraints="$root/dbt/constraints.txt"

fail() {
  echo "lignee: $*" >&2
  exit 1
}

# shellcheck source=python-venv.sh
. "$root/scripts/python-venv.sh"
require_python dbt dbt

# What the environment is built from: when this changes, it is rebuilt.
wanted="$(pins_hash "$requirements" "$constraints")"

ready() {
  [ -x "$dbt_bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]
}

# Fast path: nothing to do, no lock taken.
if ready; then
  echo "$dbt_bin"
  exit 0
fi

require_venv_module

# One installer at a time (scripts/install-lock.sh).
# shellcheck source=install-lock.sh
. "$root/scripts/install-lock.sh"
mkdir -p "$root/.lignee"
lock="$root/.lignee/venv.lock"
building=0
cleanup() {
  local status=$?
  release_install_lock
  # A half-built environment must not pass for a good one next time.
  if [ "$status" -ne 0 ] && [ "$building" = 1 ]; then rm -rf "$venv"; fi
}
trap cleanup EXIT
take_install_lock "$lock"

# Another process may have finished the work while this one waited for the lock.
if ready; then
  echo "$dbt_bin"
  exit 0
fi

echo "lignee: installing dbt into .lignee/venv (Python $py_version)…" >&2
started="$(date +%s)"
building=1
rm -rf "$venv"
"$python" -m venv "$venv" >&2 || fail "could not create $venv with $python -m venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
  -r "$requirements" >&2 || fail "pip could not install dbt/requirements.txt (is PyPI reachable?)"
# Import the adapter too, not only dbt-core: `dbt --version` would also query PyPI.
version="$("$venv/bin/python" -c 'import dbt.adapters.postgres; from importlib.metadata import version; print(version("dbt-core"), version("dbt-postgres"))')" \
  || fail "dbt was installed into $venv but cannot be imported"
echo "$wanted" >"$stamp"
building=0
echo "lignee: dbt-core ${version% *} with dbt-postgres ${version#* } ready in $(($(date +%s) - started))s" >&2
echo "$dbt_bin"
