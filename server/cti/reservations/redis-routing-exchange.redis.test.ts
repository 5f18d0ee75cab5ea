import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeLiveShare, QueueLiveShare, SharedCall } from '../ports/board-exchange';
import { RedisRoutingExchange } from './redis-routing-exchange';

// the machine's Redis (docs/cti.md); each test under its own key prefix — never FLUSHALL
const URL = 'redis://127.0.0.1:6379';
const admin = new Redis(URL);
afterAll(() => admin.quit());

function until<T>(get: () => T | undefined, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (Date.now() > end) return reject(new Error(`no ${what} within ${ms} ms`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const call: SharedCall = { id: 'c1', queueId: 'q1', direction: 'inbound', arrivedAt: 1_000, answeredAt: 2_000, endedAt: null, outcome: null, wrapUpEndedAt: null, ev: { firstAnsweredAt: 2_000, answeredQueue: 'q1', transfers: 0, anyAnswer: true } };
const share: QueueLiveShare = { queueId: 'q1', waiting: 3, callbacksWaiting: 1, oldestWaitingSince: 500, staffing: { ready: 1, ringing: 0, talking: 2, wrapUp: 0, notReady: 1, notReadyByReason: { Lunch: 1 } } };

describe("the wallboard's exchange on the real Redis (RedisRoutingExchange as BoardExchange)", () => {
  it("carries call changes once and live shares with a heartbeat to the other node, never back to the sender; close sends an empty share", async () => {
    const prefix = `pbtest:${randomUUID()}:`;
    const logs: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void logs.push(l) });
    const a = await RedisRoutingExchange.open({ url: URL, prefix, nodeId: 'cti-a', logger });
    const b = await RedisRoutingExchange.open({ url: URL, prefix, nodeId: 'cti-b', logger });
    try {
      const atB: { calls: Array<[string, SharedCall[]]>; live: NodeLiveShare[] } = { calls: [], live: [] };
      const atA: { calls: number; live: number } = { calls: 0, live: 0 };
      b.onCalls((node, calls) => atB.calls.push([node, calls]));
      b.onLive((s) => atB.live.push(s));
      a.onCalls(() => atA.calls++);
      a.onLive(() => atA.live++);

      a.publishCalls([call]);
      a.publishLive({ queues: [share] });
      await until(() => (atB.calls.length && atB.live.length ? true : undefined), 'messages at B');
      expect(atB.calls).toEqual([['cti-a', [call]]]);
      expect(atB.live[0]).toMatchObject({ node: 'cti-a', queues: [share] });

      // the live share comes again each second while A lives; the call change does not
      const first = atB.live.length;
      await until(() => (atB.live.length > first ? true : undefined), 'a heartbeat', 2500);
      expect(atB.calls).toHaveLength(1);
      expect(atB.live.at(-1)!.at).toBeGreaterThan(atB.live[0]!.at);
      expect(atA).toEqual({ calls: 0, live: 0 });

      // what fails the schema is dropped with a warning, never delivered
      await admin.publish(`${prefix}wallboard`, JSON.stringify({ kind: 'calls', node: 'cti-x', calls: [{ id: 'c9', queueId: 'q1' }] }));
      await admin.publish(`${prefix}wallboard`, 'not json');
      await until(() => (logs.filter((l) => l.includes('wallboard message refused')).length >= 2 ? true : undefined), 'the refusals logged');
      expect(atB.calls).toHaveLength(1);

      await a.close();
      const last = await until(() => (atB.live.at(-1)?.queues.length === 0 ? atB.live.at(-1) : undefined), 'the empty share on close');
      expect(last.node).toBe('cti-a');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
