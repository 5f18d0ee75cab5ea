import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own transaction on
 * one connection, and records it in `_patchbay_migrations` with a checksum. An advisory lock
 * taken inside each transaction lets two processes boot on one database at once: the second
 * waits, then sees the migration recorded and skips it.
 * Why our own runner: Prisma's `migrate deploy` needs a native schema engine that cannot be
 * fetched on our machines (see docs/database.md); the SQL files stay Prisma's format.
 */
export interface SqlExec {
  exec(sql: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export interface SqlRunner extends SqlExec {
  /**
   * Runs `fn` inside BEGIN … COMMIT on ONE connection (ROLLBACK when it throws). A pool's
   * `query('BEGIN')` would not do: the next statement may run on another connection.
   */
  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T>;
}

// pg_advisory_xact_lock key: "patchbay" as a 32-bit number, any constant that is ours.
const MIGRATION_LOCK = 0x70617463;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function listMigrations(dir: string): { name: string; sql: string; checksum: string }[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations directory not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function applyMigrations(db: SqlRunner, dir: string): Promise<string[]> {
  // under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can both try to create it
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS "_patchbay_migrations" (
    "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
  });
  const done = new Map(
    (await db.query(`SELECT "name", "checksum" FROM "_patchbay_migrations"`)).map((r) => [String(r.name), String(r.checksum)]),
  );
  const applied: string[] = [];
  for (const m of listMigrations(dir)) {
    const prior = done.get(m.name);
    if (prior !== undefined) {
      // An edited migration that already ran would leave databases that differ silently.
      if (prior !== m.checksum) throw new MigrationError(`migration ${m.name} changed after it was applied`);
      continue;
    }
    const ran = await db
      .transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const again = await tx.query(`SELECT 1 FROM "_patchbay_migrations" WHERE "name" = $1`, [m.name]);
        if (again.length > 0) return false; // another process applied it while we waited
        await tx.exec(m.sql);
        await tx.query(`INSERT INTO "_patchbay_migrations" ("name", "checksum") VALUES ($1, $2)`, [m.name, m.checksum]);
        return true;
      })
      .catch((err: unknown) => {
        throw new MigrationError(`migration ${m.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    if (!ran) continue;
    applied.push(m.name);
  }
  return applied;
}
