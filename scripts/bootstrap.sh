#!/usr/bin/env bash
# Installs what the project needs on a machine that has only Node.js (20+) and Python 3:
# pnpm (pinned; no corepack), then the workspace dependencies. Idempotent and fast when
# everything is already there. Prints the path of the pnpm binary it settled on.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

PNPM_VERSION="10.34.8"
tools="$root/.lignee/tools"
pnpm_bin="$tools/node_modules/.bin/pnpm"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "lignee: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Prefer a pnpm already on PATH (any 10.x works with this lockfile); otherwise install the
# pinned one globally so that `pnpm lignee …` works afterwards, and fall back to a private copy
# under .lignee/tools when the global prefix is not writable.
if command -v pnpm >/dev/null 2>&1 && pnpm --version 2>/dev/null | grep -q '^10\.'; then
  pnpm_bin="$(command -v pnpm)"
elif [ -x "$pnpm_bin" ] && [ "$("$pnpm_bin" --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  :
elif npm install -g --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2 2>/dev/null \
  && command -v pnpm >/dev/null 2>&1; then
  echo "lignee: installed pnpm $PNPM_VERSION globally" >&2
  pnpm_bin="$(command -v pnpm)"
else
  echo "lignee: installing pnpm $PNPM_VERSION into .lignee/tools" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
  echo "lignee: add $tools/node_modules/.bin to PATH to call pnpm directly" >&2
fi

stamp="$root/node_modules/.lignee-install-stamp"
lock_hash="$( (cat pnpm-lock.yaml pnpm-workspace.yaml package.json packages/*/package.json tests/package.json 2>/dev/null || true) | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  frozen="--frozen-lockfile"
  [ -f pnpm-lock.yaml ] || frozen=""
  "$pnpm_bin" install $frozen --reporter=append-only >&2
  echo "$lock_hash" > "$stamp"
fi
echo "$pnpm_bin"
