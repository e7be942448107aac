import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { jarsIn, runSparkJob } from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDay } from "../packages/assets/src/france-travail/simulator/generate-day";
import { OfferGenerator } from "../packages/assets/src/france-travail/simulator/offer-generator";
import { fixture, REPO_ROOT } from "./support/cli";
import { freePort } from "./support/free-port";
import { waitFor } from "./support/wait";

/**
 * silver/offres's job on a raw store in S3: the day's NDJSON read through s3a from an
 * S3-compatible server (moto's, on 127.0.0.1, path-style), its Parquet written to the lake in
 * the same bucket. Needs moto's server and boto3 in the machine's python3. One JVM start.
 */
const DAY = "2024-08-01";
let moto: ChildProcess;
let env: Record<string, string>;
let endpoint: string;

function s3(args: string[]): string {
  return execFileSync("python3", [fixture("spark/s3_objects.py"), ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

beforeAll(async () => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  env = {
    AWS_ACCESS_KEY_ID: "lignee",
    AWS_SECRET_ACCESS_KEY: "lignee-secret",
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: "us-east-1",
  };
  moto = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  await waitFor(
    "moto's S3 server",
    async () => {
      try {
        await fetch(endpoint);
        return true;
      } catch {
        return undefined;
      }
    },
    30_000,
  );
});

afterAll(() => {
  moto?.kill("SIGTERM");
});

describe("silver/offres on a raw store in S3", () => {
  it("reads the day through s3a and writes its Parquet partition to the bucket's lake", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-spark-s3-"));
    const offers = generateDay(new OfferGenerator(1), { seed: 1, offersPerDay: () => 200 }, DAY);
    const file = path.join(dir, `offres-${DAY}.ndjson`);
    await writeFile(file, offers.map((o) => `${JSON.stringify(o.offer)}\n`).join(""));
    s3(["put", "lake", `raw/offres/offres-${DAY}.ndjson`, file]);

    const job = await runSparkJob({
      python: path.join(REPO_ROOT, ".lignee/spark-venv/bin/python"),
      script: path.join(REPO_ROOT, "spark/jobs/silver_offres.py"),
      args: ["s3a://lake/lake", `s3a://lake/raw/offres/offres-${DAY}.ndjson`],
      env: { ...env, LIGNEE_PARTITION_KEYS: JSON.stringify([DAY]) },
      master: "local[*]",
      jars: jarsIn(path.join(REPO_ROOT, ".lignee/spark-jars")),
      appName: "lignee tests silver s3",
    });
    expect(job.partitionMetadata?.[DAY]).toMatchObject({
      rows: offers.length,
      path: `s3a://lake/lake/silver/offres/jour=${DAY}`,
    });
    const objects = JSON.parse(s3(["list", "lake", "lake/silver/offres/"])) as Record<
      string,
      number
    >;
    const parquet = Object.entries(objects).filter(([key]) =>
      key.startsWith(`lake/silver/offres/jour=${DAY}/part-`),
    );
    expect(parquet.length).toBeGreaterThan(0);
    expect(parquet.reduce((sum, [, size]) => sum + size, 0)).toBe(
      job.partitionMetadata?.[DAY]?.bytes,
    );
  });
});
