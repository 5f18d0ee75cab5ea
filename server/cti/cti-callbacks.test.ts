import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import type { CallView } from '../contracts/socket-events';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { CALLBACK_GRACE_SEC } from './queued-callbacks';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * Queued callback decided by the CTI, with a scripted bank (the test plays the ACD: DTMF INFOs,
 * the confirmation, the dials) and the real store: the caller presses the queue's key, hears the
 * confirmation and is released; the call keeps its place; when Oscar is ready he is reserved,
 * the caller's number is dialled through the trunk, then his device bridged to it. Refused for
 * a caller without a number and for a number outside the allowed prefixes; a failed try frees
 * the operator and waits before the next.
 */
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const L2 = 'leg-00000000000000a2';
const X1 = 'leg-00000000000000e1';
const D1 = 'leg-00000000000000d1';
const UK = 'sip:+441632960123@carrier.invalid';

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let views: CallView[];
let clock: number;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.dialPrefix.create({ data: { id: 'p-uk', prefix: '+44', label: 'UK' } });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { callbackDigit: '1', wrapUpSec: 0 } });
}, 90_000);
afterAll(async () => db.close());

beforeEach(async () => {
  bank = new ScriptedBank();
  views = [];
  clock = 1_000_000;
  const notifier: CtiNotifier = { agentChanged: () => undefined, callOffered: () => undefined, callChanged: (v) => void views.push(v) };
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    now: () => (clock += 10),
  });
  cti.start();
  cti.operatorConnected(OP2);
  cti.chooseDevice(OP2.id, 'browser');
  await cti.configChanged({ entity: '*', id: null });
}, 30_000);

afterEach(async () => {
  await cti.stop();
});

const lastCall = () => views.at(-1)!.callId;
async function timeline(callId: string): Promise<string[]> {
  await cti.flush();
  return (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((r) => r.type);
}

const OWN_CLIPS = 'say-callback-number,say-n4,say-n4,say-n1,say-n6,say-n3,say-n2,say-n9,say-n6,say-n0,say-n1,say-n2,say-n3,say-callback-confirm';

/** A caller waits (nobody ready) and presses 1: their number is read back and they are asked to confirm. */
async function callbackAsked(legId: string, callerUri = UK): Promise<string> {
  const before = bank.announced.length;
  bank.offerLeg({ legId, callerUri });
  // the waiting announcement offers the callback ("…press one")
  await until(() => bank.announced.length === before + 1, 3000, 'callback offer announced');
  const id = lastCall();
  expect(bank.announced[before]).toEqual({ legId, clip: 'say-callback-press,say-n1', then: 'music' });
  bank.pressDtmf(legId, '1');
  await until(() => bank.announced.length === before + 2, 3000, 'number read back');
  return id;
}

/** Keys pressed on the caller's leg, then the confirmation; the ACD releases them after it. */
async function confirmedWith(legId: string, keys: string): Promise<void> {
  for (const k of keys) bank.pressDtmf(legId, k);
  await until(() => bank.announced.some((a) => a.clip === 'say-callback-ok'), 5000, 'confirmation');
  expect(bank.announced.at(-1)).toEqual({ legId, clip: 'say-callback-ok' });
  bank.endLeg(legId, 'played');
}

async function callbackRequested(legId: string, callerUri = UK): Promise<string> {
  const id = await callbackAsked(legId, callerUri);
  expect(bank.announced[1]).toEqual({ legId, clip: OWN_CLIPS, then: 'music' });
  await confirmedWith(legId, '1#'); // 1 and # at once (1 alone confirms after a 3 s pause)
  return id;
}

describe('queued callback', { timeout: 20_000 }, () => {
  it('the caller confirms their number, is released, keeps their place, and is called back and bridged when Oscar is ready', async () => {
    const id = await callbackRequested(L1);
    expect(cti.getCall(id)).toMatchObject({ status: 'queued', callback: true }); // the leg is gone, the call is not (supervision: "Callback waiting")
    expect(cti.waitingInQueue(DEMO.queue.id)).toBe(1);
    // a second caller arrives later and waits behind the callback
    bank.offerLeg({ legId: L2, callerUri: 'sip:+441632960999@carrier.invalid' });
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 2, 3000, 'second caller');
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    // Oscar reserved first, then the callback's number through the trunk, not bridged to anything, naming the inbound caller's leg for the ACD's check
    await until(() => bank.dials.length === 1, 3000, 'callback dial');
    expect(bank.dials[0]!.req).toEqual({ deviceUri: 'sip:+441632960123@patchbay.local;user=phone', bridgeTo: null, ringTimeoutSec: 45, callbackFor: L1 });
    expect(cti.getAgent(OP2.id)?.state).toBe('reserved');
    bank.dials[0]!.answer(X1);
    // the caller answered: Oscar's device rings, bridged to the caller's new leg
    await until(() => bank.dials.length === 2, 3000, 'device dial');
    expect(bank.dials[1]!.req).toMatchObject({ bridgeTo: X1 });
    expect(bank.dials[1]!.req.record).toBeUndefined(); // the queue does not record
    expect(bank.dials[1]!.req.deviceUri).toMatch(/^sip:dev-/);
    bank.dials[1]!.answer(D1);
    await until(() => cti.getCall(id)?.status === 'connected', 3000, 'connected');
    expect(cti.getAgent(OP2.id)?.state).toBe('talking');
    expect(cti.getCall(id)?.callback).toBeUndefined(); // an ordinary call now (a transfer would not call back again)
    // the caller hangs up: the CTI releases Oscar's device, as for any call
    bank.endLeg(X1, 'remote-bye');
    expect(bank.released).toContain(D1);
    expect(cti.getCall(id)).toMatchObject({ status: 'ended', endedBy: 'caller' });
    expect(await timeline(id)).toEqual(['arrived', 'announcement', 'callback-confirming', 'announcement', 'callback-requested', 'callback-dial', 'callback-answered', 'answered', 'caller-hangup', 'device-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'completed', operatorId: OP2.id, acdLegId: X1, queueId: DEMO.queue.id });
    // the second caller is next
    await until(() => bank.dials.length === 3, 3000, 'next caller offered');
    expect(bank.dials[2]!.req).toMatchObject({ bridgeTo: L2 });
  });

  it('1 alone confirms after a short pause; another number keyed with # is the one called back', async () => {
    const a = await callbackAsked(L1);
    bank.pressDtmf(L1, '1');
    await until(() => bank.announced.some((x) => x.clip === 'say-callback-ok'), 6000, 'confirmed after the pause');
    bank.endLeg(L1, 'played');
    expect(cti.getCall(a)).toMatchObject({ status: 'queued', callback: true });
    const b = await callbackAsked(L2, 'sip:+441632960999@carrier.invalid');
    await confirmedWith(L2, '00441632960555#');
    await cti.flush();
    const keyed = await db.prisma.callEvent.findFirstOrThrow({ where: { callId: b, type: 'callback-number-keyed' } });
    expect(keyed.data).toEqual({ number: '+44•••••555', ok: true });
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'first callback dial');
    bank.dials[0]!.fail(486, 'Busy Here');
    // Oscar is ready again; the second callback is offered and dials the number keyed, for its own caller's leg
    await until(() => bank.dials.length === 2, 3000, 'second callback dial');
    expect(bank.dials[1]!.req).toEqual({ deviceUri: 'sip:+441632960555@patchbay.local;user=phone', bridgeTo: null, ringTimeoutSec: 45, callbackFor: L2 });
  });

  it('a caller without a callable number is asked for one; a bad one is refused with a retry, then they keep waiting on the line', async () => {
    bank.offerLeg({ legId: L1, callerUri: 'sip:web-caller@patchbay.local' });
    await until(() => bank.announced.length === 1, 3000, 'offer');
    const web = lastCall();
    bank.pressDtmf(L1, '1');
    await until(() => bank.announced.length === 2, 3000, 'asked for a number');
    expect(bank.announced[1]).toEqual({ legId: L1, clip: 'say-callback-enter', then: 'music' });
    for (const k of '12#') bank.pressDtmf(L1, k); // "+12": not E.164
    await until(() => bank.announced.length === 3, 3000, 'refused, retry');
    expect(bank.announced[2]).toEqual({ legId: L1, clip: 'say-callback-bad,say-callback-enter', then: 'music' });
    for (const k of '15551234567#') bank.pressDtmf(L1, k); // E.164, but no prefix allows +1
    await until(() => bank.announced.length === 4, 3000, 'refused, kept waiting');
    expect(bank.announced[3]).toEqual({ legId: L1, clip: 'say-callback-bad,say-callback-kept', then: 'music' });
    bank.pressDtmf(L1, '7'); // the dialogue is over: nothing
    await cti.flush();
    expect(bank.announced).toHaveLength(4);
    expect(cti.getCall(web)?.status).toBe('queued');
    expect(cti.getCall(web)?.callback).toBeUndefined();
    const events = await db.prisma.callEvent.findMany({ where: { callId: web, type: { in: ['callback-number-keyed', 'callback-refused'] } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['callback-number-keyed', { number: null, ok: false, reason: 'not an international number' }],
      ['callback-number-keyed', { number: '+15•••••567', ok: false, reason: 'not under an allowed dialling prefix' }],
      ['callback-refused', { reason: 'not under an allowed dialling prefix' }],
    ]);
    expect(bank.released).toEqual([]);
    expect(bank.dials).toEqual([]);
  });

  it('an operator who frees up during the keypad dialogue takes the call at once; the keys then mean nothing', async () => {
    const id = await callbackAsked(L1);
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'offered to Oscar');
    expect(bank.dials[0]!.req).toMatchObject({ bridgeTo: L1 }); // the caller's own leg: an ordinary offer
    bank.pressDtmf(L1, '1');
    bank.pressDtmf(L1, '#');
    bank.dials[0]!.answer(D1);
    await until(() => cti.getCall(id)?.status === 'connected', 3000, 'connected');
    await new Promise((r) => setTimeout(r, 200));
    expect(bank.announced.map((a) => a.clip)).not.toContain('say-callback-ok');
    expect(cti.getCall(id)?.callback).toBeUndefined();
  });

  it('a try the caller does not answer frees Oscar and the callback waits the queue’s retry time at its place', async () => {
    const id = await callbackRequested(L1);
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'callback dial');
    bank.dials[0]!.fail(486, 'Busy Here');
    await until(() => cti.getAgent(OP2.id)?.state === 'ready', 3000, 'Oscar ready again');
    expect(cti.getCall(id)?.status).toBe('queued');
    await new Promise((r) => setTimeout(r, 300));
    expect(bank.dials).toHaveLength(1); // not tried again at once
    expect(await timeline(id)).toEqual(['arrived', 'announcement', 'callback-confirming', 'announcement', 'callback-requested', 'callback-dial', 'dial-failed', 'requeued']);
    const requeued = await db.prisma.callEvent.findFirstOrThrow({ where: { callId: id, type: 'requeued' } });
    expect(Date.parse((requeued.data as { callbackDueAt: string }).callbackDueAt) - clock).toBeGreaterThan(50_000); // the default 60 s
  });
});

describe('per-queue callback rules and recording', { timeout: 20_000 }, () => {
  afterEach(async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { callbackTries: 3, callbackRetrySec: 60, callbackExpiryMin: 60, recordingPolicy: 'never' } });
  });

  async function withQueue(data: { callbackTries?: number; callbackRetrySec?: number; callbackExpiryMin?: number; recordingPolicy?: string }) {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
  }

  it('one try: a failed try gives the callback up', async () => {
    await withQueue({ callbackTries: 1 });
    const id = await callbackRequested(L1);
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'callback dial');
    bank.dials[0]!.fail(480, 'Temporarily Unavailable');
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'given up');
    expect((await timeline(id)).slice(-3)).toEqual(['dial-failed', 'callback-failed', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'failed' });
    expect(cti.getAgent(OP2.id)?.state).toBe('ready');
  });

  it('a retry that would fall past the expiry gives the callback up as expired', async () => {
    await withQueue({ callbackRetrySec: 3600, callbackExpiryMin: 5 });
    const id = await callbackRequested(L1);
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'callback dial');
    bank.dials[0]!.fail(486, 'Busy Here');
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'expired');
    await cti.flush();
    const ev = await db.prisma.callEvent.findFirstOrThrow({ where: { callId: id, type: 'callback-expired' } });
    expect(ev.data).toEqual({ attempts: 1, expiryMin: 5 });
  });

  it('an always-recorded queue records the callback bridge like any call', async () => {
    await withQueue({ recordingPolicy: 'always' });
    const id = await callbackRequested(L1);
    clock += CALLBACK_GRACE_SEC * 1000;
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 1, 3000, 'callback dial');
    expect(bank.dials[0]!.req.record).toBeUndefined(); // the number alone: nothing to record yet
    bank.dials[0]!.answer(X1);
    await until(() => bank.dials.length === 2, 3000, 'device dial');
    expect(bank.dials[1]!.req).toMatchObject({ bridgeTo: X1, record: true });
    const file = `${X1}-${D1}.wav`;
    bank.dials[1]!.answer(D1, file);
    await until(() => cti.getCall(id)?.status === 'connected', 3000, 'connected');
    await cti.flush();
    const answered = await db.prisma.callEvent.findFirstOrThrow({ where: { callId: id, type: 'answered' } });
    expect(answered.data).toMatchObject({ recording: file });
  });
});
