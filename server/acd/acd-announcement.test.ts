import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials } from '../shared/credentials';
import { ANNOUNCE_H } from '../shared/sip-announce';
import { controlSdp, H } from '../shared/sip-control';
import { Acd } from './acd';
import { decode } from './media/g711';
import { UdpRtpPeer, type SeenRtp } from './media/test-udp-peer';
import { WeriftMediaEngine } from './media/werift-media-engine';
import type { SipRequest } from './sip/message';
import { SipWsClient } from './test-support/sip-ws-client';
import { goertzel, tone } from './test-support/tones';

/**
 * The announcement primitive with the real media engine and a plain RTP caller: the controller's
 * INFO (X-PB-Play, X-PB-Then: release) makes the caller hear the clip — a 3 kHz tone, told from
 * the hold music by its energy at 3 kHz — and then get a BYE, and the controller a BYE with
 * X-PB-Cause: played. Bad headers and a busy leg are refused.
 */
const SECRET = 'announce-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let acd: Acd;
let engine: WeriftMediaEngine;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  engine = new WeriftMediaEngine(log, { rtpPortRange: [43500, 43599], portRange: [43600, 43699], rtpTimeoutSec: 10 });
  engine.clips.add('closed', tone(3000, 8000, 9600));
  engine.clips.add('tone-a', tone(3000, 8000, 4000));
  engine.clips.add('tone-b', tone(3500, 8000, 4000));
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
    media: engine,
    logger: log,
  });
  await acd.start();
});

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await acd.stop();
  await engine.close();
});

async function client(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, name);
  closers.push(() => c.close());
  return c;
}

/** A plain RTP caller, parked with music, its leg taken by the bank's route point. */
async function parkedCaller() {
  const bank = await client('bank');
  const creds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  const phone = await UdpRtpPeer.open();
  closers.push(() => phone.close());
  const caller = await client('caller');
  const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: '<sip:mobile@carrier.invalid>', body: phone.sdp({ pts: '8 101' }) });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  phone.aimAt(ok.body);
  const callerDialog = caller.dialogFrom(inv, ok);
  caller.send(caller.inDialog('ACK', callerDialog));
  const offer = await bank.request('INVITE');
  const routeDialog = bank.answer(offer, 200, { body: controlSdp(1) });
  await bank.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
  // the phone talks (silence) so its leg stays alive
  const talk = setInterval(() => phone.send(8, Buffer.alloc(160, 0xd5)), 20);
  closers.push(async () => clearInterval(talk));
  return { bank, caller, phone, callerDialog, routeDialog, callerLeg: offer.headers.get(H.leg)! };
}

/** The 3 kHz power of each received packet's audio. */
const power3k = (pkts: SeenRtp[]) => pkts.filter((p) => p.pt === 8).map((p) => goertzel(decode(p.payload, 'PCMA'), 3000));
/** Which of the tones each received packet carries ('a' 3 kHz, 'b' 3.5 kHz, '-' neither: the hold music has neither), runs collapsed. */
function toneRuns(pkts: SeenRtp[]): string {
  const marks = pkts
    .filter((p) => p.pt === 8)
    .map((p) => {
      const pcm = decode(p.payload, 'PCMA');
      return goertzel(pcm, 3000) > 1000 ? 'a' : goertzel(pcm, 3500) > 1000 ? 'b' : '-';
    });
  return marks.join('').replace(/(.)\1+/g, '$1');
}

describe('announcement: play a clip to a parked caller, then release', () => {
  it('the caller hears the clip (3 kHz tone, not the music), then gets a BYE; the controller a BYE with X-PB-Cause: played', { timeout: 20_000 }, async () => {
    const p = await parkedCaller();
    await sleep(400);
    const music = power3k(p.phone.received.splice(0));
    expect(music.length).toBeGreaterThan(10);

    const info = p.bank.inDialog('INFO', p.routeDialog);
    info.headers.set(ANNOUNCE_H.play, 'closed');
    info.headers.set(ANNOUNCE_H.then, 'release');
    p.bank.send(info);
    expect((await p.bank.response(p.routeDialog.callId, 'INFO')).status).toBe(200);
    const sentAt = Date.now();

    const isCallerBye = (r: SipRequest) => r.headers.get('Call-ID') === p.callerDialog.callId;
    const bye = await p.caller.request('BYE', isCallerBye, 5000);
    const heardFor = Date.now() - sentAt;
    p.caller.respond(bye, 200);
    const ctlBye = await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.routeDialog.callId, 3000);
    expect(ctlBye.headers.get(H.cause)).toBe('played');
    p.bank.respond(ctlBye, 200);

    // the BYE came after the whole clip (1.2 s), and what was heard meanwhile is the tone
    expect(heardFor).toBeGreaterThanOrEqual(1100);
    const heard = power3k(p.phone.received);
    const toneFrames = heard.filter((x) => x > 1000).length;
    expect(toneFrames).toBeGreaterThanOrEqual(50); // ≥ 1 s of the 1.2 s clip
    expect(music.filter((x) => x > 1000)).toEqual([]); // the hold music has no 3 kHz tone
    expect(acd.legs()).toEqual([]);
  });

  it('refuses a bad clip name (400 naming the header) and a second announcement while one plays (486); a caller hanging up meanwhile ends as usual', { timeout: 20_000 }, async () => {
    const p = await parkedCaller();
    const send = async (clip: string, then = 'release') => {
      const info = p.bank.inDialog('INFO', p.routeDialog);
      info.headers.set(ANNOUNCE_H.play, clip);
      info.headers.set(ANNOUNCE_H.then, then);
      p.bank.send(info);
      return p.bank.response(p.routeDialog.callId, 'INFO');
    };
    const bad = await send('../etc/passwd');
    expect(bad.status).toBe(400);
    expect(bad.reason).toBe(`Bad ${ANNOUNCE_H.play}`);
    expect((await send('closed', 'dance')).reason).toBe(`Bad ${ANNOUNCE_H.then}`);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    expect((await send('closed')).status).toBe(200);
    expect((await send('closed')).status).toBe(486);
    // the caller hangs up during the message: an ordinary hang-up, no second release
    p.caller.send(p.caller.inDialog('BYE', p.callerDialog));
    expect((await p.caller.response(p.callerDialog.callId, 'BYE')).status).toBe(200);
    const ctlBye = await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.routeDialog.callId, 3000);
    expect(ctlBye.headers.get(H.cause)).toBe('remote-bye');
    p.bank.respond(ctlBye, 200);
    await sleep(1500);
    expect(p.bank.received.filter((m) => m.kind === 'request' && m.method === 'BYE')).toHaveLength(1);
  });

  it('X-PB-Play with several clips and X-PB-Then: music plays them in turn, then the hold music again, and keeps the caller', { timeout: 20_000 }, async () => {
    const p = await parkedCaller();
    await sleep(300);
    p.phone.received.splice(0);
    const info = p.bank.inDialog('INFO', p.routeDialog);
    info.headers.set(ANNOUNCE_H.play, 'tone-a,tone-b');
    info.headers.set(ANNOUNCE_H.then, 'music');
    p.bank.send(info);
    expect((await p.bank.response(p.routeDialog.callId, 'INFO')).status).toBe(200);
    await sleep(1800); // 0.5 s + 0.5 s of clips, then music
    const heard = p.phone.received.splice(0);
    // music (no tone) may precede the INFO's effect; then a, then b, then music again
    expect(toneRuns(heard)).toMatch(/^-?ab-$/);
    expect(heard.filter((x) => x.pt === 8).length).toBeGreaterThan(70);
    // a newer announcement may replace a music one, and the caller was never released
    const again = p.bank.inDialog('INFO', p.routeDialog);
    again.headers.set(ANNOUNCE_H.play, 'tone-b');
    again.headers.set(ANNOUNCE_H.then, 'music');
    p.bank.send(again);
    expect((await p.bank.response(p.routeDialog.callId, 'INFO')).status).toBe(200);
    await sleep(900);
    expect(toneRuns(p.phone.received.splice(0))).toMatch(/^-?b-$/);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    expect(p.caller.received.filter((m) => m.kind === 'request' && m.method === 'BYE')).toHaveLength(0);
    // too many clips, or a list with an empty name: refused, naming the header
    const many = p.bank.inDialog('INFO', p.routeDialog);
    many.headers.set(ANNOUNCE_H.play, Array.from({ length: 25 }, () => 'tone-a').join(','));
    p.bank.send(many);
    expect((await p.bank.response(p.routeDialog.callId, 'INFO')).reason).toBe(`Bad ${ANNOUNCE_H.play}`);
    const empty = p.bank.inDialog('INFO', p.routeDialog);
    empty.headers.set(ANNOUNCE_H.play, 'tone-a,,tone-b');
    p.bank.send(empty);
    expect((await p.bank.response(p.routeDialog.callId, 'INFO')).status).toBe(400);
  });
});
