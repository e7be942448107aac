import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The Python side of Spark jobs (python/lignee_spark.py), run by the machine's python3 (these
 * functions need no PySpark): the s3a settings made from the AWS environment, and the short
 * message of an error.
 */
const LIB = path.join(path.dirname(fileURLToPath(import.meta.url)), "python");

function python(code: string, env: Record<string, string> = {}): unknown {
  const out = execFileSync("python3", ["-c", `import json, lignee_spark\n${code}`], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: LIB, PYTHONDONTWRITEBYTECODE: "1", ...env },
    encoding: "utf8",
  });
  return JSON.parse(out) as unknown;
}

describe("lignee_spark.s3a_conf", () => {
  it("points s3a at the environment's credentials, never the keys (a command line shows them), and a custom endpoint with path-style access", () => {
    const conf = python(
      "print(json.dumps(lignee_spark.s3a_conf({'AWS_ACCESS_KEY_ID': 'k', 'AWS_SECRET_ACCESS_KEY': 's', 'AWS_ENDPOINT_URL': 'http://127.0.0.1:9000'})))",
    );
    expect(conf).toEqual({
      "spark.hadoop.fs.s3a.aws.credentials.provider":
        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
      "spark.hadoop.fs.s3a.endpoint": "http://127.0.0.1:9000",
      "spark.hadoop.fs.s3a.path.style.access": "true",
      "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
      "spark.hadoop.fs.s3a.endpoint.region": "us-east-1",
    });
  });

  it("takes a session token from the environment too, and AWS's own endpoint without one set", () => {
    const conf = python(
      "print(json.dumps(lignee_spark.s3a_conf({'AWS_ACCESS_KEY_ID': 'k', 'AWS_SECRET_ACCESS_KEY': 's', 'AWS_SESSION_TOKEN': 't', 'AWS_REGION': 'eu-west-3'})))",
    );
    expect(conf).toEqual({
      "spark.hadoop.fs.s3a.aws.credentials.provider":
        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
      "spark.hadoop.fs.s3a.endpoint.region": "eu-west-3",
    });
    expect(JSON.stringify(conf)).not.toMatch(/"s"|"t"/);
  });

  it("sets nothing without an AWS environment", () => {
    expect(python("print(json.dumps(lignee_spark.s3a_conf({})))")).toEqual({});
  });
});

describe("lignee_spark.error_message", () => {
  it("is `Type: message`, without the JVM's stack appended to it", () => {
    const message = python(
      "print(json.dumps(lignee_spark.error_message(RuntimeError('[PATH_NOT_FOUND] Path does not exist: s3a://b/x.\\n\\nJVM stacktrace:\\norg.apache.spark.sql.AnalysisException\\n\\tat org.apache.spark.X(X.scala:1)'))))",
    );
    expect(message).toBe("RuntimeError: [PATH_NOT_FOUND] Path does not exist: s3a://b/x.");
  });
});
