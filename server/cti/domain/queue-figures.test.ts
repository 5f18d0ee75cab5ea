import { describe, expect, it } from 'vitest';
import { addTally, callFacts, contribution, EMPTY_TALLY, ratios, staffing, tallyByQueue, type CallEventFacts, type CallRowFacts, type StaffFacts, type Tally } from './queue-figures';
import { dayOf, dayStart, daysRange, nextDay } from './report-day';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const at = (s: number) => new Date(T0 + s * 1000);
const SL = 20;

/** A call's row as the journal writes it, times in seconds after T0. */
function row(id: string, o: { q?: string | null; arrived?: number; answered?: number; ended?: number; outcome?: string; wrapEnd?: number; outbound?: boolean }): CallRowFacts {
  return {
    id,
    queueId: o.q === undefined ? 'q1' : o.q,
    direction: o.outbound ? 'outbound' : 'inbound',
    arrivedAt: at(o.arrived ?? 0),
    answeredAt: o.answered !== undefined ? at(o.answered) : null,
    endedAt: o.ended !== undefined ? at(o.ended) : null,
    outcome: o.outcome ?? null,
    wrapUpEndedAt: o.wrapEnd !== undefined ? at(o.wrapEnd) : null,
  };
}
const answeredEv = (s: number, queueId?: string): CallEventFacts => ({ type: 'answered', at: at(s), data: { operatorId: 'op1', ...(queueId ? { queueId } : {}) } });

function fold(calls: Array<[CallRowFacts, CallEventFacts[]]>): Map<string, Tally> {
  return tallyByQueue(
    calls.map(([r, e]) => callFacts(r, e)),
    () => SL,
  );
}

describe('queue figures from hand-made calls', () => {
  it('an answered call: offered, answered, within target, speed of answer and handle time (talk + wrap-up)', () => {
    const t = fold([[row('c1', { answered: 12, ended: 72, outcome: 'completed', wrapEnd: 80 }), [answeredEv(12)]]]).get('q1')!;
    expect(t).toMatchObject({ offered: 1, answered: 1, answeredInTarget: 1, answerWaitMs: 12_000, handled: 1, handleMs: 68_000, abandoned: 0, stillWaiting: 0 });
    expect(ratios(t)).toEqual({ serviceLevelPct: 100, avgSpeedOfAnswerMs: 12_000, avgHandleMs: 68_000, abandonRatePct: 0 });
  });

  it('service level: answered within the threshold (inclusive) over calls whose wait is over, short abandons and waiting callers left out', () => {
    const t = fold([
      [row('in', { answered: 20, ended: 30, outcome: 'completed' }), [answeredEv(20)]], // exactly 20 s: within
      [row('late', { answered: 21, ended: 40, outcome: 'completed' }), [answeredEv(21)]],
      [row('gone', { ended: 30, outcome: 'abandoned' }), []],
      [row('short', { ended: 5, outcome: 'abandoned' }), []], // 5 s: a short abandon
      [row('waiting', { arrived: 100 }), []],
      [row('timeout', { ended: 600, outcome: 'timeout' }), []],
    ]).get('q1')!;
    expect(t).toMatchObject({ offered: 6, answered: 2, answeredInTarget: 1, abandoned: 1, shortAbandoned: 1, stillWaiting: 1, otherUnanswered: 1 });
    // 1 within target / (2 answered + 1 abandoned + 1 timed out)
    expect(ratios(t).serviceLevelPct).toBe(25);
    expect(ratios(t).avgSpeedOfAnswerMs).toBe(20_500);
    // (1 abandoned + 1 short) / 6 offered
    expect(ratios(t).abandonRatePct).toBe(33.3);
  });

  it('an abandon just over 5 s is a real abandon; one at 4.999 s is short', () => {
    const t = fold([
      [row('a', { ended: 5.001, outcome: 'abandoned' }), []],
      [row('b', { ended: 4.999, outcome: 'abandoned' }), []],
    ]).get('q1')!;
    expect(t).toMatchObject({ abandoned: 1, shortAbandoned: 1 });
    expect(ratios(t).serviceLevelPct).toBe(0);
  });

  it('a transferred call counts once, in the queue that answered it first, with its first wait and its whole handle time', () => {
    // answered in q1 at 10 s, transferred to q2, answered again there at 50 s, ended at 90 s; the row shows q2 and the last answer
    const r = row('t', { q: 'q2', answered: 50, ended: 90, outcome: 'completed', wrapEnd: 95 });
    const events: CallEventFacts[] = [answeredEv(10, 'q1'), { type: 'transferred', at: at(30), data: { toQueueId: 'q2' } }, answeredEv(50, 'q2')];
    const by = fold([[r, events]]);
    expect(by.get('q2')).toBeUndefined();
    expect(by.get('q1')).toMatchObject({ offered: 1, answered: 1, answeredInTarget: 1, answerWaitMs: 10_000, handled: 1, handleMs: 85_000, transfers: 1 });
  });

  it('a caller transferred back to a queue who then hangs up was answered: not an abandon', () => {
    const t = fold([[row('x', { q: 'q1', answered: 8, ended: 70, outcome: 'abandoned' }), [answeredEv(8, 'q1'), { type: 'transferred', at: at(40) }]]]).get('q1')!;
    expect(t).toMatchObject({ answered: 1, abandoned: 0, shortAbandoned: 0, handled: 1, handleMs: 62_000 });
  });

  it('an overflowed call counts in the queue it ended in; closed, outbound and queue-less calls do not count', () => {
    const by = fold([
      [row('ov', { q: 'q2', ended: 700, outcome: 'abandoned' }), []],
      [row('closed', { ended: 3, outcome: 'closed' }), []],
      [row('out', { outbound: true, answered: 5, ended: 20, outcome: 'completed' }), [answeredEv(5)]],
      [row('lost', { q: null, ended: 1, outcome: 'failed' }), []],
    ]);
    expect([...by.keys()]).toEqual(['q2']);
    expect(by.get('q2')).toMatchObject({ offered: 1, abandoned: 1 });
  });

  it('a caller forwarded to an outside number that answered is not answered by the queue', () => {
    const t = fold([[row('fw', { answered: 40, ended: 100, outcome: 'forwarded' }), [{ type: 'answered', at: at(40), data: { number: '+447700900123', deviceLegId: 'l' } }]]]).get('q1')!;
    expect(t).toMatchObject({ offered: 1, answered: 0, otherUnanswered: 1 });
  });

  it('an answered call without an answered event (older rows) counts from the row', () => {
    const t = fold([[row('old', { answered: 30, ended: 60, outcome: 'completed' }), []]]).get('q1')!;
    expect(t).toMatchObject({ answered: 1, answeredInTarget: 0, answerWaitMs: 30_000 });
  });

  it('a call in progress: answered but not ended counts as answered, not yet handled', () => {
    const t = fold([[row('live', { answered: 3 }), [answeredEv(3)]]]).get('q1')!;
    expect(t).toMatchObject({ offered: 1, answered: 1, handled: 0, stillWaiting: 0 });
    expect(ratios(t).avgHandleMs).toBeNull();
  });

  it('incremental: taking a call\'s old contribution out and its new one in gives the fresh fold', () => {
    const live: Tally = { ...EMPTY_TALLY };
    const r = row('c', {});
    let old = contribution(callFacts(r, []), SL);
    addTally(live, old);
    expect(live).toMatchObject({ offered: 1, stillWaiting: 1 });
    const answered = { ...r, answeredAt: at(4) };
    const next = contribution(callFacts(answered, [answeredEv(4)]), SL);
    addTally(addTally(live, old, -1), next);
    old = next;
    const ended = { ...answered, endedAt: at(34), outcome: 'completed' };
    addTally(addTally(live, old, -1), contribution(callFacts(ended, [answeredEv(4)]), SL));
    expect(live).toEqual(fold([[ended, [answeredEv(4)]]]).get('q1'));
  });

  it('no calls: every ratio is empty, not zero', () => {
    expect(ratios(EMPTY_TALLY)).toEqual({ serviceLevelPct: null, avgSpeedOfAnswerMs: null, avgHandleMs: null, abandonRatePct: null });
  });
});

describe('staffing', () => {
  it('counts members by state and not-ready reason; others and signed-out members are left out', () => {
    const agents = new Map<string, StaffFacts>([
      ['a', { operatorId: 'a', state: 'ready', notReadyLabel: null }],
      ['b', { operatorId: 'b', state: 'talking', notReadyLabel: null }],
      ['c', { operatorId: 'c', state: 'not_ready', notReadyLabel: 'Lunch' }],
      ['d', { operatorId: 'd', state: 'not_ready', notReadyLabel: 'Lunch' }],
      ['e', { operatorId: 'e', state: 'wrap_up', notReadyLabel: null }],
      ['f', { operatorId: 'f', state: 'reserved', notReadyLabel: null }],
      ['g', { operatorId: 'g', state: 'ready', notReadyLabel: null }],
    ]);
    expect(staffing(['a', 'b', 'c', 'd', 'e', 'f', 'gone'], agents)).toEqual({ ready: 1, ringing: 1, talking: 1, wrapUp: 1, notReady: 2, notReadyByReason: { Lunch: 2 } });
  });
});

describe('report days in the site time zone', () => {
  it('a call at 23:59 belongs to its day, one at 00:00 to the next (London, winter)', () => {
    const tz = 'Europe/London';
    const start = dayStart('2026-12-02', tz);
    expect(new Date(start).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(dayOf(start - 60_000, tz)).toBe('2026-12-01');
    expect(dayOf(start, tz)).toBe('2026-12-02');
  });

  it('New York midnight is 05:00 UTC in winter; a DST day is 23 hours long', () => {
    expect(new Date(dayStart('2026-12-01', 'America/New_York')).toISOString()).toBe('2026-12-01T05:00:00.000Z');
    const { start, end } = daysRange('2026-03-08', '2026-03-08', 'America/New_York');
    expect((end - start) / 3_600_000).toBe(23);
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('a call crossing midnight counts on the day it arrived, with all its handle time', () => {
    const tz = 'UTC';
    const midnight = dayStart('2026-12-02', tz);
    const r: CallRowFacts = { id: 'm', queueId: 'q1', arrivedAt: new Date(midnight - 30_000), answeredAt: new Date(midnight - 20_000), endedAt: new Date(midnight + 100_000), outcome: 'completed', wrapUpEndedAt: null };
    const f = callFacts(r, [{ type: 'answered', at: new Date(midnight - 20_000) }]);
    expect(dayOf(f.arrivedAt, tz)).toBe('2026-12-01');
    expect(contribution(f, SL)).toMatchObject({ offered: 1, answered: 1, answeredInTarget: 1, handleMs: 120_000 });
  });
});
