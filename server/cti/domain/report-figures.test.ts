import { describe, expect, it } from 'vitest';
import { EMPTY_TALLY, addTally, tallyByQueue, type CallFacts } from './queue-figures';
import { bucketStarts, intervalFigures, operatorReport, queueReport, waitBucket, type StateMove } from './report-figures';
import { dayStart } from './report-day';

const DAY = '2026-12-01';
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);
const H = 3_600_000;
const S = 1000;

/** An inbound call of queue q arriving `arr` ms after midnight UTC; answered/ended in seconds after arrival. */
function call(id: string, arr: number, o: { q?: string; answerAfter?: number; endAfter?: number; outcome?: string; wrapAfter?: number } = {}): CallFacts {
  const arrivedAt = T0 + arr;
  const firstAnsweredAt = o.answerAfter !== undefined ? arrivedAt + o.answerAfter * S : null;
  const endedAt = o.endAfter !== undefined ? arrivedAt + o.endAfter * S : null;
  return { callId: id, queueId: o.q ?? 'q1', direction: 'inbound', arrivedAt, firstAnsweredAt, endedAt, outcome: o.outcome ?? (endedAt ? (firstAnsweredAt ? 'completed' : 'abandoned') : null), wrapUpEndedAt: o.wrapAfter !== undefined ? arrivedAt + o.wrapAfter * S : null, transfers: 0 };
}

const CALLS: CallFacts[] = [
  call('a', 9 * H + 2 * 60 * S, { answerAfter: 5, endAfter: 65, wrapAfter: 75 }), // 09:02, in target
  call('b', 9 * H + 20 * 60 * S, { answerAfter: 45, endAfter: 100 }), // 09:20, late (SL 20 s)
  call('c', 9 * H + 50 * 60 * S, { endAfter: 40 }), // 09:50, abandoned after 40 s
  call('d', 10 * H, { endAfter: 3 }), // 10:00, short abandon
  call('e', 23 * H + 59 * 60 * S, { q: 'q2', answerAfter: 400, endAfter: 500 }), // 23:59, q2, late
];
const sl = (q: string) => (q === 'q2' ? 30 : 20);

describe('report intervals', () => {
  it('cuts a UTC day into 96 quarter hours, 48 half hours, 24 hours or one day', () => {
    expect(bucketStarts(DAY, DAY, '15', 'UTC')).toHaveLength(96);
    expect(bucketStarts(DAY, DAY, '30', 'UTC')).toHaveLength(48);
    expect(bucketStarts(DAY, DAY, '60', 'UTC')).toHaveLength(24);
    expect(bucketStarts(DAY, '2026-12-03', 'day', 'UTC').map((b) => b.label)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(bucketStarts(DAY, DAY, '15', 'UTC')[37]).toEqual({ start: T0 + 9 * H + 15 * 60 * S, label: '2026-12-01 09:15' });
  });

  it('a daylight-saving day has 23 or 25 hours, labelled in the site zone', () => {
    const spring = bucketStarts('2026-03-29', '2026-03-29', '60', 'Europe/Berlin');
    expect(spring).toHaveLength(23);
    expect(spring.map((b) => b.label.slice(11))).not.toContain('02:00');
    expect(bucketStarts('2026-10-25', '2026-10-25', '60', 'Europe/Berlin')).toHaveLength(25);
    expect(bucketStarts(DAY, DAY, '60', 'Europe/Berlin')[0]).toEqual({ start: dayStart(DAY, 'Europe/Berlin'), label: '2026-12-01 00:00' });
  });

  it('each call counts in the bucket it arrived in, with the wallboard contribution', () => {
    const rows = intervalFigures(CALLS, sl, DAY, DAY, '60', 'UTC');
    const nine = rows[9]!;
    expect(nine.label).toBe('2026-12-01 09:00');
    expect(nine.tally).toMatchObject({ offered: 3, answered: 2, answeredInTarget: 1, abandoned: 1, shortAbandoned: 0 });
    expect(nine.ratios.serviceLevelPct).toBe(33.3); // 1 in target of 2 answered + 1 abandoned
    expect(rows[10]!.tally).toMatchObject({ offered: 1, shortAbandoned: 1 });
    expect(rows[10]!.ratios.serviceLevelPct).toBeNull(); // a short abandon is not in the service level
    expect(rows[23]!.tally).toMatchObject({ offered: 1, answered: 1, answeredInTarget: 0 });
    const quarter = intervalFigures(CALLS, sl, DAY, DAY, '15', 'UTC');
    expect(quarter[36]!.tally.offered).toBe(1); // 09:00–09:15: a
    expect(quarter[37]!.tally.offered).toBe(1); // 09:15–09:30: b
    expect(quarter[39]!.tally.offered).toBe(1); // 09:45–10:00: c
  });

  it('the intervals sum to the day the wallboard shows (Σ of tallyByQueue)', () => {
    for (const iv of ['15', '30', '60', 'day'] as const) {
      const sum = intervalFigures(CALLS, sl, DAY, DAY, iv, 'UTC').reduce((t, r) => addTally(t, r.tally), { ...EMPTY_TALLY });
      const board = [...tallyByQueue(CALLS, sl).values()].reduce((t, x) => addTally(t, x), { ...EMPTY_TALLY });
      expect(sum).toEqual(board);
    }
  });

  it('a call of the next day, or another zone\'s day, falls outside', () => {
    const late = call('z', 24 * H + 60 * S, {});
    expect(intervalFigures([late], sl, DAY, DAY, '60', 'UTC').every((r) => r.tally.offered === 0)).toBe(true);
    // 23:59 UTC is 00:59 the next day in Berlin
    expect(intervalFigures([CALLS[4]!], sl, DAY, DAY, 'day', 'Europe/Berlin')[0]!.tally.offered).toBe(0);
  });
});

describe('queue abandon rate and wait distribution', () => {
  it('answered calls by their wait to answer, abandoned ones by how long the caller waited', () => {
    const r = queueReport(CALLS, sl);
    const q1 = r.get('q1')!;
    expect(q1.answeredByWait).toEqual([1, 0, 1, 0, 0, 0]); // 5 s, 45 s
    expect(q1.abandonedByWait).toEqual([1, 0, 1, 0, 0, 0]); // 3 s (short), 40 s
    expect(q1.ratios.abandonRatePct).toBe(50); // 2 of 4 offered, short abandons included
    expect(r.get('q2')!.answeredByWait).toEqual([0, 0, 0, 0, 0, 1]); // 400 s
  });

  it('bucket edges: a wait of exactly 10 s is in 10–30 s, 300 s in 5 min or more', () => {
    expect([0, 9_999, 10_000, 29_999, 30_000, 60_000, 119_999, 120_000, 299_999, 300_000, 10 * H].map(waitBucket)).toEqual([0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5]);
  });
});

describe('per operator', () => {
  const start = T0 + 8 * H;
  const end = T0 + 12 * H;
  const m = (min: number, from: string, to: string, userId = 'op1'): StateMove => ({ userId, at: start + min * 60 * S, from, to });
  // signs in 08:00 (not ready), ready 08:10, rings 08:30, talks 08:31–08:41, wrap-up to 08:45, ready, not ready 11:00, signs out 11:30
  const moves = [m(0, 'offline', 'not_ready'), m(10, 'not_ready', 'ready'), m(30, 'ready', 'reserved'), m(31, 'reserved', 'talking'), m(41, 'talking', 'wrap_up'), m(45, 'wrap_up', 'ready'), m(180, 'ready', 'not_ready'), m(210, 'not_ready', 'offline')];

  it('time in each state, signed-in time and occupancy = (talk + wrap-up) / (signed in − not ready)', () => {
    const r = operatorReport([{ operatorId: 'op1', answeredAt: start + 31 * 60 * S, endedAt: start + 41 * 60 * S, wrapUpEndedAt: start + 45 * 60 * S }], moves, ['op1', 'op1', 'op2'], start, end).get('op1')!;
    expect(r.stateMs).toEqual({ not_ready: 40 * 60 * S, ready: 155 * 60 * S, reserved: 60 * S, talking: 10 * 60 * S, wrap_up: 4 * 60 * S });
    expect(r.signedInMs).toBe(210 * 60 * S);
    expect(r.occupancyPct).toBe(8.2); // 14 / 170 min
    expect(r).toMatchObject({ handled: 1, handleMs: 14 * 60 * S, avgHandleMs: 14 * 60 * S, missedOffers: 2 });
  });

  it('clips to the range: the state before the first move counts from the start, the last one to the end', () => {
    // the range starts 08:20 (ready since 08:10) and ends 08:35 (talking)
    const r = operatorReport([], moves, [], start + 20 * 60 * S, start + 35 * 60 * S).get('op1')!;
    expect(r.stateMs).toEqual({ not_ready: 0, ready: 10 * 60 * S, reserved: 60 * S, talking: 4 * 60 * S, wrap_up: 0 });
    expect(r.occupancyPct).toBe(26.7);
    expect(r.handled).toBe(0);
    expect(r.avgHandleMs).toBeNull();
  });

  it('splits Not ready by the reason of the move that began it; a change of reason while not ready moves the clock', () => {
    const nr = (min: number, from: string, to: string, reasonCode: string | null): StateMove => ({ ...m(min, from, to), reasonCode });
    const seq = [nr(0, 'offline', 'not_ready', 'signed_in'), nr(5, 'not_ready', 'ready', null), nr(20, 'ready', 'not_ready', 'lunch'), nr(50, 'not_ready', 'not_ready', 'break'), nr(60, 'not_ready', 'not_ready', null), nr(70, 'not_ready', 'offline', null)];
    const r = operatorReport([], seq, [], start, end).get('op1')!;
    expect(r.notReadyByReason).toEqual({ signed_in: 5 * 60 * S, lunch: 30 * 60 * S, break: 10 * 60 * S, '': 10 * 60 * S });
    expect(Object.values(r.notReadyByReason).reduce((a, b) => a + b, 0)).toBe(r.stateMs.not_ready);
    expect(r.stateMs.ready).toBe(15 * 60 * S);
  });

  it('a state crossing midnight is cut at midnight: the evening in one day, the morning in the next', () => {
    const day1 = T0;
    const day2 = T0 + 24 * H;
    // talking from 23:50 on day 1 until 00:20 on day 2, then wrap-up to 00:25, then signs out
    const night = [
      { userId: 'op1', at: day2 - 10 * 60 * S, from: 'reserved', to: 'talking' },
      { userId: 'op1', at: day2 + 20 * 60 * S, from: 'talking', to: 'wrap_up' },
      { userId: 'op1', at: day2 + 25 * 60 * S, from: 'wrap_up', to: 'offline' },
    ];
    const first = operatorReport([], night, [], day1, day2).get('op1')!;
    expect(first.stateMs.talking).toBe(10 * 60 * S);
    expect(first.stateMs.wrap_up).toBe(0);
    // day 2 alone: the loader gives the last move before midnight as a move at midnight (its `to`)
    const second = operatorReport([], [{ userId: 'op1', at: day2, from: 'talking', to: 'talking' }, ...night.slice(1)], [], day2, day2 + 24 * H).get('op1')!;
    expect(second.stateMs).toMatchObject({ talking: 20 * 60 * S, wrap_up: 5 * 60 * S, ready: 0 });
    expect(first.stateMs.talking + second.stateMs.talking).toBe(30 * 60 * S);
  });

  it('a state still going ends at the range edge, or now when the range reaches into the future', () => {
    const seq = [m(0, 'offline', 'ready'), m(60, 'ready', 'talking')]; // talking since 09:00, still on the call
    // the range ends 10:00: an hour of talking, not a minute more
    expect(operatorReport([], seq, [], start, start + 2 * H).get('op1')!.stateMs.talking).toBe(H);
    // today's range (to midnight) at 09:30: half an hour so far, not until midnight
    const today = operatorReport([], seq, [], start, T0 + 24 * H, start + 90 * 60 * S).get('op1')!;
    expect(today.stateMs).toMatchObject({ ready: H, talking: 30 * 60 * S });
    expect(today.signedInMs).toBe(90 * 60 * S);
    // a move after now (a clock skew between writers) is not counted
    expect(operatorReport([], [...seq, m(120, 'talking', 'wrap_up')], [], start, T0 + 24 * H, start + 90 * 60 * S).get('op1')!.stateMs.wrap_up).toBe(0);
  });

  it('an operator only in not ready has no occupancy; one who only missed offers is listed', () => {
    const r = operatorReport([], [m(0, 'offline', 'not_ready', 'op3'), m(60, 'not_ready', 'offline', 'op3')], ['op2'], start, end);
    expect(r.get('op3')!.occupancyPct).toBeNull();
    expect(r.get('op3')!.signedInMs).toBe(H);
    expect(r.get('op2')).toMatchObject({ missedOffers: 1, signedInMs: 0, occupancyPct: null });
    // a call not ended yet is not handled
    expect(operatorReport([{ operatorId: 'op4', answeredAt: start, endedAt: null, wrapUpEndedAt: null }], [], [], start, end).get('op4')?.handled ?? 0).toBe(0);
  });
});
