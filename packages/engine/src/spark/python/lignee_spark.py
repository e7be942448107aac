"""What a Spark asset's job reads from Lignée and hands back to it.

The engine runs a job as `python JOB.py [ARGS…]` with this folder on PYTHONPATH and:

- LIGNEE_ASSET_KEY, LIGNEE_RUN_ID, LIGNEE_ATTEMPT;
- LIGNEE_PARTITION_KEY (one partition), LIGNEE_PARTITION_KEYS (JSON list),
  LIGNEE_PARTITION_START / LIGNEE_PARTITION_END (first and last key of the call) and, for time
  partitions, LIGNEE_TIME_WINDOW_START / LIGNEE_TIME_WINDOW_END (ISO 8601 instants);
- LIGNEE_CONFIG: the run's config for the asset (JSON);
- PYSPARK_SUBMIT_ARGS (master, jars, conf) or SPARK_REMOTE (Spark Connect), so that a plain
  `SparkSession.builder.getOrCreate()` gets the session the platform set up.

A job calls `run(job)`: `job(ctx)` gets a `Context` and returns the materialisation's metadata
(a dict of numbers, strings, booleans), or a `Result` that adds each partition's own entries;
`run` prints it as the last line (`LIGNEE_RESULT {...}`), or, when the job raises, the error's
message without the JVM's stack (`LIGNEE_ERROR {...}`), and exits 1.

    import lignee_spark

    def job(ctx):
        spark = ctx.spark()
        df = spark.read.json(ctx.args[0])
        return {"rows": df.count()}

    lignee_spark.run(job)
"""

import json
import os
import sys
import traceback
from typing import Any, Callable, Dict, List, Optional

RESULT_PREFIX = "LIGNEE_RESULT "
ERROR_PREFIX = "LIGNEE_ERROR "


class Result:
    """What a job hands back: metadata recorded on every partition of the call, and each
    partition's own entries by partition key (e.g. its row count)."""

    def __init__(self, metadata=None, partition_metadata=None):
        self.metadata: Dict[str, Any] = dict(metadata or {})
        self.partition_metadata: Dict[str, Dict[str, Any]] = dict(partition_metadata or {})


class Context:
    """The asset, run and partitions being materialised, and the run's config."""

    def __init__(self, environ=None, argv=None):
        env = os.environ if environ is None else environ
        self.asset_key: str = env.get("LIGNEE_ASSET_KEY", "")
        self.run_id: str = env.get("LIGNEE_RUN_ID", "")
        self.attempt: int = int(env.get("LIGNEE_ATTEMPT", "1"))
        self.partition_key: Optional[str] = env.get("LIGNEE_PARTITION_KEY") or None
        self.partition_keys: List[str] = json.loads(env.get("LIGNEE_PARTITION_KEYS", "[]"))
        self.partition_start: Optional[str] = env.get("LIGNEE_PARTITION_START") or None
        self.partition_end: Optional[str] = env.get("LIGNEE_PARTITION_END") or None
        self.time_window_start: Optional[str] = env.get("LIGNEE_TIME_WINDOW_START") or None
        self.time_window_end: Optional[str] = env.get("LIGNEE_TIME_WINDOW_END") or None
        self.config: Dict[str, Any] = json.loads(env.get("LIGNEE_CONFIG", "null")) or {}
        self.args: List[str] = list(sys.argv[1:] if argv is None else argv)
        self._spark = None

    def spark(self, app_name: Optional[str] = None):
        """The job's SparkSession (made once): the platform's master, jars and conf, plus s3a's
        endpoint and credentials from the AWS_* environment when there are any."""
        if self._spark is None:
            from pyspark.sql import SparkSession

            builder = SparkSession.builder.appName(app_name or f"lignee {self.asset_key}")
            if not os.environ.get("SPARK_REMOTE"):
                for key, value in s3a_conf(os.environ).items():
                    builder = builder.config(key, value)
            self._spark = builder.getOrCreate()
        return self._spark

    def stop(self):
        if self._spark is not None:
            self._spark.stop()
            self._spark = None


def s3a_conf(env) -> Dict[str, str]:
    """The Hadoop s3a settings for the AWS_* environment: where the credentials are (the
    environment, never the settings), the region and, for an S3-compatible store
    (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL), its endpoint with path-style access."""
    conf: Dict[str, str] = {}
    p = "spark.hadoop.fs.s3a."
    # The keys themselves are never settings: Spark passes its settings to the JVM on its
    # command line, which any user of the machine can read. The JVM reads them from its own
    # environment instead (the job's, inherited), session token included.
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        conf[p + "aws.credentials.provider"] = (
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"
        )
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        conf[p + "endpoint.region"] = region
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        conf[p + "endpoint"] = endpoint
        conf[p + "path.style.access"] = "true"
        conf[p + "connection.ssl.enabled"] = "true" if endpoint.startswith("https:") else "false"
        if not region:
            # s3a asks for a region with a custom endpoint; any does for most stores.
            conf[p + "endpoint.region"] = "us-east-1"
    return conf


def error_message(error: BaseException) -> str:
    """An exception as one short message: Spark's own message for its errors (not the JVM's
    stack), the Java exception's first line for another JVM error, else `Type: message`."""
    try:
        from py4j.protocol import Py4JJavaError
    except ImportError:  # pragma: no cover - py4j comes with pyspark
        Py4JJavaError = ()  # type: ignore
    if Py4JJavaError and isinstance(error, Py4JJavaError):
        try:
            text = str(error.java_exception.toString())
        except Exception:
            text = str(error)
        return first_lines(text)
    try:
        from pyspark.errors import PySparkException

        if isinstance(error, PySparkException):
            return f"{type(error).__name__}: {first_lines(str(error))}"
    except ImportError:
        pass
    message = str(error).strip()
    return f"{type(error).__name__}: {first_lines(message)}" if message else type(error).__name__


def first_lines(text: str, limit: int = 5) -> str:
    """The message without stack lines (JVM `at …` frames, `JVM stacktrace:` and what follows)."""
    kept = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        if stripped.startswith("JVM stacktrace:"):
            break
        if stripped.startswith("at ") or stripped.startswith("...") or stripped == "":
            continue
        kept.append(stripped)
        if len(kept) == limit:
            break
    return "\n".join(kept)


def run(job: Callable[[Context], Any]) -> None:
    """Runs `job`, prints its result or its error for the platform, stops the Spark session."""
    ctx = Context()
    try:
        metadata = job(ctx) or {}
    except BaseException as error:  # noqa: BLE001 - reported, then the process fails
        if isinstance(error, KeyboardInterrupt):
            raise
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        print(ERROR_PREFIX + json.dumps({"message": error_message(error)}), flush=True)
        try:
            ctx.stop()
        finally:
            sys.exit(1)
    ctx.stop()
    if isinstance(metadata, Result):
        report = {"metadata": metadata.metadata, "partitionMetadata": metadata.partition_metadata}
    else:
        report = {"metadata": metadata}
    print(RESULT_PREFIX + json.dumps(report, default=str), flush=True)
