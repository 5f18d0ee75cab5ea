import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { until } from '../test-support/until';
import { createAdminServices } from './admin-services';
import { ChangePublisher, type ConfigChange } from './change-publisher';
import { pgNotificationSource } from './pg-notification-source';

/**
 * The admin writes on the machine's PostgreSQL (as test/db/migrations.test.ts reaches it):
 * two admins saving one queue at the same moment — exactly one wins, the other is told who
 * changed it; the winner's change reaches another process through LISTEN/NOTIFY; two admins
 * demoting each other at once cannot leave the platform without an admin.
 */
describe('admin writes on PostgreSQL', async () => {
  const dbName = `patchbay_admin_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('concurrent saves: one wins, one is refused; NOTIFY reaches another listener; the last admin stays', { timeout: 60_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const url = databaseUrl(dbName);
    const db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    const logger = pino({ level: 'silent' });
    const admin = createAdminServices({ prisma: db.prisma, logger });
    const other = new ChangePublisher(logger);
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      const heard: ConfigChange[] = [];
      await other.attach(pgNotificationSource(url));
      other.subscribe((c) => heard.push(c));

      const q = await admin.queues.get(DEMO.queue.id);
      const { id: _id, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, version, updatedAt: _u, updatedByName: _b, ...fields } = q;
      const ada = { id: DEMO.users[0].id, name: DEMO.users[0].name };
      const results = await Promise.allSettled([
        admin.queues.update(ada, q.id, { ...fields, ringTimeoutSec: 30, version }),
        admin.queues.update(ada, q.id, { ...fields, ringTimeoutSec: 45, version }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused && 'reason' in refused ? refused.reason : null).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/changed by Ada Admin at/) });
      await until(() => heard.some((c) => c.entity === 'queue' && c.id === q.id), 5000, 'NOTIFY');
      expect(await db.prisma.auditLog.count({ where: { entity: 'queue', action: 'queue.update' } })).toBe(1);

      // a second admin, then both demote each other at once
      const bob = await admin.people.create(ada, { name: 'Bob Admin', email: 'bob@patchbay.local', role: 'ADMIN', active: true, mustChangePassword: false, skills: [], memberships: [], password: 'bob-admin-pass' });
      const adaRow = await admin.people.get(ada.id);
      const demote = (p: typeof adaRow, by: { id: string; name: string }) =>
        admin.people.update(by, p.id, { name: p.name, email: p.email, role: 'OPERATOR', active: true, mustChangePassword: false, skills: [], memberships: [], version: p.version });
      const both = await Promise.allSettled([demote(adaRow, { id: bob.person.id, name: 'Bob Admin' }), demote(bob.person, ada)]);
      expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await db.prisma.user.count({ where: { role: 'ADMIN', active: true } })).toBe(1);
    } finally {
      await other.stop();
      await admin.publisher.stop();
      await db.close();
    }
  });
});
