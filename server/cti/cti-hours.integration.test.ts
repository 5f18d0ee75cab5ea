import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { decode } from '../acd/media/g711';
import type { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import { goertzel, tone } from '../acd/test-support/tones';
import type { AdminServices } from '../admin/admin-services';
import { NEW_QUEUE } from '../contracts/admin/queues';
import type { AuthUser } from '../contracts/auth';
import type { Database } from '../db/database';
import { DEMO } from '../db/seed';
import { createLogger } from '../log';
import { addLibraryClip } from '../test-support/library-clip';
import { until } from '../test-support/until';
import type { CtiService } from './cti-service';
import { DOMAIN } from './test-support/acd-harness';
import { plainRtpCaller, startQueuePlatform, type QueuePlatform } from './test-support/queue-platform';
/**
 * Business hours end to end: the real ACD with the real media engine, the real bank (JsSIP),
 * the CTI and the admin services on one change publisher (as server/main.ts wires them), PGlite.
 * A plain RTP caller to a closed number hears the closed message (a 3 kHz clip) and gets a BYE;
 * the admin opens the schedule in the portal and the next call is offered to an operator, no
 * restart; a caller who waits the queue's maximum overflows to another queue and rings its operator.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };

let p: QueuePlatform;
let db: Database;
let acd: Acd;
let cti: CtiService;
let admin: AdminServices;
let closers: QueuePlatform['closers'];
let scheduleId: string;

beforeAll(async () => {
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [43700, 43799],
    portRange: [43800, 43899],
    rtpTimeoutSec: 10,
    prepare: async (db, engine) => {
      await addLibraryClip(db.prisma, 'closed');
      await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
      engine.clips.add('closed', tone(3000, 8000, 8000));
    },
  });
  ({ db, acd, cti, admin, closers } = p);
  // closed all week, the closed message, through the portal's own services
  const s = await admin.schedules.create(ADMIN, { name: 'Office', timeZone: 'Europe/London', weekly: [], holidays: [] });
  scheduleId = s.id;
  const n = await admin.numbers.get(DEMO.number);
  await admin.numbers.update(ADMIN, DEMO.number, { queueId: n.queueId, trunkId: null, holdAudio: 'default', scheduleId, closedAudio: 'closed', closedAction: 'release', closedQueueId: null, closedNumber: null, priority: 0, version: n.version });
}, 90_000);

afterAll(() => p.stop(), 20_000);

const caller = () => plainRtpCaller(p, 'Carla', 'carla');

const tonePackets = (phone: UdpRtpPeer) => phone.received.filter((p) => p.pt === 8 && goertzel(decode(p.payload, 'PCMA'), 3000) > 1000).length;
const lastCallId = () => cti.adminSnapshot().calls[0]!.callId;

describe('business hours through the ACD', () => {
  it('a call to a closed number hears the closed message and is released', { timeout: 40_000 }, async () => {
    const c = await caller();
    const bye = await c.client.request('BYE', c.isMine, 15_000);
    c.client.respond(bye, 200);
    expect(tonePackets(c.phone)).toBeGreaterThanOrEqual(40); // ≥ 0.8 s of the 1 s clip
    const id = lastCallId();
    await until(() => cti.getCall(id)?.status === 'ended', 5000, 'call ended');
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'closed', 'announcement', 'caller-release', 'ended']);
    expect(await db.prisma.call.findUniqueOrThrow({ where: { id } })).toMatchObject({ outcome: 'closed', endedBy: 'system', operatorId: null });
    await until(() => acd.legs().length === 0, 5000, 'the ACD holds no legs');
  });

  it('the admin opens the schedule: the next call waits for an operator; after the maximum wait it overflows to another queue and rings its operator', { timeout: 60_000 }, async () => {
    const s = await admin.schedules.get(scheduleId);
    const allWeek = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' }));
    await admin.schedules.update(ADMIN, scheduleId, { name: s.name, timeZone: s.timeZone, weekly: allWeek, holidays: [], version: s.version });
    // Support has nobody ready; after 1 s its callers overflow to Sales, where Oscar is
    const sales = await admin.queues.create(ADMIN, { ...NEW_QUEUE, name: 'Sales' });
    await db.prisma.queueMember.create({ data: { queueId: sales.id, userId: OP2.id } });
    await db.prisma.queueMember.deleteMany({ where: { queueId: DEMO.queue.id, userId: OP2.id } });
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { maxWaitSec: 1, maxWaitAction: 'overflow_queue', overflowQueueId: sales.id } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });

    cti.operatorConnected(OP2);
    const grant = cti.chooseDevice(OP2.id, 'browser');
    const device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
    closers.push(() => device.close());
    expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
    cti.setReady(OP2.id);

    const c = await caller();
    const inv = await device.request('INVITE', undefined, 15_000);
    device.respond(inv, 180);
    const id = lastCallId();
    await until(() => cti.getCall(id)?.status === 'offering', 5000, 'offered in Sales');
    expect(cti.getCall(id)).toMatchObject({ queue: 'Sales', operatorId: OP2.id });
    // the caller heard the hold music, never the closed message
    expect(tonePackets(c.phone)).toBe(0);
    c.client.send(c.client.inDialog('BYE', c.dialog));
    expect((await c.client.response(c.dialog.callId, 'BYE')).status).toBe(200);
    await device.request('CANCEL', undefined, 5000);
    await until(() => cti.getCall(id)?.status === 'ended', 5000, 'ended');
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'max-wait', 'overflow-queue', 'offered', 'device-ringing', 'caller-hangup', 'ended']);
  });
});
