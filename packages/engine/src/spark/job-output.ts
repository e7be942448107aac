import type { Metadata, MetadataValue } from "../definitions/asset";

/** The line a job prints last to hand its result to the platform (see lignee_spark.py). */
const RESULT_PREFIX = "LIGNEE_RESULT ";
/** The line a job prints when it fails: its error's message, without the JVM's stack. */
const ERROR_PREFIX = "LIGNEE_ERROR ";

/** What a job's output said: its result, or its error. */
export interface JobReport {
  readonly metadata?: Metadata;
  /** Each partition's own entries, by partition key. */
  readonly partitionMetadata?: Readonly<Record<string, Metadata>>;
  readonly error?: string;
}

/**
 * A `LIGNEE_RESULT {...}` or `LIGNEE_ERROR {...}` line, read; undefined for any other line (or
 * one whose JSON does not parse, which is then an ordinary log line).
 */
export function parseReportLine(line: string): JobReport | undefined {
  if (line.startsWith(RESULT_PREFIX)) {
    const parsed = parseObject(line.slice(RESULT_PREFIX.length));
    if (!parsed) return undefined;
    const byPartition = objectOf(parsed.partitionMetadata);
    return {
      metadata: metadataOf(objectOf(parsed.metadata)),
      ...(Object.keys(byPartition).length > 0
        ? {
            partitionMetadata: Object.fromEntries(
              Object.entries(byPartition).map(([key, value]) => [key, metadataOf(objectOf(value))]),
            ),
          }
        : {}),
    };
  }
  if (line.startsWith(ERROR_PREFIX)) {
    const parsed = parseObject(line.slice(ERROR_PREFIX.length));
    if (!parsed) return undefined;
    return { error: typeof parsed.message === "string" ? parsed.message : String(parsed.message) };
  }
  return undefined;
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A job's metadata as the platform stores it: nested values become their JSON text. */
export function metadataOf(values: Record<string, unknown>): Metadata {
  const out: Record<string, MetadataValue> = {};
  for (const [key, value] of Object.entries(values)) {
    out[key] =
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value))
        ? value
        : JSON.stringify(value);
  }
  return out;
}

/**
 * The exception a Python traceback ends with (`pyspark.errors.exceptions.captured.AnalysisException:
 * [PATH_NOT_FOUND] …` → `AnalysisException: [PATH_NOT_FOUND] …`), from the last lines of a
 * job's stderr; undefined when they hold no traceback. For a job that does not report its
 * errors itself (a LIGNEE_ERROR line).
 */
export function tracebackError(lines: readonly string[]): string | undefined {
  const start = lines.findLastIndex((l) => l.startsWith("Traceback (most recent call last):"));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  // The exception line: the first one after the frames that is not indented.
  const at = rest.findIndex((l) => l !== "" && !/^\s/.test(l));
  if (at < 0) return undefined;
  const message = [rest[at]!];
  // A message of several lines, up to the JVM's stack when Spark appends it.
  for (const line of rest.slice(at + 1, at + 5)) {
    if (line.trim() === "" || /^\s+at |JVM stacktrace:/.test(line)) break;
    message.push(line.trim());
  }
  return message.join("\n").replace(/^(?:[A-Za-z_][\w]*\.)+(?=[A-Za-z_]\w*(?::|$))/, "");
}

/** Log4j's level in a JVM log line (`26/12/06 13:19:06 WARN NativeCodeLoader: …`), if any. */
export function jvmLogLevel(line: string): "debug" | "info" | "warn" | "error" | undefined {
  const m = /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) /.exec(
    line,
  );
  if (!m) return undefined;
  const level = m[1]!;
  if (level === "TRACE" || level === "DEBUG") return "debug";
  if (level === "INFO") return "info";
  if (level === "WARN") return "warn";
  return "error";
}
