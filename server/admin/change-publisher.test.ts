import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_QUEUE } from '../contracts/admin/queues';
import { PrismaClient } from '../db/generated/client';
import { pgliteRunner } from '../db/database';
import { applyMigrations } from '../db/migrate';
import { DEMO, seedDemo } from '../db/seed';
import { until } from '../test-support/until';
import { createAdminServices, type AdminServices } from './admin-services';
import { ChangePublisher, type ConfigChange } from './change-publisher';

/**
 * The change notification on a real embedded PostgreSQL: a committed write reaches this
 * process's subscribers at once and other processes through LISTEN/NOTIFY or the version row;
 * a refused write bumps nothing.
 */
const logger = pino({ level: 'silent' });
const actor = { id: DEMO.users[0].id, name: DEMO.users[0].name };
let lite: PGlite;
let prisma: PrismaClient;
let admin: AdminServices;

const queueInput = { ...NEW_QUEUE, name: 'Sales', ringTimeoutSec: 15, maxWaitSec: 300 };

beforeAll(async () => {
  lite = new PGlite('memory://');
  await lite.waitReady;
  await applyMigrations(pgliteRunner(lite), path.resolve('prisma/migrations'));
  prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  await seedDemo(prisma, { password: 'correct horse battery' });
  admin = createAdminServices({ prisma, logger });
}, 90_000);

afterAll(async () => {
  await admin.publisher.stop();
  await prisma.$disconnect();
  await lite.close();
});

describe('ChangePublisher', () => {
  it('tells this process after the commit, and another listener through NOTIFY', async () => {
    const local: ConfigChange[] = [];
    const remote: ConfigChange[] = [];
    const off = admin.publisher.subscribe((c) => local.push(c));
    const other = new ChangePublisher(logger);
    await other.attach(lite);
    other.subscribe((c) => remote.push(c));

    const q = await admin.queues.create(actor, queueInput);
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ entity: 'queue', id: q.id, action: 'create', version: 1 });
    await until(() => remote.length === 1, 5000);
    expect(remote[0]).toMatchObject({ entity: 'queue', id: q.id, version: 1 });
    const row = await prisma.configVersion.findUniqueOrThrow({ where: { id: 1 } });
    expect(Number(row.version)).toBe(1);
    off();
    await other.stop();
  });

  it('a refused write changes nothing: no notification, no version bump, no audit row', async () => {
    const seen: ConfigChange[] = [];
    const off = admin.publisher.subscribe((c) => seen.push(c));
    const audits = await prisma.auditLog.count();
    const before = Number((await prisma.configVersion.findUniqueOrThrow({ where: { id: 1 } })).version);
    await expect(admin.queues.create(actor, { ...queueInput, name: 'sales' })).rejects.toMatchObject({ code: 'CONFLICT', fields: { name: expect.any(String) } });
    expect(seen).toEqual([]);
    expect(Number((await prisma.configVersion.findUniqueOrThrow({ where: { id: 1 } })).version)).toBe(before);
    expect(await prisma.auditLog.count()).toBe(audits);
    off();
  });

  it('a poller hears a write made elsewhere by the version row', async () => {
    const poller = new ChangePublisher(logger);
    const seen: ConfigChange[] = [];
    poller.subscribe((c) => seen.push(c));
    poller.startPolling(prisma, 50);
    await until(() => seen.length === 1, 5000); // catches up with the version already there
    await admin.codes.create(actor, 'not_ready', { code: 'meeting', label: 'Meeting', active: true, position: 9 });
    await until(() => seen.length === 2, 5000);
    expect(seen[1]).toMatchObject({ entity: '*', action: 'poll', version: admin.publisher.version });
    await poller.stop();
  });

  it('a throwing subscriber does not stop the others', async () => {
    const seen: number[] = [];
    const offA = admin.publisher.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const offB = admin.publisher.subscribe((c) => seen.push(c.version));
    await admin.codes.create(actor, 'disposition', { code: 'spam', label: 'Spam', active: true, position: 9 });
    expect(seen).toHaveLength(1);
    offA();
    offB();
  });
});
