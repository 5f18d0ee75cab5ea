import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcapUdp, type SeenRtp } from '../acd/media/test-udp-peer';
import type { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import type { AdminServices } from '../admin/admin-services';
import type { AuthUser } from '../contracts/auth';
import type { Database } from '../db/database';
import { DEMO } from '../db/seed';
import { createLogger } from '../log';
import { WAIT_PROMPTS } from '../shared/wait-prompts';
import { until } from '../test-support/until';
import type { CtiService } from './cti-service';
import { DOMAIN } from './test-support/acd-harness';
import { plainRtpCaller, startQueuePlatform, type QueuePlatform } from './test-support/queue-platform';
/**
 * Position and wait announcements end to end: the real ACD and media engine with the built-in
 * spoken pieces, the real bank, the CTI, the admin services, PGlite. The admin has the queue tell
 * callers their place and wait every 15 s; Oscar (the queue's only operator signed in) is being
 * rung for a first caller (his device rings and is not answered), so a second caller waits at
 * place 2 (behind the ringing call) with one operator serving and the default AHT (180 s):
 * "You are number two in line. Your expected wait is about six minutes." The
 * second caller's RTP is matched frame by frame against the pieces' G.711 frames: the pieces in
 * that order on arrival, the music after them, and the same again 15 s later. Then the callback
 * offer: a caller keys 1 as RFC 4733 telephone-events (SIPp's pcap) and hears the confirmation.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const EXPECTED = ['say-you-are', 'say-n2', 'say-in-line', 'say-wait-is', 'say-n6', 'say-minutes'];

let p: QueuePlatform;
let db: Database;
let engine: WeriftMediaEngine;
let cti: CtiService;
let admin: AdminServices;
let closers: QueuePlatform['closers'];

beforeAll(async () => {
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [44200, 44299],
    portRange: [44300, 44399],
    rtpTimeoutSec: 60,
  });
  ({ db, engine, cti, admin, closers } = p);
  const q = await admin.queues.get(DEMO.queue.id);
  const { id: _i, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, version, updatedAt: _u, updatedByName: _b, ...fields } = q;
  await admin.queues.update(ADMIN, DEMO.queue.id, { ...fields, announce: 'both', announceEverySec: 15, ringTimeoutSec: 60, version });
  await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
}, 90_000);

afterAll(() => p.stop(), 20_000);

const caller = (name: string, user = name) => plainRtpCaller(p, name, user);

/** Each spoken piece's frames as the ACD sends them (A-law); a frame two pieces share (silence) is nobody's. */
function frameOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  const shared = new Set<string>();
  for (const name of Object.keys(WAIT_PROMPTS)) {
    for (const f of engine.clips.get(name)!.frames.PCMA) {
      const k = f.toString('hex');
      if (owners.has(k) && owners.get(k) !== name) shared.add(k);
      else owners.set(k, name);
    }
  }
  for (const k of shared) owners.delete(k);
  return owners;
}

/** The pieces heard, in order (runs collapsed), with the packet index each began at (50 packets a second). */
function piecesHeard(received: SeenRtp[], owners: Map<string, string>): Array<{ clip: string; at: number }> {
  const out: Array<{ clip: string; at: number }> = [];
  received
    .filter((p) => p.pt === 8)
    .forEach((p, i) => {
      const clip = owners.get(p.payload.toString('hex'));
      if (clip && out.at(-1)?.clip !== clip) out.push({ clip, at: i });
    });
  return out;
}

describe('position and wait announcements through the ACD', () => {
  it('a waiting caller hears their place and the estimated wait on arrival and again 15 s later, with music between', { timeout: 60_000 }, async () => {
    cti.operatorConnected(OP2);
    const grant = cti.chooseDevice(OP2.id, 'browser');
    const device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
    closers.push(() => device.close());
    expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
    cti.setReady(OP2.id);

    const first = await caller('first');
    const inv = await device.request('INVITE', undefined, 10_000);
    device.respond(inv, 180);
    await until(() => cti.adminSnapshot().calls.some((c) => c.status === 'offering'), 5000, "Oscar's device rings for the first caller");

    const second = await caller('second');
    await until(() => cti.waitingInQueue(DEMO.queue.id) === 2, 5000, 'second caller waiting');
    const secondId = cti.adminSnapshot().calls.find((c) => c.callerUri.includes('second@'))!.callId;
    const owners = frameOwners();
    // the second announcement starts 15 s after the first and lasts ~4 s
    await until(() => piecesHeard(second.phone.received, owners).length >= 12, 25_000, 'two announcements heard');
    await new Promise((r) => setTimeout(r, 1500)); // and the music after the second
    const heard = piecesHeard(second.phone.received, owners);
    // twice the six pieces, in order
    expect(heard.map((h) => h.clip)).toEqual([...EXPECTED, ...EXPECTED]);
    // the first on arrival (within 2 s), the second one interval later (± 2 s: a loaded CI box paces late)
    expect(heard[0]!.at).toBeLessThan(100);
    expect(Math.abs(heard[6]!.at - heard[0]!.at - 15 * 50)).toBeLessThan(100);
    // between them the hold music: after the last piece, packets no piece owns
    const pcma = second.phone.received.filter((p) => p.pt === 8);
    const between = pcma.slice(heard[5]!.at + 60, heard[6]!.at).filter((p) => owners.has(p.payload.toString('hex')));
    expect(between).toEqual([]);
    // the first caller, ringing Oscar all along, was never interrupted
    expect(piecesHeard(first.phone.received, owners)).toEqual([]);

    await second.hangUp();
    await first.hangUp();
    device.respond(await device.request('CANCEL', undefined, 5000), 200);
    await until(() => cti.getCall(secondId)?.status === 'ended', 5000, 'ended');
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: secondId, type: 'announcement' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.data)).toEqual([
      { then: 'music', position: 2, waitSec: 360, clips: EXPECTED },
      { then: 'music', position: 2, waitSec: 360, clips: EXPECTED },
    ]);
  });

  it('a caller presses 1 on their keypad (RFC 4733, SIPp\'s dtmf_2833_1.pcap): the callback offer, their number read back, 1 again to confirm, the confirmation, then the ACD releases them; the call keeps its place', { timeout: 60_000 }, async () => {
    await cti.setNotReady(OP2.id);
    await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+447', label: 'UK mobiles' } });
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { announce: 'none', callbackDigit: '1' } });
    await cti.configChanged({ entity: '*', id: null });
    const c = await caller('third', '+447700900123');
    const owners = frameOwners();
    const heard = () => piecesHeard(c.phone.received, owners).map((h) => h.clip);
    await until(() => heard().join() === 'say-callback-press,say-n1', 10_000, 'the callback offer');
    await new Promise((r) => setTimeout(r, 300));
    /** the pcap's key once more is a new event: its RTP sequence numbers and timestamp moved on (an event is one timestamp) */
    let presses = 0;
    const pressOne = async () => {
      const t0 = Date.now();
      const shift = presses++ * 40_000;
      for (const pkt of readPcapUdp('/usr/share/sip-tester/dtmf_2833_1.pcap')) {
        const wait = pkt.atMs - (Date.now() - t0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const data = Buffer.from(pkt.data);
        data.writeUInt16BE((data.readUInt16BE(2) + shift / 8) & 0xffff, 2);
        data.writeUInt32BE((data.readUInt32BE(4) + shift) >>> 0, 4);
        c.phone.sendRaw(data);
      }
    };
    await pressOne();
    await until(() => heard().includes('say-n4'), 15_000, 'the number read back');
    // 1 alone confirms after a short pause (a number keyed may start with 1)
    await pressOne();
    const bye = await c.client.request('BYE', (r) => r.headers.get('Call-ID') === c.dialog.callId, 20_000);
    c.client.respond(bye, 200);
    // the read-back is cut short by the confirmation: a newer announcement replaces a music one
    expect(heard().slice(0, 4)).toEqual(['say-callback-press', 'say-n1', 'say-callback-number', 'say-n4']);
    expect(heard().at(-1)).toBe('say-callback-ok');
    const id = cti.adminSnapshot().calls.find((x) => x.callerUri.includes('+447700900123@'))!.callId;
    expect(cti.getCall(id)).toMatchObject({ status: 'queued', callback: true });
    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'announcement', 'callback-confirming', 'announcement', 'callback-requested']);
  });
});
