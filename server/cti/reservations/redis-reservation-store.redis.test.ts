import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { reservationContract } from './reservation-contract';
import { RedisReservationStore } from './redis-reservation-store';

// the machine's Redis (docs/cti.md); each test under its own key prefix, removed after it — never FLUSHALL
const URL = 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
const admin = new Redis(URL);
const TTL = 400;

afterAll(() => admin.quit());

async function dropPrefix(prefix: string): Promise<void> {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
}

async function nodes(prefix: string, ids: string[]): Promise<RedisReservationStore[]> {
  return Promise.all(ids.map((nodeId) => RedisReservationStore.open({ url: URL, prefix, nodeId, logger, heartbeatTtlMs: TTL })));
}

describe('RedisReservationStore on the real Redis', () => {
  reservationContract(async () => {
    const prefix = `pbtest:${randomUUID()}:`;
    const [a, b] = (await nodes(prefix, ['node-a', 'node-b'])) as [RedisReservationStore, RedisReservationStore];
    return {
      a,
      b,
      kill: async (node) => {
        (node as RedisReservationStore).crash();
        await new Promise((r) => setTimeout(r, TTL + 150));
      },
      close: async () => {
        await a.close();
        await b.close();
        await dropPrefix(prefix);
      },
    };
  });

  it('two clients racing for the same 50 operators, 40 rounds: each operator goes to exactly one, and the store agrees', { timeout: 30_000 }, async () => {
    const prefix = `pbtest:${randomUUID()}:`;
    const [a, b] = (await nodes(prefix, ['race-a', 'race-b'])) as [RedisReservationStore, RedisReservationStore];
    try {
      const ops = Array.from({ length: 50 }, (_, i) => `op${i}`);
      let wonA = 0;
      let wonB = 0;
      for (let round = 0; round < 40; round++) {
        // each node asks for every operator, one request each, interleaved on the two connections
        const tries = ops.flatMap((op) => [
          a.reserve([{ operatorId: op, callId: `a${round}` }]).then(([ok]) => ({ op, node: 'a', ok })),
          b.reserve([{ operatorId: op, callId: `b${round}` }]).then(([ok]) => ({ op, node: 'b', ok })),
        ]);
        const results = await Promise.all(tries);
        for (const op of ops) {
          const winners = results.filter((r) => r.op === op && r.ok).map((r) => r.node);
          expect(winners, `${op} in round ${round}`).toHaveLength(1);
          const h = await a.holder(op);
          expect(h?.nodeId).toBe(winners[0] === 'a' ? 'race-a' : 'race-b');
          if (winners[0] === 'a') wonA++;
          else wonB++;
          await (winners[0] === 'a' ? a : b).release(op);
        }
      }
      expect(wonA + wonB).toBe(2000);
      // both connections won some: the race was real, not one client always first
      expect(Math.min(wonA, wonB)).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
      await dropPrefix(prefix);
    }
  });

  it('fast-check: random concurrent reserve/release from three nodes never lets two believe they hold one operator', { timeout: 60_000 }, async () => {
    const Step = fc.record({ node: fc.integer({ min: 0, max: 2 }), op: fc.integer({ min: 0, max: 5 }), release: fc.boolean(), batch: fc.integer({ min: 1, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(Step, { minLength: 20, maxLength: 120 }), async (steps) => {
        const prefix = `pbtest:${randomUUID()}:`;
        const stores = await nodes(prefix, ['fc-0', 'fc-1', 'fc-2']);
        // who believes they hold each operator: added on a true answer, removed before the release is sent
        const believers = new Map<string, Set<number>>();
        const held = (op: string) => believers.get(op) ?? believers.set(op, new Set()).get(op)!;
        let violations = 0;
        try {
          await Promise.all(
            steps.map(async (s, i) => {
              const store = stores[s.node]!;
              const ids = Array.from({ length: s.batch }, (_, k) => `op${(s.op + k) % 6}`);
              if (s.release) {
                for (const id of ids) {
                  if (!held(id).has(s.node)) continue;
                  held(id).delete(s.node);
                  await store.release(id);
                }
                return;
              }
              const got = await store.reserve(ids.map((operatorId) => ({ operatorId, callId: `c${i}` })));
              got.forEach((ok, k) => {
                if (!ok) return;
                const who = held(ids[k]!);
                for (const other of who) if (other !== s.node) violations++;
                who.add(s.node);
              });
            }),
          );
        } finally {
          await Promise.all(stores.map((x) => x.close()));
          await dropPrefix(prefix);
        }
        expect(violations).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('a node whose own heartbeat lapsed (partitioned, or stopped) reserves nothing', async () => {
    const prefix = `pbtest:${randomUUID()}:`;
    const [a] = (await nodes(prefix, ['lonely'])) as [RedisReservationStore];
    try {
      await admin.del(`${prefix}node:lonely`);
      expect(await a.reserve([{ operatorId: 'op1', callId: 'c1' }])).toEqual([false]);
    } finally {
      await a.close();
      await dropPrefix(prefix);
    }
  });
});
