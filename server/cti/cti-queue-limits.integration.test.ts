import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { decode } from '../acd/media/g711';
import type { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { goertzel, tone } from '../acd/test-support/tones';
import type { AdminServices } from '../admin/admin-services';
import { NEW_QUEUE } from '../contracts/admin/queues';
import type { Database } from '../db/database';
import { DEMO } from '../db/seed';
import { createLogger } from '../log';
import { addLibraryClip } from '../test-support/library-clip';
import { until } from '../test-support/until';
import type { CtiService } from './cti-service';
import { plainRtpCaller, queueEdit, startQueuePlatform, type QueuePlatform } from './test-support/queue-platform';
/**
 * The queue-size limit end to end: the real ACD and media engine, the real bank (JsSIP), the CTI
 * and the admin services on one change publisher, PGlite. The admin sets "at most 1 caller
 * waiting" in the portal; with nobody ready the first caller waits with music, the second hears
 * the queue-full message (a 2 kHz clip) and is released (`busy`); with the overflow action set to
 * another queue, the second caller waits there instead.
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
    rtpPortRange: [44000, 44099],
    portRange: [44100, 44199],
    rtpTimeoutSec: 10,
    prepare: async (db, engine) => {
      await addLibraryClip(db.prisma, 'full');
      engine.clips.add('full', tone(2000, 8000, 8000));
    },
  });
  ({ db, acd, cti, admin } = p);
  // through the portal's own service, as the queue form saves it
  const q = await admin.queues.get(DEMO.queue.id);
  await admin.queues.update(ADMIN, DEMO.queue.id, { ...queueEdit(q), maxCallers: 1, fullAudio: 'full', maxWaitAction: 'release' });
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

describe('queue-size limit through the ACD', () => {
  it('at most 1 waiting: the second caller hears the queue-full message and is released as busy', { timeout: 40_000 }, async () => {
    const first = await caller('first');
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 1, 5000, 'first caller waiting');
    const second = await caller('second');
    const bye = await second.client.request('BYE', second.isMine, 15_000);
    second.client.respond(bye, 200);
    expect(tonePackets(second.phone)).toBeGreaterThanOrEqual(40); // ≥ 0.8 s of the 1 s clip
    expect(tonePackets(first.phone)).toBe(0); // the waiting caller keeps the music
    const id = callOf('second');
    await until(() => cti.getCall(id)?.status === 'ended', 5000, 'second call ended');
    expect(cti.waitingInQueue(DEMO.queue.id)).toBe(1);
    await first.hangUp();
    const firstId = callOf('first');
    await until(() => cti.getCall(firstId)?.status === 'ended', 5000, 'first call ended');
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'queue-full', 'announcement', 'caller-release', 'ended']);
    expect(events[1]!.data).toMatchObject({ queueId: DEMO.queue.id, waiting: 1, maxCallers: 1, action: 'release' });
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'busy', endedBy: 'system', operatorId: null, queueId: DEMO.queue.id });
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id: firstId } })).toMatchObject({ outcome: 'abandoned' });
    await until(() => acd.legs().length === 0, 5000, 'the ACD holds no legs');
  });

  it('with the overflow action "another queue", the caller beyond the limit waits in that queue', { timeout: 40_000 }, async () => {
    const overflow = await admin.queues.create(ADMIN, { ...NEW_QUEUE, name: 'Overflow' });
    const q = await admin.queues.get(DEMO.queue.id);
    await admin.queues.update(ADMIN, DEMO.queue.id, { ...queueEdit(q), maxWaitAction: 'overflow_queue', overflowQueueId: overflow.id });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });

    const first = await caller('third');
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 1, 5000, 'first caller waiting');
    const second = await caller('fourth');
    await until(() => cti.waitingInQueue(overflow.id) === 1, 5000, 'second caller waiting in the overflow queue');
    const id = callOf('fourth');
    expect(cti.getCall(id)).toMatchObject({ queue: 'Overflow', status: 'queued' });
    await second.hangUp();
    await first.hangUp();
    await until(() => cti.getCall(id)?.status === 'ended', 5000, 'ended');
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'queue-full', 'overflow-queue', 'caller-hangup', 'ended']);
    expect(tonePackets(second.phone)).toBe(0);
  });
});
