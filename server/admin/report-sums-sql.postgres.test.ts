import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { Journal } from '../cti/call-journal';
import { loadCallFacts } from '../cti/call-facts-query';
import { dayOf, dayStart, daysRange, nextDay } from '../cti/domain/report-day';
import { intervalFigures, queueReport, operatorReport, type ReportInterval } from '../cti/domain/report-figures';
import { PrismaCtiStore } from '../cti/prisma-cti-store';
import { ReportQuery } from '../contracts/reports';
import { intervalsReport, operatorsReport, queuesReport } from './reports';

/**
 * The reports' SQL sums (report-sums-sql.ts, over the summary columns the journal stores) equal
 * the wallboard's fold (queue-figures.ts / report-figures.ts over every stored call and event,
 * the reference) on PostgreSQL, for hand-made calls of every kind written by the real journal:
 * answered in and out of target, blind transfers to the other queue, a callback, a forward's
 * outside answer, short and long abandons, timeouts, still waiting, closed, outbound, and calls
 * crossing midnight (counted on the day they arrived). Then migration 0022's back-fill, run on the
 * same rows with their summary wiped, gives the same figures again.
 */
const log = createLogger('silent');
const TZ = 'America/New_York';
const S = 1000;

describe('report sums in SQL = the fold, on PostgreSQL', async () => {
  const dbName = `patchbay_sums_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('intervals (15/30/60 min, day), queues with waits and operators agree exactly, before and after the back-fill', { timeout: 120_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      await db.prisma.queue.create({ data: { id: 'q-sales', name: 'Sales', slThresholdSec: 10 } });
      const day1 = '2026-11-20';
      const day2 = nextDay(day1);
      const midnight = dayStart(day2, TZ);
      let t = 0;
      const journal = new Journal(new PrismaCtiStore(db.prisma), () => t, log, { intervalMs: 20 });
      const ops = [DEMO.users[1].id, DEMO.users[2].id];
      const other = (q: string) => (q === 'q-sales' ? DEMO.queue.id : 'q-sales');
      for (let i = 0; i < 240; i++) {
        const c = journal.call(`sum-${i.toString().padStart(6, '0')}`, log);
        // spread over both days; the last 20 arrive in the minutes before midnight and end after it
        const arrived = i >= 220 ? midnight - (240 - i) * 17 * S : dayStart(i % 2 ? day1 : day2, TZ) + 60 * S + i * 331 * S;
        t = arrived;
        const queueId = i % 3 === 0 ? 'q-sales' : DEMO.queue.id;
        const outbound = i % 23 === 0;
        c.created({ acdLegId: `leg-${i}`, dialed: DEMO.number, callerId: 'sip:x@test.invalid', callerNumber: null, queueId: null, arrivedAt: new Date(arrived), ...(outbound ? { direction: 'outbound' as const } : {}) });
        c.updated({ queueId });
        const kind = i % 10;
        const wait = (i * 1337) % 40_000;
        t = arrived + wait;
        const op = ops[i % 2]!;
        if (kind <= 3) {
          c.updated({ operatorId: op, offeredAt: new Date(t - 2 * S), answeredAt: new Date(t) });
          c.event('answered', { operatorId: op, queueId });
          if (kind === 3) {
            t += 9 * S;
            c.event('transferred', { toQueueId: other(queueId) });
            c.updated({ queueId: other(queueId) });
            t += 4 * S;
            c.updated({ operatorId: ops[(i + 1) % 2]!, answeredAt: new Date(t) });
            c.event('answered', { operatorId: ops[(i + 1) % 2]!, queueId: other(queueId) });
          }
          t += 30 * S + (i % 11) * S;
          c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'completed' });
          if (kind !== 2) c.updated({ wrapUpEndedAt: new Date(t + 5 * S) });
        } else if (kind === 4) c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'abandoned' });
        else if (kind === 5) c.updated({ endedAt: new Date(arrived + (i % 6) * S), endedBy: 'caller', outcome: 'abandoned' }); // short
        else if (kind === 6) {
          // a callback: the caller leaves keeping their place, an operator calls back and they answer
          c.event('callback-requested', { number: '+15550123' });
          t += 60 * S;
          c.event('callback-dial', { operatorId: op });
          c.updated({ operatorId: op, answeredAt: new Date(t) });
          c.event('answered', { operatorId: op, queueId });
          t += 45 * S;
          c.updated({ endedAt: new Date(t), endedBy: 'operator', outcome: 'completed', wrapUpEndedAt: new Date(t + 3 * S) });
        } else if (kind === 7) {
          // overflow to an outside number that answered: not an operator's answer
          c.updated({ answeredAt: new Date(t) });
          c.event('answered', { number: '+15550999' });
          c.updated({ endedAt: new Date(t + 20 * S), endedBy: 'caller', outcome: 'forwarded' });
        } else if (kind === 8) c.updated({ endedAt: new Date(t), endedBy: 'system', outcome: i % 4 === 0 ? 'closed' : 'timeout' });
        // kind 9: still waiting
        if (i % 20 === 0) c.event('no-answer', { operatorId: op });
      }
      await journal.flush();
      const now = midnight + 3 * 86_400_000;

      const check = async () => {
        const { start, end } = daysRange(day1, day2, TZ);
        const facts = await loadCallFacts(db.prisma, new Date(start), new Date(end));
        const queues = await db.prisma.queue.findMany();
        const sl = (id: string) => queues.find((x) => x.id === id)?.slThresholdSec ?? 20;
        for (const interval of ['15', '30', '60', 'day'] as ReportInterval[]) {
          const sql = await intervalsReport(db.prisma, ReportQuery.parse({ from: day1, to: day2, interval }), TZ, now);
          const fold = intervalFigures(facts, sl, day1, day2, interval, TZ);
          expect(sql.rows.map((r) => [r.start, r.offered, r.answered, r.abandoned, r.shortAbandoned, r.serviceLevelPct, r.avgSpeedOfAnswerMs])).toEqual(
            fold.map((r) => [new Date(r.start).toISOString(), r.tally.offered, r.tally.answered, r.tally.abandoned, r.tally.shortAbandoned, r.ratios.serviceLevelPct, r.ratios.avgSpeedOfAnswerMs]),
          );
        }
        const qs = await queuesReport(db.prisma, ReportQuery.parse({ from: day1, to: day2 }), TZ, now);
        const qf = queueReport(facts, sl);
        for (const id of [DEMO.queue.id, 'q-sales']) {
          const a = qs.rows.find((x) => x.queueId === id)!;
          const b = qf.get(id)!;
          expect(a).toMatchObject({ offered: b.tally.offered, answered: b.tally.answered, abandoned: b.tally.abandoned + b.tally.shortAbandoned, abandonRatePct: b.ratios.abandonRatePct, serviceLevelPct: b.ratios.serviceLevelPct, answeredByWait: b.answeredByWait, abandonedByWait: b.abandonedByWait });
        }
        const calls = await db.prisma.call.findMany({ where: { direction: 'inbound', arrivedAt: { gte: new Date(start), lt: new Date(end) }, operatorId: { not: null }, answeredAt: { not: null } } });
        const missed = await db.prisma.callEvent.findMany({ where: { type: 'no-answer' } });
        const opsSql = await operatorsReport(db.prisma, ReportQuery.parse({ from: day1, to: day2 }), TZ, now);
        const opsFold = operatorReport(calls.map((c) => ({ operatorId: c.operatorId!, answeredAt: c.answeredAt!.getTime(), endedAt: c.endedAt?.getTime() ?? null, wrapUpEndedAt: c.wrapUpEndedAt?.getTime() ?? null })), [], missed.map((e) => (e.data as { operatorId: string }).operatorId), start, end);
        for (const id of ops) expect(opsSql.rows.find((r) => r.operatorId === id)).toMatchObject({ handled: opsFold.get(id)!.handled, avgHandleMs: opsFold.get(id)!.avgHandleMs, missedOffers: opsFold.get(id)!.missedOffers });
        return { facts, qf };
      };
      const { facts, qf } = await check();
      // the set-up holds what it claims: transfers, short abandons, a forward, calls over midnight
      expect(qf.get('q-sales')!.tally.transfers + qf.get(DEMO.queue.id)!.tally.transfers).toBeGreaterThan(0);
      expect(qf.get('q-sales')!.tally.shortAbandoned + qf.get(DEMO.queue.id)!.tally.shortAbandoned).toBeGreaterThan(0);
      expect(facts.some((f) => f.outcome === 'forwarded' && f.firstAnsweredAt === null)).toBe(true);
      expect(facts.some((f) => dayOf(f.arrivedAt, TZ) === day1 && f.endedAt !== null && dayOf(f.endedAt, TZ) === day2)).toBe(true);

      // migration 0022's back-fill on the same rows, their summary wiped first
      await db.prisma.$executeRawUnsafe(`UPDATE "calls" SET "counted_queue_id" = 'wrong', "first_answered_at" = NULL, "transfers" = 99`);
      const sql = readFileSync('prisma/migrations/0022_call_summary/migration.sql', 'utf8');
      const backfill = sql.slice(sql.indexOf('-- back-fill'), sql.indexOf('-- the reports\' scan'));
      await db.prisma.$executeRawUnsafe(backfill);
      await check();
    } finally {
      await db.close();
    }
  });
});
