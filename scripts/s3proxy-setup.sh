#!/usr/bin/env bash
# Installs S3Proxy (an S3-compatible server in Java, from Maven Central: org.gaul:s3proxy, the
# jar with its dependencies) into .lignee/s3proxy, and prints the path of the jar on stdout
# (everything else goes to stderr). The raw store's tests run it as their real S3 server, on a
# folder of their own. Idempotent: once the jar is there, a call returns at once. Safe to call
# from several processes at once: the download runs under a lock.
#
# Needs Java 17 or newer (LIGNEE_JAVA names another java than the one on PATH) to run it, and
# Maven (`mvn`) with access to Maven Central, or to a mirror Maven is configured for, to install
# it. Maven's own downloads (its dependency plugin) go to .lignee/m2, not to ~/.m2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="4.1.0"
# Pinned rather than left to Maven's choice of the newest.
dependency_plugin="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
dir="$root/.lignee/s3proxy"
jar="$dir/s3proxy-$version-jar-with-dependencies.jar"

fail() {
  echo "lignee: $*" >&2
  exit 1
}

# Fast path: nothing to do, no lock taken. The jar is only ever renamed into place whole.
if [ -s "$jar" ]; then
  echo "$jar"
  exit 0
fi

java="${LIGNEE_JAVA:-java}"
command -v "$java" >/dev/null 2>&1 ||
  fail "$java not found: S3Proxy needs Java 17 or newer (on Debian: apt-get install openjdk-17-jre-headless; or set LIGNEE_JAVA)"
# `java -version` prints `openjdk version "17.0.15" …` (or "1.8.0_…" for Java 8) on stderr.
java_major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1)"
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
  fail "S3Proxy $version needs Java 17 or newer; $java is $("$java" -version 2>&1 | head -n 1) (set LIGNEE_JAVA to another java)"
fi
command -v mvn >/dev/null 2>&1 ||
  fail "mvn not found: installing S3Proxy from Maven Central needs Maven (on Debian: apt-get install maven)"

mkdir -p "$dir"
lock="$dir/.lock"
staging=""
# One installer at a time (scripts/install-lock.sh).
# shellcheck source=install-lock.sh
. "$root/scripts/install-lock.sh"
cleanup() {
  if [ -n "$staging" ]; then rm -rf "$staging"; fi
  release_install_lock
}
trap cleanup EXIT
take_install_lock "$lock"

# Another process may have finished the work while this one waited for the lock.
if [ -s "$jar" ]; then
  echo "$jar"
  exit 0
fi

echo "lignee: installing S3Proxy $version from Maven Central into .lignee/s3proxy…" >&2
started="$(date +%s)"
staging="$(mktemp -d "$dir/.staging.XXXXXX")"
# --strict-checksums: a download whose checksum does not match fails instead of a warning.
# Maven's output is shown only when it fails.
if ! mvn --batch-mode --quiet --strict-checksums -Dstyle.color=never \
  "-Dmaven.repo.local=$root/.lignee/m2" \
  "$dependency_plugin:copy" \
  "-Dartifact=org.gaul:s3proxy:$version:jar:jar-with-dependencies" \
  "-DoutputDirectory=$staging" \
  -Dmdep.stripVersion=false >"$staging/maven.log" 2>&1; then
  cat "$staging/maven.log" >&2
  fail "Maven could not download org.gaul:s3proxy:$version (is Maven Central reachable?)"
fi
[ -s "$staging/$(basename "$jar")" ] || fail "Maven did not write $(basename "$jar")"
mv "$staging/$(basename "$jar")" "$jar"
# Maven's own copy of the jar (55 MB) is not needed again; its plugins stay for next time.
rm -rf "$root/.lignee/m2/org/gaul"
echo "lignee: S3Proxy $version ready in $(($(date +%s) - started))s" >&2
echo "$jar"
