import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { CallView } from '../contracts/socket-events';
import { placeCall } from '../test-support/sip-peers';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { UaBank } from './ua-bank/ua-bank';

/**
 * Call quality from the media to the supervisors' roster: the real ACD with real media measures
 * each party's RTP (loss from the sequence numbers, jitter from the arrival times), tells the CTI
 * on each leg's control dialog every `qualityReportMs` (here 1 s: some 50 packets a report), the real bank parses it, and
 * the CTI pushes the call with its quality in words. The caller's audio arrives whole; the
 * operator's phone loses one packet in eight on the way (12.5 %): the call is Poor, because of
 * the operator's side, and the figures say which side and how much.
 */
const SECRET = 'call-quality-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };

let db: Database;
let engine: WeriftMediaEngine;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
const pushed: CallView[] = [];
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  engine = new WeriftMediaEngine(logger, { rtpPortRange: [46600, 46699], portRange: [46700, 46799], rtpTimeoutSec: 20 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 }, timers: { qualityReportMs: 1000 } },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media: engine,
    logger,
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: (v) => void pushed.push(v) },
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: wsUrl,
    deviceCredTtlSec: 600,
    sipPhone: { host: '127.0.0.1', port: acd.ports.UDP!, transports: ['UDP'] },
  });
  cti.start();
  await bank.start(5000);
}, 90_000);

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await cti.stop();
  await bank.stop();
  await acd.stop();
  await engine.close();
  await db.close();
}, 20_000);

/** Sends 20 ms of silence every 20 ms; `lose(i)` packets are lost on the way. */
function talk(rtp: UdpRtpPeer, pt: 0 | 8, lose: (i: number) => boolean = () => false): () => void {
  let i = 0;
  const t = setInterval(() => {
    if (lose(i++)) rtp.skip();
    else rtp.send(pt, Buffer.alloc(160, pt === 0 ? 0xff : 0xd5));
  }, 20);
  return () => clearInterval(t);
}

describe('call quality', () => {
  it('reaches the roster in words with each side\'s figures, Poor when the operator\'s audio loses one packet in eight', async () => {
    cti.operatorConnected(OP1);
    const g = cti.chooseSipPhone(OP1.id);
    const phone = await SipWsClient.udp('127.0.0.1', acd.ports.UDP!, OP1.id);
    cleanup.push(() => phone.close());
    expect((await phone.register(g.sipUser, DOMAIN, g.sipUser, g.sipPassword)).status).toBe(200);
    const opRtp = await UdpRtpPeer.open();
    cleanup.push(() => opRtp.close());
    cti.setReady(OP1.id);

    const callerRtp = await UdpRtpPeer.open();
    cleanup.push(() => callerRtp.close());
    const sip = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
    cleanup.push(() => sip.close());
    const { ok } = await placeCall(sip, `sip:${DEMO.number}@${DOMAIN}`, callerRtp.sdp({ pts: '8 101' }), { from: '"Pat Caller" <sip:+442079460958@carrier.example>' });
    expect(ok.status).toBe(200);
    callerRtp.aimAt(ok.body);
    cleanup.push(talk(callerRtp, 8));

    const inv = await phone.request('INVITE', () => true, 8000);
    opRtp.aimAt(inv.body);
    const dialog = phone.answer(inv, 200, { body: opRtp.sdp({ pts: '0 101' }) });
    await phone.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
    cleanup.push(talk(opRtp, 0, (i) => i % 8 === 7));
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 5000, 'talking');

    // a full report period of both sides after the answer (the first may cover only its end)
    const full = () => cti.adminSnapshot().calls.find((c) => c.operatorId === OP1.id && c.quality?.caller && (c.quality.operator?.packets ?? 0) >= 25);
    await until(() => full() !== undefined, 8000, 'both sides measured over a full period');
    const v = full()!;
    expect(pushed.some((p) => p.callId === v.callId && p.quality?.rating === v.quality?.rating)).toBe(true); // pushed, not only kept
    expect(v.quality?.rating).toBe('poor');
    expect(v.quality?.caller).toMatchObject({ lossPct: 0 });
    expect(v.quality!.caller!.jitterMs).toBeGreaterThanOrEqual(0); // loopback: only the sender's timer jitter
    expect(v.quality!.operator!.lossPct).toBeGreaterThan(8);
    expect(v.quality!.operator!.lossPct).toBeLessThan(17);
    expect(v.quality!.operator!.packets).toBeGreaterThan(5);
  }, 40_000);
});
