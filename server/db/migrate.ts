import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own transaction,
 * and records it in `_patchbay_migrations` with a checksum.
 * Why our own runner: Prisma's `migrate deploy` needs a native schema engine that cannot be
 * fetched on our machines (see docs/database.md); the SQL files stay Prisma's format.
 */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

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
  await db.exec(`CREATE TABLE IF NOT EXISTS "_patchbay_migrations" (
    "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
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
    await db.exec('BEGIN');
    try {
      await db.exec(m.sql);
      await db.query(`INSERT INTO "_patchbay_migrations" ("name", "checksum") VALUES ($1, $2)`, [m.name, m.checksum]);
      await db.exec('COMMIT');
    } catch (err) {
      await db.exec('ROLLBACK');
      throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
    }
    applied.push(m.name);
  }
  return applied;
}
