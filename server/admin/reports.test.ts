import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { intervalsReport, operatorsReport, queuesReport, statesReport } from './reports';
import { intervalsCsv, operatorsCsv, queuesCsv, statesCsv } from './reports-csv';
import { ReportQuery } from '../contracts/reports';

/**
 * The reports read from stored rows (PGlite, the real schema): calls, their no-answer events, and
 * the agent state log, including a state that began before the day (it counts from midnight).
 */
let db: Database;
const DAY = '2026-11-30';
const T0 = Date.UTC(2026, 10, 30);
const H = 3_600_000;
const M = 60_000;
const NOW = T0 + 30 * H; // the next day: the whole of DAY is over
const op = DEMO.users[1].id;
const op2 = DEMO.users[2].id;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'correct horse battery' });
  // rows as the journal stores them, with their figures summary (migration 0022; journal-sql.ts)
  const base = { acdLegId: 'leg', dialed: DEMO.number, callerId: 'sip:x@test.invalid', queueId: DEMO.queue.id, countedQueueId: DEMO.queue.id };
  await db.prisma.call.create({ data: { ...base, id: 'r1', operatorId: op, arrivedAt: new Date(T0 + 9 * H), answeredAt: new Date(T0 + 9 * H + 8_000), firstAnsweredAt: new Date(T0 + 9 * H + 8_000), endedAt: new Date(T0 + 9 * H + 68_000), wrapUpEndedAt: new Date(T0 + 9 * H + 98_000), outcome: 'completed', events: { create: [{ seq: 1, type: 'no-answer', at: new Date(T0 + 9 * H + 4_000), data: { operatorId: op } }, { seq: 2, type: 'answered', at: new Date(T0 + 9 * H + 8_000), data: { operatorId: op, queueId: DEMO.queue.id } }] } } });
  await db.prisma.call.create({ data: { ...base, id: 'r2', arrivedAt: new Date(T0 + 9 * H + 30 * M), endedAt: new Date(T0 + 9 * H + 30 * M + 75_000), outcome: 'abandoned' } });
  // signed in the evening before (ready since), talks 09:00:08–09:01:08, wrap-up to 09:01:38, ready, signs out 10:00
  const moves: Array<[number, string, string]> = [[-2 * H, 'not_ready', 'ready'], [9 * H, 'ready', 'reserved'], [9 * H + 8_000, 'reserved', 'talking'], [9 * H + 68_000, 'talking', 'wrap_up'], [9 * H + 98_000, 'wrap_up', 'ready'], [10 * H, 'ready', 'offline']];
  for (const [t, from, to] of moves) await db.prisma.agentStateLog.create({ data: { userId: op, at: new Date(T0 + t), from, to, reason: 'test' } });
  // a second person: on lunch from 23:00 the evening before until 01:00, ready to 02:00, then a break to 02:15, signed out
  const lunch: Array<[number, string, string, string | null]> = [[-H, 'offline', 'not_ready', 'lunch'], [H, 'not_ready', 'ready', null], [2 * H, 'ready', 'not_ready', 'break'], [2 * H + 15 * M, 'not_ready', 'offline', null]];
  for (const [t, from, to, reasonCode] of lunch) await db.prisma.agentStateLog.create({ data: { userId: op2, at: new Date(T0 + t), from, to, reason: 'test', reasonCode } });
});
afterAll(async () => db?.close());

const q = ReportQuery.parse({ from: DAY, to: DAY, interval: '30' });

describe('reports from stored rows', () => {
  it('intervals: the call of 09:00 and the abandon of 09:30 in their half hours, service level per half hour', async () => {
    const r = await intervalsReport(db.prisma, q, 'UTC', NOW);
    expect(r.rows).toHaveLength(48);
    expect(r.rows[18]).toMatchObject({ label: `${DAY} 09:00`, offered: 1, answered: 1, serviceLevelPct: 100, avgSpeedOfAnswerMs: 8000 });
    expect(r.rows[19]).toMatchObject({ label: `${DAY} 09:30`, offered: 1, answered: 0, abandoned: 1, serviceLevelPct: 0 });
    const csv = parse(intervalsCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(csv).toHaveLength(48);
    expect(csv[18]).toMatchObject({ 'interval start': `${DAY} 09:00`, offered: '1', 'service level (%)': '100', 'average speed of answer (s)': '8.0' });
  });

  it('operators: handled, handle time, time in state from midnight (ready since the day before), occupancy, missed offer', async () => {
    const r = await operatorsReport(db.prisma, q, 'UTC', NOW);
    const me = r.rows.find((x) => x.operatorId === op)!;
    expect(me).toMatchObject({ name: DEMO.users[1].name, handled: 1, avgHandleMs: 90_000, missedOffers: 1, signedInMs: 10 * H });
    expect(me.stateMs).toEqual({ not_ready: 0, ready: 10 * H - 98_000, reserved: 8_000, talking: 60_000, wrap_up: 30_000 });
    expect(me.occupancyPct).toBe(0.3); // 90 s of 10 h
    const csv = parse(operatorsCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((x) => x['operator id'] === op)).toMatchObject({ 'calls handled': '1', 'average handle time (s)': '90.0', 'missed offers': '1', 'talking (s)': '60.0' });
  });

  it('time in state: Not ready split by reason with the admin\'s words, a lunch that began the evening before counted from midnight; the CSV in long form', async () => {
    const r = await statesReport(db.prisma, q, 'UTC', NOW);
    expect(r.states.map((x) => x.label)).toEqual(['Ready', 'Ringing', 'Talking', 'Wrap-up', 'Not ready: Break', 'Not ready: Lunch']);
    const two = r.rows.find((x) => x.operatorId === op2)!;
    expect(two.ms).toEqual({ ready: H, reserved: 0, talking: 0, wrap_up: 0, 'not_ready:lunch': H, 'not_ready:break': 15 * M });
    expect(two.signedInMs).toBe(2 * H + 15 * M);
    expect(r.rows.find((x) => x.operatorId === op)!.ms.talking).toBe(60_000);
    const csv = parse(statesCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(csv.filter((x) => x['operator id'] === op2).map((x) => [x.state, x['time (s)'], x['share of signed-in time (%)']])).toEqual([
      ['Ready', '3600.0', '44.4'],
      ['Not ready: Break', '900.0', '11.1'],
      ['Not ready: Lunch', '3600.0', '44.4'],
    ]);
    // today, at 00:30: half an hour of lunch so far, nothing after now
    const early = await statesReport(db.prisma, q, 'UTC', T0 + 30 * M);
    expect(early.rows.find((x) => x.operatorId === op2)!.ms).toMatchObject({ 'not_ready:lunch': 30 * M, ready: 0 });
  });

  it('queues: abandon rate and the wait distribution', async () => {
    const r = await queuesReport(db.prisma, q, 'UTC', NOW);
    const row = r.rows.find((x) => x.queueId === DEMO.queue.id)!;
    expect(row).toMatchObject({ offered: 2, answered: 1, abandoned: 1, abandonRatePct: 50, answeredByWait: [1, 0, 0, 0, 0, 0], abandonedByWait: [0, 0, 0, 1, 0, 0] });
    const csv = parse(queuesCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((x) => x.queue === row.name)).toMatchObject({ 'abandon rate (%)': '50', 'abandoned after 1–2 min': '1' });
  });

  it('today stops at now: no buckets after it, and the bad query is refused with a field error', async () => {
    const r = await intervalsReport(db.prisma, ReportQuery.parse({ from: DAY, to: DAY, interval: '60' }), 'UTC', T0 + 9 * H + 40 * M);
    expect(r.rows.at(-1)!.label).toBe(`${DAY} 09:00`);
    const bad = ReportQuery.safeParse({ from: DAY, to: '2026-11-01', interval: '45' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['interval']));
  });
});
