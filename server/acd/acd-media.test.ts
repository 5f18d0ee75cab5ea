import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials } from '../shared/credentials';
import { controlSdp, H } from '../shared/sip-control';
import { Acd } from './acd';
import { readPcapUdp, UdpRtpPeer } from './media/test-udp-peer';
import { ENGINES, EngineUnderTest, type EngineName, type TestEngine } from './media/test-engines';
import { parseCSeq } from './sip/headers';
import type { SipRequest } from './sip/message';
import { SipWsClient, type ClientDialog } from './test-support/sip-ws-client';

/**
 * The ACD with the real media engine and a plain RTP caller (a UDP socket standing in for
 * a phone behind a trunk): DTMF reaches the controller as INFO, a dead leg is released with
 * its cause, and a party's hold re-INVITE is answered by the media.
 */
const SECRET = 'media-hooks-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let acd: Acd;
let engine: TestEngine;
const closers: Array<() => Promise<void>> = [];
const engines = new EngineUnderTest(log);
afterAll(() => engines.stop());

async function startAcd(name: EngineName): Promise<void> {
  engine = await engines.make(name, { rtpPortRange: [43200, 43299], portRange: [43300, 43399], rtpTimeoutSec: 1 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
    media: engine,
    logger: log,
  });
  await acd.start();
}

async function stopAcd(): Promise<void> {
  for (const c of closers.splice(0).reverse()) await c();
  await acd.stop();
  await engine.close();
}

async function client(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, name);
  closers.push(() => c.close());
  return c;
}

/** A plain RTP caller answered, parked with music and offered to the bank's route point. */
async function plainCaller() {
  const bank = await client('bank');
  const creds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  const phone = await UdpRtpPeer.open();
  closers.push(() => phone.close());
  const caller = await client('caller');
  const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: '<sip:mobile@carrier.invalid>', body: phone.sdp({ pts: '8 0 101' }) });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  // the embedded engine keeps the party's order; rtpengine answers with one law, μ-law when
  // the party offers it (no transcoding then), else the party's and transcodes
  expect(ok.body).toMatch(engine.name === 'werift' ? /^m=audio \d+ RTP\/AVP 8 0 101$/m : /^m=audio \d+ RTP\/AVP 0 101\r?$/m);
  lawPt = Number(/^m=audio \d+ RTP\/AVP (\d+)/m.exec(ok.body)?.[1]);
  phone.aimAt(ok.body);
  const callerDialog = caller.dialogFrom(inv, ok);
  caller.send(caller.inDialog('ACK', callerDialog));
  const offer = await bank.request('INVITE');
  const routeDialog = bank.answer(offer, 200, { body: controlSdp(1) });
  await bank.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
  return { bank, caller, phone, callerDialog, routeDialog, callerLeg: offer.headers.get(H.leg)!, answer: ok.body };
}

/** The law the ACD answered the plain caller with (its first payload type). */
let lawPt = 8;

/** Keeps the phone's RTP flowing (silence in the answered law) so the leg stays alive; returns a stop function. */
function keepTalking(phone: UdpRtpPeer): () => void {
  const t = setInterval(() => phone.send(lawPt, Buffer.alloc(160, lawPt === 8 ? 0xd5 : 0xff)), 20);
  return () => clearInterval(t);
}

const dtmfInfo = (routeDialog: ClientDialog) => (r: SipRequest) => r.headers.get('Call-ID') === routeDialog.callId;

describe.each(ENGINES)('ACD media hooks with the real %s engine and a plain RTP caller', (name) => {
  beforeEach(() => startAcd(name));
  afterEach(() => stopAcd());

  it('relays RFC 4733 digits (SIPp pcaps) and SIP INFO digits to the controller as application/dtmf-relay INFO', { timeout: 15_000 }, async () => {
    const p = await plainCaller();
    const stop = keepTalking(p.phone);
    closers.push(async () => stop());
    // the parked caller hears the hold music on plain RTP
    await sleep(300);
    expect(p.phone.received.length).toBeGreaterThan(5);
    expect(p.phone.received.every((r) => r.pt === lawPt)).toBe(true);
    for (const name of ['4', 'pound']) {
      const pkts = readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`);
      const t0 = Date.now();
      for (const pkt of pkts) {
        const wait = pkt.atMs - (Date.now() - t0);
        if (wait > 0) await sleep(wait);
        p.phone.sendRaw(pkt.data);
      }
      const info = await p.bank.request('INFO', dtmfInfo(p.routeDialog));
      expect(info.headers.get('Content-Type')).toBe('application/dtmf-relay');
      expect(info.body).toBe(`Signal=${name === 'pound' ? '#' : name}\r\nDuration=280\r\n`);
      p.bank.respond(info, 200);
    }
    // a phone that sends its digits as SIP INFO instead
    const partyInfo = p.caller.inDialog('INFO', p.callerDialog, 'Signal=9\r\nDuration=250\r\n');
    partyInfo.headers.set('Content-Type', 'application/dtmf-relay');
    p.caller.send(partyInfo);
    expect((await p.caller.response(p.callerDialog.callId, 'INFO')).status).toBe(200);
    const relayed = await p.bank.request('INFO', dtmfInfo(p.routeDialog));
    expect(relayed.body).toBe('Signal=9\r\nDuration=250\r\n');
    p.bank.respond(relayed, 200);
    // exactly one INFO per digit: no duplicates from the three end packets
    await sleep(300);
    expect(p.bank.received.filter((m) => m.kind === 'request' && m.method === 'INFO').map((m) => m.body.split('\r\n')[0])).toEqual(['Signal=4', 'Signal=#', 'Signal=9']);
  });

  it('releases a leg whose RTP stopped: BYE to the party and BYE with X-PB-Cause: rtp-timeout to the controller', { timeout: 15_000 }, async () => {
    const p = await plainCaller();
    const stop = keepTalking(p.phone);
    await sleep(1500); // longer than the timeout: talking keeps it alive
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    stop();
    const [bye, ctlBye] = await Promise.all([
      p.caller.request('BYE', (r) => r.headers.get('Call-ID') === p.callerDialog.callId, 4000),
      p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.routeDialog.callId, 4000),
    ]);
    p.caller.respond(bye, 200);
    expect(ctlBye.headers.get(H.cause)).toBe('rtp-timeout');
    p.bank.respond(ctlBye, 200);
    expect(acd.legs()).toEqual([]);
    expect(engine.endpointCount).toBe(0);
  });

  it("answers a party's hold re-INVITE on the same port, stops sending to it, and resumes the music on sendrecv", { timeout: 15_000 }, async () => {
    const p = await plainCaller();
    const stop = keepTalking(p.phone);
    closers.push(async () => stop());
    await sleep(200);
    const port = /^m=audio (\d+)/m.exec(p.answer)?.[1];
    const reinvite = async (direction: string) => {
      const re = p.caller.inDialog('INVITE', p.callerDialog, p.phone.sdp({ pts: '8 0 101', direction }));
      p.caller.send(re);
      const ok = await p.caller.response(p.callerDialog.callId, 'INVITE');
      p.caller.send(p.caller.inDialog('ACK', { ...p.callerDialog, inviteSeq: parseCSeq(re.headers.get('CSeq')!)!.seq }));
      return ok;
    };
    const held = await reinvite('sendonly');
    expect(held.status).toBe(200);
    expect(held.body).toContain('a=recvonly');
    expect(/^m=audio (\d+)/m.exec(held.body)?.[1]).toBe(port);
    await sleep(100);
    const during = p.phone.received.length;
    await sleep(400);
    expect(p.phone.received.length - during).toBe(0);
    const resumed = await reinvite('sendrecv');
    expect(resumed.body).toContain('a=sendrecv');
    await sleep(300);
    expect(p.phone.received.length - during).toBeGreaterThan(8);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
  });
});
