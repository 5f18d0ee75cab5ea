import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Logger } from 'pino';
import { PrismaClient } from './generated/client';
import { applyMigrations, type SqlRunner } from './migrate';

export type { PrismaClient };

/**
 * One database for the whole server: embedded PostgreSQL (PGlite, in DATA_DIR) by default,
 * or the PostgreSQL at DATABASE_URL. Both run the same SQL migrations, applied here at boot.
 */
export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  /** Migrations applied by this boot (names). */
  applied: string[];
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  /** Directory of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  migrationsDir?: string;
  /** Where a lost PostgreSQL connection is reported (silent when absent: tests, benches). */
  log?: Logger;
}

const DEFAULT_MIGRATIONS = path.resolve('prisma/migrations');

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS;
  if (opts.databaseUrl) {
    const pg = await import('pg');
    // jit off: every query here is short, but a report's plan over ranges given as parameters is
    // estimated at millions of rows, which made PostgreSQL JIT-compile it (0.5–1.1 s for a 1 ms
    // query on 1,000,000 calls; docs/benchmarks.md, *Report roll-ups*)
    const pool = new pg.default.Pool({ connectionString: opts.databaseUrl, max: 10, options: '-c jit=off' });
    // An idle pooled connection the server ends (a PostgreSQL restart or failover, an admin's
    // pg_terminate_backend, a proxy's idle timeout) is emitted here; with no listener Node treats
    // it as unhandled and the whole platform exits. The pool drops that client and opens a new
    // one for the next query, so a log line is all it takes.
    pool.on('error', (err) => opts.log?.warn({ err: err.message }, 'database connection lost while idle; the next query opens a new one'));
    const runner: SqlRunner = {
      exec: async (sql) => {
        await pool.query(sql);
      },
      query: async (sql, params) => (await pool.query(sql, params)).rows,
      transaction: async (fn) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const out = await fn({
            exec: async (sql) => {
              await client.query(sql);
            },
            query: async (sql, params) => (await client.query(sql, params)).rows,
          });
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
    };
    let applied: string[];
    try {
      applied = await applyMigrations(runner, migrationsDir);
    } catch (err) {
      await pool.end();
      throw err;
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: 'postgres',
      prisma,
      applied,
      close: once(async () => {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      }),
    };
  }

  const where = opts.dataDir === 'memory://' ? 'memory://' : path.join(opts.dataDir, 'pglite');
  if (where !== 'memory://') mkdirSync(where, { recursive: true });
  const lite = new PGlite(where);
  await lite.waitReady;
  const runner = pgliteRunner(lite);

  const applied = await applyMigrations(runner, migrationsDir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    kind: 'pglite',
    prisma,
    applied,
    close: once(async () => {
      await prisma.$disconnect();
      await lite.close();
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}

/** The migration runner's view of an embedded database (also used by tests that open their own). */
export function pgliteRunner(lite: PGlite): SqlRunner {
  return {
    exec: async (sql) => {
      await lite.exec(sql);
    },
    query: async (sql, params) => (await lite.query<Record<string, unknown>>(sql, params)).rows,
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({
          exec: async (sql) => {
            await tx.exec(sql);
          },
          query: async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows,
        }),
      ),
  };
}
