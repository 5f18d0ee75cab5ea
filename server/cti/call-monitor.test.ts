import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { MonitorView } from '../contracts/monitor';
import { AppError } from '../contracts/result';
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
const SUP: AuthUser = { id: 'u-sup', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const L1 = 'leg-00000000000000a1';
const D1 = 'leg-00000000000000d1';
const S1 = 'leg-00000000000000e1';

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let pushed: MonitorView[];

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  bank = new ScriptedBank();
  pushed = [];
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined, monitorChanged: (_s, v) => void pushed.push(v) },
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
});
