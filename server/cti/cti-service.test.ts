import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import { AppError } from '../contracts/result';
import type { AgentView, CallOffer, CallView } from '../contracts/socket-events';
import { CtiService, type CtiNotifier, type CtiServiceOptions } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const D1 = 'leg-00000000000000d1';
const D2 = 'leg-00000000000000d2';

class Recorder implements CtiNotifier {
  agents: AgentView[] = [];
  offers: Array<{ operatorId: string; offer: CallOffer }> = [];
  calls: CallView[] = [];
  agentChanged(v: AgentView) {
    this.agents.push(v);
  }
  callOffered(operatorId: string, offer: CallOffer) {
    this.offers.push({ operatorId, offer });
  }
  callChanged(v: CallView) {
    this.calls.push(v);
  }
}

let db: Database;
let bank: ScriptedBank;
let notes: Recorder;
let cti: CtiService;
let clock: number;

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
  bank = new ScriptedBank();
  notes = new Recorder();
  clock = 1_000_000;
  cti = makeCti();
  cti.start();
}, 30_000);

function makeCti(journal?: CtiServiceOptions['journal']): CtiService {
  return new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: notes,
    logger: createLogger('silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 30,
    now: () => (clock += 10),
    ...(journal ? { journal } : {}),
  });
}

afterEach(async () => {
  await cti.stop();
  await db.close();
});

function signInReady(user: AuthUser): string {
  cti.operatorConnected(user);
  const grant = cti.chooseDevice(user.id, 'browser');
  cti.setReady(user.id);
  return grant.aor;
}

async function timeline(callId: string): Promise<string[]> {
  await cti.flush();
  const rows = await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => r.type);
}

const state = (id: string) => cti.getAgent(id)?.state ?? 'offline';

describe('CtiService', () => {
  it('the supervision roster lists every active operator: signed-in ones live, the rest offline, deactivated ones not at all', async () => {
    const before = await cti.supervisionSnapshot();
    expect(before.agents.map((a) => [a.operatorId, a.state, a.since])).toEqual([
      ['u-op1', 'offline', 0],
      ['u-op2', 'offline', 0],
    ]);
    signInReady(OP1);
    await cti.flush();
    await db.prisma.user.update({ where: { id: 'u-op2' }, data: { active: false } });
    const after = await cti.supervisionSnapshot();
    expect(after.agents).toEqual([expect.objectContaining({ operatorId: OP1.id, state: 'ready', device: 'browser' })]);
    cti.operatorDisconnected(OP1.id);
    await until(() => state(OP1.id) === 'offline', 3000, 'signed out after the grace period');
    await cti.flush();
    await db.prisma.user.update({ where: { id: 'u-op2' }, data: { active: true } });
    const later = await cti.supervisionSnapshot();
    // a signed-out operator stays on the roster, offline, with the time of their last change
    expect(later.agents.map((a) => [a.operatorId, a.state])).toEqual([
      ['u-op1', 'offline'],
      ['u-op2', 'offline'],
    ]);
    expect(later.agents[0]!.since).toBeGreaterThan(0);
  });

  it('a clean stop writes every row still held by the write-behind: the call, its whole timeline, the state log', async () => {
    // a batch interval longer than the test, so the rows are surely still held when it stops
    // (with the default 150 ms a loaded machine wrote them before the check)
    await cti.stop();
    cti = makeCti({ intervalMs: 60_000 });
    cti.start();
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'dial');
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking', 3000, 'answered');
    bank.endLeg(L1, 'remote-bye');
    const callId = cti.adminSnapshot().calls[0]!.callId;
    // the rows are still waiting for their batch
    expect(await db.prisma.callEvent.count({ where: { callId } })).toBe(0);
    await cti.stop();
    const types = (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((r) => r.type);
    expect(types).toEqual(['arrived', 'offered', 'answered', 'caller-hangup', 'device-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id: callId } })).toMatchObject({ outcome: 'completed', endedBy: 'caller', operatorId: OP1.id });
    const moves = await db.prisma.agentStateLog.findMany({ where: { userId: OP1.id }, orderBy: { id: 'asc' } });
    // everything that happened before the stop (its wrap-up timer, cleared by the stop, never fired)
    expect(moves.map((m) => m.to)).toEqual(['not_ready', 'ready', 'reserved', 'talking', 'wrap_up']);
  });

  it('connects a caller to the ready operator and releases the device when the caller hangs up', async () => {
    const aor = signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'dial');
    const dial = bank.dials[0]!;
    expect(dial.req).toEqual({ deviceUri: aor, bridgeTo: L1, ringTimeoutSec: 20 });
    expect(state(OP1.id)).toBe('reserved');
    expect(notes.offers).toHaveLength(1);
    expect(notes.offers[0]!.operatorId).toBe(OP1.id);
    const callId = notes.offers[0]!.offer.callId;

    dial.ring();
    dial.answer(D1);
    await until(() => state(OP1.id) === 'talking', 3000, 'talking');
    expect(cti.getCall(callId)?.status).toBe('connected');

    bank.endLeg(L1, 'remote-bye');
    expect(bank.released).toEqual([D1]);
    expect(cti.getCall(callId)).toMatchObject({ status: 'ended', endedBy: 'caller' });
    expect(state(OP1.id)).toBe('wrap_up');
    await until(() => state(OP1.id) === 'ready', 3000, 'ready after wrap-up');

    expect(await timeline(callId)).toEqual(['arrived', 'offered', 'device-ringing', 'answered', 'caller-hangup', 'device-release', 'ended']);
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(row).toMatchObject({ acdLegId: L1, dialed: '+15550100', queueId: DEMO.queue.id, operatorId: OP1.id, endedBy: 'caller', outcome: 'completed' });
    expect(row.offeredAt && row.answeredAt && row.endedAt).toBeTruthy();
    expect(row.arrivedAt <= row.offeredAt! && row.offeredAt! <= row.answeredAt! && row.answeredAt! <= row.endedAt!).toBe(true);
    const log = await db.prisma.agentStateLog.findMany({ where: { userId: OP1.id }, orderBy: { id: 'asc' } });
    expect(log.map((l) => l.to)).toEqual(['not_ready', 'ready', 'reserved', 'talking', 'wrap_up', 'ready']);
  });

  it('releases the caller when the operator hangs up first', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking');
    const callId = notes.offers[0]!.offer.callId;
    bank.endLeg(D1, 'remote-bye');
    expect(bank.released).toEqual([L1]);
    expect(await timeline(callId)).toEqual(['arrived', 'offered', 'answered', 'device-hangup', 'caller-release', 'ended']);
    expect(cti.getCall(callId)).toMatchObject({ endedBy: 'operator' });
  });

  it('a device lost past the ACD\'s grace (transport-lost) puts the caller back in its queue, first, and offers it to the next operator', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking');
    const callId = notes.offers[0]!.offer.callId;
    bank.endLeg(D1, 'transport-lost');
    // the caller is not released: the ACD parked it with music
    expect(bank.released).toEqual([]);
    expect(cti.getCall(callId)?.status).toBe('queued');
    expect(state(OP1.id)).not.toBe('talking');
    signInReady(OP2);
    await until(() => bank.dials.length === 2, 3000, 'second dial');
    expect(bank.dials[1]!.req.bridgeTo).toBe(L1);
    bank.dials[1]!.answer(D2);
    await until(() => state(OP2.id) === 'talking');
    expect(cti.getCall(callId)).toMatchObject({ status: 'connected' });
    const tl = await timeline(callId);
    expect(tl.slice(0, 4)).toEqual(['arrived', 'offered', 'answered', 'device-lost']);
    expect(tl.slice(-2)).toEqual(['offered', 'answered']);
  });

  it("a browser line reported down: Ready becomes Not ready (device) at once, no call is offered, Ready is refused with why until it is back", async () => {
    signInReady(OP1);
    expect(cti.lineChanged(OP1.id, false)).toMatchObject({ state: 'not_ready', notReady: { cause: 'device', label: 'Your phone line dropped' } });
    bank.offerLeg({ legId: L1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(bank.dials).toHaveLength(0);
    expect(() => cti.setReady(OP1.id)).toThrow(/phone line is down/);
    // reported again (a reconnecting socket) changes nothing; back up: they choose Ready, and the caller is offered
    expect(cti.lineChanged(OP1.id, false)).toMatchObject({ state: 'not_ready' });
    expect(cti.lineChanged(OP1.id, true)).toMatchObject({ state: 'not_ready' });
    expect(cti.setReady(OP1.id)).toMatchObject({ state: 'ready' });
    await until(() => bank.dials.length === 1, 3000, 'the dial once the line is back');
  });

  it('a browser line down in wrap-up: when the wrap-up ends the operator is Not ready (device), not Ready; a new grant is a new line', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
    await cti.stop();
    cti = makeCti();
    cti.start();
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking');
    // a line that drops while talking moves nothing: the ACD's grace decides the call
    expect(cti.lineChanged(OP1.id, false)).toMatchObject({ state: 'talking' });
    bank.endLeg(L1, 'remote-bye');
    expect(state(OP1.id)).toBe('wrap_up');
    await until(() => state(OP1.id) !== 'wrap_up', 5000, 'wrap-up over');
    expect(notes.agents.at(-1)).toMatchObject({ state: 'not_ready', notReady: { cause: 'device', label: 'Your phone line dropped' } });
    cti.chooseDevice(OP1.id, 'browser');
    expect(cti.setReady(OP1.id)).toMatchObject({ state: 'ready' });
  });

  it('a failed dial makes the operator not_ready and re-routes to the next longest idle operator', async () => {
    signInReady(OP1);
    signInReady(OP2);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    expect(notes.offers[0]!.operatorId).toBe(OP1.id); // ready first: idle the longest
    bank.dials[0]!.fail(408, 'No Answer');
    await until(() => bank.dials.length === 2, 3000, 'second dial');
    expect(state(OP1.id)).toBe('not_ready');
    expect(state(OP2.id)).toBe('reserved');
    expect(bank.dials[1]!.req.bridgeTo).toBe(L1);
    bank.dials[1]!.answer(D2);
    await until(() => state(OP2.id) === 'talking');
    const callId = notes.offers[0]!.offer.callId;
    expect(await timeline(callId)).toEqual(['arrived', 'offered', 'dial-failed', 'no-answer', 'requeued', 'offered', 'answered']);
  });

  it('a caller who hangs up while the device rings: dial cancelled, operator back to ready, call abandoned', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    const callId = notes.offers[0]!.offer.callId;
    bank.endLeg(L1, 'remote-bye');
    expect(bank.dials[0]!.cancelled).toBe(true);
    await until(() => state(OP1.id) === 'ready');
    expect(await timeline(callId)).toEqual(['arrived', 'offered', 'caller-hangup', 'ended']);
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(row).toMatchObject({ endedBy: 'caller', outcome: 'abandoned', answeredAt: null });
  });

  it('a queued call waits until an operator becomes ready', async () => {
    cti.operatorConnected(OP1);
    cti.chooseDevice(OP1.id, 'browser');
    bank.offerLeg({ legId: L1 });
    await until(() => (cti.adminSnapshot().calls[0]?.queue ?? null) !== null, 3000, 'queued');
    expect(bank.dials).toHaveLength(0);
    expect(cti.setReady(OP1.id).state).toBe('ready');
    await until(() => bank.dials.length === 1, 3000, 'dial after ready');
    expect(state(OP1.id)).toBe('reserved');
  });

  it('releases a caller whose number no queue serves', async () => {
    bank.offerLeg({ legId: L1, dialed: '+15559999999' });
    await until(() => bank.released.length === 1);
    expect(bank.released).toEqual([L1]);
    const call = cti.adminSnapshot().calls[0]!;
    expect(call).toMatchObject({ status: 'ended', endedBy: 'system' });
    expect(await timeline(call.callId)).toEqual(['arrived', 'caller-release', 'ended']);
  });

  it('validates commands through the state machine', async () => {
    expect(() => cti.setReady(OP1.id)).toThrowError(expect.objectContaining({ code: 'CONFLICT' }) as Error);
    cti.operatorConnected(OP1);
    expect(() => cti.setReady(OP1.id)).toThrowError(/device/);
    const err: unknown = await cti.setNotReady(OP1.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('ILLEGAL_TRANSITION');
    cti.chooseDevice(OP1.id, 'browser');
    expect(cti.setReady(OP1.id).state).toBe('ready');
    expect((await cti.setNotReady(OP1.id, { reason: 'lunch' })).state).toBe('not_ready');
  });

  it('signs an operator out after the disconnect grace period, not before a reconnect', async () => {
    cti.operatorConnected(OP1);
    cti.operatorDisconnected(OP1.id);
    cti.operatorConnected(OP1); // a reload
    await new Promise((r) => setTimeout(r, 60));
    expect(state(OP1.id)).toBe('not_ready');
    cti.operatorDisconnected(OP1.id);
    await until(() => cti.getAgent(OP1.id) === null, 2000, 'sign out');
    expect(notes.agents.at(-1)).toMatchObject({ operatorId: OP1.id, state: 'offline' });
  });

  it('releases a caller who waited longer than the queue allows', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { maxWaitSec: 1 } });
    // the portal's change notification (server/main.ts wires it): the routing cache reads again
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    bank.offerLeg({ legId: L1 });
    await until(() => bank.released.length === 1, 4000, 'caller released after max wait');
    expect(bank.released).toEqual([L1]);
    const call = cti.adminSnapshot().calls[0]!;
    expect(call).toMatchObject({ status: 'ended', endedBy: 'system' });
    expect(await timeline(call.callId)).toEqual(['arrived', 'max-wait', 'caller-release', 'ended']);
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: call.callId } });
    expect(row.outcome).toBe('timeout');
  });

  it('an operator who leaves while their device rings is signed out and the call goes to the next operator', async () => {
    signInReady(OP1);
    signInReady(OP2);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    expect(bank.dials[0]!.req.deviceUri).toContain('dev-');
    cti.operatorDisconnected(OP1.id);
    await until(() => cti.getAgent(OP1.id) === null, 2000, 'OP1 signed out');
    expect(bank.dials[0]!.cancelled).toBe(true);
    await until(() => bank.dials.length === 2, 2000, 'offer to OP2');
    expect(state(OP2.id)).toBe('reserved');
  });

  it('keeps an operator who leaves mid-call until the call ends, then signs them out', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking');
    cti.operatorDisconnected(OP1.id);
    await new Promise((r) => setTimeout(r, 80));
    expect(state(OP1.id)).toBe('talking');
    bank.endLeg(L1);
    expect(bank.released).toEqual([D1]);
    expect(cti.getAgent(OP1.id)).toBeNull();
  });

  it('rings nobody while the bank is not registered, and routes once it is', async () => {
    bank.ready = false;
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => (cti.adminSnapshot().calls[0]?.queue ?? null) !== null, 3000, 'queued');
    await new Promise((r) => setTimeout(r, 20));
    expect(bank.dials).toHaveLength(0);
    expect(state(OP1.id)).toBe('ready');
    bank.register();
    expect(bank.dials).toHaveLength(1);
    expect(state(OP1.id)).toBe('reserved');
  });

  it('a device that is not registered (404) makes its operator not_ready', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.fail(404, 'Not Found');
    await until(() => state(OP1.id) === 'not_ready');
    await cti.flush();
    const last = await db.prisma.agentStateLog.findFirstOrThrow({ where: { userId: OP1.id }, orderBy: { id: 'desc' } });
    expect(last).toMatchObject({ from: 'reserved', to: 'not_ready', reason: expect.stringContaining('device unreachable') });
    expect(cti.adminSnapshot().calls[0]).toMatchObject({ status: 'queued', operatorId: null });
  });

  it('stop() removes its bank listeners and is safe twice', async () => {
    // legOffered, legEnded, registered — and recovery's registered (its settle timer, call-recovery.ts)
    expect(bank.listenerCount()).toBe(4);
    await cti.stop();
    await cti.stop();
    expect(bank.listenerCount()).toBe(0);
  });
});
