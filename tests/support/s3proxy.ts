import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { S3RawStore, type S3RawStoreOptions } from "@lignee/engine";
import { freePort } from "./free-port";
import { sleep } from "./wait";

const REPO_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Where `scripts/s3proxy-setup.sh` installs the jar (the path it prints). */
const INSTALLED_JAR = path.join(
  REPO_ROOT,
  ".lignee/s3proxy/s3proxy-4.1.0-jar-with-dependencies.jar",
);
const INSTALL = "bash scripts/s3proxy-setup.sh";

/** A running S3Proxy: a real S3 API over a folder of its own. */
export interface S3Proxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The access key id and secret it accepts (AWS signatures v2 and v4). */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The same, as the AWS SDK's `credentials`. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** What a process reaching it through the AWS SDK's chain needs: endpoint, keys, region. */
  readonly env: Readonly<Record<string, string>>;
  /** A raw store at `url` (`s3://bucket/prefix`) on this server; `options` override its own. */
  store(url: string, options?: Partial<S3RawStoreOptions>): S3RawStore;
  /** A bucket created at start. */
  readonly bucket: string;
  /** Creates another, empty bucket. */
  createBucket(name: string): Promise<void>;
  /** Stops the server (kills its JVM) and removes its folder; idempotent. */
  stop(): Promise<void>;
}

/**
 * The S3Proxy jar: LIGNEE_S3PROXY_JAR (exported by `scripts/test.sh`), else where the setup
 * script installs it. Missing, the error gives the command that installs it: a test that needs
 * a real S3 fails rather than skips.
 */
export function s3ProxyJar(): string {
  const fromEnv = process.env.LIGNEE_S3PROXY_JAR;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`LIGNEE_S3PROXY_JAR=${fromEnv} does not exist: run \`${INSTALL}\``);
    return fromEnv;
  }
  if (existsSync(INSTALLED_JAR)) return INSTALLED_JAR;
  throw new Error(
    `S3Proxy is not installed (no ${path.relative(REPO_ROOT, INSTALLED_JAR)}): run \`${INSTALL}\` (needs Java 17+ and Maven)`,
  );
}

/**
 * Starts S3Proxy on a free port of 127.0.0.1 with the filesystem provider in a temporary folder,
 * and a bucket `bucket` in it; resolves once it answers HTTP. Stop it with `stop()`: a JVM left
 * behind is also killed when the test process exits.
 */
export async function startS3Proxy(bucket = "lignee"): Promise<S3Proxy> {
  const jar = s3ProxyJar();
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-s3proxy-"));
  const data = path.join(dir, "data");
  // The filesystem provider's buckets are the folders of its base directory.
  const createBucket = (name: string): Promise<void> =>
    mkdir(path.join(data, name), { recursive: true }).then(() => undefined);
  await createBucket(bucket);
  const accessKeyId = "lignee-test";
  const secretAccessKey = "lignee-test-secret";
  let failure: Error | undefined;
  // A port found free may be taken before the JVM binds it: then another one.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const properties = path.join(dir, "s3proxy.properties");
    await writeFile(
      properties,
      [
        `s3proxy.endpoint=${endpoint}`,
        "s3proxy.authorization=aws-v2-or-v4",
        `s3proxy.identity=${accessKeyId}`,
        `s3proxy.credential=${secretAccessKey}`,
        "jclouds.provider=filesystem",
        `jclouds.filesystem.basedir=${data}`,
        "",
      ].join("\n"),
    );
    const child = spawn(
      process.env.LIGNEE_JAVA ?? "java",
      ["-Xmx256m", "-XX:+UseSerialGC", "-jar", jar, "--properties", properties],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LOG_LEVEL: "warn" } },
    );
    const output = captureOutput(child);
    let spawnError: Error | undefined;
    child.once("error", (error) => (spawnError = error));
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    // A process that could not start emits "error", and maybe no "exit".
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    const stop = async (): Promise<void> => {
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killed = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(killed);
      }
      await rm(dir, { recursive: true, force: true });
    };
    const ready = await answers(endpoint, child, 60_000, () => spawnError !== undefined);
    if (ready) {
      const credentials = { accessKeyId, secretAccessKey };
      return {
        endpoint,
        accessKeyId,
        secretAccessKey,
        credentials,
        env: {
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCESS_KEY_ID: accessKeyId,
          AWS_SECRET_ACCESS_KEY: secretAccessKey,
          AWS_REGION: "us-east-1",
        },
        store: (url, options = {}) => new S3RawStore(url, { endpoint, credentials, ...options }),
        bucket,
        createBucket,
        stop: once(stop),
      };
    }
    failure = spawnError
      ? new Error(
          `cannot run ${child.spawnfile} (${spawnError.message}): S3Proxy needs Java 17 or newer (LIGNEE_JAVA names another java)`,
        )
      : new Error(`S3Proxy did not start on ${endpoint}:\n${output()}`);
    process.removeListener("exit", killOnExit);
    child.kill("SIGKILL");
    await exited;
    if (!/address already in use/i.test(output())) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw failure;
}

/** Whether the server answers any HTTP request before `ms` (false once its process has ended). */
async function answers(
  endpoint: string,
  child: ChildProcess,
  ms: number,
  failed: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (failed() || child.exitCode !== null || child.signalCode !== null) return false;
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return true;
    } catch {
      await sleep(100);
    }
  }
  return false;
}

/** The last 8 KB of the process' output, for errors. */
function captureOutput(child: ChildProcess): () => string {
  let text = "";
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString("utf8")).slice(-8192);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

function once(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= run());
}
