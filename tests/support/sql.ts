import pg from "pg";

/** A connected client on a test database, for checking what the engine wrote. */
export async function connectSql(url: string): Promise<pg.Client> {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  return sql;
}

/** Runs `work` with a client of its own on `url`, closed afterwards. */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * `SELECT count(*) FROM <from>`: `from` is a table with an optional WHERE clause, written by
 * the test (never user input); values go in `params`.
 */
export async function countRows(
  sql: pg.Client,
  from: string,
  params: unknown[] = [],
): Promise<number> {
  return (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`, params)).rows[0]!
    .n;
}
