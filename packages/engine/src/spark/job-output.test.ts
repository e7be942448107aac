import { describe, expect, it } from "vitest";
import { jvmLogLevel, metadataOf, parseReportLine, tracebackError } from "./job-output";

describe("parseReportLine", () => {
  it("reads a job's result, nested values as JSON text", () => {
    expect(
      parseReportLine('LIGNEE_RESULT {"metadata": {"rows": 3, "path": "/l", "keys": [1]}}'),
    ).toEqual({
      metadata: { rows: 3, path: "/l", keys: "[1]" },
    });
  });

  it("reads each partition's own entries", () => {
    expect(
      parseReportLine(
        'LIGNEE_RESULT {"metadata": {"build_rows": 5}, "partitionMetadata": {"2024-08-01": {"rows": 2}, "2024-08-02": {"rows": 3}}}',
      ),
    ).toEqual({
      metadata: { build_rows: 5 },
      partitionMetadata: { "2024-08-01": { rows: 2 }, "2024-08-02": { rows: 3 } },
    });
  });

  it("reads a job's error", () => {
    expect(parseReportLine('LIGNEE_ERROR {"message": "ValueError: no day"}')).toEqual({
      error: "ValueError: no day",
    });
  });

  it("leaves any other line, and a report line whose JSON does not parse, to the log", () => {
    expect(parseReportLine("rows: 3")).toBeUndefined();
    expect(parseReportLine("LIGNEE_RESULT {rows")).toBeUndefined();
  });
});

describe("metadataOf", () => {
  it("keeps numbers, strings, booleans and null; writes anything else as JSON", () => {
    expect(metadataOf({ a: 1, b: "x", c: true, d: null, e: { f: 1 }, g: Number.NaN })).toEqual({
      a: 1,
      b: "x",
      c: true,
      d: null,
      e: '{"f":1}',
      g: "null",
    });
  });
});

describe("tracebackError", () => {
  it("is the exception a traceback ends with, without its module path or the JVM's stack", () => {
    const lines = [
      "Traceback (most recent call last):",
      '  File "job.py", line 3, in <module>',
      "    spark.read.parquet(path)",
      "pyspark.errors.exceptions.captured.AnalysisException: [PATH_NOT_FOUND] Path does not exist: file:/x. SQLSTATE: 42K03",
      "",
      "JVM stacktrace:",
      "org.apache.spark.sql.AnalysisException: …",
      "\tat org.apache.spark.sql.errors.QueryCompilationErrors$.dataPathNotExistError(…)",
    ];
    expect(tracebackError(lines)).toBe(
      "AnalysisException: [PATH_NOT_FOUND] Path does not exist: file:/x. SQLSTATE: 42K03",
    );
  });

  it("reads the last traceback of several", () => {
    const lines = [
      "Traceback (most recent call last):",
      '  File "a.py", line 1, in <module>',
      "KeyError: 'day'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "a.py", line 3, in <module>',
      "ValueError: no day",
    ];
    expect(tracebackError(lines)).toBe("ValueError: no day");
  });

  it("is undefined without a traceback", () => {
    expect(tracebackError(["killed"])).toBeUndefined();
  });
});

describe("jvmLogLevel", () => {
  it("is log4j's level of a Spark log line", () => {
    expect(jvmLogLevel("26/12/06 13:19:06 WARN NativeCodeLoader: Unable to load")).toBe("warn");
    expect(jvmLogLevel("26/12/06 13:19:06 ERROR Executor: Exception in task 0.0")).toBe("error");
    expect(jvmLogLevel("26/12/06 13:19:06 INFO SparkContext: Running Spark")).toBe("info");
    expect(jvmLogLevel("rows: 3")).toBeUndefined();
  });
});
