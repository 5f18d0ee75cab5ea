import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import type { CallOffer } from '../contracts/socket-events';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { PRESS1_BUILT_IN } from '../shared/press-one-prompt';
import { until, untilAsync } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * Press-1 accept, the CTI's decisions (the real store on PGlite, a scripted bank playing the ACD):
 * which dials ask, what each verdict does to the operator and the call, and what the timeline
 * keeps. Against the real ACD, baresip and SIPp: test/trunks/press-one.integration.test.ts.
 */
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const D1 = 'leg-00000000000000d1';
const D2 = 'leg-00000000000000d2';

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let offers: Array<{ operatorId: string; offer: CallOffer }>;

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  // SIP phones asked too, 3 s to press; two misses before Not ready (so the first one leaves Ready)
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { press1SipPhone: true, press1TimeoutSec: 3, wrapUpSec: 0, strategyParams: { maxNoAnswer: 2 } } });
  bank = new ScriptedBank();
  offers = [];
  const notifier: CtiNotifier = { agentChanged() {}, callOffered: (operatorId, offer) => void offers.push({ operatorId, offer }), callChanged() {} };
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier,
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 30,
    sipPhone: { host: '127.0.0.1', port: 5060, transports: ['UDP'] },
  });
  cti.start();
}, 30_000);

afterEach(async () => {
  await cti.stop();
  await db.close();
});

function signInReady(user: AuthUser, device: 'browser' | 'sip_phone'): void {
  cti.operatorConnected(user);
  if (device === 'browser') cti.chooseDevice(user.id, 'browser');
  else cti.chooseSipPhone(user.id);
  cti.setReady(user.id);
}
const state = (id: string) => cti.getAgent(id)?.state ?? 'offline';
async function timeline(): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  await cti.flush();
  const rows = await db.prisma.callEvent.findMany({ orderBy: [{ callId: 'asc' }, { seq: 'asc' }] });
  return rows.map((r) => ({ type: r.type, data: (r.data ?? {}) as Record<string, unknown> }));
}
/** One SIP-phone operator offered the caller, their phone answered and asked. */
async function asked(): Promise<void> {
  signInReady(OP1, 'sip_phone');
  bank.offerLeg({ legId: L1 });
  await until(() => bank.dials.length === 1, 3000, 'the phone dialled');
  bank.dials[0]!.answer(D1);
  await untilAsync(async () => (await timeline()).some((e) => e.type === 'press1-asked'), 5000, 'asked to press 1');
}

describe('press-1 accept', () => {
  it('asks a SIP phone (the queue says so) with the built-in sentence, and says so in the console', async () => {
    await asked();
    const dial = bank.dials[0]!;
    expect(dial.req).toMatchObject({ bridgeTo: L1, confirm: PRESS1_BUILT_IN });
    expect(dial.req.record).toBeUndefined();
    expect(offers.at(-1)).toMatchObject({ operatorId: OP1.id, offer: { pressOne: true } });
    // the caller is not bridged: nothing asked of the ACD yet, the operator still only reserved
    expect(bank.controls.sent).toEqual([]);
    expect(state(OP1.id)).toBe('reserved');
  });

  it('bridges on 1: the bridge is asked on the caller’s leg, the operator talks', async () => {
    await asked();
    bank.pressDtmf(D1, '1');
    await until(() => state(OP1.id) === 'talking', 3000, 'talking');
    expect(bank.controls.sent).toEqual([`bridge ${L1} ${D1}`]);
    expect(bank.released).not.toContain(D1);
    const types = (await timeline()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['press1-asked', 'press1-accepted', 'answered']));
    expect(types.indexOf('press1-accepted')).toBeLessThan(types.indexOf('answered'));
    // a second key after the verdict is nothing
    bank.pressDtmf(D1, '5');
    expect(state(OP1.id)).toBe('talking');
  });

  it('another key is no answer: the phone is released, never bridged, and the call goes to the next operator', async () => {
    await asked();
    signInReady(OP2, 'browser');
    bank.pressDtmf(D1, '5');
    await until(() => bank.dials.length === 2, 3000, 'offered to the next operator');
    expect(bank.released).toContain(D1);
    expect(bank.controls.sent).toEqual([]);
    expect(bank.dials[1]!.req.deviceUri).not.toBe(bank.dials[0]!.req.deviceUri);
    expect(bank.dials[1]!.req.confirm).toBeUndefined(); // a browser is never asked
    const ev = await timeline();
    const refused = ev.find((e) => e.type === 'press1-refused');
    expect(refused?.data).toMatchObject({ operatorId: OP1.id, reason: 'pressed_other', digit: '5', why: 'pressed 5 instead of 1' });
    expect(ev.find((e) => e.type === 'no-answer')?.data).toMatchObject({ operatorId: OP1.id, misses: 1, maxNoAnswer: 2, notReady: false });
    expect(ev.map((e) => e.type)).toContain('requeued');
    expect(state(OP1.id)).toBe('ready'); // one miss of two
  });

  it('no key in time is no answer, counted by the ring-no-answer policy (Not ready at the queue’s limit)', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategyParams: { maxNoAnswer: 1 } } });
    await cti.configChanged({ entity: '*', id: null });
    await asked();
    await until(() => bank.released.includes(D1), 8000, 'released after the 3 s');
    await until(() => state(OP1.id) === 'not_ready', 3000, 'Not ready after one miss');
    expect(cti.getAgent(OP1.id)?.notReady?.cause).toBe('missed');
    const ev = await timeline();
    expect(ev.find((e) => e.type === 'press1-refused')?.data).toMatchObject({ reason: 'timed_out', why: 'no key pressed within 3 s' });
    expect(ev.find((e) => e.type === 'no-answer')?.data).toMatchObject({ notReady: true });
    expect(bank.controls.sent).toEqual([]);
  }, 15_000);

  it('the phone hanging up is no answer (nothing to release)', async () => {
    await asked();
    bank.endLeg(D1);
    await untilAsync(async () => (await timeline()).some((e) => e.type === 'no-answer'), 5000, 'a miss');
    expect(bank.released).not.toContain(D1);
    expect((await timeline()).find((e) => e.type === 'press1-refused')?.data).toMatchObject({ reason: 'hung_up' });
  });

  it('the caller leaving while the phone is asked releases the phone, with no miss', async () => {
    await asked();
    bank.endLeg(L1);
    await until(() => bank.released.includes(D1), 3000, 'the phone released');
    await until(() => state(OP1.id) === 'ready', 3000, 'ready again');
    const types = (await timeline()).map((e) => e.type);
    expect(types).not.toContain('no-answer');
    expect(types).not.toContain('press1-refused');
    // a key arriving afterwards changes nothing
    bank.pressDtmf(D1, '1');
    expect(bank.controls.sent).toEqual([]);
  });

  it('the ACD refusing the bridge after 1 is not the operator’s miss', async () => {
    bank.controls.answer = () => ({ ok: false, status: 481, reason: 'Call Leg Gone' });
    await asked();
    bank.pressDtmf(D1, '1');
    await until(() => bank.released.includes(D1), 3000, 'the phone released');
    // not a miss, so no cool-down: the same operator is offered the call again at once
    await until(() => bank.dials.length === 2, 3000, 'offered again');
    expect(bank.dials[1]!.req.deviceUri).toBe(bank.dials[0]!.req.deviceUri);
    const types = (await timeline()).map((e) => e.type);
    expect(types).toContain('press1-accepted');
    expect(types).not.toContain('no-answer');
  });

  it('a queue that records every call starts the recording once bridged, on demand', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'always' } });
    await cti.configChanged({ entity: '*', id: null });
    await asked();
    expect(bank.dials[0]!.req.record).toBeUndefined();
    bank.pressDtmf(D1, '1');
    await until(() => bank.recordAsks.length === 1, 3000, 'recording asked');
    expect(bank.recordAsks[0]).toEqual({ legId: D1, on: true });
  });

  it('a browser, or a queue that does not ask SIP phones, dials as before', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { press1SipPhone: false } });
    await cti.configChanged({ entity: '*', id: null });
    signInReady(OP1, 'sip_phone');
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'dialled');
    expect(bank.dials[0]!.req.confirm).toBeUndefined();
    bank.dials[0]!.answer(D2);
    await until(() => state(OP1.id) === 'talking', 3000, 'talking at once');
    expect(offers.at(-1)?.offer.pressOne).toBe(false);
  });
});
