import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../contracts/auth';
import type { CallView } from '../contracts/socket-events';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { MAX_OVERFLOWS } from './call-diversions';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';

/**
 * Closed hours and the maximum wait, decided by the CTI with a scripted bank (the test plays the
 * ACD) and the real store: the message then release, overflow to another queue, forward to a
 * number, a schedule change applying to the next call, the overflow bound.
 */
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const L2 = 'leg-00000000000000a2';
const X1 = 'leg-00000000000000e1';
// the CTI's clock: Thursday 1 January 1970, 00:16 UTC onwards
const THURSDAY = 3;

let db: Database;
let bank: ScriptedBank;
let cti: CtiService;
let views: CallView[];
let clock: number;

// one database for the file (PGlite's start is the slow part); each test resets what it changes
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.schedule.create({ data: { id: 's-day', name: 'Daytime', timeZone: 'UTC', weekly: [] } });
  await db.prisma.schedule.create({ data: { id: 's-night', name: 'Night', timeZone: 'UTC', weekly: [] } });
  await db.prisma.queue.create({ data: { id: 'q-sales', name: 'Sales', members: { create: [{ userId: OP2.id, level: 1 }] } } });
}, 90_000);
afterAll(async () => db.close());

const RESET = { scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null, closedNumber: null };
beforeEach(async () => {
  await db.prisma.schedule.update({ where: { id: 's-day' }, data: { weekly: [{ day: THURSDAY, start: '09:00', end: '17:00' }] } });
  await db.prisma.schedule.update({ where: { id: 's-night' }, data: { weekly: [{ day: THURSDAY, start: '00:00', end: '06:00' }] } });
  await db.prisma.number.update({ where: { e164: DEMO.number }, data: RESET });
  for (const id of [DEMO.queue.id, 'q-sales']) await db.prisma.queue.update({ where: { id }, data: { ...RESET, wrapUpSec: 0, maxWaitSec: 600, maxWaitAction: 'release', maxWaitMessage: null, overflowQueueId: null, overflowNumber: null } });
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
}, 30_000);

afterEach(async () => {
  await cti.stop();
  await db.prisma.queueMember.deleteMany({ where: { queueId: DEMO.queue.id, userId: OP2.id } });
});

const lastCall = () => views.at(-1)!.callId;
const call = (id: string) => cti.getCall(id);
async function timeline(callId: string): Promise<string[]> {
  await cti.flush();
  return (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((r) => r.type);
}
// the tests edit rows directly, so they tell the CTI as the portal's change notification would
// (its caches — routing, hours — are read again; a call reads nothing on its way to an offer)
const synced = () => cti.configChanged({ entity: '*', id: null });
/** The call's stored row once the write-behind has written what it holds. */
async function storedCall(id: string) {
  await cti.flush();
  return db.prisma.call.findUniqueOrThrow({ where: { id } });
}
const setNumber = (data: Record<string, unknown>) => db.prisma.number.update({ where: { e164: DEMO.number }, data });
const setQueue = (id: string, data: Record<string, unknown>) => db.prisma.queue.update({ where: { id }, data });

describe('closed hours', { timeout: 20_000 }, () => {
  it("a closed number: the caller hears the closed message, the ACD releases them; no operator is rung", async () => {
    await setNumber({ scheduleId: 's-day', closedAudio: 'closed', closedAction: 'release' });
    cti.operatorConnected(OP2);
    cti.chooseDevice(OP2.id, 'browser');
    await db.prisma.queueMember.upsert({ where: { queueId_userId: { queueId: DEMO.queue.id, userId: OP2.id } }, create: { queueId: DEMO.queue.id, userId: OP2.id }, update: {} });
    cti.setReady(OP2.id);
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.announced.length === 1, 3000, 'announcement');
    expect(bank.announced).toEqual([{ legId: L1, clip: 'closed' }]);
    const id = lastCall();
    expect(call(id)?.status).toBe('announcing');
    expect(bank.dials).toHaveLength(0);
    bank.endLeg(L1, 'played');
    expect(call(id)).toMatchObject({ status: 'ended', endedBy: 'system' });
    expect(await timeline(id)).toEqual(['arrived', 'closed', 'announcement', 'caller-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'closed', queueId: DEMO.queue.id, operatorId: null });
  });

  it("the number's hours come first; an open number still follows its queue's hours; no schedule is always open", async () => {
    await setNumber({ scheduleId: 's-night' }); // open now
    await setQueue(DEMO.queue.id, { scheduleId: 's-day', closedAction: 'overflow_queue', closedQueueId: 'q-sales' });
    cti.operatorConnected(OP2);
    cti.chooseDevice(OP2.id, 'browser');
    cti.setReady(OP2.id);
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'dial in the overflow queue');
    const id = lastCall();
    expect(call(id)).toMatchObject({ status: 'offering', queue: 'Sales', operatorId: OP2.id });
    expect(await timeline(id)).toEqual(['arrived', 'closed', 'overflow-queue', 'offered']);
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id } });
    expect(row.queueId).toBe('q-sales');
  });

  it('a caller who hangs up during the message: ended by the caller, outcome closed; a refused announcement releases at once', async () => {
    await setNumber({ scheduleId: 's-day', closedAudio: 'closed' });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.announced.length === 1, 3000, 'announcement');
    const first = lastCall();
    bank.endLeg(L1, 'remote-bye');
    expect(call(first)).toMatchObject({ status: 'ended', endedBy: 'caller' });
    expect(await timeline(first)).toEqual(['arrived', 'closed', 'announcement', 'caller-hangup', 'ended']);

    bank.announceStatus = 486;
    await synced();
    bank.offerLeg({ legId: L2 });
    await until(() => bank.released.includes(L2), 3000, 'released after the refusal');
    const second = lastCall();
    expect(call(second)).toMatchObject({ status: 'ended', endedBy: 'system' });
    expect((await storedCall(second)).outcome).toBe('closed');
  });

  it('a schedule change applies to the next call without a restart', async () => {
    await setNumber({ scheduleId: 's-night', closedAudio: 'closed' });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => call(lastCall())?.queue === 'Support', 3000, 'queued while open');
    await cti.flush();
    expect(await timeline(lastCall())).toEqual(['arrived']);
    await db.prisma.schedule.update({ where: { id: 's-night' }, data: { weekly: [] } });
    await cti.configChanged({ entity: 'schedule', id: 's-night' });
    await synced();
    bank.offerLeg({ legId: L2 });
    await until(() => bank.announced.length > 0, 3000, 'the next call hears the closed message');
    expect(bank.announced).toEqual([{ legId: L2, clip: 'closed' }]);
    expect(bank.released).not.toContain(L1); // the call already waiting is not touched
  });

  it('closed queues overflowing into each other: bounded, then released', async () => {
    await setQueue(DEMO.queue.id, { scheduleId: 's-day', closedAction: 'overflow_queue', closedQueueId: 'q-sales' });
    await setQueue('q-sales', { scheduleId: 's-day', closedAction: 'overflow_queue', closedQueueId: DEMO.queue.id });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.released.includes(L1), 3000, 'released');
    const events = await timeline(lastCall());
    expect(events.filter((e) => e === 'overflow-queue')).toHaveLength(MAX_OVERFLOWS);
    expect(events.at(-1)).toBe('ended');
  });
});

describe('after the maximum wait', { timeout: 20_000 }, () => {
  it('release with the message: the max-wait message, outcome timeout', async () => {
    await setQueue(DEMO.queue.id, { maxWaitSec: 1, maxWaitAction: 'release', maxWaitMessage: 'sorry' });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.announced.length === 1, 4000, 'announcement after the wait');
    expect(bank.announced).toEqual([{ legId: L1, clip: 'sorry' }]);
    bank.endLeg(L1, 'played');
    const id = lastCall();
    expect(await timeline(id)).toEqual(['arrived', 'max-wait', 'announcement', 'caller-release', 'ended']);
    expect((await db.prisma.call.findUniqueOrThrow({ where: { id } })).outcome).toBe('timeout');
  });

  it('overflow to another queue: an operator there is rung', async () => {
    await setQueue(DEMO.queue.id, { maxWaitSec: 1, maxWaitAction: 'overflow_queue', overflowQueueId: 'q-sales' });
    await db.prisma.queueMember.deleteMany({ where: { queueId: DEMO.queue.id, userId: OP2.id } });
    cti.operatorConnected(OP2);
    const grant = cti.chooseDevice(OP2.id, 'browser');
    cti.setReady(OP2.id);
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 4000, 'dial in Sales');
    expect(bank.dials[0]!.req).toEqual({ deviceUri: grant.aor, bridgeTo: L1, ringTimeoutSec: 20 });
    const id = lastCall();
    expect(call(id)?.queue).toBe('Sales');
    bank.dials[0]!.answer('leg-00000000000000d2');
    await until(() => call(id)?.status === 'connected', 3000, 'connected in Sales');
    expect(await timeline(id)).toEqual(['arrived', 'max-wait', 'overflow-queue', 'offered', 'answered']);
  });

  it('overflow to a number: the ACD dials it through a trunk bridged to the caller; its hang-up releases the caller', async () => {
    await setQueue(DEMO.queue.id, { maxWaitSec: 1, maxWaitAction: 'overflow_number', overflowNumber: '+441632960123' });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 4000, 'forward dial');
    expect(bank.dials[0]!.req).toEqual({ deviceUri: 'sip:+441632960123@patchbay.local;user=phone', bridgeTo: L1, ringTimeoutSec: 30 });
    const id = lastCall();
    expect(call(id)?.status).toBe('forwarding');
    bank.dials[0]!.answer(X1);
    await until(() => call(id)?.status === 'connected', 3000, 'connected');
    bank.endLeg(X1, 'remote-bye');
    expect(bank.released).toEqual([L1]);
    expect(await timeline(id)).toEqual(['arrived', 'max-wait', 'overflow-number', 'answered', 'device-hangup', 'caller-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'forwarded', endedBy: 'system' });
  });

  it('a forward that fails releases the caller (outcome failed)', async () => {
    await setQueue(DEMO.queue.id, { maxWaitSec: 1, maxWaitAction: 'overflow_number', overflowNumber: '+441632960123' });
    await synced();
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 4000, 'forward dial');
    bank.dials[0]!.fail(404, 'No Route To Number');
    await until(() => bank.released.includes(L1), 3000, 'released');
    expect((await storedCall(lastCall())).outcome).toBe('failed');
  });
});
