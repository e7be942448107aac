// Health checks for the containers of docker-compose.yml; exit 0 when healthy, 1 otherwise.
//
//   node scripts/healthcheck.mjs http://127.0.0.1:3000/api/health
//     The API answers 200 (it checks its database itself). Sends LIGNEE_API_TOKEN as a bearer
//     token when it is set, as every /api call needs it then.
//   node scripts/healthcheck.mjs database
//     DATABASE_URL answers a query.
//   node scripts/healthcheck.mjs heartbeat [MAX_AGE_SECONDS]
//     The file LIGNEE_HEARTBEAT_FILE was rewritten less than MAX_AGE_SECONDS ago (default 60):
//     a worker or the scheduler (no port) rewrites it after each round of its loop that went
//     well, so a hung loop or a lost database shows as unhealthy, not only a dead process.
import { stat } from "node:fs/promises";
import pg from "pg";

const TIMEOUT_MS = 5000;

async function checkHttp(url) {
  const token = process.env.LIGNEE_API_TOKEN;
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

async function checkDatabase() {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
  });
  await client.connect();
  try {
    await client.query("SELECT 1");
  } finally {
    await client.end();
  }
}

async function checkHeartbeat(maxAgeSeconds) {
  const file = process.env.LIGNEE_HEARTBEAT_FILE;
  if (!file) throw new Error("LIGNEE_HEARTBEAT_FILE is not set");
  const maxAge = Number(maxAgeSeconds ?? 60);
  if (!Number.isFinite(maxAge) || maxAge <= 0) throw new Error(`bad age "${maxAgeSeconds}"`);
  let modified;
  try {
    modified = (await stat(file)).mtimeMs;
  } catch {
    throw new Error(`${file} does not exist yet`);
  }
  const age = (Date.now() - modified) / 1000;
  if (age > maxAge) throw new Error(`${file} is ${Math.round(age)} s old (more than ${maxAge} s)`);
}

const target = process.argv[2];
try {
  if (target === "database") await checkDatabase();
  else if (target === "heartbeat") await checkHeartbeat(process.argv[3]);
  else if (target?.startsWith("http://") || target?.startsWith("https://")) await checkHttp(target);
  else
    throw new Error("usage: healthcheck.mjs <http URL> | database | heartbeat [MAX_AGE_SECONDS]");
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
