import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * The router with the real store (PGlite) and a scripted bank: ring-all and the ring-no-answer
 * policy as a queue's settings make them. The strategies' choices are in domain/routing.test.ts
 * and against the real ACD in routing.integration.test.ts.
 */
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const D2 = 'leg-00000000000000d2';

const quiet: CtiNotifier = { agentChanged() {}, callOffered() {}, callChanged() {} };

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let clock: number;

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  bank = new ScriptedBank();
  clock = 1_000_000;
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: quiet,
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 30,
    now: () => (clock += 10),
  });
  cti.start();
}, 30_000);

afterEach(async () => {
  await cti.stop();
  await db.close();
});

function signInReady(user: AuthUser): void {
  cti.operatorConnected(user);
  cti.chooseDevice(user.id, 'browser');
  cti.setReady(user.id);
}
const state = (id: string) => cti.getAgent(id)?.state ?? 'offline';
async function events(): Promise<Array<{ type: string; data: unknown }>> {
  await cti.flush();
  const rows = await db.prisma.callEvent.findMany({ orderBy: [{ callId: 'asc' }, { seq: 'asc' }] });
  return rows.map((r) => ({ type: r.type, data: r.data }));
}

describe('CallRouter', () => {
  it('ring-all dials every ready member; the first to answer wins and the others are cancelled and Ready again', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategy: 'ring-all', wrapUpSec: 0 } });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    signInReady(OP1);
    signInReady(OP2);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 2, 3000, 'both devices dialled');
    expect(state(OP1.id)).toBe('reserved');
    expect(state(OP2.id)).toBe('reserved');
    bank.dials[1]!.answer(D2);
    await until(() => state(OP2.id) === 'talking', 3000, 'winner talking');
    expect(bank.dials[0]!.cancelled).toBe(true);
    expect(bank.dials[1]!.cancelled).toBe(false);
    await until(() => state(OP1.id) === 'ready', 3000, 'loser ready again');
    const ev = await events();
    expect(ev.map((e) => e.type)).toEqual(['arrived', 'offered', 'offered', 'offer-cancelled', 'answered']);
    expect(ev[3]!.data).toMatchObject({ operatorId: OP1.id });
    const row = await db.prisma.call.findFirstOrThrow();
    expect(row.operatorId).toBe(OP2.id);
  });

  it('ring-no-answer: back to Ready below maxNoAnswer, the call goes to the next operator, Not ready after maxNoAnswer misses in a row', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategyParams: { maxNoAnswer: 2, missCooldownSec: 0 } } });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    signInReady(OP1);
    signInReady(OP2);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    const first = bank.dials[0]!.req.deviceUri;
    bank.dials[0]!.fail(408, 'Request Timeout');
    await until(() => bank.dials.length === 2, 3000, 'the next operator dialled');
    expect(bank.dials[1]!.req.deviceUri).not.toBe(first);
    const [firstOp, secondOp] = state(OP1.id) === 'ready' ? [OP1, OP2] : [OP2, OP1];
    expect(state(firstOp.id)).toBe('ready'); // 1 miss of 2: still Ready
    bank.dials[1]!.fail(408, 'Request Timeout');
    // The cool-down is 0: the call goes back to the first operator, who misses a second time.
    await until(() => bank.dials.length === 3, 3000, 'back to the first');
    expect(bank.dials[2]!.req.deviceUri).toBe(first);
    bank.dials[2]!.fail(408, 'Request Timeout');
    await until(() => state(firstOp.id) === 'not_ready', 3000, 'Not ready after 2 misses');
    await until(() => bank.dials.length === 4, 3000, 'on to the second operator again');
    bank.dials[3]!.fail(408, 'Request Timeout');
    await until(() => state(secondOp.id) === 'not_ready', 3000);
    const noAnswer = (await events()).filter((e) => e.type === 'no-answer').map((e) => e.data as { notReady: boolean; misses: number });
    expect(noAnswer.map((d) => [d.misses, d.notReady])).toEqual([
      [1, false],
      [1, false],
      [2, true],
      [2, true],
    ]);
  });

  it('a missed operator is not offered the same call again during the cool-down; the call waits for someone else', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategyParams: { maxNoAnswer: 3, missCooldownSec: 600 } } });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.fail(408, 'Request Timeout');
    await until(() => state(OP1.id) === 'ready');
    await new Promise((r) => setTimeout(r, 200));
    expect(bank.dials).toHaveLength(1); // not rung again
    signInReady(OP2);
    await until(() => bank.dials.length === 2, 3000, 'the other operator is offered it');
    expect(state(OP2.id)).toBe('reserved');
    expect((await events()).map((e) => e.type)).toEqual(['arrived', 'offered', 'dial-failed', 'no-answer', 'requeued', 'offered']);
  });

  it('a number with a caller priority puts its callers ahead of earlier ones in the queue', async () => {
    await db.prisma.number.create({ data: { e164: '+15550111', queueId: DEMO.queue.id, priority: 3 } });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    cti.operatorConnected(OP1);
    cti.chooseDevice(OP1.id, 'browser');
    bank.offerLeg({ legId: L1 }); // the demo number, priority 0, first
    bank.offerLeg({ legId: 'leg-00000000000000a2', dialed: '+15550111' });
    await until(() => cti.adminSnapshot().calls.filter((c) => c.status === 'queued' && c.queue).length === 2, 3000, 'both queued');
    cti.setReady(OP1.id);
    await until(() => bank.dials.length === 1, 3000, 'one offer');
    expect(bank.dials[0]!.req.bridgeTo).toBe('leg-00000000000000a2');
  });

  it('tiers: a level-2 member is offered the call only once it waited tierWaitSec, by the router waking up then', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategyParams: { tierWaitSec: 1 } } });
    await db.prisma.queueMember.update({ where: { queueId_userId: { queueId: DEMO.queue.id, userId: OP2.id } }, data: { level: 2 } });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    signInReady(OP2);
    const t0 = Date.now();
    bank.offerLeg({ legId: L1 });
    await until(() => cti.adminSnapshot().calls.some((c) => c.status === 'queued' && c.queue), 3000, 'queued');
    await new Promise((r) => setTimeout(r, 300));
    expect(bank.dials).toHaveLength(0); // level 1 (Olivia) is not signed in; level 2 waits
    clock += 1_000; // the service's clock (10 ms a reading here) catches up with the real second the timer waits
    await until(() => bank.dials.length === 1, 3000, 'offered to level 2 after 1 s');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(state(OP2.id)).toBe('reserved');
  });
});
