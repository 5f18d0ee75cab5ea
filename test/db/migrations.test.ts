import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { listMigrations } from '../../server/db/migrate';
import { connectPostgres, databaseUrl } from '../../server/test-support/postgres';
import { openDatabase } from '../../server/db/database';
import { seedDemo, DEMO } from '../../server/db/seed';
import { verifyPassword } from '../../server/db/passwords';

// The same migrations must run on the embedded database and on PostgreSQL.
// Every machine runs PostgreSQL on 127.0.0.1:5432 (trust auth; `npm test`'s pre-step starts it
// when it is stopped). Without it this suite fails, saying where it looked: it never skips.
// Every migration under prisma/migrations, by name, in order (each branch adds its own; the
// runner's own listing is checked against the folder names, and that they start at 0001_init).
const ALL = readdirSync(path.join(process.cwd(), 'prisma/migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('embedded database (PGlite)', () => {
  it('applies the migrations, seeds idempotently, and stores argon2id hashes', async () => {
    const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    try {
      expect(db.kind).toBe('pglite');
      expect(ALL[0]).toBe('0001_init');
      expect(db.applied).toEqual(ALL);
      const first = await seedDemo(db.prisma, { password: 'demo-pass-1' });
      expect(first.created.map((c) => c.email).sort()).toEqual(DEMO.users.map((u) => u.email).sort());
      const second = await seedDemo(db.prisma, { password: 'other-pass' });
      expect(second.created).toEqual([]);
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@patchbay.local' } });
      expect(admin.passwordHash.startsWith('$argon2id$')).toBe(true);
      expect(await verifyPassword(admin.passwordHash, 'demo-pass-1')).toBe(true);
      expect(await verifyPassword(admin.passwordHash, 'other-pass')).toBe(false);
      const num = await db.prisma.number.findUniqueOrThrow({ where: { e164: DEMO.number }, include: { queue: true } });
      expect(num.queue.name).toBe('Support');
    } finally {
      await db.close();
    }
  });
});

describe('PostgreSQL', async () => {
  const dbName = `patchbay_test_${process.pid}_${Date.now()}`;
  const admin = await connectPostgres();

  const scratch: string[] = [];
  afterAll(async () => {
    for (const name of [dbName, ...scratch]) await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.end();
  });

  async function freshDatabase(tag: string): Promise<string> {
    const name = `${dbName}_${tag}`;
    scratch.push(name);
    await admin.query(`CREATE DATABASE "${name}"`);
    return databaseUrl(name);
  }

  it('runs the same migrations once, then reports nothing to apply', async () => {
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const url = databaseUrl(dbName);
    const a = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    expect(a.kind).toBe('postgres');
    expect(a.applied).toEqual(ALL);
    await seedDemo(a.prisma, { password: 'demo-pass-1' });
    await a.close();
    const b = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    expect(b.applied).toEqual([]);
    expect(await b.prisma.user.count()).toBe(3);
    await b.close();
  });

  it('runs a migration on one connection: a failing one leaves nothing behind', async () => {
    const url = await freshDatabase('fail');
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-mig-'));
    writeMigration(dir, '0001_ok', 'CREATE TABLE "kept" ("id" INT PRIMARY KEY);');
    // the table is created, then the statement after it fails: the whole migration must roll back
    writeMigration(dir, '0002_bad', 'CREATE TABLE "half" ("id" INT PRIMARY KEY);\nSELECT no_such_function();');
    await expect(openDatabase({ databaseUrl: url, dataDir: 'unused', migrationsDir: dir })).rejects.toThrow(/0002_bad failed/);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.tablename);
      expect(tables).toEqual(['_patchbay_migrations', 'kept']);
      const done = (await c.query(`SELECT name FROM "_patchbay_migrations"`)).rows.map((r) => r.name);
      expect(done).toEqual(['0001_ok']);
    } finally {
      await c.end();
    }
  });

  it('two processes booting at once apply each migration once', async () => {
    const url = await freshDatabase('race');
    const [a, b] = await Promise.all([
      openDatabase({ databaseUrl: url, dataDir: 'unused' }),
      openDatabase({ databaseUrl: url, dataDir: 'unused' }),
    ]);
    try {
      expect([...a.applied, ...b.applied].sort()).toEqual(listMigrations(path.resolve('prisma/migrations')).map((m) => m.name));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

function writeMigration(dir: string, name: string, sql: string): void {
  mkdirSync(path.join(dir, name));
  writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}
