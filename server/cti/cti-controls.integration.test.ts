import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { DtmfDetector } from '../acd/media/dtmf-detector';
import { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { SipWsClient, type ClientDialog } from '../acd/test-support/sip-ws-client';
import { goertzel, heardPcm, rms, speak, TONE } from '../acd/test-support/tones';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { AppError } from '../contracts/result';
import { placeCall } from '../test-support/sip-peers';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { UaBank } from './ua-bank/ua-bank';

/**
 * The operator's in-call controls end to end: the CTI service and its real bank against the real
 * ACD with real media. Operators use SIP-phone devices (plain RTP, so what each party hears can be
 * measured): every control acts through the ACD on the legs it anchors, never through the device.
 * Each party speaks its own tone; what a party received is checked by the power at each tone.
 */
const SECRET = 'cti-controls-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: Database;
let engine: WeriftMediaEngine;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  engine = new WeriftMediaEngine(logger, { rtpPortRange: [46300, 46399], portRange: [46400, 46499], rtpTimeoutSec: 20 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
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
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined },
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: wsUrl,
    deviceCredTtlSec: 600,
    sipPhone: { host: '127.0.0.1', port: acd.ports.UDP!, transports: ['UDP'] },
  });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await cti.stop();
  await bank.stop();
  await acd.stop();
  await engine.close();
  await db.close();
}, 20_000);

interface Phone {
  sip: SipWsClient;
  rtp: UdpRtpPeer;
  /** answers the next INVITE and starts speaking `hz` */
  answer(hz: number): Promise<ClientDialog>;
}

/** An operator signed in with a SIP phone (the CTI's settings, registered over UDP), Ready. */
async function operatorWithPhone(user: AuthUser): Promise<Phone> {
  cti.operatorConnected(user);
  const g = cti.chooseSipPhone(user.id);
  const sip = await SipWsClient.udp('127.0.0.1', acd.ports.UDP!, user.id);
  cleanup.push(() => sip.close());
  expect((await sip.register(g.sipUser, DOMAIN, g.sipUser, g.sipPassword)).status).toBe(200);
  const rtp = await UdpRtpPeer.open();
  cleanup.push(() => rtp.close());
  if (cti.getAgent(user.id)?.state !== 'ready') cti.setReady(user.id);
  return {
    sip,
    rtp,
    async answer(hz) {
      const inv = await sip.request('INVITE', () => true, 8000);
      rtp.aimAt(inv.body);
      const dialog = sip.answer(inv, 200, { body: rtp.sdp({ pts: '0 101' }) });
      await sip.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
      cleanup.push(speak(rtp, 0, hz));
      return dialog;
    },
  };
}

/** A caller on the served number speaking its tone (plain RTP). */
async function caller(): Promise<{ sip: SipWsClient; rtp: UdpRtpPeer; dialog: ClientDialog }> {
  const rtp = await UdpRtpPeer.open();
  cleanup.push(() => rtp.close());
  const sip = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
  cleanup.push(() => sip.close());
  const { ok, dialog } = await placeCall(sip, `sip:${DEMO.number}@${DOMAIN}`, rtp.sdp({ pts: '8 101' }), { from: '"Pat Caller" <sip:+442079460958@carrier.example>' });
  expect(ok.status).toBe(200);
  rtp.aimAt(ok.body);
  cleanup.push(speak(rtp, 8, TONE.caller));
  return { sip, rtp, dialog };
}

async function listen(rtp: UdpRtpPeer, ms: number): Promise<Int16Array> {
  const from = rtp.received.length;
  await sleep(ms);
  return heardPcm(rtp.received, from);
}

/** The digits a peer received as RFC 4733 telephone-events from packet index `from` on. */
function keyed(rtp: UdpRtpPeer, from: number): string[] {
  const detector = new DtmfDetector();
  return rtp.received
    .slice(from)
    .filter((p) => p.pt === 101)
    .flatMap((p) => detector.feed(p.ssrc, p.ts, p.payload))
    .map((e) => e.digit);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as AppError | null;
  return err ? `${err.code}: ${err.message}` : 'accepted';
}

async function hangUp(c: { sip: SipWsClient; dialog: ClientDialog }): Promise<void> {
  c.sip.send(c.sip.inDialog('BYE', c.dialog));
  await c.sip.response(c.dialog.callId, 'BYE');
}

describe('in-call controls through the CTI, real ACD, real media', () => {
  it('hold: the caller hears music and nothing of the operator; resume; mute: the caller hears silence, the operator still hears them', { timeout: 60_000 }, async () => {
    const a = await operatorWithPhone(OP1);
    const c = await caller();
    await a.answer(TONE.operator);
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 10_000, 'talking');
    const callId = cti.getAgent(OP1.id)!.callId!;
    await sleep(300);
    expect(goertzel(await listen(c.rtp, 800), TONE.operator)).toBeGreaterThan(1000);

    expect(await cti.holdCall(OP1.id, callId, true)).toMatchObject({ status: 'held' });
    await sleep(200);
    const held = await listen(c.rtp, 1500);
    expect(rms(held)).toBeGreaterThan(500); // the hold music
    expect(goertzel(held, TONE.operator)).toBeLessThan(50);
    expect(goertzel(await listen(a.rtp, 500), TONE.caller)).toBeLessThan(50);
    expect(await refusal(cti.holdCall(OP1.id, callId, true))).toBe('ILLEGAL_TRANSITION: The call is already on hold.');

    expect(await cti.holdCall(OP1.id, callId, false)).toMatchObject({ status: 'connected' });
    await sleep(200);
    expect(goertzel(await listen(c.rtp, 800), TONE.operator)).toBeGreaterThan(1000);

    expect(await cti.muteCall(OP1.id, callId, true)).toMatchObject({ muted: true });
    await sleep(200);
    const muted = await listen(c.rtp, 800);
    expect(goertzel(muted, TONE.operator)).toBeLessThan(50);
    expect(rms(muted)).toBeLessThan(200); // silence, not music
    expect(goertzel(await listen(a.rtp, 800), TONE.caller)).toBeGreaterThan(1000);
    await cti.muteCall(OP1.id, callId, false);
    await sleep(200);
    expect(goertzel(await listen(c.rtp, 800), TONE.operator)).toBeGreaterThan(1000);
    const plainFrom = c.rtp.received.length;
    expect(await cti.sendDtmf(OP1.id, callId, '1#')).toMatchObject({ status: 'connected' });
    await sleep(1200);
    expect(keyed(c.rtp, plainFrom)).toEqual(['1', '#']);

    await hangUp(c);
    const bye = await a.sip.request('BYE', () => true, 5000);
    a.sip.respond(bye, 200);
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    expect(await refusal(cti.holdCall(OP1.id, callId, true))).toBe('CONFLICT: This call has ended.');
    await until(() => acd.legs().length === 0, 5000, 'nothing left in the ACD');
    await until(() => cti.getAgent(OP1.id)?.state === 'ready', 5000, 'ready after wrap-up');
  });

  it('blind transfer operator → operator: audio both ways with the second, the first device released and in wrap-up', { timeout: 60_000 }, async () => {
    const a = await operatorWithPhone(OP1);
    const c = await caller();
    await a.answer(TONE.operator);
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 10_000, 'A talking');
    const callId = cti.getAgent(OP1.id)!.callId!;
    expect(await refusal(cti.transferCall(OP1.id, callId, { kind: 'operator', operatorId: 'u-nobody' }))).toBe('NOT_FOUND: That operator is not signed in.');

    const b = await operatorWithPhone(OP2);
    expect(await cti.transferCall(OP1.id, callId, { kind: 'operator', operatorId: OP2.id })).toMatchObject({ status: 'offering' });
    const released = await a.sip.request('BYE', () => true, 5000);
    a.sip.respond(released, 200);
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    await b.answer(TONE.third);
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 10_000, 'B talking');
    expect(cti.getCall(callId)).toMatchObject({ status: 'connected', operatorId: OP2.id });
    await sleep(300);
    const heard = await listen(c.rtp, 800);
    expect(goertzel(heard, TONE.third)).toBeGreaterThan(1000);
    expect(goertzel(heard, TONE.operator)).toBeLessThan(50);
    expect(goertzel(await listen(b.rtp, 800), TONE.caller)).toBeGreaterThan(1000);

    await hangUp(c);
    const bye = await b.sip.request('BYE', () => true, 5000);
    b.sip.respond(bye, 200);
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await until(() => acd.legs().length === 0, 5000, 'nothing left in the ACD');
    await cti.flush();
    const types = (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((e) => e.type);
    expect(types).toEqual(['arrived', 'offered', 'answered', 'transferred', 'device-release', 'offered', 'answered', 'caller-hangup', 'device-release', 'ended']);
  });

  it('consultation: the operators talk while the caller hears music; complete hands the caller over; cancel takes them back; conference: each hears the other two', { timeout: 90_000 }, async () => {
    const a = await operatorWithPhone(OP1);
    const b = await operatorWithPhone(OP2);
    const answeredBy = async (who: AuthUser, p: Phone, hz: number) => {
      await p.answer(hz);
      await until(() => cti.getAgent(who.id)?.state === 'talking', 10_000, `${who.id} talking`);
    };
    // OP2 steps out so the caller is offered to OP1
    await cti.setNotReady(OP2.id);
    const c = await caller();
    await answeredBy(OP1, a, TONE.operator);
    const callId = cti.getAgent(OP1.id)!.callId!;
    cti.setReady(OP2.id);

    // consult: the caller is held (music), the operators hear each other
    expect(await cti.consultCall(OP1.id, callId, OP2.id)).toMatchObject({ status: 'held', consult: { state: 'dialing' } });
    await answeredBy(OP2, b, TONE.third);
    await sleep(300);
    expect(goertzel(await listen(a.rtp, 800), TONE.third)).toBeGreaterThan(1000);
    expect(goertzel(await listen(b.rtp, 800), TONE.operator)).toBeGreaterThan(1000);
    const callerHeld = await listen(c.rtp, 800);
    expect(goertzel(callerHeld, TONE.operator)).toBeLessThan(50);
    expect(goertzel(callerHeld, TONE.third)).toBeLessThan(50);

    // cancel: OP2's phone is released, OP1 is back with the caller
    expect(await cti.consultStep(OP1.id, callId, 'cancel')).toMatchObject({ status: 'connected', consult: null });
    b.sip.respond(await b.sip.request('BYE', () => true, 5000), 200);
    await sleep(300);
    expect(goertzel(await listen(c.rtp, 800), TONE.operator)).toBeGreaterThan(1000);
    await until(() => cti.getAgent(OP2.id)?.state !== 'talking', 5000, 'OP2 released');
    await until(() => cti.getAgent(OP2.id)?.state === 'ready', 5000, 'OP2 ready again');

    // conference: all three hear each other
    await cti.consultCall(OP1.id, callId, OP2.id);
    await answeredBy(OP2, b, TONE.third);
    expect(await cti.consultStep(OP1.id, callId, 'conference')).toMatchObject({ status: 'connected', consult: { state: 'conference' } });
    await sleep(400);
    const callerHears = await listen(c.rtp, 1000);
    expect(goertzel(callerHears, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(callerHears, TONE.third)).toBeGreaterThan(500);
    const aHears = await listen(a.rtp, 1000);
    expect(goertzel(aHears, TONE.caller)).toBeGreaterThan(500);
    expect(goertzel(aHears, TONE.third)).toBeGreaterThan(500);
    const bHears = await listen(b.rtp, 1000);
    expect(goertzel(bHears, TONE.caller)).toBeGreaterThan(500);
    expect(goertzel(bHears, TONE.operator)).toBeGreaterThan(500);

    // the keypad during the conference: the digits reach the caller's side as RFC 4733 events
    const dtmfFrom = c.rtp.received.length;
    expect(await cti.sendDtmf(OP1.id, callId, '42#')).toMatchObject({ status: 'connected', consult: { state: 'conference' } });
    await sleep(1500);
    expect(keyed(c.rtp, dtmfFrom)).toEqual(['4', '2', '#']);

    // complete from the conference: OP1 leaves, caller and OP2 talk on
    expect(await cti.consultStep(OP1.id, callId, 'complete')).toMatchObject({ status: 'connected', operatorId: OP2.id, consult: null });
    a.sip.respond(await a.sip.request('BYE', () => true, 5000), 200);
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    await sleep(400);
    const after = await listen(c.rtp, 800);
    expect(goertzel(after, TONE.third)).toBeGreaterThan(500);
    expect(goertzel(after, TONE.operator)).toBeLessThan(50);

    // the conference's two members left are a plain call again: OP2 can hold and resume it
    expect(await cti.holdCall(OP2.id, callId, true)).toMatchObject({ status: 'held' });
    await sleep(200);
    const heldAfter = await listen(c.rtp, 1200);
    expect(rms(heldAfter)).toBeGreaterThan(500); // the hold music
    expect(goertzel(heldAfter, TONE.third)).toBeLessThan(50);
    expect(goertzel(await listen(b.rtp, 600), TONE.caller)).toBeLessThan(50);
    expect(await cti.holdCall(OP2.id, callId, false)).toMatchObject({ status: 'connected' });
    await sleep(300);
    expect(goertzel(await listen(c.rtp, 800), TONE.third)).toBeGreaterThan(500);
    expect(goertzel(await listen(b.rtp, 800), TONE.caller)).toBeGreaterThan(500);

    await hangUp(c);
    b.sip.respond(await b.sip.request('BYE', () => true, 5000), 200);
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await until(() => acd.legs().length === 0, 5000, 'nothing left in the ACD');
  });

  it('consult complete from a plain consultation: the caller is re-bridged to the second operator, audio both ways', { timeout: 60_000 }, async () => {
    await until(() => cti.getAgent(OP1.id)?.state === 'ready' || cti.getAgent(OP1.id)?.state === 'wrap_up', 5000, 'OP1 free');
    const a = await operatorWithPhone(OP1);
    const b = await operatorWithPhone(OP2);
    await cti.setNotReady(OP2.id);
    const c = await caller();
    await a.answer(TONE.operator);
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 10_000, 'A talking');
    const callId = cti.getAgent(OP1.id)!.callId!;
    cti.setReady(OP2.id);
    await cti.consultCall(OP1.id, callId, OP2.id);
    await b.answer(TONE.third);
    await until(() => cti.getCall(callId)?.consult?.state === 'consulting', 10_000, 'consulting');
    expect(await cti.consultStep(OP1.id, callId, 'complete')).toMatchObject({ operatorId: OP2.id });
    a.sip.respond(await a.sip.request('BYE', () => true, 5000), 200);
    await sleep(400);
    const heard = await listen(c.rtp, 800);
    expect(goertzel(heard, TONE.third)).toBeGreaterThan(1000);
    expect(goertzel(heard, TONE.operator)).toBeLessThan(50);
    expect(goertzel(await listen(b.rtp, 800), TONE.caller)).toBeGreaterThan(1000);
    await hangUp(c);
    b.sip.respond(await b.sip.request('BYE', () => true, 5000), 200);
    await until(() => acd.legs().length === 0, 5000, 'nothing left in the ACD');
  });
});
