import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import { QueueBoard } from './queue-board';
import { callFacts, tallyByQueue, type CallFacts } from './domain/queue-figures';
import type { CallEventRow, CallRow, QueueInfo } from './ports/cti-store';

/**
 * The board's bookkeeping with hand-made journal rows and a hand-set clock (the journal, roster
 * and call book are plain values here): the incremental tally always equals a fresh fold of the
 * same rows; seeded rows count; a new day on the site's clock starts from zero; a changed
 * service-level threshold re-counts the queue.
 */
const log = createLogger('silent');
const DAY1 = Date.UTC(2026, 11, 1, 23, 58, 0);

function queue(slThresholdSec = 20, members: string[] = ['op1']): QueueInfo {
  return {
    id: 'q1',
    name: 'Support',
    board: { slTargetPct: 80, slThresholdSec, alerts: { maxWaitSec: 60, noReady: true } },
    routing: { id: 'q1', strategy: 'longest-idle', tieBreaker: 'longest-idle', tierWaitSec: 0, requiredSkills: [], members: members.map((operatorId) => ({ operatorId, level: 1 })) },
  } as unknown as QueueInfo;
}

function row(id: string, arrivedAt: number, patch: Partial<CallRow> = {}): CallRow {
  return { id, acdLegId: 'l', dialed: '+1', callerId: 'x', callerNumber: null, queueId: 'q1', arrivedAt: new Date(arrivedAt), operatorId: null, offeredAt: null, answeredAt: null, endedAt: null, endedBy: null, outcome: null, notes: null, dispositionCode: null, wrapUpExtended: false, wrapUpEndedAt: null, ...patch };
}

function board(o: { now: { t: number }; q?: QueueInfo; stored?: CallFacts[]; agents?: Agent[]; calls?: LiveCall[]; tz?: string }) {
  let q = o.q ?? queue();
  const b = new QueueBoard({
    queues: () => [q],
    queue: (id) => (id === q.id ? q : null),
    agents: () => o.agents ?? [],
    calls: () => o.calls ?? [],
    storedFacts: async () => o.stored ?? [],
    publish: () => undefined,
    timeZone: o.tz ?? 'UTC',
    now: () => o.now.t,
    log,
  });
  return { b, setQueue: (n: QueueInfo) => (q = n) };
}

const answered = (callId: string, at: number, seq = 1): CallEventRow => ({ callId, seq, type: 'answered', at: new Date(at), data: { operatorId: 'op1', queueId: 'q1' } });

describe('QueueBoard', () => {
  it('keeps the tally equal to a fresh fold of the same rows, change after change', () => {
    const now = { t: DAY1 - 3_600_000 };
    const { b } = board({ now });
    const r = row('c1', now.t);
    b.observer.call(r);
    expect(b.tiles()[0]!.tally).toMatchObject({ offered: 1, stillWaiting: 1 });
    b.observer.event(answered('c1', now.t + 8000));
    b.observer.call({ ...r, answeredAt: new Date(now.t + 8000) });
    b.observer.call({ ...r, answeredAt: new Date(now.t + 8000), endedAt: new Date(now.t + 68_000), outcome: 'completed' });
    const r2 = row('c2', now.t + 1000, { endedAt: new Date(now.t + 3000), outcome: 'abandoned' });
    b.observer.call(r2);
    const fresh = tallyByQueue([callFacts({ ...r, answeredAt: new Date(now.t + 8000), endedAt: new Date(now.t + 68_000), outcome: 'completed' }, [answered('c1', now.t + 8000)]), callFacts(r2, [])], () => 20);
    expect(b.tiles()[0]!.tally).toEqual(fresh.get('q1'));
    b.stop();
  });

  it('seeds from the stored rows of today; a live row of the same call wins', async () => {
    const now = { t: DAY1 - 3_600_000 };
    const seeded: CallFacts = { callId: 'old', queueId: 'q1', direction: 'inbound', arrivedAt: now.t - 60_000, firstAnsweredAt: now.t - 50_000, endedAt: now.t - 20_000, outcome: 'completed', wrapUpEndedAt: null, transfers: 0 };
    const { b } = board({ now, stored: [seeded, { ...seeded, callId: 'live', firstAnsweredAt: null, endedAt: null, outcome: null }] });
    b.observer.call(row('live', now.t - 30_000, { endedAt: new Date(now.t - 1000), outcome: 'abandoned' }));
    await b.seed();
    expect(b.tiles()[0]!.tally).toMatchObject({ offered: 2, answered: 1, answerWaitMs: 10_000, handleMs: 30_000, abandoned: 1, stillWaiting: 0 });
    b.stop();
  });

  it('a new day on the site clock starts from zero; a call that arrived before midnight stays with its day', () => {
    const now = { t: DAY1 };
    const { b } = board({ now });
    const r = row('late', DAY1, { answeredAt: new Date(DAY1 + 5000) });
    b.observer.call(r);
    b.observer.event(answered('late', DAY1 + 5000));
    expect(b.tiles()[0]).toMatchObject({ day: '2026-12-01', tally: { offered: 1, answered: 1 } });
    now.t = DAY1 + 3 * 60_000; // 00:01 the next day: the call ends
    b.observer.call({ ...r, endedAt: new Date(now.t), outcome: 'completed' });
    expect(b.tiles()[0]).toMatchObject({ day: '2026-12-02', tally: { offered: 0, answered: 0, handled: 0 } });
    b.observer.call(row('new', now.t));
    expect(b.tiles()[0]!.tally).toMatchObject({ offered: 1, stillWaiting: 1 });
    b.stop();
  });

  it("today is the site's zone's: 23:30 UTC is already tomorrow in Berlin", () => {
    const now = { t: Date.UTC(2026, 11, 1, 23, 30) };
    const { b } = board({ now, tz: 'Europe/Berlin' });
    expect(b.tiles()[0]).toMatchObject({ day: '2026-12-02', timeZone: 'Europe/Berlin' });
    b.stop();
  });

  it('a changed service-level threshold re-counts the queue', () => {
    const now = { t: DAY1 - 3_600_000 };
    const { b, setQueue } = board({ now });
    b.observer.call(row('c', now.t, { answeredAt: new Date(now.t + 15_000) }));
    b.observer.event(answered('c', now.t + 15_000));
    expect(b.tiles()[0]!.tally.answeredInTarget).toBe(1);
    setQueue(queue(10));
    expect(b.tiles()[0]).toMatchObject({ slThresholdSec: 10, tally: { answered: 1, answeredInTarget: 0 } });
    b.stop();
  });

  it('waiting, longest wait, callbacks waiting and staffing come from the live call book and roster', () => {
    const now = { t: DAY1 - 3_600_000 };
    const q = queue(20, ['op1', 'op2', 'op3']);
    const agents = [
      { operatorId: 'op1', state: 'talking', notReady: null },
      { operatorId: 'op2', state: 'not_ready', notReady: { cause: 'chosen', code: 'lunch', label: 'Lunch' } },
      { operatorId: 'other', state: 'ready', notReady: null },
    ] as unknown as Agent[];
    const calls = [
      { queue: q, status: 'queued', arrivedAt: now.t - 30_000 },
      { queue: q, status: 'offering', arrivedAt: now.t - 10_000 },
      { queue: q, status: 'connected', arrivedAt: now.t - 90_000 },
      // asked to be called back 2 min ago: waits for its turn, but nobody is on the line
      { queue: q, status: 'queued', arrivedAt: now.t - 120_000, callback: { number: '+441632960001', requestedAt: now.t - 100_000, attempts: 0, dueAt: now.t } },
    ] as unknown as LiveCall[];
    const { b } = board({ now, q, agents, calls });
    expect(b.tiles()[0]).toMatchObject({ waiting: 2, callbacksWaiting: 1, oldestWaitingSince: now.t - 30_000, staffing: { ready: 0, talking: 1, notReady: 1, notReadyByReason: { Lunch: 1 } } });
    b.stop();
  });
});
