import pg from 'pg';

/** The machine's PostgreSQL the tests use (trust auth; `npm test`'s pre-step starts it). */
export const PG_ADMIN_URL = process.env.PATCHBAY_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * An admin connection to the test server. No server fails the test file with where it looked —
 * never a skip: the tests that need PostgreSQL must run wherever `npm test` runs.
 */
export async function connectPostgres(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`these tests need PostgreSQL at ${PG_ADMIN_URL} (PATCHBAY_TEST_PG_URL): ${err instanceof Error ? err.message : String(err)}`);
  }
  return c;
}

/** The URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
