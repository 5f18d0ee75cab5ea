import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { AgentView, CallOffer, CallView } from '../contracts/socket-events';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

// After-call work, not-ready reasons, a missed offer and the caller's context: the service's
// decisions with a scripted bank and the real store (PGlite), as cti-service.test.ts does.
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const CALLER = 'sip:+442079460958@carrier.example';

class Recorder implements CtiNotifier {
  agents: AgentView[] = [];
  offers: CallOffer[] = [];
  calls: CallView[] = [];
  agentChanged(v: AgentView) {
    this.agents.push(v);
  }
  callOffered(_op: string, offer: CallOffer) {
    this.offers.push(offer);
  }
  callChanged(v: CallView) {
    this.calls.push(v);
  }
}

let db: Database;
let bank: ScriptedBank;
let notes: Recorder;
let cti: CtiService;
let leg = 0;

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  // wrap-up long enough to write notes; the screen pop names the caller's number and the call
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 30, screenPopUrl: 'https://crm.example.com/find?phone={number}&call={callId}' } });
  await db.prisma.queueMember.deleteMany({ where: { queueId: DEMO.queue.id, userId: { not: OP1.id } } });
  bank = new ScriptedBank();
  notes = new Recorder();
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: notes,
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 30,
  });
  cti.start();
}, 60_000);

afterEach(async () => {
  await cti.stop();
  await db.close();
});

const agent = () => cti.getAgent(OP1.id)!;

/** A call from CALLER answered by OP1 and hung up by the caller: OP1 is in wrap-up. */
async function callToWrapUp(): Promise<string> {
  const n = bank.dials.length + 1;
  const id = String(++leg).padStart(2, '0');
  const callerLeg = `leg-00000000000000${id}`;
  const deviceLeg = `leg-000000000000d0${id}`;
  if (agent().state !== 'ready') cti.setReady(OP1.id);
  bank.offerLeg({ legId: callerLeg, callerUri: CALLER });
  await until(() => bank.dials.length === n, 3000, 'dial');
  const callId = notes.offers.at(-1)!.callId;
  bank.dials[n - 1]!.answer(deviceLeg);
  await until(() => agent().state === 'talking', 3000, 'talking');
  bank.endLeg(callerLeg);
  await until(() => agent().state === 'wrap_up', 3000, 'wrap-up');
  return callId;
}

describe('after-call work', () => {
  beforeEach(() => {
    cti.operatorConnected(OP1);
    cti.chooseDevice(OP1.id, 'browser');
    cti.setReady(OP1.id);
  });

  it('saves notes and a disposition with the call, ends wrap-up early, and stores when', async () => {
    const callId = await callToWrapUp();
    const w = agent().wrapUp!;
    expect(w).toMatchObject({ callId, extended: false, extendSec: 30 });
    // the console learns of the wrap-up in the same push that says wrap_up (no push without it)
    expect(notes.agents.filter((v) => v.state === 'wrap_up').every((v) => v.wrapUp?.callId === callId)).toBe(true);
    expect(w.endsAt - Date.now()).toBeGreaterThan(25_000);

    const saved = await cti.saveCallNotes(OP1.id, { callId, notes: '  Wants a refund; call back Friday  ', disposition: 'callback' });
    expect(saved).toEqual({ callId, notes: 'Wants a refund; call back Friday', disposition: { code: 'callback', label: 'Call back' } });
    expect(cti.setReady(OP1.id).state).toBe('ready'); // early, long before the 30 s
    expect(agent().wrapUp).toBeNull();
    await cti.flush();
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(row).toMatchObject({ notes: 'Wants a refund; call back Friday', dispositionCode: 'callback', wrapUpExtended: false, callerNumber: '+442079460958' });
    expect(row.wrapUpEndedAt).not.toBeNull();
  });

  it('extends wrap-up once, by the queue time; a second extension and one outside wrap-up are refused', async () => {
    await callToWrapUp();
    const before = agent().wrapUp!.endsAt;
    const since = agent().since;
    const v = cti.extendWrapUp(OP1.id);
    expect(v.state).toBe('wrap_up');
    expect(v.wrapUp).toMatchObject({ extended: true, endsAt: before + 30_000 });
    expect(v.since).toBe(since); // still the same wrap-up
    expect(() => cti.extendWrapUp(OP1.id)).toThrowError(expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/once/) }) as Error);
    await cti.setNotReady(OP1.id, { code: 'break' });
    expect(() => cti.extendWrapUp(OP1.id)).toThrowError(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }) as Error);
    await cti.flush();
    const row = await db.prisma.call.findFirstOrThrow({ where: { id: notes.offers.at(-1)!.callId } });
    expect(row.wrapUpExtended).toBe(true);
  });

  it('refuses a disposition not in the list, and notes on a call that is not the operator’s', async () => {
    const callId = await callToWrapUp();
    await expect(cti.saveCallNotes(OP1.id, { callId, notes: '', disposition: 'no-such' })).rejects.toMatchObject({ code: 'BAD_REQUEST', fields: { disposition: 'not in the list' } });
    await db.prisma.code.update({ where: { id: 'wd-resolved' }, data: { active: false } });
    await cti.configChanged({ entity: 'code', id: 'wd-resolved' });
    await expect(cti.saveCallNotes(OP1.id, { callId, notes: '', disposition: 'resolved' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await cti.consoleCodes(OP1.id)).disposition.map((d) => d.code)).toEqual(['callback', 'escalated']);
    await expect(cti.saveCallNotes(OP1.id, { callId: 'call-0000000000000000', notes: 'x', disposition: null })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('shows the caller’s previous calls with their outcome, disposition and notes, and the screen pop', async () => {
    const first = await callToWrapUp();
    await cti.saveCallNotes(OP1.id, { callId: first, notes: 'Asked about opening hours', disposition: 'resolved' });
    cti.setReady(OP1.id);
    const second = await callToWrapUp();
    const offer = notes.offers.at(-1)!;
    expect(offer.callerNumber).toBe('+442079460958');
    expect(offer.screenPopUrl).toBe(`https://crm.example.com/find?phone=%2B442079460958&call=${second}`);
    await cti.flush();
    const h = await cti.callerHistory(OP1.id, second);
    expect(h.number).toBe('+442079460958');
    expect(h.calls).toEqual([
      expect.objectContaining({ callId: first, outcome: 'completed', endedBy: 'caller', operatorName: 'Olivia Operator', queue: 'Support', disposition: { code: 'resolved', label: 'Resolved' }, notes: 'Asked about opening hours' }),
    ]);
  });
});

describe('not-ready reasons and a missed offer', () => {
  beforeEach(() => {
    cti.operatorConnected(OP1);
    cti.chooseDevice(OP1.id, 'browser');
  });

  it('stores the admin’s reason; an unknown one is refused and changes nothing', async () => {
    cti.setReady(OP1.id);
    await expect(cti.setNotReady(OP1.id, { code: 'nap' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(agent().state).toBe('ready');
    const v = await cti.setNotReady(OP1.id, { code: 'lunch' });
    expect(v.notReady).toEqual({ cause: 'operator', code: 'lunch', label: 'Lunch' });
    expect(cti.setReady(OP1.id).notReady).toBeNull();
    await cti.flush();
    const log = await db.prisma.agentStateLog.findMany({ where: { userId: OP1.id, to: 'not_ready' }, orderBy: { at: 'asc' } });
    expect(log.at(-1)).toMatchObject({ from: 'ready', reasonCode: 'lunch' });
  });

  it('an offer that rings out makes the operator Not ready because of a missed call; a caller leaving while it rings does not', async () => {
    cti.setReady(OP1.id);
    bank.offerLeg({ legId: 'leg-00000000000000f1' });
    await until(() => bank.dials.length === 1, 3000, 'dial');
    bank.dials[0]!.fail(408, 'Request Timeout');
    await until(() => agent().state === 'not_ready', 3000, 'not ready');
    expect(agent().notReady).toEqual({ cause: 'missed', code: null, label: 'Missed call' });
    await cti.flush();
    const log = await db.prisma.agentStateLog.findMany({ where: { userId: OP1.id, to: 'not_ready' }, orderBy: { at: 'asc' } });
    expect(log.at(-1)?.reasonCode).toBe('missed');
    bank.endLeg('leg-00000000000000f1');

    cti.setReady(OP1.id);
    bank.offerLeg({ legId: 'leg-00000000000000f2' });
    await until(() => bank.dials.length === 2, 3000, 'second dial');
    bank.endLeg('leg-00000000000000f2'); // the caller hangs up while it rings
    await until(() => agent().state === 'ready', 3000, 'ready again');
    const ended = notes.calls.filter((c) => c.status === 'ended').at(-1)!;
    expect(ended).toMatchObject({ endedBy: 'caller', answeredAt: null, operatorId: OP1.id });
  });
});
