import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * What the waiting announcements say, decided by the CTI with a scripted bank and the real
 * store: the place counts the call ringing an operator and the callers ahead; the estimate
 * learns the queue's handle time from the calls that ended; nobody serving means no estimate.
 */
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const leg = (n: number) => `leg-00000000000000a${n}`;
const dev = (n: number) => `leg-00000000000000d${n}`;

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let clock: number;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { announce: 'both', wrapUpSec: 0 } });
}, 90_000);
afterAll(async () => db.close());

beforeEach(async () => {
  bank = new ScriptedBank();
  clock = 1_000_000;
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined },
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    now: () => (clock += 10),
  });
  cti.start();
  await cti.configChanged({ entity: '*', id: null });
}, 30_000);
afterEach(async () => cti.stop());

const told = (legId: string) => bank.announced.filter((a) => a.legId === legId).map((a) => a.clip);

describe('waiting announcements', { timeout: 20_000 }, () => {
  it('the place counts the ringing call and those ahead; the wait learns the handle time of the calls that ended', async () => {
    cti.operatorConnected(OP2);
    cti.chooseDevice(OP2.id, 'browser');
    cti.setReady(OP2.id);
    // a first call, answered, 99 s of talk (and the fake clock's few ms): the queue's AHT is ~99 s (wrap-up 0)
    bank.offerLeg({ legId: leg(1) });
    await until(() => bank.dials.length === 1, 3000, 'first offer');
    bank.dials[0]!.answer(dev(1));
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 3000, 'talking');
    clock += 99_000;
    bank.endLeg(leg(1));
    await until(() => cti.getAgent(OP2.id)?.state === 'ready', 3000, 'ready again');
    expect(told(leg(1))).toEqual([]); // offered at once: never told anything

    // the second rings Oscar; the third waits at place 2: 2 × 99 s / 1 operator = 198 s → "about four minutes"
    bank.offerLeg({ legId: leg(2) });
    await until(() => bank.dials.length === 2, 3000, 'second offer');
    bank.offerLeg({ legId: leg(3) });
    await until(() => told(leg(3)).length === 1, 3000, 'third told');
    expect(told(leg(3))).toEqual(['say-you-are,say-n2,say-in-line,say-wait-is,say-n4,say-minutes']);
    expect(bank.announced.at(-1)).toMatchObject({ then: 'music' });
    // the fourth behind it: place 3, 297 s → "about five minutes"
    bank.offerLeg({ legId: leg(4) });
    await until(() => told(leg(4)).length === 1, 3000, 'fourth told');
    expect(told(leg(4))).toEqual(['say-you-are,say-n3,say-in-line,say-wait-is,say-n5,say-minutes']);
    expect(told(leg(2))).toEqual([]); // ringing: not interrupted
    for (const n of [2, 3, 4]) bank.endLeg(leg(n));
  });

  it('with nobody serving the queue, the place is said and the wait is not', async () => {
    bank.offerLeg({ legId: leg(5) });
    await until(() => told(leg(5)).length === 1, 3000, 'told');
    expect(told(leg(5))).toEqual(['say-you-are,say-n1,say-in-line']);
    await cti.flush();
    const e = await db.prisma.callEvent.findFirstOrThrow({ where: { type: 'announcement', callId: cti.adminSnapshot().calls[0]!.callId } });
    expect(e.data).toEqual({ then: 'music', position: 1, waitSec: null, clips: ['say-you-are', 'say-n1', 'say-in-line'] });
    bank.endLeg(leg(5));
  });
});
