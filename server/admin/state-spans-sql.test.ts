import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { stateSpans, type StateMove, type StateSpan } from '../cti/domain/report-figures';
import { stateSpansSql } from './state-spans-sql';

/**
 * The database's time-in-state sums equal the pure fold's on the same stored moves: hand-made
 * sequences (a shift crossing midnight, reasons changing while not ready, two moves in the same
 * millisecond, a call still going at "now", an operator signed out before the range) stored in
 * agent_state_log on PGlite, then both over several ranges.
 */
let db: Database;
const T0 = Date.UTC(2026, 10, 30);
const H = 3_600_000;
const M = 60_000;
const [a, b, c] = [DEMO.users[1].id, DEMO.users[2].id, DEMO.users[0].id];
const MOVES: Array<[string, number, string, string, string | null]> = [
  [a, -2 * H, 'offline', 'not_ready', 'signed_in'],
  [a, -2 * H + 5 * M, 'not_ready', 'ready', null],
  [a, -10 * M, 'ready', 'talking', null], // talking across midnight
  [a, 20 * M, 'talking', 'wrap_up', null],
  [a, 25 * M, 'wrap_up', 'not_ready', 'lunch'],
  [a, 55 * M, 'not_ready', 'not_ready', 'break'],
  [a, 55 * M, 'not_ready', 'ready', null], // same millisecond: id decides
  [a, 9 * H, 'ready', 'reserved', null],
  [a, 9 * H + 8000, 'reserved', 'talking', null], // still talking at "now"
  [b, -5 * H, 'offline', 'ready', null],
  [b, -4 * H, 'ready', 'offline', null], // signed out before the ranges
  [b, 3 * H, 'offline', 'not_ready', null],
  [b, 4 * H, 'not_ready', 'offline', null],
  [c, 23 * H + 30 * M, 'offline', 'ready', null], // into the next day
];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'correct horse battery' });
  for (const [userId, t, from, to, reasonCode] of MOVES) await db.prisma.agentStateLog.create({ data: { userId, at: new Date(T0 + t), from, to, reason: 'test', reasonCode } });
}, 120_000);
afterAll(async () => db?.close());

/** The fold as the reports fed it before: the range's moves, plus each person's last move before it as a move at the start. */
async function folded(start: number, end: number, now: number): Promise<StateSpan[]> {
  const rows = await db.prisma.agentStateLog.findMany({ orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  const moves: StateMove[] = [];
  for (const u of new Set(rows.map((r) => r.userId))) {
    const last = rows.filter((r) => r.userId === u && r.at.getTime() < start).at(-1);
    if (last && last.to !== 'offline') moves.push({ userId: u, at: start, from: last.to, to: last.to, reasonCode: last.reasonCode });
  }
  moves.push(...rows.filter((r) => r.at.getTime() >= start).map((r) => ({ userId: r.userId, at: r.at.getTime(), from: r.from, to: r.to, reasonCode: r.reasonCode })));
  return stateSpans(moves, start, end, now);
}

const summed = (spans: StateSpan[]) => {
  const m: Record<string, number> = {};
  for (const s of spans) m[`${s.userId} ${s.state} ${s.reasonCode ?? ''}`] = (m[`${s.userId} ${s.state} ${s.reasonCode ?? ''}`] ?? 0) + s.ms;
  return m;
};

describe('time in state in SQL = the pure fold', () => {
  const cases: Array<[string, number, number, number]> = [
    ['the day, over', T0, T0 + 24 * H, T0 + 30 * H],
    ['today at 09:30', T0, T0 + 24 * H, T0 + 9 * H + 30 * M],
    ['the evening before', T0 - 6 * H, T0, T0 + 30 * H],
    ['two days', T0 - 24 * H, T0 + 24 * H, T0 + 48 * H],
    ['an hour from 00:10', T0 + 10 * M, T0 + 70 * M, T0 + 30 * H],
  ];
  for (const [name, start, end, now] of cases)
    it(name, async () => {
      const sql = summed(await stateSpansSql(db.prisma, new Date(start), new Date(Math.min(end, now))));
      const fold = summed(await folded(start, end, now));
      expect(sql).toEqual(fold);
      expect(Object.keys(sql).length).toBeGreaterThan(0);
    });

  it('the day: talk from midnight, lunch then break, still talking at 09:30', async () => {
    const s = summed(await stateSpansSql(db.prisma, new Date(T0), new Date(T0 + 9 * H + 30 * M)));
    expect(s[`${a} talking `]).toBe(20 * M + 30 * M - 8000);
    expect(s[`${a} not_ready lunch`]).toBe(30 * M);
    expect(s[`${a} not_ready break`]).toBeUndefined(); // a break of no time
    expect(s[`${b} not_ready `]).toBe(H);
  });
});
