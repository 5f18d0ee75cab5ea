import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { decode } from '../acd/media/g711';
import type { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { goertzel, tone } from '../acd/test-support/tones';
import type { AdminServices } from '../admin/admin-services';
import type { Database } from '../db/database';
import { DEMO } from '../db/seed';
import { createLogger } from '../log';
import { addLibraryClip } from '../test-support/library-clip';
import { until } from '../test-support/until';
import type { CtiService } from './cti-service';
import { plainRtpCaller, queueEdit, startQueuePlatform, type QueuePlatform } from './test-support/queue-platform';
/**
 * A queue nobody can answer, end to end: the real ACD and media engine, the real bank (JsSIP), the
 * CTI and the admin services on one change publisher, PGlite. The admin ticks "when nobody who
 * could take the call is signed in, do what is chosen after the maximum wait at once" (here: a
 * message, a 2 kHz clip, then release). With nobody signed in a caller hears it at once; with an
 * operator signed in but Not ready a caller waits with music, and gets it when she signs out.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };

let p: QueuePlatform;
let db: Database;
let acd: Acd;
let cti: CtiService;
let admin: AdminServices;

beforeAll(async () => {
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [44400, 44499],
    portRange: [44500, 44599],
    rtpTimeoutSec: 10,
    prepare: async (db, engine) => {
      await addLibraryClip(db.prisma, 'nobody');
      engine.clips.add('nobody', tone(2000, 8000, 8000));
    },
    cti: { disconnectGraceMs: 50 },
  });
  ({ db, acd, cti, admin } = p);
  // through the portal's own service, as the queue form saves it
  const q = await admin.queues.get(DEMO.queue.id);
  await admin.queues.update(ADMIN, DEMO.queue.id, { ...queueEdit(q), overflowWhenEmpty: true, maxWaitAction: 'release', maxWaitMessage: 'nobody' });
  await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
}, 90_000);

afterAll(() => p.stop(), 20_000);

const caller = (name: string) => plainRtpCaller(p, name);

const tonePackets = (phone: UdpRtpPeer) => phone.received.filter((p) => p.pt === 8 && goertzel(decode(p.payload, 'PCMA'), 2000) > 1000).length;
const callOf = (name: string) => {
  const c = cti.adminSnapshot().calls.find((x) => x.callerUri.includes(`${name}@`));
  if (!c) throw new Error(`no call from ${name}`);
  return c.callId;
};

const OLIVIA = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' as const };

async function eventsOf(id: string) {
  await until(() => cti.getCall(id)?.status === 'ended', 5000, 'call ended');
  await cti.flush();
  return db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
}

describe('a queue that overflows when nobody can answer', () => {
  it('nobody signed in: the caller hears the message at once and is released', { timeout: 40_000 }, async () => {
    const started = Date.now();
    const c = await caller('early');
    const bye = await c.client.request('BYE', c.isMine, 15_000);
    c.client.respond(bye, 200);
    expect(Date.now() - started).toBeLessThan(8000); // the clip (1 s) and its set-up, not the 600 s maximum wait
    expect(tonePackets(c.phone)).toBeGreaterThanOrEqual(40); // ≥ 0.8 s of the 1 s clip
    const id = callOf('early');
    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual(['arrived', 'queue-empty', 'announcement', 'caller-release', 'ended']);
    expect(events[1]!.data).toMatchObject({ queueId: DEMO.queue.id, when: 'arrival', action: 'release' });
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'timeout', endedBy: 'system', queueId: DEMO.queue.id });
  });

  it('an operator signed in but Not ready: the caller waits with music, and gets the message when she signs out', { timeout: 40_000 }, async () => {
    cti.operatorConnected(OLIVIA);
    const c = await caller('patient');
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 1, 5000, 'caller waiting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(cti.waitingInQueue(DEMO.queue.id)).toBe(1); // still waiting: someone who could answer is signed in
    expect(tonePackets(c.phone)).toBe(0);
    cti.operatorDisconnected(OLIVIA.id); // her last tab closed; signed out after the grace period
    const bye = await c.client.request('BYE', c.isMine, 15_000);
    c.client.respond(bye, 200);
    expect(tonePackets(c.phone)).toBeGreaterThanOrEqual(40);
    const events = await eventsOf(callOf('patient'));
    expect(events.map((e) => e.type)).toEqual(['arrived', 'queue-empty', 'announcement', 'caller-release', 'ended']);
    expect(events[1]!.data).toMatchObject({ when: 'sign-out' });
    await until(() => acd.legs().length === 0, 5000, 'the ACD holds no legs');
  });

  it('unticked: with nobody signed in the caller waits with music, as before', { timeout: 40_000 }, async () => {
    const q = await admin.queues.get(DEMO.queue.id);
    await admin.queues.update(ADMIN, DEMO.queue.id, { ...queueEdit(q), overflowWhenEmpty: false });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    const c = await caller('wait');
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 1, 5000, 'caller waiting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(cti.waitingInQueue(DEMO.queue.id)).toBe(1);
    expect(tonePackets(c.phone)).toBe(0);
    await c.hangUp();
    const events = await eventsOf(callOf('wait'));
    expect(events.map((e) => e.type)).toEqual(['arrived', 'caller-hangup', 'ended']);
  });
});
