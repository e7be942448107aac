#!/usr/bin/env bash
# Installs PySpark (pinned in spark/requirements.txt and spark/constraints.txt) into a
# project-local virtual environment, .lignee/spark-venv, and the JVM libraries the Spark jobs
# need beyond pyspark's own (s3a, the AWS SDK modules it uses, PostgreSQL's JDBC driver: pinned
# in spark/pom.xml) into .lignee/spark-jars, with Maven (its cache under .lignee/m2). Prints, on
# stdout, what the Spark assets read (everything else goes to stderr):
#
#   LIGNEE_SPARK_PYTHON=<the venv's python>
#   LIGNEE_SPARK_JARS=<the folder of the jars>
#
# Idempotent: a stamp records a hash of the three pin files and of the Python version, so a
# second call returns at once, and a change of any rebuilds both from scratch. Safe to call from
# several processes at once: the slow path runs under a lock.
#
# Needs Java 17 or newer (Spark 4), Python 3.10 to 3.13 with the venv module (LIGNEE_PYTHON
# names another interpreter than python3), Maven, and access to PyPI and Maven Central (or the
# mirrors pip and Maven are configured for).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${LIGNEE_PYTHON:-python3}"
venv="$root/.lignee/spark-venv"
jars="$root/.lignee/spark-jars"
spark_python="$venv/bin/python"
stamp="$venv/.lignee-requirements-stamp"
requirements="$root/spark/requirements.txt"
constraints="$root/spark/constraints.txt"
pom="$root/spark/pom.xml"

fail() {
  echo "lignee: $*" >&2
  exit 1
}

announce() {
  echo "LIGNEE_SPARK_PYTHON=$spark_python"
  echo "LIGNEE_SPARK_JARS=$jars"
}

# shellcheck source=python-venv.sh
. "$root/scripts/python-venv.sh"
require_python PySpark "PySpark 4"

wanted="$(pins_hash "$requirements" "$constraints" "$pom")"

ready() {
  [ -x "$spark_python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -d "$jars" ]
}

# Fast path: nothing to do, no lock taken.
if ready; then
  announce
  exit 0
fi

# What only the slow path needs, checked before anything is built.
if ! command -v java >/dev/null 2>&1; then
  fail "java not found: Spark 4 needs Java 17 or newer. On Debian or Ubuntu: sudo apt-get install openjdk-17-jre-headless"
fi
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
  fail "Spark 4 needs Java 17 or newer, java is ${java_major:-of an unknown version} (put a newer one first on PATH, or set JAVA_HOME)"
fi
if ! command -v mvn >/dev/null 2>&1; then
  fail "mvn not found: the Spark jobs' JVM libraries (spark/pom.xml) are fetched with Maven. On Debian or Ubuntu: sudo apt-get install maven"
fi
require_venv_module

# One installer at a time (scripts/install-lock.sh).
# shellcheck source=install-lock.sh
. "$root/scripts/install-lock.sh"
mkdir -p "$root/.lignee"
lock="$root/.lignee/spark-venv.lock"
building=0
cleanup() {
  local status=$?
  release_install_lock
  # A half-built environment must not pass for a good one next time.
  if [ "$status" -ne 0 ] && [ "$building" = 1 ]; then rm -rf "$venv" "$jars"; fi
}
trap cleanup EXIT
take_install_lock "$lock"

# Another process may have finished the work while this one waited for the lock.
if ready; then
  announce
  exit 0
fi

echo "lignee: installing PySpark into .lignee/spark-venv (Python $py_version, Java $java_major) and its JVM libraries into .lignee/spark-jars…" >&2
started="$(date +%s)"
building=1
rm -rf "$venv" "$jars"
"$python" -m venv "$venv" >&2 || fail "could not create $venv with $python -m venv"
# pip and Maven side by side: both mostly wait on the network.
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
  -r "$requirements" >&2 &
pip_pid=$!
mvn_log="$root/.lignee/spark-jars.log"
mvn_ok=1
mvn --batch-mode --quiet --file "$pom" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$jars" -Dmaven.repo.local="$root/.lignee/m2" \
  >"$mvn_log" 2>&1 || mvn_ok=0
wait "$pip_pid" || fail "pip could not install spark/requirements.txt (is PyPI reachable?)"
if [ "$mvn_ok" = 0 ]; then
  tail -n 20 "$mvn_log" >&2
  fail "Maven could not fetch the jars of spark/pom.xml (is Maven Central reachable? full log: $mvn_log)"
fi
version="$("$spark_python" -c 'from importlib.metadata import version; print(version("pyspark"))')" \
  || fail "pyspark was installed into $venv but cannot be imported"
# hadoop-aws must match the Hadoop client that pyspark bundles.
bundled="$(cd "$venv"/lib/python*/site-packages/pyspark/jars && ls hadoop-client-api-*.jar)"
bundled="${bundled#hadoop-client-api-}"
bundled="${bundled%.jar}"
[ -f "$jars/hadoop-aws-$bundled.jar" ] \
  || fail "pyspark $version bundles Hadoop $bundled but spark/pom.xml fetched $(cd "$jars" && ls hadoop-aws-*.jar): align hadoop.version"
echo "$wanted" >"$stamp"
building=0
echo "lignee: pyspark $version (Hadoop $bundled) with $(ls "$jars" | wc -l | tr -d ' ') jars ready in $(($(date +%s) - started))s ($(du -sh "$venv" | cut -f1) + $(du -sh "$jars" | cut -f1))" >&2
announce
