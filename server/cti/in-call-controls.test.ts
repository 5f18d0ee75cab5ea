import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { AppError } from '../contracts/result';
import type { CallOffer } from '../contracts/socket-events';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

/**
 * The operator's in-call controls, decided by the CTI over a scripted bank (the ACD's side of
 * each request is tested in ua-bank.controls.integration.test.ts, the whole path with real media
 * in cti-controls.integration.test.ts): what is sent on which leg, the refusals in words, and
 * that nothing is left stuck after one.
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
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 30 } });
  bank = new ScriptedBank();
  offers = [];
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: (operatorId, offer) => void offers.push({ operatorId, offer }), callChanged: () => undefined },
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
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

/** A caller answered by OP1's device D1; the call's id. */
async function answeredCall(): Promise<string> {
  signInReady(OP1);
  bank.offerLeg({ legId: L1 });
  await until(() => bank.dials.length === 1, 3000, 'dial');
  bank.dials[0]!.answer(D1);
  await until(() => cti.getAgent(OP1.id)?.state === 'talking', 3000, 'talking');
  return cti.getAgent(OP1.id)!.callId!;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as AppError | null;
  if (!err) throw new Error('expected a refusal');
  return { code: err.code, message: err.message };
}

async function timeline(callId: string): Promise<string[]> {
  await cti.flush();
  return (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((r) => r.type);
}

describe('in-call controls', () => {
  it('holds and resumes on the caller’s leg, mutes on the operator’s; a second hold is refused in words', async () => {
    const id = await answeredCall();
    expect(await cti.holdCall(OP1.id, id, true)).toMatchObject({ status: 'held', muted: false });
    expect(await refusal(cti.holdCall(OP1.id, id, true))).toEqual({ code: 'ILLEGAL_TRANSITION', message: 'The call is already on hold.' });
    expect(cti.getAgent(OP1.id)?.state).toBe('talking');
    expect(await cti.holdCall(OP1.id, id, false)).toMatchObject({ status: 'connected' });
    expect(await refusal(cti.holdCall(OP1.id, id, false))).toMatchObject({ message: 'The call is not on hold.' });
    expect(await cti.muteCall(OP1.id, id, true)).toMatchObject({ status: 'connected', muted: true });
    expect(await refusal(cti.muteCall(OP1.id, id, true))).toMatchObject({ message: 'You are already muted.' });
    // mute stays through hold
    expect(await cti.holdCall(OP1.id, id, true)).toMatchObject({ status: 'held', muted: true });
    expect(await refusal(cti.sendDtmf(OP1.id, id, '1'))).toMatchObject({ message: 'Take the call off hold to use the keypad.' });
    await cti.holdCall(OP1.id, id, false);
    expect(await cti.muteCall(OP1.id, id, false)).toMatchObject({ muted: false });
    expect(await cti.sendDtmf(OP1.id, id, '12#')).toMatchObject({ status: 'connected' });
    expect(bank.controls.sent).toEqual([`hold ${L1}`, `resume ${L1}`, `mute ${D1}`, `hold ${L1}`, `resume ${L1}`, `unmute ${D1}`, `dtmf ${L1} 12#`]);
    expect(await timeline(id)).toEqual(['arrived', 'offered', 'answered', 'held', 'resumed', 'muted', 'held', 'resumed', 'unmuted', 'dtmf-sent']);
  });

  it('a second request while the first is on its way waits for it; an ACD refusal leaves nothing stuck', async () => {
    const id = await answeredCall();
    let open!: () => void;
    bank.controls.gate = new Promise((r) => (open = r));
    const first = cti.holdCall(OP1.id, id, true);
    expect(await refusal(cti.holdCall(OP1.id, id, true))).toMatchObject({ code: 'CONFLICT', message: 'Wait a moment: your last request is still being carried out.' });
    open();
    await first;
    bank.controls.gate = null;
    bank.controls.answer = () => ({ ok: false, status: 486, reason: 'Leg Busy' });
    expect(await refusal(cti.holdCall(OP1.id, id, false))).toMatchObject({ code: 'UNAVAILABLE', message: 'The phone system could not do that just now. Try again.' });
    expect(cti.getCall(id)?.status).toBe('held');
    bank.controls.answer = () => ({ ok: true });
    expect(await cti.holdCall(OP1.id, id, false)).toMatchObject({ status: 'connected' });
  });

  it('a control on an ended call, on someone else’s call or on no call is refused with a reason', async () => {
    const id = await answeredCall();
    signInReady(OP2);
    expect(await refusal(cti.holdCall(OP2.id, id, true))).toEqual({ code: 'FORBIDDEN', message: 'This is not your call.' });
    expect(await refusal(cti.holdCall(OP1.id, 'call-0000000000000000', true))).toEqual({ code: 'NOT_FOUND', message: 'There is no such call.' });
    bank.endLeg(L1);
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'ended');
    for (const p of [cti.holdCall(OP1.id, id, true), cti.muteCall(OP1.id, id, true), cti.sendDtmf(OP1.id, id, '5'), cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: OP2.id })]) {
      expect(await refusal(p)).toEqual({ code: 'CONFLICT', message: 'This call has ended.' });
    }
    // the call ended while a request was on its way: the ACD's 481 in words
    const id2 = await (async () => {
      cti.setReady(OP1.id);
      bank.offerLeg({ legId: 'leg-00000000000000a2' });
      await until(() => bank.dials.length === 2, 3000, 'dial 2');
      bank.dials[1]!.answer('leg-00000000000000d3');
      await until(() => cti.getAgent(OP1.id)?.state === 'talking' || cti.getAgent(OP2.id)?.state === 'talking', 3000, 'talking');
      return cti.getCall(cti.getAgent(OP1.id)?.callId ?? cti.getAgent(OP2.id)!.callId!)!.callId;
    })();
    const owner = cti.getCall(id2)!.operatorId!;
    bank.controls.answer = () => ({ ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' });
    expect(await refusal(cti.muteCall(owner, id2, true))).toEqual({ code: 'CONFLICT', message: 'This call has ended.' });
    expect(cti.getCall(id2)?.muted).toBe(false);
  });

  it('blind transfer to a Ready operator: the first device is released, they wrap up, the caller is offered to the chosen one', async () => {
    const id = await answeredCall();
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: 'u-nobody' }))).toEqual({ code: 'NOT_FOUND', message: 'That operator is not signed in.' });
    cti.operatorConnected(OP2);
    cti.chooseDevice(OP2.id, 'browser');
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: OP2.id }))).toMatchObject({ code: 'CONFLICT', message: 'Oscar Operator is not Ready to take a call.' });
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: OP1.id }))).toMatchObject({ code: 'BAD_REQUEST' });
    cti.setReady(OP2.id);
    expect((await cti.transferTargets(OP1.id)).operators).toEqual([{ operatorId: OP2.id, name: 'Oscar Operator' }]);
    await cti.holdCall(OP1.id, id, true);
    const v = await cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: OP2.id });
    expect(v.status).toBe('offering');
    expect(bank.released).toEqual([D1]);
    expect(cti.getAgent(OP1.id)).toMatchObject({ state: 'wrap_up', callId: null, wrapUp: { callId: id } });
    // the first operator's notes still go to the call they handed on
    expect(await cti.saveCallNotes(OP1.id, { callId: id, notes: 'Passed to Oscar for billing', disposition: null })).toMatchObject({ notes: 'Passed to Oscar for billing' });
    expect(cti.getAgent(OP2.id)).toMatchObject({ state: 'reserved', callId: id });
    expect(bank.dials[1]!.req).toMatchObject({ bridgeTo: L1 });
    bank.dials[1]!.answer(D2);
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 3000, 'OP2 talking');
    expect(cti.getCall(id)).toMatchObject({ status: 'connected', operatorId: OP2.id, muted: false });
    // the first operator's device is gone from the call: its end changes nothing
    bank.endLeg(D1);
    expect(cti.getCall(id)?.status).toBe('connected');
    bank.endLeg(L1);
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'ended');
    expect(bank.released).toEqual([D1, D2]);
    expect(await timeline(id)).toEqual(['arrived', 'offered', 'answered', 'held', 'transferred', 'device-release', 'offered', 'answered', 'caller-hangup', 'device-release', 'ended']);
  });

  it('blind transfer to an operator who does not answer: the caller waits in the queue, first in line', async () => {
    // no miss cool-down here, so the same operator may be offered the call again at once
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategyParams: { missCooldownSec: 0 } } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    const id = await answeredCall();
    signInReady(OP2);
    await cti.transferCall(OP1.id, id, { kind: 'operator', operatorId: OP2.id });
    bank.dials[1]!.fail(408, 'Request Timeout');
    await until(() => cti.getCall(id)?.status === 'queued', 3000, 'queued again');
    expect(cti.getAgent(OP2.id)?.state).toBe('not_ready');
    // a later caller does not go ahead of the transferred one
    bank.offerLeg({ legId: 'leg-00000000000000a9' });
    await cti.flush();
    cti.setReady(OP2.id);
    await until(() => bank.dials.length === 3, 3000, 'offered again');
    expect(bank.dials[2]!.req.bridgeTo).toBe(L1);
  });

  it('blind transfer to a queue: the caller waits there with their arrival time kept', async () => {
    const id = await answeredCall();
    const arrivedAt = cti.getCall(id)!.arrivedAt;
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'queue', queueId: 'q-missing' }))).toEqual({ code: 'NOT_FOUND', message: 'That queue does not exist any more.' });
    const { queues } = await cti.transferTargets(OP1.id);
    expect(queues.map((q) => q.id)).toContain(DEMO.queue.id);
    const v = await cti.transferCall(OP1.id, id, { kind: 'queue', queueId: DEMO.queue.id });
    expect(v).toMatchObject({ status: 'queued', operatorId: null, arrivedAt });
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    expect(bank.released).toEqual([D1]);
  });
});

describe('blind transfer to an outside number', () => {
  it('is refused without an outbound trunk or outside the allowed prefixes; then the ACD dials the number bridged to the caller; a failure puts the caller back in the queue', async () => {
    const id = await answeredCall();
    expect((await cti.transferTargets(OP1.id)).numbers).toBe(false);
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'number', e164: '+442079460000' }))).toEqual({ code: 'CONFLICT', message: 'Calls to outside numbers are not set up here: ask your administrator.' });
    expect(cti.getCall(id)?.status).toBe('connected');
    await db.prisma.trunk.create({ data: { id: 't-1', name: 'Carrier', host: '127.0.0.1' } });
    expect((await cti.transferTargets(OP1.id)).numbers).toBe(true);
    // toll fraud: a number outside the admin's allowed prefixes is refused, the call stays as it was
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'number', e164: '+442079460000' }))).toEqual({ code: 'BAD_REQUEST', message: 'Calls to this number are not allowed here.' });
    expect(cti.getCall(id)?.status).toBe('connected');
    await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+44', label: 'UK' } });
    await cti.configChanged({ entity: 'dial_prefix', id: 'dp-uk' });
    expect(await cti.transferCall(OP1.id, id, { kind: 'number', e164: '+442079460000' })).toMatchObject({ status: 'forwarding', operatorId: null });
    expect(bank.released).toEqual([D1]);
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    expect(bank.dials[1]!.req).toMatchObject({ deviceUri: 'sip:+442079460000@patchbay.local;user=phone', bridgeTo: L1 });
    // handed to the number, the call is no longer the operator's: by design, their controls are refused with words
    expect(cti.getCall(id)).toMatchObject({ forwardedTo: '+44•••••000' });
    expect(await refusal(cti.holdCall(OP1.id, id, true))).toEqual({ code: 'CONFLICT', message: 'You transferred this call to an outside number, so it is no longer on your line: it cannot be held, transferred or changed from your console.' });
    const sent = bank.controls.sent.length;
    bank.dials[1]!.fail(404, 'No Route To Number');
    await until(() => cti.getCall(id)?.status === 'queued', 3000, 'back in the queue');
    expect(cti.getCall(id)?.forwardedTo).toBeUndefined();
    expect(bank.controls.sent.length).toBe(sent);
  });
});

describe('consultation and conference', () => {
  const D3 = 'leg-00000000000000d3';
  async function consulting(): Promise<string> {
    const id = await answeredCall();
    signInReady(OP2);
    expect(await cti.consultCall(OP1.id, id, OP2.id)).toMatchObject({ status: 'held', consult: { state: 'dialing', operatorId: OP2.id, name: 'Oscar Operator' } });
    expect(bank.dials[1]!.req).toMatchObject({ bridgeTo: D1 });
    // the first offer was the caller's, to OP1; the consultation's, to OP2, says who asks
    expect(offers.map((o) => [o.operatorId, o.offer.consultFrom])).toEqual([
      [OP1.id, null],
      [OP2.id, { operatorName: 'Olivia Operator' }],
    ]);
    expect(offers[1]!.offer).toMatchObject({ callId: id, pressOne: false });
    // their console reads the caller's earlier calls too; the notes stay the first operator's
    expect(await cti.callerHistory(OP2.id, id)).toEqual({ number: null, calls: [] });
    expect(await refusal(cti.saveCallNotes(OP2.id, { callId: id, notes: 'x', disposition: null }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusal(cti.consultStep(OP1.id, id, 'complete'))).toMatchObject({ message: 'The other operator has not answered yet.' });
    bank.dials[1]!.answer(D3);
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 3000, 'OP2 talking');
    expect(cti.getCall(id)?.consult?.state).toBe('consulting');
    expect(await refusal(cti.holdCall(OP1.id, id, false))).toMatchObject({ message: 'Finish or cancel the consultation first.' });
    return id;
  }

  it('swap and complete: the caller is re-bridged to the second operator, the first device released', async () => {
    const id = await consulting();
    expect(await cti.consultStep(OP1.id, id, 'swap')).toMatchObject({ status: 'connected', consult: { state: 'swapped' } });
    expect(await cti.consultStep(OP1.id, id, 'swap')).toMatchObject({ status: 'held', consult: { state: 'consulting' } });
    expect(await cti.consultStep(OP1.id, id, 'complete')).toMatchObject({ status: 'connected', operatorId: OP2.id, consult: null });
    expect(bank.controls.sent.slice(1)).toEqual([`hold ${D3}`, `resume ${L1}`, `hold ${L1}`, `resume ${D3}`, `bridge ${D3} ${L1}`]);
    expect(bank.released).toEqual([D1]);
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    expect(cti.getAgent(OP2.id)).toMatchObject({ state: 'talking', callId: id });
    bank.endLeg(L1);
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'ended');
    expect(bank.released).toEqual([D1, D3]);
  });

  it('cancel: the second operator is released and the caller taken off hold', async () => {
    const id = await consulting();
    expect(await cti.consultStep(OP1.id, id, 'cancel')).toMatchObject({ status: 'connected', operatorId: OP1.id, consult: null });
    expect(bank.released).toEqual([D3]);
    expect(bank.controls.sent.at(-1)).toBe(`resume ${L1}`);
    expect(cti.getAgent(OP2.id)?.state).toBe('wrap_up');
    expect(await refusal(cti.consultStep(OP1.id, id, 'cancel'))).toMatchObject({ message: 'You are not consulting anyone on this call.' });
  });

  it('conference: the held caller joins the operators’ call; the caller hanging up releases both devices', async () => {
    const id = await consulting();
    expect(await cti.consultStep(OP1.id, id, 'conference')).toMatchObject({ status: 'connected', consult: { state: 'conference' } });
    expect(bank.controls.sent.at(-1)).toBe(`join ${L1} ${D1} talk`);
    expect(await refusal(cti.consultStep(OP1.id, id, 'swap'))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    bank.endLeg(L1);
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'ended');
    expect(bank.released.sort()).toEqual([D1, D3].sort());
    expect(cti.getAgent(OP2.id)?.state).toBe('wrap_up');
  });

  it('the second operator does not answer: the caller stays on hold, the first operator can take them back', async () => {
    const id = await answeredCall();
    signInReady(OP2);
    await cti.consultCall(OP1.id, id, OP2.id);
    bank.dials[1]!.fail(408, 'Request Timeout');
    await until(() => cti.getCall(id)?.consult === null, 3000, 'consult over');
    expect(cti.getAgent(OP2.id)?.state).toBe('not_ready');
    expect(await cti.holdCall(OP1.id, id, false)).toMatchObject({ status: 'connected' });
  });
  it('to an outside number: refused outside the allowed prefixes before anything is held or dialled; then the number is rung bridged to the operator’s device; a number that does not answer leaves the caller on hold; cancel releases it', async () => {
    const id = await answeredCall();
    await db.prisma.trunk.create({ data: { id: 't-1', name: 'Carrier', host: '127.0.0.1' } });
    expect(await refusal(cti.consultCall(OP1.id, id, { number: '+442079460000' }))).toEqual({ code: 'BAD_REQUEST', message: 'Calls to this number are not allowed here.' });
    expect(bank.dials).toHaveLength(1);
    expect(bank.controls.sent).toEqual([]);
    expect(cti.getCall(id)?.status).toBe('connected');
    await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+44', label: 'UK' } });
    await cti.configChanged({ entity: 'dial_prefix', id: 'dp-uk' });

    expect(await cti.consultCall(OP1.id, id, { number: '+442079460000' })).toMatchObject({ status: 'held', consult: { state: 'dialing', operatorId: null, number: '+442079460000', name: '+442079460000' } });
    expect(bank.dials[1]!.req).toMatchObject({ deviceUri: 'sip:+442079460000@patchbay.local;user=phone', bridgeTo: D1 });
    bank.dials[1]!.fail(486, 'Busy Here');
    await until(() => cti.getCall(id)?.consult === null, 3000, 'consult over');
    expect(cti.getCall(id)).toMatchObject({ status: 'held', operatorId: OP1.id });

    await cti.consultCall(OP1.id, id, { number: '+442079460000' });
    bank.dials[2]!.answer(D3);
    await until(() => cti.getCall(id)?.consult?.state === 'consulting', 3000, 'consulting the number');
    expect(await cti.consultStep(OP1.id, id, 'cancel')).toMatchObject({ status: 'connected', operatorId: OP1.id, consult: null });
    expect(bank.released).toEqual([D3]);
    expect(await timeline(id)).toEqual(expect.arrayContaining(['consult', 'consult-ended', 'consult-answered']));
  });

  it('to an outside number, completed: the caller is re-bridged to the number, the operator wraps up and the call is nobody’s', async () => {
    const id = await answeredCall();
    await db.prisma.trunk.create({ data: { id: 't-1', name: 'Carrier', host: '127.0.0.1' } });
    await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+44', label: 'UK' } });
    await cti.configChanged({ entity: 'dial_prefix', id: 'dp-uk' });
    await cti.consultCall(OP1.id, id, { number: '+442079460000' });
    bank.dials[1]!.answer(D3);
    await until(() => cti.getCall(id)?.consult?.state === 'consulting', 3000, 'consulting the number');
    expect(await cti.consultStep(OP1.id, id, 'complete')).toMatchObject({ status: 'connected', operatorId: null, consult: null });
    expect(bank.controls.sent.at(-1)).toBe(`bridge ${D3} ${L1}`);
    expect(bank.released).toEqual([D1]);
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    expect(cti.getCall(id)).toMatchObject({ forwardedTo: '+44•••••000' });
    expect(await refusal(cti.transferCall(OP1.id, id, { kind: 'queue', queueId: DEMO.queue.id }))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('You transferred this call to an outside number') });
    bank.endLeg(D3);
    await until(() => cti.getCall(id)?.status === 'ended', 3000, 'ended when the number hangs up');
    expect(bank.released).toEqual([D1, L1]);
  });
});
