# Sourced by the installers of a Python environment (dbt-setup.sh, spark-setup.sh), after they
# set `python` (the interpreter to build with) and define `fail`.
#
# `require_python WHO WHAT`: fails unless $python exists and is 3.10 or newer, saying that WHO
# (or, for the version, WHAT) needs it; sets `py_version`.
# `pins_hash FILE…`: the hash of the files and of the Python version, what an environment is
# built from (with Python rather than sha256sum, which macOS lacks).
# `require_venv_module`: fails unless $python has the venv module with ensurepip. Debian and
# Ubuntu ship it without ensurepip unless python3-venv is installed; `python3 -m venv` then fails
# half-way, so check before starting.

require_python() {
  if ! command -v "$python" >/dev/null 2>&1; then
    fail "$python not found: $1 needs Python 3.10 to 3.13 (set LIGNEE_PYTHON to use another interpreter)"
  fi
  py_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
    fail "$2 needs Python 3.10 or newer, $python is $py_version (set LIGNEE_PYTHON to use another interpreter)"
  fi
}

pins_hash() {
  "$python" - "$@" <<'PY'
import hashlib, sys
h = hashlib.sha256(("python %d.%d.%d\n" % sys.version_info[:3]).encode())
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
PY
}

require_venv_module() {
  if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    local minor
    minor="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    fail "the Python venv module is missing for $python ($py_version). On Debian or Ubuntu: sudo apt-get install python3-venv (or python$minor-venv)"
  fi
}
