/**
 * The files of a new Lignée project (`lignee init NAME`), by path relative to its folder: a
 * package depending on the engine, a TypeScript configuration, definitions with an
 * unpartitioned asset, a daily-partitioned asset reading it, a check and a schedule, a README
 * and a .gitignore. Pure: the caller writes them.
 */
export interface ScaffoldOptions {
  /** The project's name: its folder and its package name. */
  readonly name: string;
  /** What its package.json depends on for `@lignee/engine` (a version range, `file:…`). */
  readonly engine: string;
  /** The first day of the daily asset's partitions (`YYYY-MM-DD`). */
  readonly start: string;
}

/** Where the scaffold's definitions are, as its package.json declares them. */
export const SCAFFOLD_DEFINITIONS = "src/definitions.ts";

export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  return {
    "package.json": json({
      name: options.name,
      version: "0.1.0",
      private: true,
      type: "module",
      lignee: { definitions: SCAFFOLD_DEFINITIONS },
      scripts: {
        dev: "lignee dev",
        status: "lignee status",
        typecheck: "tsc",
      },
      dependencies: { "@lignee/engine": options.engine },
      devDependencies: { "@types/node": "^20", typescript: "^5.9.3" },
    }),
    "tsconfig.json": json({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        noEmit: true,
        types: ["node"],
      },
      include: ["src"],
    }),
    [SCAFFOLD_DEFINITIONS]: definitions(options.start),
    "README.md": readme(options.name),
    ".gitignore": ".lignee/\nnode_modules/\n",
  };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function definitions(start: string): string {
  return `import {
  dailyPartitions,
  dayBefore,
  defineAsset,
  defineCheck,
  defineSchedule,
  Definitions,
} from "@lignee/engine";

/** An unpartitioned asset: materialised whole each time (a small reference table). */
export const cities = defineAsset({
  key: "reference/cities",
  group: "reference",
  description: "The cities the visits are counted in",
  codeVersion: "1",
  async materialize(ctx) {
    const cities = ["Paris", "Lyon", "Marseille"];
    ctx.log.info(\`\${cities.length} cities\`);
    return { metadata: { rows: cities.length } };
  },
});

/**
 * A daily-partitioned asset: one partition per calendar day (Europe/Paris by default), each
 * materialised on its own. It reads \`reference/cities\`, so it is stale when that changes.
 */
export const visits = defineAsset({
  key: "daily/visits",
  group: "daily",
  description: "Visits per city, one partition per day",
  deps: ["reference/cities"],
  partitions: dailyPartitions({ start: "${start}" }),
  codeVersion: "1",
  async materialize(ctx) {
    const window = ctx.partitionTimeWindow!;
    ctx.log.info(\`counting the visits of \${ctx.partitionKey} (from \${window.start.toISOString()})\`);
    return { metadata: { rows: 3, day: ctx.partitionKey! } };
  },
});

/** A check, evaluated after each materialisation of a partition of \`daily/visits\`. */
export const visitsCounted = defineCheck({
  asset: "daily/visits",
  name: "every_city_counted",
  severity: "error",
  async evaluate(ctx) {
    return { passed: true, description: \`every city counted on \${ctx.partitionKey}\` };
  },
});

/** Every day at 01:00 (Europe/Paris), the day before: \`lignee dev\` or \`lignee scheduler\` runs it. */
export const dailyVisits = defineSchedule({
  name: "daily_visits",
  cron: "0 1 * * *",
  selection: "daily/visits",
  partition: (scheduledAt) => dayBefore(scheduledAt),
});

export default Definitions.create({
  assets: [cities, visits],
  checks: [visitsCounted],
  schedules: [dailyVisits],
});
`;
}

function readme(name: string): string {
  return `# ${name}

A data pipeline on [Lignée](https://www.npmjs.com/package/@lignee/engine): its assets, check and
schedule are in \`${SCAFFOLD_DEFINITIONS}\` (package.json's \`"lignee"\` field names that module).

\`\`\`sh
npm install
npx lignee status                                   # every asset and what is missing or stale
npx lignee materialize --select reference/cities    # one asset
npx lignee materialize --select '*' --stale         # whatever is missing or stale, every partition
npx lignee dev                                      # the UI and the API on http://127.0.0.1:3000
npm run typecheck                                   # tsc, against the engine's types
\`\`\`

Without \`DATABASE_URL\`, the commands start an embedded PostgreSQL whose data lives in \`.lignee/\`;
with it, they use that PostgreSQL (14 or newer).
`;
}
