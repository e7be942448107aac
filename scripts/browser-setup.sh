#!/usr/bin/env bash
# Finds the Chromium the browser tests and `pnpm bench ui` drive, and prints its path on stdout
# (everything else goes to stderr):
#   1. $LIGNEE_CHROMIUM when set (it must be an executable file);
#   2. otherwise /usr/bin/chromium (or a `chromium` on PATH) when present;
#   3. otherwise Debian's `chromium` package, installed with apt-get as root or through a
#      password-less sudo (`apt-get update` only when the install fails without it).
# Playwright's own browser downloads are deliberately not used: the distribution's package is
# signed, cached by apt mirrors, and updated with the rest of the system.
set -euo pipefail

fail() {
  echo "lignee: $*" >&2
  exit 1
}

usable() {
  [ -n "$1" ] && [ -f "$1" ] && [ -x "$1" ]
}

if [ -n "${LIGNEE_CHROMIUM:-}" ]; then
  usable "$LIGNEE_CHROMIUM" || fail "LIGNEE_CHROMIUM=$LIGNEE_CHROMIUM is not an executable file"
  echo "$LIGNEE_CHROMIUM"
  exit 0
fi

found() {
  if usable /usr/bin/chromium; then
    echo /usr/bin/chromium
  elif command -v chromium >/dev/null 2>&1; then
    command -v chromium
  else
    return 1
  fi
}

if found; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  fail "no Chromium found and no apt-get to install one: install Chromium and set LIGNEE_CHROMIUM to its executable"
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  fail "no Chromium found; installing Debian's chromium package needs root or password-less sudo (or set LIGNEE_CHROMIUM to a Chromium executable)"
fi

install() {
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends chromium >&2
}

echo "lignee: installing Debian's chromium package for the browser tests" >&2
if ! install; then
  echo "lignee: retrying after apt-get update" >&2
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
    fail "apt-get update failed: set LIGNEE_CHROMIUM to a Chromium executable"
  install || fail "apt-get could not install chromium: set LIGNEE_CHROMIUM to a Chromium executable"
fi
found || fail "the chromium package was installed but no chromium executable was found"
