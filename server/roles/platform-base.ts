import type { Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import type { Logger } from '../log';
import { ChangePublisher } from '../admin/change-publisher';
import { pgNotificationSource } from '../admin/pg-notification-source';
import { PlatformMetrics } from '../metrics/platform-metrics';

/** What every part is built on: the database, the configuration-change notification, one metrics registry. */
export interface PlatformBase {
  log: Logger;
  db: Database;
  changes: ChangePublisher;
  metrics: PlatformMetrics;
}

/**
 * Opens the database (applying migrations: safe when several parts boot on one database at
 * once, server/db/migrate.ts) and the change notification. On PostgreSQL every process LISTENs
 * for every other's writes, with a slow poll of the version row to cover a dropped LISTEN
 * connection, so each part that caches configuration (the ACD's dial plan, trunks and clips, the
 * CTI's queues and people) reloads whichever process wrote. PGlite is this process's own: its
 * writes are published here.
 */
export async function openPlatformBase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log: Logger): Promise<PlatformBase> {
  const metrics = new PlatformMetrics();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  log.info({ kind: db.kind, applied: db.applied }, 'database ready');
  const changes = new ChangePublisher(log, Date.now);
  if (db.kind === 'postgres' && config.databaseUrl) {
    await changes.attach(pgNotificationSource(config.databaseUrl, log));
    changes.startPolling(db.prisma, 10_000);
  }
  return { log, db, changes, metrics };
}
