import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import type { CallFacts } from './domain/queue-figures';
import type { BoardExchange, LiveShare, NodeLiveShare, SharedCall } from './ports/board-exchange';
import type { CallEventRow, CallRow, QueueInfo } from './ports/cti-store';
import { SNAPSHOT_STALE_MS } from './ports/routing-exchange';
import { QueueBoard } from './queue-board';

/**
 * The wallboard with several CTI nodes: boards linked by an in-memory exchange (the Redis adapter
 * is tested on the real Redis in redis-routing-exchange.redis.test.ts). Every node's tiles are
 * the whole center's: calls counted once wherever they were seen, live parts summed, a silent
 * node's part gone once stale, and no message bounced back and forth when nothing changes.
 */
const log = createLogger('silent');
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const QUEUE = {
  id: 'q1',
  name: 'Support',
  board: { slTargetPct: 80, slThresholdSec: 20, alerts: { maxWaitSec: 60, noReady: true } },
  routing: { id: 'q1', strategy: 'longest-idle', tieBreaker: 'longest-idle', tierWaitSec: 0, requiredSkills: [], members: ['op1', 'op2', 'op3'].map((operatorId) => ({ operatorId, level: 1 })) },
} as unknown as QueueInfo;

function row(id: string, arrivedAt: number, patch: Partial<CallRow> = {}): CallRow {
  return { id, acdLegId: 'l', dialed: '+1', callerId: 'x', callerNumber: null, queueId: 'q1', arrivedAt: new Date(arrivedAt), operatorId: null, offeredAt: null, answeredAt: null, endedAt: null, endedBy: null, outcome: null, notes: null, dispositionCode: null, wrapUpExtended: false, wrapUpEndedAt: null, ...patch };
}
const answered = (callId: string, at: number): CallEventRow => ({ callId, seq: 1, type: 'answered', at: new Date(at), data: { operatorId: 'op1', queueId: 'q1' } });

/** In-memory exchange between nodes: what one node publishes reaches the others (not itself), counted. */
function hub(clock: { t: number }) {
  const nodes = new Map<string, { calls: Array<(n: string, c: SharedCall[]) => void>; live: Array<(s: NodeLiveShare) => void> }>();
  const sent = { calls: 0, live: 0 };
  let muted = new Set<string>();
  const exchange = (nodeId: string): BoardExchange => {
    const mine = { calls: [] as Array<(n: string, c: SharedCall[]) => void>, live: [] as Array<(s: NodeLiveShare) => void> };
    nodes.set(nodeId, mine);
    const others = () => [...nodes.entries()].filter(([id]) => id !== nodeId).map(([, l]) => l);
    return {
      nodeId,
      publishCalls: (calls) => {
        if (muted.has(nodeId)) return;
        sent.calls++;
        const copy = JSON.parse(JSON.stringify(calls)) as SharedCall[];
        for (const o of others()) for (const l of o.calls) l(nodeId, copy);
      },
      publishLive: (share: LiveShare) => {
        if (muted.has(nodeId)) return;
        sent.live++;
        const s: NodeLiveShare = { node: nodeId, at: clock.t, queues: JSON.parse(JSON.stringify(share.queues)) as LiveShare['queues'] };
        for (const o of others()) for (const l of o.live) l(s);
      },
      onCalls: (l) => (mine.calls.push(l), () => void mine.calls.splice(mine.calls.indexOf(l), 1)),
      onLive: (l) => (mine.live.push(l), () => void mine.live.splice(mine.live.indexOf(l), 1)),
    };
  };
  return { exchange, sent, mute: (id: string) => (muted = new Set([...muted, id])) };
}

function node(h: ReturnType<typeof hub>, id: string, clock: { t: number }, o: { agents?: Agent[]; calls?: LiveCall[]; stored?: CallFacts[] } = {}) {
  const published: number[] = [];
  const b = new QueueBoard({
    queues: () => [QUEUE],
    queue: (q) => (q === 'q1' ? QUEUE : null),
    agents: () => o.agents ?? [],
    calls: () => o.calls ?? [],
    storedFacts: async () => o.stored ?? [],
    publish: () => void published.push(clock.t),
    timeZone: 'UTC',
    now: () => clock.t,
    log,
    publishMs: 1,
    exchange: h.exchange(id),
  });
  return { b, published };
}

const agent = (operatorId: string, state: string, label?: string) => ({ operatorId, state, notReady: label ? { cause: 'chosen', code: 'x', label } : null }) as unknown as Agent;

describe('QueueBoard across CTI nodes', () => {
  it("shows on every node the calls of all nodes, and sums the nodes' waiting callers and staffing", async () => {
    const clock = { t: T0 };
    const h = hub(clock);
    const a = node(h, 'cti-a', clock, { agents: [agent('op1', 'ready')], calls: [{ queue: QUEUE, status: 'queued', arrivedAt: T0 - 40_000 }] as unknown as LiveCall[] });
    const b = node(h, 'cti-b', clock, { agents: [agent('op2', 'talking'), agent('op3', 'not_ready', 'Lunch')], calls: [{ queue: QUEUE, status: 'queued', arrivedAt: T0 - 90_000 }] as unknown as LiveCall[] });
    a.b.observer.call(row('c1', T0 - 60_000, { answeredAt: new Date(T0 - 55_000), endedAt: new Date(T0 - 20_000), outcome: 'completed' }));
    a.b.observer.event(answered('c1', T0 - 55_000));
    b.b.observer.call(row('c2', T0 - 30_000, { endedAt: new Date(T0 - 15_000), outcome: 'abandoned' }));
    b.b.poke();
    await sleep(30);
    for (const n of [a, b]) {
      expect(n.b.tiles()[0]).toMatchObject({
        tally: { offered: 2, answered: 1, answeredInTarget: 1, abandoned: 1 },
        waiting: 2,
        oldestWaitingSince: T0 - 90_000,
        staffing: { ready: 1, talking: 1, notReady: 1, notReadyByReason: { Lunch: 1 } },
      });
    }
    a.b.stop();
    b.b.stop();
  });

  it('counts a call once when it moves between nodes or was read from the database at boot', async () => {
    const clock = { t: T0 };
    const h = hub(clock);
    // B started later: today's stored calls (c1 as it was stored then, still waiting) seed its board
    const stored: CallFacts[] = [{ callId: 'c1', queueId: 'q1', direction: 'inbound', arrivedAt: T0 - 60_000, firstAnsweredAt: null, endedAt: null, outcome: null, wrapUpEndedAt: null, transfers: 0 }];
    const a = node(h, 'cti-a', clock);
    const b = node(h, 'cti-b', clock, { stored });
    await b.b.seed();
    // A had it waiting, then handed it to B, where it is answered and ends
    a.b.observer.call(row('c1', T0 - 60_000));
    await sleep(20);
    b.b.observer.call(row('c1', T0 - 60_000, { answeredAt: new Date(T0 - 50_000) }));
    b.b.observer.event(answered('c1', T0 - 50_000));
    b.b.observer.call(row('c1', T0 - 60_000, { answeredAt: new Date(T0 - 50_000), endedAt: new Date(T0 - 10_000), outcome: 'completed' }));
    await sleep(30);
    for (const n of [a, b]) expect(n.b.tiles()[0]!.tally).toMatchObject({ offered: 1, answered: 1, stillWaiting: 0 });
    a.b.stop();
    b.b.stop();
  });

  it("leaves a silent node's waiting callers and operators out once its share is stale, and keeps its calls counted", async () => {
    const clock = { t: T0 };
    const h = hub(clock);
    const a = node(h, 'cti-a', clock, { agents: [agent('op1', 'ready')] });
    const b = node(h, 'cti-b', clock, { agents: [agent('op2', 'ready')], calls: [{ queue: QUEUE, status: 'queued', arrivedAt: T0 - 5_000 }] as unknown as LiveCall[] });
    b.b.observer.call(row('c1', T0 - 5_000));
    await sleep(30);
    expect(a.b.tiles()[0]).toMatchObject({ waiting: 1, staffing: { ready: 2 }, tally: { offered: 1 } });
    h.mute('cti-b');
    clock.t += SNAPSHOT_STALE_MS + 1;
    expect(a.b.tiles()[0]).toMatchObject({ waiting: 0, staffing: { ready: 1 }, tally: { offered: 1 } });
    a.b.stop();
    b.b.stop();
  });

  it('sends nothing more once nothing changes (no echo between nodes), and ignores calls of another day', async () => {
    const clock = { t: T0 };
    const h = hub(clock);
    const a = node(h, 'cti-a', clock, { agents: [agent('op1', 'ready')] });
    const b = node(h, 'cti-b', clock, { agents: [agent('op2', 'ready')] });
    a.b.observer.call(row('c1', T0 - 5_000));
    b.b.poke();
    await sleep(40);
    const settled = { ...h.sent, a: a.published.length, b: b.published.length };
    await sleep(60);
    expect({ ...h.sent, a: a.published.length, b: b.published.length }).toEqual(settled);
    expect(settled.calls).toBe(1);
    // yesterday's call arriving late from another node does not enter today's tiles; today's does
    const c = h.exchange('cti-c');
    const shared = (id: string, arrivedAt: number): SharedCall => ({ id, queueId: 'q1', direction: 'inbound', arrivedAt, answeredAt: null, endedAt: null, outcome: null, wrapUpEndedAt: null, ev: { firstAnsweredAt: null, answeredQueue: null, transfers: 0, anyAnswer: false } });
    c.publishCalls([shared('old', T0 - 86_400_000)]);
    expect(b.b.tiles()[0]!.tally.offered).toBe(1);
    c.publishCalls([shared('new', T0 - 1_000)]);
    expect(b.b.tiles()[0]!.tally.offered).toBe(2);
    a.b.stop();
    b.b.stop();
  });
});
