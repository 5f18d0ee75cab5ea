import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { connectPostgres, databaseUrl } from '../test-support/postgres';
import { Journal } from '../cti/call-journal';
import { PrismaCtiStore } from '../cti/prisma-cti-store';
import { bucketStarts, type ReportInterval, type StateSpan } from '../cti/domain/report-figures';
import { daysRange } from '../cti/domain/report-day';
import type { AgentState } from '../contracts/agent';
import { bucketSumsSql, missedOffersSql, operatorHandledSql, queueSumsSql } from './report-sums-sql';
import { bucketSumsRolled, missedOffersRolled, operatorHandledRolled, queueSumsRolled } from './report-rollups-sql';
import { stateSpansSql } from './state-spans-sql';
import { stateSpansRolled } from './state-rollups-sql';

/**
 * The roll-ups (migration 0023, kept by triggers on the journal's writes) give exactly the raw
 * sums (report-sums-sql.ts, state-spans-sql.ts; themselves held equal to the wallboard's fold by
 * report-sums-sql.postgres.test.ts) on PostgreSQL: 600 random calls of every kind written through
 * the real journal over four days around a daylight-saving change (answered in and out of target,
 * transfers, abandons long and short, callbacks, forwards, timeouts, closed, outbound, still
 * waiting, calls over midnight and over bucket edges, arrivals on an edge to the millisecond),
 * random state moves of four operators (not ready overnight, reasons), then every report's sums
 * over aligned days in five zones (offsets of whole, half and three-quarter hours) and over random
 * ranges to the millisecond. Then: a queue's service-level target changed (its buckets read from
 * the calls), a move stored out of order, and the migration's rebuild giving the same tables.
 */
const log = createLogger(process.env.ROLLUP_LOG ?? 'silent');
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
const DAYS = ['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03'];

/** mulberry32: the same random calls every run */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byKey = <T extends { operatorId: string }>(xs: T[]) => [...xs].sort((a, b) => a.operatorId.localeCompare(b.operatorId));
const spansKey = (xs: StateSpan[]) =>
  xs.map((s) => `${s.userId}|${s.state}|${s.state === 'not_ready' ? (s.reasonCode ?? '') : ''}|${s.ms}`).sort();

async function agree(db: Database, start: number, end: number, now: number, what: string): Promise<void> {
  const p = db.prisma;
  const [a, b] = [new Date(start), new Date(end)];
  const ctx = `${what} [${a.toISOString()}, ${b.toISOString()})`;
  expect(Object.fromEntries(await queueSumsRolled(p, a, b)), ctx).toEqual(Object.fromEntries(await queueSumsSql(p, a, b)));
  expect(byKey(await operatorHandledRolled(p, a, b)), ctx).toEqual(byKey(await operatorHandledSql(p, a, b)));
  const c = new Date(Math.min(end, now));
  expect(byKey(await missedOffersRolled(p, a, c)), ctx).toEqual(byKey(await missedOffersSql(p, a, c)));
  expect(spansKey(await stateSpansRolled(p, a, c)), ctx).toEqual(spansKey(await stateSpansSql(p, a, c)));
}

async function agreeEverywhere(db: Database, now: number, rand: () => number): Promise<number> {
  let checked = 0;
  for (const tz of ZONES) {
    for (const [from, to] of [[DAYS[1]!, DAYS[1]!], [DAYS[0]!, DAYS[3]!]] as const) {
      const { start, end } = daysRange(from, to, tz);
      await agree(db, start, end, now, `${tz} ${from}..${to}`);
      for (const iv of ['15', '30', '60', 'day'] as ReportInterval[]) {
        const starts = bucketStarts(from, to, iv, tz).map((x) => x.start);
        expect(await bucketSumsRolled(db.prisma, starts, new Date(end)), `${tz} ${iv}`).toEqual(await bucketSumsSql(db.prisma, starts, new Date(end)));
      }
      checked++;
    }
  }
  const { start, end } = daysRange(DAYS[0]!, DAYS[3]!, 'UTC');
  for (let i = 0; i < 25; i++) {
    const x = start - 2 * H + Math.floor(rand() * (end - start + 4 * H));
    const y = x + Math.floor(rand() * (i % 2 ? 40 * H : 3 * H));
    await agree(db, x, y, i % 5 === 0 ? x + Math.floor((y - x) / 2) : now, `random ${i}`);
    checked++;
  }
  return checked;
}

describe('report roll-ups = the raw sums, on PostgreSQL', async () => {
  const dbName = `patchbay_rollups_${process.pid}_${Date.now()}`;
  const root = await connectPostgres();
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await root.end();
  });

  it('every sum over aligned days in five zones and random ranges; after a target change, a late move and a rebuild', { timeout: 300_000 }, async () => {
    await root.query(`CREATE DATABASE "${dbName}"`);
    const db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused' });
    try {
      await seedDemo(db.prisma, { password: 'correct horse battery' });
      await db.prisma.queue.create({ data: { id: 'q-sales', name: 'Sales', slThresholdSec: 10 } });
      for (const i of [3, 4]) await db.prisma.user.create({ data: { id: `u-op${i}`, email: `op${i}@patchbay.local`, name: `Operator ${i}`, role: 'OPERATOR', passwordHash: 'x' } });
      const ops = [DEMO.users[1].id, DEMO.users[2].id, 'u-op3', 'u-op4'];
      const queues = [DEMO.queue.id, 'q-sales'];
      const rand = rng(20261101);
      const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
      const { start: t0, end: t1 } = daysRange(DAYS[0]!, DAYS[3]!, 'UTC');
      let t = 0;
      const journal = new Journal(new PrismaCtiStore(db.prisma), () => t, log, { intervalMs: 10, batchRows: 300 });

      // calls, written in arrival order as the CTI would (each call's whole life at once: the journal only sees rows and events)
      const arrivals = Array.from({ length: 600 }, (_, i) => {
        if (i % 25 === 0) return t0 + Math.floor(rand() * 90) * 15 * MIN; // on a bucket's edge to the millisecond
        if (i % 25 === 1) return t0 + Math.floor(rand() * 90) * 15 * MIN - 1;
        return t0 - 3 * H + Math.floor(rand() * (t1 - t0 + 3 * H));
      }).sort((a, b) => a - b);
      arrivals.forEach((arrived, i) => {
        const c = journal.call(`ru-${i.toString().padStart(5, '0')}`, log);
        t = arrived;
        const queueId = pick(queues);
        c.created({ acdLegId: `leg-${i}`, dialed: DEMO.number, callerId: 'sip:x@test.invalid', callerNumber: null, queueId: null, arrivedAt: new Date(arrived), ...(rand() < 0.05 ? { direction: 'outbound' as const } : {}) });
        c.updated({ queueId });
        const op = pick(ops);
        const kind = Math.floor(rand() * 10);
        t = arrived + Math.floor(rand() * (rand() < 0.2 ? 400 * S : 40 * S));
        if (rand() < 0.1) c.event('no-answer', { operatorId: pick(ops) });
        if (kind <= 3) {
          c.updated({ operatorId: op, offeredAt: new Date(t - 2 * S), answeredAt: new Date(t) });
          c.event('answered', { operatorId: op, queueId });
          if (kind === 3) {
            t += Math.floor(rand() * 60 * S);
            const other = queues.find((x) => x !== queueId)!;
            c.event('transferred', { toQueueId: other });
            c.updated({ queueId: other });
            t += Math.floor(rand() * 20 * S);
            const op2 = pick(ops);
            c.updated({ operatorId: op2, answeredAt: new Date(t) });
            c.event('answered', { operatorId: op2, queueId: other });
          }
          t += Math.floor(rand() * (rand() < 0.1 ? 2 * H : 5 * MIN));
          c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'completed' });
          if (kind !== 2) c.updated({ wrapUpEndedAt: new Date(t + Math.floor(rand() * 30 * S)) });
        } else if (kind === 4) c.updated({ endedAt: new Date(t), endedBy: 'caller', outcome: 'abandoned' });
        else if (kind === 5) c.updated({ endedAt: new Date(arrived + Math.floor(rand() * 7 * S)), endedBy: 'caller', outcome: 'abandoned' });
        else if (kind === 6) {
          c.event('callback-requested', { number: '+15550123' });
          t += Math.floor(rand() * 30 * MIN);
          c.event('callback-dial', { operatorId: op });
          c.updated({ operatorId: op, answeredAt: new Date(t) });
          c.event('answered', { operatorId: op, queueId });
          t += Math.floor(rand() * 3 * MIN);
          c.updated({ endedAt: new Date(t), endedBy: 'operator', outcome: 'completed', wrapUpEndedAt: new Date(t + 3 * S) });
        } else if (kind === 7) {
          c.updated({ answeredAt: new Date(t) });
          c.event('answered', { number: '+15550999' });
          c.updated({ endedAt: new Date(t + 20 * S), endedBy: 'caller', outcome: 'forwarded' });
        } else if (kind === 8) c.updated({ endedAt: new Date(t), endedBy: 'system', outcome: rand() < 0.3 ? 'closed' : 'timeout' });
        // kind 9: still waiting
      });

      // each operator's moves in time order, from before the days to after them; some are still going at the end
      const STATES: AgentState[] = ['ready', 'reserved', 'talking', 'wrap_up', 'not_ready', 'offline'];
      for (const op of ops) {
        const a = journal.agent(op);
        let at = t0 - 5 * H + Math.floor(rand() * H);
        let from: AgentState = 'offline';
        while (at < t1 + 2 * H) {
          const to = pick(STATES.filter((s) => s !== from || s === 'not_ready'));
          a.stateChanged(from, to, 'test', at, to === 'not_ready' ? pick(['lunch', 'missed', null, 'signed_in']) : null);
          from = to;
          // mostly minutes, sometimes the same millisecond, sometimes all night
          const r = rand();
          at += r < 0.05 ? 0 : r < 0.1 ? Math.floor(rand() * 14 * H) : Math.floor(rand() * 25 * MIN);
        }
      }
      await journal.flush();
      const now = t1 + 4 * H;

      const counts = await db.prisma.$queryRawUnsafe<Array<{ q: number; s: number; m: number }>>(
        `SELECT (SELECT count(*) FROM call_queue_rollups)::int q, (SELECT count(*) FROM state_rollups)::int s, (SELECT sum(missed) FROM missed_offer_rollups)::int m`,
      );
      expect(counts[0]!.q).toBeGreaterThan(100);
      expect(counts[0]!.s).toBeGreaterThan(100);
      expect(counts[0]!.m).toBeGreaterThan(0);
      expect(await agreeEverywhere(db, now, rand)).toBe(ZONES.length * 2 + 25);

      // the roll-ups the journal kept by increments are exactly those a rebuild from the rows makes
      const tables = ['call_queue_rollups', 'call_operator_rollups', 'missed_offer_rollups', 'state_rollups'];
      const dump = async () => Promise.all(tables.map((x) => db.prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${x}" WHERE ${x === 'state_rollups' ? 'ms' : x === 'missed_offer_rollups' ? 'missed' : x === 'call_queue_rollups' ? 'offered' : 'handled'} <> 0 ORDER BY 1, 2, 3${x === 'state_rollups' ? ', 4, 5' : ''}`)));
      const kept = await dump();
      const sql = readFileSync('prisma/migrations/0023_report_rollups/migration.sql', 'utf8');
      const rebuild = sql.slice(sql.indexOf('-- rebuild:'), sql.indexOf('-- end of rebuild'));
      for (const st of rebuild.split(/;\n(?=TRUNCATE|DO)/)) await db.prisma.$executeRawUnsafe(st);
      expect(await dump()).toEqual(kept);

      // an admin changes a queue's target: its buckets are read from the calls, and new calls mixed in stay right
      await db.prisma.queue.update({ where: { id: 'q-sales' }, data: { slThresholdSec: 25 } });
      const late = journal.call('ru-late', log);
      t = t0 + 30 * H + 7 * MIN;
      late.created({ acdLegId: 'leg-late', dialed: DEMO.number, callerId: 'sip:x@test.invalid', callerNumber: null, queueId: 'q-sales', arrivedAt: new Date(t) });
      late.updated({ operatorId: ops[0]!, answeredAt: new Date(t + 12 * S), endedAt: new Date(t + 90 * S), endedBy: 'caller', outcome: 'completed' });
      late.event('answered', { operatorId: ops[0]!, queueId: 'q-sales' });
      // a move stored out of order, in the middle of an operator's history
      await db.prisma.agentStateLog.create({ data: { userId: ops[1]!, at: new Date(t0 + 30 * H + 11 * MIN + 123), from: 'ready', to: 'not_ready', reason: 'test', reasonCode: 'lunch' } });
      await journal.flush();
      const stale = await db.prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int n FROM call_queue_rollups WHERE queue_id = 'q-sales' AND sl_ms <> 25000`);
      expect(stale[0]!.n).toBeGreaterThan(0);
      await agreeEverywhere(db, now, rand);
    } finally {
      await db.close();
    }
  });
});
