import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { Journal } from '../cti/call-journal';
import { dayOf, dayStart } from '../cti/domain/report-day';
import { PrismaCtiStore } from '../cti/prisma-cti-store';
import { QueueBoard } from '../cti/queue-board';
import type { QueueInfo } from '../cti/ports/cti-store';
import { queueFiguresReport } from './queue-report';

/**
 * The report and the live board agree on PostgreSQL too, over many calls of every kind: 400 calls
 * go through the CTI's journal (the real write-behind into PostgreSQL) with the board observing
 * it; after the flush, the report of that day (stored rows, read back through Prisma) gives the
 * same tally, to the ms, for both queues — including transfers that move a call to the other queue.
 */
const log = createLogger('silent');
const TZ = 'America/New_York';

describe('queue figures on PostgreSQL', async () => {
  const dbName = `patchbay_report_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('board tiles = report of the day, for 400 mixed calls', { timeout: 90_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      await db.prisma.queue.create({ data: { id: 'q-sales', name: 'Sales', slThresholdSec: 10 } });
      const day = dayOf(Date.now(), TZ);
      const base = dayStart(day, TZ) + 60_000;
      let t = base;
      const journal = new Journal(new PrismaCtiStore(db.prisma), () => t, log, { intervalMs: 20 });
      const q = (id: string, sl: number): QueueInfo => ({ id, name: id, board: { slTargetPct: 80, slThresholdSec: sl, alerts: { maxWaitSec: 60, noReady: true } }, routing: { members: [] } }) as unknown as QueueInfo;
      const queues = [q(DEMO.queue.id, 20), q('q-sales', 10)];
      const board = new QueueBoard({ queues: () => queues, queue: (id) => queues.find((x) => x.id === id) ?? null, agents: () => [], calls: () => [], publish: () => undefined, timeZone: TZ, now: () => t, log });
      journal.observe(board.observer);

      for (let i = 0; i < 400; i++) {
        const id = `call-${i.toString(16).padStart(16, '0')}`;
        const c = journal.call(id, log);
        const arrived = base + i * 2000;
        t = arrived;
        const queueId = i % 3 === 0 ? 'q-sales' : DEMO.queue.id;
        c.created({ acdLegId: `leg-${i}`, dialed: DEMO.number, callerId: 'sip:x@test.invalid', callerNumber: null, queueId: null, arrivedAt: new Date(arrived) });
        c.updated({ queueId });
        const kind = i % 7;
        const wait = (i * 1337) % 40_000;
        t = arrived + wait;
        if (kind <= 3) {
          c.updated({ operatorId: DEMO.users[1].id, answeredAt: new Date(t) });
          c.event('answered', { operatorId: DEMO.users[1].id, queueId });
          if (kind === 3) {
            // blind transfer to the other queue, answered again there
            t += 9000;
            c.event('transferred', { toQueueId: queueId === 'q-sales' ? DEMO.queue.id : 'q-sales' });
            c.updated({ queueId: queueId === 'q-sales' ? DEMO.queue.id : 'q-sales' });
            t += 4000;
            c.updated({ answeredAt: new Date(t) });
            c.event('answered', { operatorId: DEMO.users[2].id, queueId: queueId === 'q-sales' ? DEMO.queue.id : 'q-sales' });
          }
          t += 30_000 + (i % 11) * 1000;
          c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'completed' });
          if (kind !== 2) c.updated({ wrapUpEndedAt: new Date(t + 5000) });
        } else if (kind === 4) c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'abandoned' });
        else if (kind === 5) c.updated({ endedAt: new Date(arrived + (i % 6) * 1000), endedBy: 'caller', outcome: 'abandoned' });
        // kind 6: still waiting
      }
      await journal.flush();
      const report = await queueFiguresReport(db.prisma, { from: day, to: day }, TZ, Date.now());
      const tiles = board.tiles();
      for (const id of [DEMO.queue.id, 'q-sales']) {
        const stored = report.queues.find((x) => x.queueId === id)!;
        const live = tiles.find((x) => x.queueId === id)!;
        expect(stored.tally).toEqual(live.tally);
        expect(stored.ratios).toEqual(live.ratios);
      }
      const all = tiles.reduce((n, x) => n + x.tally.offered, 0);
      expect(all).toBe(400);
      expect(tiles.find((x) => x.queueId === 'q-sales')!.tally.transfers).toBeGreaterThan(0);
      board.stop();
    } finally {
      await db.close();
    }
  });
});
