import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildExampleDefinitions,
  createApp,
  heartbeatFile,
  PostgresStorage,
  runCli,
  type Definitions,
} from "@lignee/engine";
import { REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the file against the
 * Compose Specification's JSON schema (tests/fixtures/compose-spec), then what production
 * needs of it: health checks everywhere, two workers or more, no secret written in the file,
 * every environment variable the code reads passed (or deliberately left out), commands and
 * the health endpoint that exist.
 */
const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), "utf8");

interface Healthcheck {
  test?: string[] | string;
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  restart?: string;
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, Service & { secrets?: string[]; ports?: string[] }>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
}

const text = read("docker-compose.yml");
// Compose reads YAML 1.2 with merge keys (`<<: *anchor`).
const compose = parse(text, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const ligneeServices = services.filter(([, s]) => s.build !== undefined);

function composeValidator(): ValidateFunction {
  const schema = JSON.parse(read("tests/fixtures/compose-spec/compose-spec.json")) as {
    $schema: string;
  };
  expect(schema.$schema).toBe("https://json-schema.org/draft-07/schema");
  // Ajv's default class implements draft-07, the dialect the schema declares; it knows the
  // meta-schema by its historical http URI, the schema names it by https.
  // Not strict: that mode judges how a schema is written (this one, not ours, uses union
  // types), not what it accepts.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const draft07 = createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-07.json") as {
    $id: string;
  };
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  return ajv.compile(schema);
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification schema", () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema catches mistakes (so that passing means something)", () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    broken.services.server!.depends_on = { postgres: { condition: "healthy" } };
    expect(validate(broken)).toBe(false);
    const typo = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    typo.services.worker!.helthcheck = {};
    expect(validate(typo)).toBe(false);
  });

  it("runs PostgreSQL, the server, the scheduler and at least two workers, from one image", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:\d+/);
    const commands = Object.fromEntries(ligneeServices.map(([name, s]) => [name, s.command]));
    expect(commands).toEqual({
      server: ["server", "--host", "0.0.0.0", "--port", "3000"],
      scheduler: ["scheduler", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"],
      worker: ["worker", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"],
    });
    const workers = ligneeServices
      .filter(([, s]) => s.command?.[0] === "worker")
      .reduce((n, [, s]) => n + (s.deploy?.replicas ?? 1), 0);
    expect(workers).toBeGreaterThanOrEqual(2);
    expect(new Set(ligneeServices.map(([, s]) => s.image)).size).toBe(1);
    for (const [name, s] of ligneeServices) {
      expect(s.build, name).toEqual({ context: ".", dockerfile: "Dockerfile" });
    }
    expect(compose.volumes).toHaveProperty("postgres-data");
  });

  it("shares raw files through an S3 bucket every process reaches, not a volume", () => {
    // The raw-folder sensor (scheduler) reads the offers files the workers write: in the raw
    // store, which is the compose S3 service's bucket unless LIGNEE_RAW_STORE says otherwise.
    for (const [name, s] of ligneeServices) {
      expect(s.environment?.LIGNEE_RAW_STORE, name).toBe(
        "${LIGNEE_RAW_STORE:-s3://lignee/raw-files}",
      );
      expect(s.environment?.AWS_ENDPOINT_URL, name).toBe("${AWS_ENDPOINT_URL-http://s3:80}");
      expect(s.volumes ?? [], name).toEqual([]);
    }
    const s3 = compose.services.s3!;
    expect(s3.image).toMatch(/^andrewgaul\/s3proxy:\d+\.\d+\.\d+$/);
    expect(s3.environment).toMatchObject({
      S3PROXY_ENDPOINT: "http://0.0.0.0:80",
      JCLOUDS_PROVIDER: "filesystem",
      JCLOUDS_FILESYSTEM_BASEDIR: "/data",
    });
    expect(s3.volumes).toEqual(["s3-data:/data"]);
    expect(compose.volumes).toHaveProperty("s3-data");
    // The bucket of the default setting is created before anyone uses it.
    expect(JSON.stringify((s3 as { entrypoint?: unknown }).entrypoint)).toContain(
      "mkdir -p /data/lignee ",
    );
    // The store accepts the keys every process is given, and they come from the environment.
    const shared = ligneeServices[0]![1].environment!;
    expect(s3.environment?.S3PROXY_IDENTITY).toBe(shared.AWS_ACCESS_KEY_ID);
    expect(s3.environment?.S3PROXY_CREDENTIAL).toBe(shared.AWS_SECRET_ACCESS_KEY);
    expect(shared.AWS_ACCESS_KEY_ID).toMatch(/^\$\{AWS_ACCESS_KEY_ID:\?[^}]*\}$/);
    expect(shared.AWS_SECRET_ACCESS_KEY).toMatch(/^\$\{AWS_SECRET_ACCESS_KEY:\?[^}]*\}$/);
  });

  it("gives every service a health check, a restart policy, and waits for a healthy database", () => {
    for (const [name, s] of services) {
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(Array.isArray(s.healthcheck?.test) && s.healthcheck.test.length > 1, name).toBe(true);
      expect(s.restart, name).toBe("unless-stopped");
    }
    expect(compose.services.postgres?.healthcheck?.test).toEqual(
      expect.arrayContaining(["CMD", "pg_isready"]),
    );
    for (const [name, s] of ligneeServices) {
      expect(s.depends_on, name).toEqual({
        postgres: { condition: "service_healthy" },
        s3: { condition: "service_healthy" },
      });
      // The check script is in the image.
      const test = s.healthcheck?.test as string[];
      expect(test.slice(0, 3), name).toEqual(["CMD", "node", "scripts/healthcheck.mjs"]);
    }
    expect(existsSync(path.join(REPO_ROOT, "scripts/healthcheck.mjs"))).toBe(true);
  });

  it("writes no secret: passwords, tokens and secrets come from the environment", () => {
    const checked: string[] = [];
    for (const [name, s] of services) {
      for (const [key, raw] of Object.entries(s.environment ?? {})) {
        const value = String(raw ?? "");
        if (/(PASSWORD|SECRET|TOKEN)$/.test(key)) {
          // Exactly `${KEY}`, `${KEY:?message}` or `${KEY:-}`: the value is never in the file.
          expect(value, `${name}.${key}`).toMatch(new RegExp(`^\\$\\{${key}(:\\?[^}]*|:-)?\\}$`));
          checked.push(key);
        }
        // A URL's password too.
        for (const match of value.matchAll(/:\/\/[^:/@\s]+:([^@\s]*)@/g)) {
          expect(match[1], `${name}.${key}`).toMatch(/^\$\{[A-Z_]+\}$/);
        }
      }
    }
    expect(new Set(checked)).toEqual(
      new Set([
        "POSTGRES_PASSWORD",
        "LIGNEE_API_TOKEN",
        "FRANCE_TRAVAIL_CLIENT_SECRET",
        "GF_SECURITY_ADMIN_PASSWORD",
        "LIGNEE_ALERT_WEBHOOK_SECRET",
        "LIGNEE_ADMIN_PASSWORD",
      ]),
    );
    // The server may not start on 0.0.0.0 without its token: compose refuses to start without it.
    expect(compose.services.server?.environment?.LIGNEE_API_TOKEN).toMatch(
      /^\$\{LIGNEE_API_TOKEN:\?/,
    );
  });

  it("passes every environment variable the code reads, or leaves it out on purpose", () => {
    const passed = new Set<string>();
    for (const [, s] of ligneeServices) {
      for (const key of Object.keys(s.environment ?? {})) passed.add(key);
    }
    const read = envVariablesReadByTheCode();
    // Sanity: the scan finds what we know is read.
    expect(read).toEqual(expect.arrayContaining(["DATABASE_URL", "LIGNEE_API_TOKEN"]));
    const missing = read.filter((name) => !passed.has(name) && leftOut(name) === undefined);
    expect(
      missing,
      "pass these in docker-compose.yml, or list them in NOT_PASSED with the reason",
    ).toEqual([]);
    // The server's own variable is given to the server.
    expect(Object.keys(compose.services.server?.environment ?? {})).toContain("LIGNEE_API_TOKEN");
    for (const [name, s] of ligneeServices) {
      for (const key of ["DATABASE_URL", "WAREHOUSE_URL", "FRANCE_TRAVAIL_CLIENT_ID"]) {
        expect(Object.keys(s.environment ?? {}), name).toContain(key);
      }
    }
  });
});

describe("the server's own settings", () => {
  it("the first admin's password and the proxy's trust reach the server only, not the processes running user code", () => {
    const own = ["LIGNEE_ADMIN_USER", "LIGNEE_ADMIN_PASSWORD", "LIGNEE_ADMIN_PASSWORD_FILE"];
    const server = Object.keys(compose.services.server?.environment ?? {});
    expect(server).toEqual(expect.arrayContaining([...own, "LIGNEE_TRUST_PROXY"]));
    for (const [name, s] of ligneeServices.filter(([name]) => name !== "server")) {
      for (const key of [...own, "LIGNEE_TRUST_PROXY"]) {
        expect(Object.keys(s.environment ?? {}), name).not.toContain(key);
      }
      // The rest of what every process reads still reaches them.
      expect(Object.keys(s.environment ?? {}), name).toContain("LIGNEE_SESSION_IDLE_MINUTES");
    }
  });
});

describe("Prometheus and Grafana (deploy/)", () => {
  interface ScrapeConfig {
    job_name: string;
    authorization?: { credentials_file?: string };
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }
  const prometheus = parse(read("deploy/prometheus.yml")) as { scrape_configs: ScrapeConfig[] };
  const promService = compose.services.prometheus!;
  const grafanaService = compose.services.grafana!;
  /** `./deploy/x:/in/container[:ro]` → the container path of a file of the repository. */
  const mountOf = (s: Service, file: string): string | undefined =>
    s.volumes?.find((v) => v.split(":")[0] === `./${file}`)?.split(":")[1];
  /** Host and port of every target of a scrape job. */
  const targetsOf = (job: ScrapeConfig): string[] => [
    ...(job.static_configs ?? []).flatMap((c) => c.targets),
    ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
  ];
  const option = (command: string[] | undefined, name: string): string | undefined =>
    command?.includes(name) ? command[command.indexOf(name) + 1] : undefined;

  it("Prometheus reads deploy/prometheus.yml and the API token as a secret", () => {
    expect(promService.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(mountOf(promService, "deploy/prometheus.yml")).toBe("/etc/prometheus/prometheus.yml");
    expect(promService.command).toContain("--config.file=/etc/prometheus/prometheus.yml");
    expect(promService.secrets).toEqual(["lignee_api_token"]);
    expect(compose.secrets?.lignee_api_token).toEqual({ environment: "LIGNEE_API_TOKEN" });
    for (const job of prometheus.scrape_configs) {
      expect(job.authorization?.credentials_file, job.job_name).toBe(
        "/run/secrets/lignee_api_token",
      );
    }
  });

  it("scrapes the server, the scheduler and the workers where they serve /metrics", () => {
    // Each Lignée service by its command, and where it serves GET /metrics.
    const endpoints = new Map<string, string>();
    for (const [name, s] of ligneeServices) {
      const port = option(s.command, "--metrics-port") ?? option(s.command, "--port");
      expect(port, name).toBeDefined();
      // Reachable from the Prometheus container, and so guarded by the token.
      const host = option(s.command, "--metrics-host") ?? option(s.command, "--host");
      expect(host, name).toBe("0.0.0.0");
      expect(Object.keys(s.environment ?? {}), name).toContain("LIGNEE_API_TOKEN");
      endpoints.set(name, `${name}:${port}`);
    }
    const scraped = prometheus.scrape_configs.flatMap(targetsOf).sort();
    expect(scraped).toEqual([...endpoints.values()].sort());
    // Every worker replica: the service name resolves to each of them.
    const workers = prometheus.scrape_configs.find((j) => j.dns_sd_configs !== undefined);
    expect(workers?.dns_sd_configs).toEqual([
      expect.objectContaining({ names: ["worker"], type: "A" }),
    ]);
    expect(compose.services.worker?.deploy?.replicas).toBeGreaterThan(1);
  });

  it("Grafana is provisioned with Prometheus and the Lignée dashboard", () => {
    const datasources = parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const providers = parse(read("deploy/grafana/provisioning/dashboards/lignee.yml")) as {
      providers: { options: { path: string } }[];
    };
    expect(mountOf(grafanaService, "deploy/grafana/provisioning")).toBe(
      "/etc/grafana/provisioning",
    );
    const dashboardPath = mountOf(grafanaService, "deploy/grafana/lignee-dashboard.json");
    expect(path.posix.dirname(dashboardPath!)).toBe(providers.providers[0]?.options.path);
    expect(grafanaService.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      dashboardPath,
    );
    // The data source is the compose Prometheus, on the port it listens on.
    const [source] = datasources.datasources;
    expect(source).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
    expect(promService.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:.*:9090$/)]);
    expect(grafanaService.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:/)]);
    // Every panel and variable of the dashboard queries that data source.
    const dashboard = JSON.parse(read("deploy/grafana/lignee-dashboard.json")) as {
      panels: { type: string; title: string; datasource?: { uid: string } }[];
      templating: { list: { datasource: { uid: string } }[] };
    };
    const queried = [
      ...dashboard.panels.filter((p) => p.type !== "row"),
      ...dashboard.templating.list,
    ];
    expect(queried.length).toBeGreaterThan(10);
    for (const p of queried) expect(p.datasource?.uid).toBe(source?.uid);
  });
});

describe("the server's health check", () => {
  let storage: PostgresStorage;
  beforeAll(async () => {
    storage = PostgresStorage.connect(await createTestDatabase());
  });
  afterAll(async () => {
    await storage.close();
  });

  it("targets an endpoint that answers 200 with the token", async () => {
    const test = compose.services.server?.healthcheck?.test as string[];
    const url = new URL(test.at(-1)!);
    const command = compose.services.server?.command ?? [];
    expect(url.port).toBe(command[command.indexOf("--port") + 1]);
    const { app } = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: "", home: "" },
      token: "t0ken",
    });
    const res = await app.request(url.pathname, { headers: { authorization: "Bearer t0ken" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("the commands the services run", () => {
  it("exist in the CLI", async () => {
    let help = "";
    const code = await runCli(["--help"], {
      out: (t) => (help += `${t}\n`),
      err: (t) => (help += `${t}\n`),
      interactive: false,
    });
    expect(code).toBe(0);
    for (const [name, s] of ligneeServices) {
      expect(help, name).toMatch(new RegExp(`^\\s+${s.command?.[0]}\\b`, "m"));
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const ignored = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("builds on Node 20 with pnpm, dbt, Spark and the UI, and runs the CLI", () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toContain("python3-venv");
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
    expect(dockerfile).toContain("bash scripts/dbt-setup.sh");
    expect(dockerfile).toContain("openjdk-17-jre-headless");
    expect(dockerfile).toContain("bash scripts/spark-setup.sh");
    expect(dockerfile).toMatch(/COPY scripts\/dbt-setup.sh scripts\/install-lock.sh scripts\//);
    expect(dockerfile).toContain("pnpm --filter @lignee/ui build");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain("node scripts/build-engine.mjs");
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "packages\/engine\/dist\/cli\.js"\]$/m);
    // Every file it copies by name exists, with the scripts it sources copied alongside.
    for (const match of dockerfile.matchAll(/^COPY (?!\. )(.+) \S+$/gm)) {
      const files = match[1]!.split(" ");
      for (const file of files) {
        expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
        if (!file.endsWith(".sh")) continue;
        for (const sourced of read(file).matchAll(/^\. "\$root\/(scripts\/[\w.-]+)"$/gm)) {
          expect(files, `${file} sources ${sourced[1]}`).toContain(sourced[1]);
        }
      }
    }
  });

  it("keeps local state out of the build context, and the health check script in", () => {
    for (const entry of [".lignee", "**/node_modules", "data", ".env", "packages/ui/dist"]) {
      expect(ignored).toContain(entry);
    }
    const excludes = (file: string): boolean =>
      ignored.some((p) => file === p || file.startsWith(`${p}/`));
    expect(excludes("scripts/healthcheck.mjs")).toBe(false);
    expect(excludes("scripts/dbt-setup.sh")).toBe(false);
    expect(excludes("scripts/spark-setup.sh")).toBe(false);
    expect(excludes("scripts/install-lock.sh")).toBe(false);
    expect(excludes("scripts/python-venv.sh")).toBe(false);
    expect(excludes("dbt/profiles.yml")).toBe(false);
  });
});

/**
 * Variables some code reads that docker-compose.yml does not pass, and why. A new variable
 * makes the test above fail until it is passed or listed here.
 */
const NOT_PASSED: Record<string, string> = {
  LIGNEE_HOME: "local state of the embedded PostgreSQL; DATABASE_URL is set",
  LIGNEE_PG_PORT: "port of the embedded PostgreSQL; DATABASE_URL is set",
  LIGNEE_DEBUG: "stack traces for troubleshooting (`docker compose run -e LIGNEE_DEBUG=1 …`)",
  LIGNEE_UI_DIR: "the image serves the UI it built (packages/ui/dist)",
  LIGNEE_UI_SOURCES: "the image's UI is built: nothing to build at start",
  LIGNEE_DBT: "the image's dbt is where the engine looks by default (.lignee/venv)",
  LIGNEE_DBT_PROJECT_DIR: "the image's dbt project is where the engine looks by default (dbt/)",
  LIGNEE_DBT_HOST: "set by the engine from WAREHOUSE_URL for each dbt invocation",
  LIGNEE_DBT_PORT: "set by the engine from WAREHOUSE_URL for each dbt invocation",
  LIGNEE_DBT_USER: "set by the engine from WAREHOUSE_URL for each dbt invocation",
  LIGNEE_DBT_PASSWORD: "set by the engine from WAREHOUSE_URL for each dbt invocation",
  LIGNEE_DBT_DBNAME: "set by the engine from WAREHOUSE_URL for each dbt invocation",
  LIGNEE_DBT_WARM:
    "dbt stays warm in a Python process per worker by default; 0 runs a dbt process per build",
  LIGNEE_SIRENE_SYNTHETIC_ROWS: "synthetic SIRENE rows when no INSEE file is present (development)",
  LIGNEE_ENGINE_SPEC: "the engine dependency `lignee init` writes into a new project",
  AWS_ENDPOINT_URL_S3: "AWS_ENDPOINT_URL is passed, and S3 is the only AWS service Lignée uses",
  AWS_DEFAULT_REGION: "AWS_REGION is passed",
  AWS_SESSION_TOKEN:
    "temporary credentials expire: where they are needed, the AWS SDK's default chain renews them",
  LIGNEE_SPARK_PYTHON:
    "the image's PySpark is where the engine looks by default (.lignee/spark-venv)",
  LIGNEE_SPARK_JARS:
    "the image's Spark jars are where the engine looks by default (.lignee/spark-jars)",
  LIGNEE_SPARK_MASTER:
    "Spark jobs run in the worker's own JVM (local[*]) unless a cluster is named",
  LIGNEE_SPARK_REMOTE:
    "Spark jobs run in the worker's own JVM unless a Spark Connect server is named",
  LIGNEE_LAKE: "the lake is beside the raw files by default (/data/lake, or lake/ in the bucket)",
};
/** Whole families left out: test hooks and the local France Travail simulator. */
const NOT_PASSED_PATTERNS: [RegExp, string][] = [
  [/^LIGNEE_TEST_/, "test hooks, never in production"],
  [/^(LIGNEE_)?SIMULATOR_/, "the local API simulator: production uses the real API"],
];

function leftOut(name: string): string | undefined {
  return NOT_PASSED[name] ?? NOT_PASSED_PATTERNS.find(([re]) => re.test(name))?.[1];
}

/**
 * The environment variables the code of the packages (tests aside) and dbt's profile read:
 * `env.NAME` and `process.env.NAME`, names given as a whole string to a helper that reads the
 * environment (`numberFromEnv("LIGNEE_…")`), and dbt's `env_var('NAME')`.
 */
function envVariablesReadByTheCode(): string[] {
  const names = new Set<string>();
  const files = ["packages/engine/src", "packages/assets/src"].flatMap((dir) =>
    sourceFiles(path.join(REPO_ROOT, dir)),
  );
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b/g)) names.add(m[1]!);
    for (const m of source.matchAll(
      /["'`]((?:LIGNEE|FRANCE_TRAVAIL|SIMULATOR)_[A-Z0-9_]+|DATABASE_URL|WAREHOUSE_URL)["'`]/g,
    )) {
      names.add(m[1]!);
    }
  }
  for (const m of read("dbt/profiles.yml").matchAll(/env_var\(\s*'([A-Z0-9_]+)'/g)) {
    names.add(m[1]!);
  }
  return [...names].sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(entry) && !/\.test\.ts$/.test(entry) ? [full] : [];
  });
}

describe("scripts/healthcheck.mjs heartbeat", () => {
  const check = (env: Record<string, string>, maxAge = "60") =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["scripts/healthcheck.mjs", "heartbeat", maxAge], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: "ignore",
      });
      child.on("close", (code) => resolve(code ?? -1));
    });

  it("is healthy while the file is fresh, not when it is old, missing or not configured", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lignee-health-"));
    const file = path.join(dir, "alive");
    expect(await check({ LIGNEE_HEARTBEAT_FILE: file })).toBe(1);
    heartbeatFile(file)();
    await new Promise((r) => setTimeout(r, 100));
    expect(await check({ LIGNEE_HEARTBEAT_FILE: file })).toBe(0);
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    expect(await check({ LIGNEE_HEARTBEAT_FILE: file })).toBe(1);
    expect(await check({ LIGNEE_HEARTBEAT_FILE: "" })).toBe(1);
  });
});
