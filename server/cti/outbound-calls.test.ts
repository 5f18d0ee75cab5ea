import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

/**
 * Click-to-dial's decisions with a scripted bank (the SIP path to a carrier is proved with SIPp in
 * test/trunks/cti-outbound.integration.test.ts): the order of the two dials, a number that does not
 * answer, a device that does not answer, and that
 * no queue's call reaches an operator who is dialling.
 */
const OP: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const N1 = 'leg-00000000000000b1';
const D1 = 'leg-00000000000000d1';
const NUMBER = '+447700900123';

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let aor: string;

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+44', label: 'UK' } });
  await db.prisma.queue.updateMany({ data: { wrapUpSec: 0 } });
  bank = new ScriptedBank();
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined },
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
  });
  cti.start();
  cti.operatorConnected(OP);
  aor = cti.chooseDevice(OP.id, 'browser').aor;
}, 30_000);

afterEach(async () => {
  await cti.stop();
  await db.close();
});

const state = () => cti.getAgent(OP.id)?.state;

describe('outbound calls', () => {
  it('dials the number alone through a trunk, then the operator’s device bridged to it; a queue’s caller is not offered meanwhile', async () => {
    cti.setReady(OP.id);
    const view = await cti.dialNumber(OP.id, NUMBER);
    expect(bank.dials[0]!.req).toEqual({ deviceUri: `sip:${NUMBER}@patchbay.local;user=phone`, bridgeTo: null, ringTimeoutSec: 60 });
    expect(state()).toBe('reserved');
    bank.offerLeg({ legId: 'leg-00000000000000a1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(bank.dials).toHaveLength(1);
    bank.dials[0]!.answer(N1);
    await until(() => bank.dials.length === 2, 3000, 'device dial');
    expect(bank.dials[1]!.req).toEqual({ deviceUri: aor, bridgeTo: N1, ringTimeoutSec: 30 });
    bank.dials[1]!.answer(D1);
    await until(() => state() === 'talking', 3000, 'talking');
    expect(cti.getCall(view.callId)).toMatchObject({ status: 'connected', dialed: NUMBER, operatorId: OP.id });
    // the number hangs up: the CTI releases the operator's device
    bank.endLeg(N1);
    expect(bank.released).toEqual([D1]);
    expect(cti.getCall(view.callId)).toMatchObject({ status: 'ended', endedBy: 'caller' });
  });

  it('a number that does not answer leaves a Ready operator Ready; a Not ready one says why', async () => {
    cti.setReady(OP.id);
    await cti.dialNumber(OP.id, NUMBER);
    bank.dials[0]!.fail(486, 'Busy Here');
    await until(() => state() === 'ready', 3000, 'ready again');
    await cti.setNotReady(OP.id);
    const second = await cti.dialNumber(OP.id, NUMBER);
    bank.dials[1]!.fail(480, 'Temporarily Unavailable');
    await until(() => state() === 'not_ready', 3000, 'not ready');
    expect(cti.getAgent(OP.id)?.notReady?.label).toBe('The number you dialled did not answer');
    await cti.flush();
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: second.callId } });
    expect(row).toMatchObject({ direction: 'outbound', outcome: 'failed', endedBy: 'system' });
  });

  it('a device that does not answer releases the number and makes the operator Not ready, saying why', async () => {
    await cti.dialNumber(OP.id, NUMBER);
    bank.dials[0]!.answer(N1);
    await until(() => bank.dials.length === 2, 3000, 'device dial');
    bank.dials[1]!.fail(408, 'Request Timeout');
    await until(() => state() === 'not_ready', 3000, 'not ready');
    expect(bank.released).toEqual([N1]);
    expect(cti.getAgent(OP.id)?.notReady?.label).toBe('Your phone did not answer the call you dialled');
  });
});
