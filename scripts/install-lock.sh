# Sourced by the installers (dbt-setup.sh, spark-setup.sh, s3proxy-setup.sh): one installer at
# a time. `take_install_lock FILE` waits for it: flock where it exists (Linux), else an atomic
# mkdir of FILE.d holding the owner's pid, taken over when that process is gone. The lock is
# released when the shell exits; with mkdir, the caller's EXIT trap must call
# `release_install_lock`.
install_lockdir=""

take_install_lock() {
  local lock="$1"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock"
    flock 9
    return
  fi
  until mkdir "$lock.d" 2>/dev/null; do
    local owner
    owner="$(cat "$lock.d/pid" 2>/dev/null || true)"
    if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
      rm -rf "$lock.d"
      continue
    fi
    sleep 1
  done
  install_lockdir="$lock.d"
  echo "$$" >"$install_lockdir/pid"
}

release_install_lock() {
  if [ -n "$install_lockdir" ]; then rm -rf "$install_lockdir"; fi
}
