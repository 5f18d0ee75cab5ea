import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from '../../server/db/database';
import { seedDemo, DEMO } from '../../server/db/seed';
import { verifyPassword } from '../../server/db/passwords';

// The same migrations must run on the embedded database and on PostgreSQL.
// CI machines run PostgreSQL on 127.0.0.1:5432 (trust auth); a developer without it
// sees this suite skipped with the reason below, CI (CI=true) fails instead.
const PG_ADMIN_URL = process.env.PATCHBAY_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

describe('embedded database (PGlite)', () => {
  it('applies the migrations, seeds idempotently, and stores argon2id hashes', async () => {
    const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    try {
      expect(db.kind).toBe('pglite');
      expect(db.applied).toEqual(['0001_init', '0002_trunks', '0003_admin_portal']);
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
  const available = await pgAvailable();
  const dbName = `patchbay_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  if (!available && process.env.CI) throw new Error(`CI needs PostgreSQL at ${PG_ADMIN_URL}`);

  afterAll(async () => {
    if (!available) return;
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await admin.end();
  });

  it.skipIf(!available)('runs the same migrations once, then reports nothing to apply', async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    const a = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused' });
    expect(a.kind).toBe('postgres');
    expect(a.applied).toEqual(['0001_init', '0002_trunks', '0003_admin_portal']);
    await seedDemo(a.prisma, { password: 'demo-pass-1' });
    await a.close();
    const b = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused' });
    expect(b.applied).toEqual([]);
    expect(await b.prisma.user.count()).toBe(3);
    await b.close();
  });
});
