import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { MonitorView } from '../contracts/monitor';
import type { MobileStatus } from '../contracts/socket-events';
import { AppError } from '../contracts/result';
import { MONITOR_PRESS1 } from '../shared/press-one-prompt';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

/**
 * The monitor's decisions with a scripted bank (the ACD's side and the media are proved in
 * cti-monitor.integration.test.ts): what is dialled for each mode, a phone that does not answer,
 * leaving while it rings, a mode the switch refuses, the supervisor hanging up.
 */
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
/** an admin monitors like a supervisor; the seed's admin has a user row to keep a mobile on */
const ADM: AuthUser = { id: 'u-admin', email: 'admin@patchbay.local', name: 'Ada Admin', role: 'ADMIN' };
const SUP: AuthUser = { id: 'u-sup', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const L1 = 'leg-00000000000000a1';
const D1 = 'leg-00000000000000d1';
const S1 = 'leg-00000000000000e1';

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let pushed: MonitorView[];
let mobiles: MobileStatus[];
const MOBILE = '+447700900777';

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  bank = new ScriptedBank();
  pushed = [];
  mobiles = [];
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined, monitorChanged: (_s, v) => void pushed.push(v), monitorMobileChanged: (_s, st) => void mobiles.push(st) },
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    monitorPressOneMs: 300,
  });
  cti.start();
}, 30_000);

afterEach(async () => {
  await cti.stop();
  await db.close();
});

/** A connected call: the caller's leg L1 bridged to the operator's device leg D1. */
async function connectedCall(): Promise<string> {
  cti.operatorConnected(OP1);
  cti.chooseDevice(OP1.id, 'browser');
  cti.setReady(OP1.id);
  bank.offerLeg({ legId: L1 });
  await until(() => bank.dials.length === 1, 3000, 'operator dial');
  bank.dials[0]!.answer(D1);
  await until(() => cti.getAgent(OP1.id)?.state === 'talking', 3000, 'talking');
  return cti.getAgent(OP1.id)!.callId!;
}

/** every promise reaction queued so far has run (a scripted dial's answer settles in one) */
const tick = () => new Promise((r) => setTimeout(r, 0));

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'none';
};

describe('CallMonitor', () => {
  it('dials the supervisor’s page phone into the operator’s leg in each mode; whisper is heard by the operator’s leg', async () => {
    const callId = await connectedCall();
    const grant = cti.monitorDevice(SUP);
    if (grant.kind !== 'browser') throw new Error('a browser grant was asked for');
    cti.startMonitor(SUP, callId, 'whisper');
    expect(bank.dials[1]!.req).toEqual({ deviceUri: grant.aor, bridgeTo: null, ringTimeoutSec: 30, join: { legId: D1, mode: 'whisper', whisperTo: D1 } });
    bank.dials[1]!.answer(S1);
    await until(() => cti.monitorOf(SUP.id)?.state === 'connected', 3000, 'connected');
    await cti.setMonitorMode(SUP, callId, 'barge');
    await cti.setMonitorMode(SUP, callId, 'listen');
    expect(bank.controls.sent).toEqual([`mode ${S1} talk`, `mode ${S1} listen`]);
    // the switch refuses: the mode stays and the ack says so in words
    bank.controls.answer = () => ({ ok: false, status: 409, reason: 'Not Mixed' });
    await expect(cti.setMonitorMode(SUP, callId, 'barge')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(cti.monitorOf(SUP.id)?.mode).toBe('listen');
    // the supervisor hangs up their phone: the monitoring ends, the call goes on
    bank.endLeg(S1);
    expect(cti.monitorOf(SUP.id)).toBeNull();
    expect(pushed.at(-1)).toMatchObject({ state: 'ended', reason: null });
    expect(cti.getCall(callId)?.status).toBe('connected');
    expect(bank.released).toEqual([]);
  });

  it('a phone that does not answer ends the monitoring with words; leaving while it rings cancels the dial', async () => {
    const callId = await connectedCall();
    cti.monitorDevice(SUP);
    await expect(cti.setMonitorMode(SUP, callId, 'listen')).rejects.toMatchObject({ code: 'CONFLICT', message: 'You are not on this call.' });
    cti.startMonitor(SUP, callId, 'listen');
    await expect(cti.setMonitorMode(SUP, callId, 'barge')).rejects.toMatchObject({ code: 'CONFLICT', message: 'Answer your phone first.' });
    bank.dials[1]!.fail(408, 'Request Timeout');
    await until(() => pushed.at(-1)?.state === 'ended', 3000, 'ended');
    expect(pushed.at(-1)?.reason).toBe('Your phone did not answer.');

    cti.startMonitor(SUP, callId, 'listen');
    cti.stopMonitor(SUP, callId);
    expect(bank.dials[2]!.cancelled).toBe(true);
    expect(pushed.at(-1)).toMatchObject({ state: 'ended', reason: null });
    expect(cti.monitorOf(SUP.id)).toBeNull();
    expect(cti.getCall(callId)?.status).toBe('connected');
  });

  it('the call’s end releases the supervisor’s leg; an ended call cannot be monitored', async () => {
    const callId = await connectedCall();
    cti.monitorDevice(SUP);
    cti.startMonitor(SUP, callId, 'listen');
    bank.dials[1]!.answer(S1);
    await until(() => cti.monitorOf(SUP.id)?.state === 'connected', 3000, 'connected');
    bank.endLeg(L1);
    expect(bank.released).toEqual([D1, S1]);
    expect(pushed.at(-1)).toMatchObject({ state: 'ended', reason: 'The call has ended.' });
    expect(code(() => cti.startMonitor(SUP, callId, 'listen'))).toBe('CONFLICT');
  });

  it('a supervisor’s mobile: verified with the code like an operator’s, rung through a trunk bridged to nothing, joined only on the 1', async () => {
    const callId = await connectedCall();
    await expect(cti.monitorMobile(ADM, MOBILE)).rejects.toMatchObject({ code: 'CONFLICT', fields: { e164: expect.any(String) } });
    // the verification call: the code shown on the page, typed on the phone
    const st = await cti.verifyMonitorMobile(ADM, MOBILE);
    expect(st).toMatchObject({ e164Masked: '+44•••••777', verified: false, call: 'calling', code: expect.stringMatching(/^\d{4}$/) });
    expect(bank.dials[1]!.req).toEqual({ deviceUri: `sip:${MOBILE}@patchbay.local;user=phone`, bridgeTo: null, ringTimeoutSec: 30 });
    bank.dials[1]!.answer('leg-00000000000000c1');
    for (const digit of st.code!) bank.pressDtmf('leg-00000000000000c1', digit);
    await until(() => mobiles.at(-1)?.verified === true, 3000, 'verified');
    expect(bank.released).toContain('leg-00000000000000c1');
    expect(await cti.monitorMobile(ADM, MOBILE)).toEqual({ kind: 'mobile', e164Masked: '+44•••••777' });

    // monitoring on it: a number check (no join) that asks for the 1 aloud — its voicemail must not hear the call
    expect(cti.startMonitor(ADM, callId, 'listen')).toMatchObject({ state: 'ringing', device: 'mobile' });
    expect(bank.dials[2]!.req).toEqual({ deviceUri: `sip:${MOBILE}@patchbay.local;user=phone`, bridgeTo: null, ringTimeoutSec: 30, confirm: MONITOR_PRESS1 });
    bank.dials[2]!.answer(S1);
    await tick(); // the answer settles (the page still says ringing: press 1)
    expect(cti.monitorOf(ADM.id)?.state).toBe('ringing');
    bank.pressDtmf(S1, '5'); // any other key: nothing
    // a mode chosen before the 1 is the one it joins in
    expect(await cti.setMonitorMode(ADM, callId, 'whisper')).toMatchObject({ state: 'ringing', mode: 'whisper' });
    expect(bank.controls.sent).toEqual([]);
    bank.pressDtmf(S1, '1');
    await until(() => cti.monitorOf(ADM.id)?.state === 'connected', 3000, 'joined');
    expect(bank.controls.sent).toEqual([`join ${S1} ${D1} whisper`]);
    await cti.setMonitorMode(ADM, callId, 'barge');
    expect(bank.controls.sent.at(-1)).toBe(`mode ${S1} talk`);
    cti.stopMonitor(ADM, callId);
    expect(bank.released).toContain(S1);
    expect(cti.getCall(callId)?.status).toBe('connected');
  });

  it('an answered mobile that never presses 1 (a voicemail) is hung up without hearing the call', async () => {
    const callId = await connectedCall();
    await db.prisma.user.update({ where: { id: ADM.id }, data: { mobileE164: MOBILE, mobileVerifiedAt: new Date() } });
    await cti.monitorMobile(ADM, MOBILE);
    cti.startMonitor(ADM, callId, 'listen');
    bank.dials[1]!.answer(S1);
    await until(() => pushed.at(-1)?.state === 'ended', 3000, 'given up');
    expect(pushed.at(-1)?.reason).toBe('Your mobile answered, but 1 was not pressed.');
    expect(bank.released).toEqual([S1]);
    expect(bank.controls.sent).toEqual([]);
    // a join refused by the switch (the call went meanwhile) ends it with words
    cti.startMonitor(ADM, callId, 'listen');
    bank.dials[2]!.answer('leg-00000000000000e2');
    await tick();
    bank.controls.answer = () => ({ ok: false, status: 404, reason: 'No Such Leg' });
    bank.pressDtmf('leg-00000000000000e2', '1');
    await until(() => pushed.at(-1)?.state === 'ended', 3000, 'refused');
    expect(pushed.at(-1)?.reason).toBe('The call could not be joined; it may have ended.');
    expect(bank.released).toContain('leg-00000000000000e2');
  });
});
