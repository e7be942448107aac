import path from "node:path";

/**
 * Where the Spark assets write their tables (`silver/offres/jour=…`): `LIGNEE_LAKE` when set;
 * else beside the raw files, `s3a://bucket/prefix/lake` for a raw store in S3
 * (`s3://bucket/prefix`), `<data folder>/lake` for a folder.
 */
export function lakeLocation(
  rawStoreUrl: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const set = env.LIGNEE_LAKE?.trim();
  if (set) return sparkPath(set);
  if (/^s3:\/\//i.test(rawStoreUrl)) return `${sparkPath(rawStoreUrl).replace(/\/+$/, "")}/lake`;
  return path.join(dataDir, "lake");
}

/** A raw store's location as Spark reads it: `s3://…` through Hadoop's s3a file system. */
export function sparkPath(location: string): string {
  return location.replace(/^s3:\/\//i, "s3a://");
}
