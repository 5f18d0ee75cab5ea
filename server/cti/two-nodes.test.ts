import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import type { ReservationStore } from './ports/reservation-store';
import { PrismaCtiStore } from './prisma-cti-store';
import { MemoryReservations } from './reservations/memory-reservation-store';
import { RedisReservationStore } from './reservations/redis-reservation-store';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * Two CTI nodes, one database, one reservation store: the same operator signed in on both (two
 * tabs the web passed to different nodes), a caller arriving at each node at once. The store must
 * let exactly one node ring them; the other's caller waits and is offered once the first call is
 * over. Run with the in-memory store (the answer within the pass) and the real Redis (a round trip).
 */
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const quiet: CtiNotifier = { agentChanged() {}, callOffered() {}, callChanged() {} };
const logger = createLogger('silent');

let db: Database | null = null;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await db?.close();
  db = null;
});

async function twoNodes(stores: [ReservationStore, ReservationStore]) {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
  return stores.map((reservations) => {
    const bank = new ScriptedBank();
    const cti = new CtiService({
      bank,
      store: new PrismaCtiStore(db!.prisma),
      notifier: quiet,
      logger,
      secret: 'x'.repeat(32),
      sipDomain: 'patchbay.local',
      deviceWsUrl: 'ws://127.0.0.1:5062',
      deviceCredTtlSec: 3600,
      reservations,
    });
    cti.start();
    cleanup.push(() => cti.stop());
    cti.operatorConnected(OP1);
    cti.chooseDevice(OP1.id, 'browser');
    cti.setReady(OP1.id);
    return { bank, cti };
  }) as [{ bank: ScriptedBank; cti: CtiService }, { bank: ScriptedBank; cti: CtiService }];
}

async function scenario(stores: [ReservationStore, ReservationStore]) {
  const [a, b] = await twoNodes(stores);
  await new Promise((r) => setTimeout(r, 50)); // the routing caches' first load
  a.bank.offerLeg({ legId: 'leg-00000000000000a1' });
  b.bank.offerLeg({ legId: 'leg-00000000000000b1' });
  await until(() => a.bank.dials.length + b.bank.dials.length >= 1, 15_000, 'one node dials the operator');
  await new Promise((r) => setTimeout(r, 300)); // time for a wrong second dial to show
  expect(a.bank.dials.length + b.bank.dials.length).toBe(1);
  const [first, second] = a.bank.dials.length === 1 ? [a, b] : [b, a];
  const dial = first.bank.dials[0]!;
  dial.answer('leg-00000000000000d1');
  await until(() => first.cti.getAgent(OP1.id)?.state === 'talking', 15_000, 'talking on the first node');
  // the other node's caller waits while the first call goes on
  await new Promise((r) => setTimeout(r, 2500));
  expect(second.bank.dials).toHaveLength(0);
  first.bank.endLeg(dial.req.bridgeTo!);
  await until(() => second.bank.dials.length === 1, 15_000, 'the second node offers its caller once the hold is let go');
  return { secondNode: second === a ? 'node-a' : 'node-b' };
}

describe('two CTI nodes sharing reservations', () => {
  it('in memory: one operator on both nodes is offered one call at a time', { timeout: 60_000 }, async () => {
    const shared = new MemoryReservations();
    await scenario([shared.node('node-a'), shared.node('node-b')]);
  });

  it('without a shared store the same setting rings the operator twice (the test can fail)', { timeout: 60_000 }, async () => {
    const [a, b] = await twoNodes([new MemoryReservations().node('node-a'), new MemoryReservations().node('node-b')]);
    await new Promise((r) => setTimeout(r, 50));
    a.bank.offerLeg({ legId: 'leg-00000000000000a1' });
    b.bank.offerLeg({ legId: 'leg-00000000000000b1' });
    await until(() => a.bank.dials.length + b.bank.dials.length === 2, 15_000, 'both nodes dial the one operator');
  });

  it('in Redis: one operator on both nodes is offered one call at a time', { timeout: 60_000 }, async () => {
    const prefix = `pbtest:${randomUUID()}:`;
    const open = (nodeId: string) => RedisReservationStore.open({ url: 'redis://127.0.0.1:6379', prefix, nodeId, logger });
    const stores = [await open('node-a'), await open('node-b')] as [RedisReservationStore, RedisReservationStore];
    cleanup.push(async () => {
      await Promise.all(stores.map((s) => s.close()));
      const admin = new Redis('redis://127.0.0.1:6379');
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    });
    const { secondNode } = await scenario(stores);
    // the hold in Redis is now the second node's, for its caller's call
    expect((await stores[0].holder(OP1.id))?.nodeId).toBe(secondNode);
  });
});
