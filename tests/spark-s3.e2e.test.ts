import path from "node:path";
import { jarsIn, runSparkJob, S3RawStore } from "@lignee/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDay } from "../packages/assets/src/france-travail/simulator/generate-day";
import { OfferGenerator } from "../packages/assets/src/france-travail/simulator/offer-generator";
import { REPO_ROOT } from "./support/cli";
import { startS3Proxy, type S3Proxy } from "./support/s3proxy";

/**
 * silver/offres's job on a raw store in S3: the day's NDJSON read through s3a from a real
 * S3-compatible server (S3Proxy, on 127.0.0.1, path-style), its Parquet written to the lake in
 * the same bucket. One JVM start.
 */
const DAY = "2024-08-01";
let proxy: S3Proxy;
let bucket: S3RawStore;
let env: Record<string, string>;

beforeAll(async () => {
  proxy = await startS3Proxy("lake");
  env = { ...proxy.env };
  bucket = proxy.store("s3://lake");
});

afterAll(async () => {
  await bucket?.close();
  await proxy?.stop();
});

describe("silver/offres on a raw store in S3", () => {
  it("reads the days through s3a and writes their Parquet partitions to the bucket's lake; a day without offers has none", async () => {
    const offers = generateDay(new OfferGenerator(1), { seed: 1, offersPerDay: () => 200 }, DAY);
    await bucket.write(
      `raw/offres/offres-${DAY}.ndjson`,
      Buffer.from(offers.map((o) => `${JSON.stringify(o.offer)}\n`).join("")),
    );

    // With a day without offers, on a lake holding no Parquet yet.
    const EMPTY = "2024-08-02";
    await bucket.write(`raw/offres/offres-${EMPTY}.ndjson`, Buffer.from("\n"));
    const silver = (days: string[]) =>
      runSparkJob({
        python: path.join(REPO_ROOT, ".lignee/spark-venv/bin/python"),
        script: path.join(REPO_ROOT, "spark/jobs/silver_offres.py"),
        args: ["s3a://lake/lake", ...days.map((d) => `s3a://lake/raw/offres/offres-${d}.ndjson`)],
        env: { ...env, LIGNEE_PARTITION_KEYS: JSON.stringify(days) },
        master: "local[*]",
        jars: jarsIn(path.join(REPO_ROOT, ".lignee/spark-jars")),
        appName: "lignee tests silver s3",
      });
    const job = await silver([DAY, EMPTY]);
    expect(job.partitionMetadata?.[DAY]).toMatchObject({
      rows: offers.length,
      path: `s3a://lake/lake/silver/offres/jour=${DAY}`,
    });
    expect(job.partitionMetadata?.[EMPTY]).toMatchObject({ rows: 0, bytes: 0 });
    const parquet: { key: string; size: number }[] = [];
    for await (const o of bucket.list(`lake/silver/offres/jour=${DAY}/part-`)) parquet.push(o);
    expect(parquet.length).toBeGreaterThan(0);
    expect(parquet.reduce((sum, o) => sum + o.size, 0)).toBe(job.partitionMetadata?.[DAY]?.bytes);

    // The day collected again, without offers this time: its older partition goes.
    await bucket.write(`raw/offres/offres-${DAY}.ndjson`, Buffer.from(""));
    const again = await silver([DAY]);
    expect(again.partitionMetadata?.[DAY]).toMatchObject({ rows: 0, bytes: 0 });
    const left: string[] = [];
    for await (const o of bucket.list(`lake/silver/offres/jour=${DAY}/`)) left.push(o.key);
    expect(left).toEqual([]);
  });
});
