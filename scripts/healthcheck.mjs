// Health checks for the containers of docker-compose.yml; exit 0 when healthy, 1 otherwise.
//
//   node scripts/healthcheck.mjs http://127.0.0.1:3000/api/health
//     The API answers 200 (it checks its database itself). Sends LIGNEE_API_TOKEN as a bearer
//     token when it is set, as every /api call needs it then.
//   node scripts/healthcheck.mjs database
//     DATABASE_URL answers a query: what a worker or the scheduler needs to make progress (they
//     have no port; when their process dies, the container stops and is restarted).
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

const target = process.argv[2];
try {
  if (target === "database") await checkDatabase();
  else if (target?.startsWith("http://") || target?.startsWith("https://")) await checkHttp(target);
  else throw new Error("usage: healthcheck.mjs <http URL> | database");
  process.exit(0);
} catch (error) {
  console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
