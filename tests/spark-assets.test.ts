import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  dailyPartitions,
  defineSparkAsset,
  Definitions,
  executeRun,
  PostgresStorage,
  prepareRun,
  runSparkJob,
  z,
  type RunEvent,
  type RunResult,
} from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * The Spark asset kind on a real PySpark (scripts/spark-setup.sh, `local[*]`): a job's lines
 * reach the run's log as they come, its reported metadata becomes the materialisation's, a
 * failure says Spark's or Python's error without the JVM's stack, a cancellation kills the
 * job's JVM, and a missing install says how to install it. Each JVM start costs seconds: three
 * jobs start one.
 */
let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

const Mode = z.object({
  mode: z.enum(["ok", "missing-path", "python-error", "slow"]).default("ok"),
});

function definitions(options: { python?: string } = {}): Definitions<unknown> {
  return Definitions.create({
    assets: [
      defineSparkAsset<unknown, typeof Mode>({
        key: "demo/spark",
        script: fixture("spark/count_job.py"),
        partitions: dailyPartitions({ start: "2024-08-01" }),
        config: Mode,
        args: () => ["/nonexistent-lake"],
        python: options.python ?? path.join(REPO_ROOT, ".lignee/spark-venv/bin/python"),
        jarsDir: path.join(REPO_ROOT, ".lignee/spark-jars"),
        killAfterMs: 3_000,
      }),
    ],
  });
}

async function run(
  mode: string,
  options: {
    python?: string;
    onEvent?: (event: RunEvent, runId: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<{ result: RunResult; events: RunEvent[] }> {
  const defs = definitions(options);
  const prepared = prepareRun(
    defs,
    {
      selection: "demo/spark",
      partitions: { kind: "single", key: "2024-08-02" },
      config: { "demo/spark": { mode } },
    },
    new Date(),
    undefined,
  );
  const events: RunEvent[] = [];
  const result = await executeRun({
    definitions: defs,
    storage,
    prepared,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (event, runId) => {
      events.push(event);
      options.onEvent?.(event, runId);
    },
  });
  return { result, events };
}

/** The machine's python3, by its full path (a job's Python is a file). */
function pythonPath(): string {
  return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
    encoding: "utf8",
  }).trim();
}

/** The processes of this machine whose command line mentions `text` (the run's id). */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(text)) found.push(`${pid} ${cmdline.slice(0, 80)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe("defineSparkAsset", () => {
  it("runs the job on local[*] with the jars, streams its lines and records its metadata", async () => {
    const { result, events } = await run("ok");
    expect(result.outcome, result.error).toBe("SUCCESS");
    const logs = events.filter((e) => e.type === "LOG").map((e) => e.message);
    expect(logs).toContain("job for demo/spark partition 2024-08-02");
    // Spark's own log, at its level.
    expect(
      events.some((e) => e.type === "LOG" && e.level === "warn" && / WARN /.test(e.message)),
    ).toBe(true);
    const materialization = events.find((e) => e.type === "MATERIALIZATION");
    const metadata = materialization?.data?.metadata as Record<string, unknown>;
    expect(metadata).toMatchObject({
      rows: 1000,
      partition_key: "2024-08-02",
      window_start: "2024-08-01T22:00:00.000Z",
      master: "local[*]",
      args: '["/nonexistent-lake"]',
    });
    // The pinned jars (s3a, the AWS SDK modules, PostgreSQL's driver) are on the classpath.
    expect(metadata.jars).toBe(
      readdirSync(path.join(REPO_ROOT, ".lignee/spark-jars")).filter((f) => f.endsWith(".jar"))
        .length,
    );
    expect(metadata.jars).toBeGreaterThan(10);
    expect(typeof metadata.spark_job_ms).toBe("number");
    // The report line is the result, not a log line.
    expect(logs.some((l) => l.includes("LIGNEE_RESULT"))).toBe(false);
  });

  it("fails with Spark's error message, not the JVM's stack", async () => {
    const { result } = await run("missing-path");
    expect(result.outcome).toBe("FAILURE");
    expect(result.error).toContain(
      "Spark job count_job.py failed: AnalysisException: [PATH_NOT_FOUND] Path does not exist: file:/nonexistent-lake/nowhere",
    );
    expect(result.error).not.toMatch(/\tat |java\.base/);
  });

  it("fails with the Python exception of a job that failed before Spark started", async () => {
    const { result, events } = await run("python-error");
    expect(result.outcome).toBe("FAILURE");
    expect(result.error).toContain(
      "Spark job count_job.py failed: ValueError: the day has no offers file",
    );
    // The traceback is in the run's log.
    expect(events.some((e) => e.type === "LOG" && e.message.startsWith("Traceback"))).toBe(true);
  });

  it("kills the job's JVM when the run is cancelled", async () => {
    const controller = new AbortController();
    let runId = "";
    let jvmWhileRunning: string[] = [];
    const { result } = await run("slow", {
      signal: controller.signal,
      onEvent: (event, id) => {
        runId = id;
        // The job's lines come while it runs: cancel once it is at work.
        if (event.type === "LOG" && event.message === "LIGNEE_TEST_WAITING") {
          jvmWhileRunning = processesWith(id).filter((p) => p.includes("java"));
          controller.abort();
        }
      },
    });
    expect(result.outcome).toBe("CANCELED");
    // The JVM ran under the run's name (spark-submit's --name), and none is left.
    expect(jvmWhileRunning.length).toBe(1);
    expect(processesWith(runId)).toEqual([]);
  });

  it("takes its code version from the job's script and shows the script as its code", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-spark-job-"));
    const script = path.join(dir, "job.py");
    await writeFile(script, "print('v1')\n");
    const v1 = defineSparkAsset({ key: "demo/v", script });
    await writeFile(script, "print('v2')\n");
    const v2 = defineSparkAsset({ key: "demo/v", script });
    expect(v1.codeVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(v2.codeVersion).not.toBe(v1.codeVersion);
    expect(v2.tags.kind).toBe("spark");
    expect(await v2.details?.()).toEqual({ code: { language: "python", raw: "print('v2')\n" } });
  });

  it("gives the job its master, jars and settings, or a Spark Connect server instead", async () => {
    const base = {
      python: pythonPath(),
      script: fixture("spark/env_job.py"),
      master: "local[2]",
      jars: ["/jars/a b.jar", "/jars/c.jar"],
      conf: { "spark.sql.shuffle.partitions": "4" },
      appName: "lignee demo/spark run-1",
      // An inherited setting is replaced, not added to.
      env: { PYSPARK_SUBMIT_ARGS: "--master yarn pyspark-shell", SPARK_REMOTE: "sc://elsewhere" },
    };
    const local = await runSparkJob(base);
    expect(local.metadata.local_ip).toBe("127.0.0.1");
    expect(local.metadata.remote).toBe(null);
    const submit = JSON.parse(String(local.metadata.submit)) as string[];
    expect(submit.slice(0, 6)).toEqual([
      "--master",
      "local[2]",
      "--name",
      "lignee demo/spark run-1",
      "--jars",
      "/jars/a b.jar,/jars/c.jar",
    ]);
    expect(submit).toContain("spark.sql.shuffle.partitions=4");
    expect(submit).toContain("spark.ui.enabled=false");
    expect(submit.at(-1)).toBe("pyspark-shell");

    const remote = await runSparkJob({ ...base, remote: "sc://spark:15002" });
    expect(remote.metadata).toMatchObject({ remote: "sc://spark:15002", submit: "[]" });
    expect(remote.metadata.local_ip).toBe(null);

    // A cluster's executors must reach the driver: its address is the machine's, not loopback.
    const cluster = await runSparkJob({
      ...base,
      master: "spark://spark-master:7077",
      env: { ...base.env, SPARK_LOCAL_IP: "10.0.0.5" },
    });
    expect(cluster.metadata.local_ip).toBe("10.0.0.5");
    const clusterSubmit = JSON.parse(String(cluster.metadata.submit)) as string[];
    expect(clusterSubmit.slice(0, 2)).toEqual(["--master", "spark://spark-master:7077"]);
    expect(submit).toContain("spark.driver.host=127.0.0.1");
    expect(clusterSubmit.filter((a) => a.startsWith("spark.driver."))).toEqual([]);
  });

  it("says how to install PySpark when it is missing", async () => {
    const { result } = await run("ok", { python: "/nonexistent/spark-venv/bin/python" });
    expect(result.outcome).toBe("FAILURE");
    expect(result.error).toContain(
      "PySpark is not installed (/nonexistent/spark-venv/bin/python not found): run `bash scripts/spark-setup.sh`",
    );
  });
});
