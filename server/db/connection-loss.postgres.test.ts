import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangePublisher, CONFIG_CHANNEL, type ConfigChange } from '../admin/change-publisher';
import { pgNotificationSource } from '../admin/pg-notification-source';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { until } from '../test-support/until';
import { openDatabase } from './database';

/**
 * The server ends our connections (what a PostgreSQL restart, a failover or an admin's
 * pg_terminate_backend does). Before, the pool's idle client and the LISTEN connection emitted
 * 'error' with nobody listening, and the whole platform process exited. Now: the process stays
 * up (vitest fails the file on an unhandled error), the next query works on a new connection,
 * and LISTEN is back, so another process's change is heard again.
 */
describe('PostgreSQL ends our connections', async () => {
  const dbName = `patchbay_connloss_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await root.end();
  });

  it('the pool and the LISTEN connection survive pg_terminate_backend and work again', { timeout: 60_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const url = databaseUrl(dbName);
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const db = await openDatabase({ databaseUrl: url, dataDir: 'unused', log });
    const changes = new ChangePublisher(log);
    const heard: ConfigChange[] = [];
    try {
      await changes.attach(pgNotificationSource(url, log));
      changes.subscribe((c) => heard.push(c));
      await db.prisma.$queryRawUnsafe('SELECT 1'); // a pooled connection, now idle

      const ended = await root.query<{ n: string }>('SELECT count(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t', [dbName]);
      expect(Number(ended.rows[0]?.n)).toBeGreaterThanOrEqual(2); // the idle pooled one and the LISTEN one

      await until(() => lines.some((l) => l.includes('database connection lost while idle')), 5000, 'the pool reported its lost client');
      await until(() => lines.some((l) => l.includes('configuration LISTEN connection back')), 10_000, 'LISTEN reconnected');
      expect(await db.prisma.$queryRawUnsafe<Array<{ one: number }>>('SELECT 1 AS one')).toEqual([{ one: 1 }]);

      // another process's change (a NOTIFY on the channel) is heard on the new connection
      const change: ConfigChange = { entity: 'queue', id: 'q-after-loss', action: 'update', version: 7, at: Date.now() };
      // (LISTEN/NOTIFY is per database: the notify goes through ours)
      await db.prisma.$queryRawUnsafe(`SELECT pg_notify($1, $2)::text AS sent`, CONFIG_CHANNEL, JSON.stringify(change));
      await until(() => heard.some((c) => c.id === 'q-after-loss'), 5000, 'the NOTIFY after the reconnect');
      expect(lines.join('')).not.toContain(url); // no connection string (it may carry a password) in the log
    } finally {
      await changes.stop();
      await db.close();
    }
  });
});
