import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { CallView } from '../contracts/socket-events';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

/**
 * Restart recovery (call-recovery.ts) with a scripted bank and the real store (PGlite): a first
 * CTI leaves calls open in the database and stops without ending them (as a killed one would); a
 * second one is re-offered the ACD's legs and rebuilds its book from them and the open rows.
 */
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const L1 = 'leg-00000000000000a1';
const L2 = 'leg-00000000000000a2';
const L3 = 'leg-00000000000000a3';
const L4 = 'leg-00000000000000a4';
const D1 = 'leg-00000000000000d1';
const D9 = 'leg-00000000000000d9';

class Recorder implements CtiNotifier {
  calls: Array<{ v: CallView; to: string | null }> = [];
  agentChanged() {}
  callOffered() {}
  callChanged(v: CallView, to: string | null) {
    this.calls.push({ v, to });
  }
}

let db: Database;
let clock: number;
let ctis: CtiService[] = [];

function makeCti(bank: ScriptedBank, notes: CtiNotifier, settleMs = 50, store: PrismaCtiStore = new PrismaCtiStore(db.prisma)): CtiService {
  const cti = new CtiService({
    bank,
    store,
    notifier: notes,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    secret: 'x'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 30,
    recoverySettleMs: settleMs,
    now: () => (clock += 10),
  });
  ctis.push(cti);
  cti.start();
  return cti;
}

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
  clock = 1_000_000;
}, 120_000);

afterEach(async () => {
  for (const c of ctis.splice(0)) await c.stop();
  await db.close();
});

const types = async (callId: string) => (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((r) => r.type);

describe('CTI restart recovery', () => {
  it('rebuilds bridged and parked calls from the re-offers and the open rows, closes the rest, routes in arrival order, gives the operator their call back', { timeout: 60_000 }, async () => {
    // the first CTI: L1 talking with OP1, L2 then L3 waiting, L4 waiting (it will hang up while no CTI is there)
    const bank1 = new ScriptedBank();
    const cti1 = makeCti(bank1, new Recorder());
    cti1.operatorConnected(OP1);
    cti1.chooseDevice(OP1.id, 'browser');
    cti1.setReady(OP1.id);
    bank1.offerLeg({ legId: L1 });
    await until(() => bank1.dials.length === 1, 3000, 'dial');
    bank1.dials[0]!.answer(D1);
    await until(() => cti1.getAgent(OP1.id)?.state === 'talking', 3000, 'answered');
    for (const leg of [L2, L3, L4]) bank1.offerLeg({ legId: leg });
    await until(() => cti1.adminSnapshot().calls.length === 4, 3000, 'four calls');
    await cti1.stop();
    const idOf = new Map((await db.prisma.call.findMany({ select: { id: true, acdLegId: true } })).map((r) => [r.acdLegId, r.id]));
    expect(await db.prisma.call.count({ where: { endedAt: null } })).toBe(4);

    // the second CTI: the ACD re-offers what it still holds (out of order; L4 gone; a device with no call)
    const bank2 = new ScriptedBank();
    bank2.ready = false;
    const notes = new Recorder();
    // a settle long enough that the rebuild is surely done before it, even on a loaded machine
    const cti2 = makeCti(bank2, notes, 4000);
    cti2.operatorConnected(OP2);
    cti2.chooseDevice(OP2.id, 'browser');
    cti2.setReady(OP2.id);
    bank2.register();
    bank2.recoverLeg({ legId: L3, state: 'parked', since: 3 });
    bank2.recoverLeg({ legId: D1, kind: 'device', state: 'bridged', peer: L1 });
    bank2.recoverLeg({ legId: L1, state: 'bridged', peer: D1 });
    bank2.recoverLeg({ legId: L2, state: 'parked', since: 2 });
    bank2.recoverLeg({ legId: D9, kind: 'device', state: 'waiting' });
    await until(() => cti2.adminSnapshot().calls.length >= 3, 3500, 'rebuilt');
    // nothing is routed before the settle: no dial yet, although OP2 is ready
    expect(bank2.dials).toHaveLength(0);
    const l1 = cti2.getCall(idOf.get(L1)!)!;
    expect(l1).toMatchObject({ status: 'connected', operatorId: OP1.id });

    // settled: the first in line (L2, arrived before L3) is offered to OP2; the orphan device released; L4 closed
    await until(() => bank2.dials.length === 1, 15_000, 'routed after the settle');
    expect(bank2.dials[0]!.req.bridgeTo).toBe(L2);
    expect(bank2.released).toEqual([D9]);
    await cti2.flush();
    const l4 = await db.prisma.call.findUniqueOrThrow({ where: { id: idOf.get(L4)! } });
    expect(l4).toMatchObject({ endedBy: 'system', outcome: 'abandoned' });
    expect(l4.endedAt).not.toBeNull();
    expect(await types(idOf.get(L4)!)).toEqual(['arrived', 'recovered', 'ended']);
    const gone = await db.prisma.callEvent.findFirstOrThrow({ where: { callId: idOf.get(L4)!, type: 'recovered' } });
    expect(gone.data).toMatchObject({ state: 'gone', gapMs: expect.any(Number) });
    // the rebuilt calls kept their ids and arrivals, their timelines go on
    expect(cti2.getCall(idOf.get(L2)!)).toMatchObject({ status: 'offering' });
    expect(cti2.getCall(idOf.get(L3)!)).toMatchObject({ status: 'queued' });
    expect(await types(idOf.get(L1)!)).toEqual(['arrived', 'offered', 'answered', 'recovered']);

    // OP1 reconnects: talking, their call on their console
    notes.calls.length = 0;
    const view = cti2.operatorConnected(OP1);
    expect(view.state).toBe('talking');
    expect(notes.calls.some((c) => c.to === OP1.id && c.v.callId === idOf.get(L1))).toBe(true);

    // the caller hangs up: the CTI releases the device, the call ends as any call does
    bank2.endLeg(L1, 'remote-bye');
    await until(() => cti2.getAgent(OP1.id)?.state !== 'talking', 3000, 'call ended');
    expect(bank2.released).toContain(D1);
    await cti2.flush();
    expect(await types(idOf.get(L1)!)).toEqual(['arrived', 'offered', 'answered', 'recovered', 'caller-hangup', 'device-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id: idOf.get(L1)! } })).toMatchObject({ outcome: 'completed', endedBy: 'caller', operatorId: OP1.id });
    // the database matches the ACD: open rows are exactly the live calls (L2 offered, L3 waiting)
    const open = await db.prisma.call.findMany({ where: { endedAt: null }, select: { acdLegId: true } });
    expect(open.map((r) => r.acdLegId).sort()).toEqual([L2, L3]);
  });

  it('a database slower than the settle: the legs re-offered before the settle are rebuilt, not closed as gone', { timeout: 60_000 }, async () => {
    const bank1 = new ScriptedBank();
    const cti1 = makeCti(bank1, new Recorder());
    cti1.operatorConnected(OP1);
    cti1.chooseDevice(OP1.id, 'browser');
    cti1.setReady(OP1.id);
    bank1.offerLeg({ legId: L1 });
    await until(() => bank1.dials.length === 1, 3000, 'dial');
    bank1.dials[0]!.answer(D1);
    await until(() => cti1.getAgent(OP1.id)?.state === 'talking', 3000, 'answered');
    await cti1.stop();
    const row = await db.prisma.call.findFirstOrThrow({ where: { acdLegId: L1 } });

    // the open rows take longer to read than the settle waits (a loaded machine): the settle's timer
    // fires while they load, after the ACD's re-offers arrived
    const real = new PrismaCtiStore(db.prisma);
    const slow = Object.assign(Object.create(real) as PrismaCtiStore, { openCalls: () => new Promise((r) => setTimeout(r, 400)).then(() => real.openCalls()) });
    const bank2 = new ScriptedBank();
    bank2.ready = false;
    const cti2 = makeCti(bank2, new Recorder(), 100, slow);
    bank2.register();
    bank2.recoverLeg({ legId: D1, kind: 'device', state: 'bridged', peer: L1 });
    bank2.recoverLeg({ legId: L1, state: 'bridged', peer: D1 });
    await until(() => cti2.getCall(row.id)?.status === 'connected', 5000, 'rebuilt');
    await new Promise((r) => setTimeout(r, 200));
    await cti2.flush();
    expect(cti2.getCall(row.id)).toMatchObject({ status: 'connected', operatorId: OP1.id });
    expect((await db.prisma.call.findUniqueOrThrow({ where: { id: row.id } })).endedAt).toBeNull();
  });

  it('a parked caller the old CTI never stored becomes a new call with its arrival; a bridged one with no row keeps its call', { timeout: 60_000 }, async () => {
    const bank = new ScriptedBank();
    const cti = makeCti(bank, new Recorder());
    bank.recoverLeg({ legId: L1, state: 'parked', since: 42_000 });
    bank.recoverLeg({ legId: L2, state: 'bridged', peer: D1, since: 43_000 });
    await until(() => cti.adminSnapshot().calls.length === 2, 3000, 'adopted');
    await cti.flush();
    const row = await db.prisma.call.findFirstOrThrow({ where: { acdLegId: L1 } });
    expect(row.arrivedAt.getTime()).toBe(42_000);
    const bridged = await db.prisma.call.findFirstOrThrow({ where: { acdLegId: L2 } });
    expect(cti.getCall(bridged.id)).toMatchObject({ status: 'connected', operatorId: null });
    bank.endLeg(L2);
    await until(() => bank.released.includes(D1), 3000, 'device released with its caller');
  });
});
