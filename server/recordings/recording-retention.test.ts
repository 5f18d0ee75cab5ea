import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { LocalRecordingStorage } from './local-recording-storage';
import { RecordingRetention } from './recording-retention';

/**
 * The retention job on the machine's PostgreSQL with real files in a temporary directory:
 * per queue retention (and the default for recordings whose queue was deleted) removes exactly
 * the expired recordings — file and row — keeps the rest, tolerates a file already gone,
 * keeps the row of a file it could not delete, and audits what it removed.
 */
const DAY = 86_400_000;
const fileName = () => `leg-${randomBytes(8).toString('hex')}-leg-${randomBytes(8).toString('hex')}.wav`;

describe('recording retention on PostgreSQL', async () => {
  const dbName = `patchbay_retention_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  const dir = mkdtempSync(path.join(tmpdir(), 'pb-retention-'));
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes exactly the expired recordings, per queue', { timeout: 60_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      const p = db.prisma;
      await p.queue.update({ where: { id: DEMO.queue.id }, data: { recordingRetentionDays: 30 } });
      await p.queue.create({ data: { id: 'q-short', name: 'Short', recordingRetentionDays: 7 } });
      await p.queue.create({ data: { id: 'q-gone', name: 'Gone', recordingRetentionDays: 365 } });
      const now = new Date('2026-12-01T12:00:00Z');
      const made: Record<string, string> = {};
      async function rec(key: string, queueId: string | null, ageDays: number, file: 'file' | 'missing' | 'undeletable' = 'file') {
        const name = fileName();
        made[key] = name;
        const callId = `call-${key}`;
        await p.call.create({ data: { id: callId, acdLegId: 'leg-x', dialed: DEMO.number, callerId: 'sip:c@x', queueId, arrivedAt: new Date(now.getTime() - ageDays * DAY) } });
        await p.recording.create({
          data: { id: `rec-${key}`, callId, queueId, operatorId: DEMO.users[1].id, startedAt: new Date(now.getTime() - ageDays * DAY), durationMs: 1000, sizeBytes: 44n, fileName: name },
        });
        if (file === 'file') writeFileSync(path.join(dir, name), Buffer.alloc(44));
        if (file === 'undeletable') mkdirSync(path.join(dir, name)); // unlink() of a directory fails
      }
      await rec('a', DEMO.queue.id, 31); // expired (30 days)
      await rec('b', DEMO.queue.id, 29); // kept
      await rec('c', DEMO.queue.id, 45, 'missing'); // expired, its file already gone
      await rec('d', 'q-short', 8); // expired (7 days)
      await rec('e', 'q-short', 6.9); // kept
      await rec('f', 'q-short', 20, 'undeletable'); // expired, but its file cannot be deleted
      await rec('g', 'q-gone', 100); // its queue is deleted below: the default (90 days) applies
      await rec('h', 'q-gone', 50); // kept under the default too
      await p.queue.delete({ where: { id: 'q-gone' } });

      const job = new RecordingRetention(p, new LocalRecordingStorage(dir), pino({ level: 'silent' }), 90);
      const report = await job.run(now);

      expect(report.removed.map((r) => r.id).sort()).toEqual(['rec-a', 'rec-c', 'rec-d', 'rec-g']);
      expect(report.removed.find((r) => r.id === 'rec-c')?.fileWasMissing).toBe(true);
      expect(report.removed.find((r) => r.id === 'rec-a')?.fileWasMissing).toBe(false);
      expect(report.failed.map((f) => f.id)).toEqual(['rec-f']);
      expect((await p.recording.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id)).toEqual(['rec-b', 'rec-e', 'rec-f', 'rec-h']);
      expect(readdirSync(dir).sort()).toEqual([made.b, made.e, made.f, made.h].sort());
      for (const k of ['a', 'd', 'g']) expect(existsSync(path.join(dir, made[k]!))).toBe(false);
      // the calls themselves stay: retention is about recordings
      expect(await p.call.count({ where: { id: { in: ['call-a', 'call-d'] } } })).toBe(2);

      const audit = await p.auditLog.findMany({ where: { action: 'recording.retention' } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorId: null, entity: 'recording' });
      const data = audit[0]!.data as { removed: Array<{ id: string }>; failed: Array<{ id: string }> };
      expect(data.removed.map((r) => r.id).sort()).toEqual(['rec-a', 'rec-c', 'rec-d', 'rec-g']);
      expect(data.failed.map((r) => r.id)).toEqual(['rec-f']);

      // the kept row is tried again next run: once its file can go, it goes; then nothing is left to do
      rmSync(path.join(dir, made.f!), { recursive: true });
      const again = await job.run(now);
      expect(again.removed.map((r) => r.id)).toEqual(['rec-f']);
      expect(again.failed).toEqual([]);
      expect(await job.run(now)).toEqual({ removed: [], failed: [] });
    } finally {
      await db.close();
    }
  });
});
