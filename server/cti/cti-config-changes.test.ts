import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdminServices, type AdminServices } from '../admin/admin-services';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { AgentView } from '../contracts/socket-events';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

// The CTI following the portal: waiting callers for the queue-delete guard, a changed queue
// reaching waiting calls, and deactivation signing an operator out after their call. The admin
// services and the CTI share one change publisher, wired as server/main.ts wires them.
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };
const L1 = 'leg-00000000000000a1';
const L2 = 'leg-00000000000000a2';
const D1 = 'leg-00000000000000d1';

/** The real store, counting the reads the routing cache makes (and any a call would make). */
class CountingStore extends PrismaCtiStore {
  snapshots = 0;
  numberReads = 0;
  override async routingSnapshot() {
    this.snapshots++;
    return super.routingSnapshot();
  }
  override async queueForNumber(e164: string) {
    this.numberReads++;
    return super.queueForNumber(e164);
  }
}

let db: Database;
let store: CountingStore;
let bank: ScriptedBank;
let cti: CtiService;
let admin: AdminServices;
let states: AgentView[];
let removed: string[];

beforeEach(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
  bank = new ScriptedBank();
  states = [];
  removed = [];
  const notifier: CtiNotifier = {
    agentChanged: (v) => states.push(v),
    callOffered: () => undefined,
    callChanged: () => undefined,
    userRemoved: (id) => removed.push(id),
  };
  const logger = createLogger('silent');
  store = new CountingStore(db.prisma);
  cti = new CtiService({ bank, store, notifier, logger, secret: 'x'.repeat(32), sipDomain: 'patchbay.local', deviceWsUrl: 'ws://127.0.0.1:5062', deviceCredTtlSec: 3600, disconnectGraceMs: 30 });
  cti.start();
  admin = createAdminServices({ prisma: db.prisma, logger, live: cti });
  admin.publisher.subscribe((c) => void cti.configChanged(c));
}, 30_000);

afterEach(async () => {
  await admin.publisher.stop();
  await cti.stop();
  await db.close();
});

function signInReady(user: AuthUser): void {
  cti.operatorConnected(user);
  cti.chooseDevice(user.id, 'browser');
  cti.setReady(user.id);
}

const state = (id: string) => cti.getAgent(id)?.state ?? 'offline';

async function deactivate(id: string): Promise<void> {
  const p = await admin.people.get(id);
  await admin.people.update(ADMIN, id, {
    name: p.name,
    email: p.email,
    role: p.role,
    active: false,
    mustChangePassword: p.mustChangePassword,
    skills: p.skills,
    memberships: p.memberships.map((m) => ({ queueId: m.queueId, level: m.level })),
    version: p.version,
  });
}

describe('the CTI and the portal', () => {
  it('counts the callers waiting in a queue (queued or ringing), and the portal refuses to delete it with a reason', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    bank.offerLeg({ legId: L2 });
    await until(() => bank.dials.length === 1 && cti.waitingInQueue(DEMO.queue.id) === 2, 3000, 'one ringing, one queued');
    expect(cti.waitingInQueue('q-none')).toBe(0);
    const q = await admin.queues.get(DEMO.queue.id);
    await expect(admin.queues.remove(ADMIN, DEMO.queue.id, q.version)).rejects.toMatchObject({ code: 'CONFLICT', message: '2 callers are waiting in this queue; delete it when it is empty' });
    expect(await db.prisma.queue.count({ where: { id: DEMO.queue.id } })).toBe(1);

    bank.dials[0]!.answer(D1);
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 1, 3000, 'one connected, one waiting');
  });

  it('a changed ring timeout applies to the next offer of a call already waiting', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'first offer');
    expect(bank.dials[0]!.req.ringTimeoutSec).toBe(20);
    const q = await admin.queues.get(DEMO.queue.id);
    const { id: _id, updatedAt: _at, updatedByName: _by, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, ...fields } = q;
    await admin.queues.update(ADMIN, DEMO.queue.id, { ...fields, ringTimeoutSec: 7 });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    bank.dials[0]!.fail(408, 'No Answer');
    signInReady(OP2);
    await until(() => bank.dials.length === 2, 3000, 'second offer');
    expect(bank.dials[1]!.req.ringTimeoutSec).toBe(7);
  });

  it('calls read their queue from the routing cache, which follows portal saves within seconds with no call reading the database', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1, 3000, 'first offer');
    expect(bank.dials[0]!.req.ringTimeoutSec).toBe(20);
    const read = store.snapshots;

    // a save in the portal, with nothing but the change notification telling the CTI
    const q = await admin.queues.get(DEMO.queue.id);
    const { id: _id, updatedAt: _at, updatedByName: _by, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, ...fields } = q;
    const saved = Date.now();
    await admin.queues.update(ADMIN, DEMO.queue.id, { ...fields, ringTimeoutSec: 9 });
    await admin.numbers.create(ADMIN, { e164: '+15550177', queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default', scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null, closedNumber: null, priority: 0 });
    await until(() => store.snapshots >= read + 2, 3000, 'the cache read the configuration again after both saves');
    await cti.configChanged({ entity: '*', id: null }); // settles the reloads the saves queued
    expect(Date.now() - saved).toBeLessThan(3000);

    bank.dials[0]!.answer(D1);
    bank.endLeg(L1, 'remote-bye'); // wrap-up 0: OP1 is ready again
    await until(() => state(OP1.id) === 'ready', 3000, 'OP1 ready after the call');
    bank.offerLeg({ legId: L2, dialed: '+15550177' });
    await until(() => bank.dials.length === 2, 3000, 'the new number offered');
    expect(bank.dials[1]!.req.ringTimeoutSec).toBe(9);
    expect(store.numberReads).toBe(0); // both numbers answered from memory
  });

  it('an operator deactivated while idle is signed out at once and their sockets closed', async () => {
    signInReady(OP1);
    await deactivate(OP1.id);
    await until(() => state(OP1.id) === 'offline', 3000, 'signed out');
    expect(removed).toEqual([OP1.id]);
    expect(states.at(-1)).toMatchObject({ operatorId: OP1.id, state: 'offline' });
  });

  it('an operator deactivated on a call keeps it until it ends, then is signed out, though their socket is still open', async () => {
    signInReady(OP1);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    bank.dials[0]!.answer(D1);
    await until(() => state(OP1.id) === 'talking');
    await deactivate(OP1.id);
    await cti.configChanged({ entity: 'person', id: OP1.id }); // settles the reload the save queued
    expect(state(OP1.id)).toBe('talking');
    expect(bank.released).toEqual([]);
    expect(removed).toEqual([]);

    bank.endLeg(L1, 'remote-bye');
    expect(bank.released).toEqual([D1]);
    expect(state(OP1.id)).toBe('offline');
    expect(removed).toEqual([OP1.id]);
    await cti.flush();
    const last = await db.prisma.agentStateLog.findFirstOrThrow({ where: { userId: OP1.id }, orderBy: { id: 'desc' } });
    expect(last).toMatchObject({ from: 'wrap_up', to: 'offline', reason: 'sign_out: deactivated' });
  });

  it('an operator deactivated while their device rings: the offer is withdrawn and the caller goes to the next operator', async () => {
    signInReady(OP1);
    signInReady(OP2);
    bank.offerLeg({ legId: L1 });
    await until(() => bank.dials.length === 1);
    expect(state(OP1.id)).toBe('reserved'); // ready first: idle the longest
    await deactivate(OP1.id);
    await until(() => state(OP1.id) === 'offline', 3000, 'OP1 signed out');
    expect(bank.dials[0]!.cancelled).toBe(true);
    await until(() => bank.dials.length === 2, 3000, 'offer to OP2');
    expect(state(OP2.id)).toBe('reserved');
  });
});
