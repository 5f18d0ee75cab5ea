import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { readPcapUdp, UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import { WeriftMediaEngine } from '../../server/acd/media/werift-media-engine';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { bankCredentials, issueDeviceCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import type { SipRequest } from '../../server/acd/sip/message';
import { freePort, killSipps, runSipp } from './sipp-runner';
import { requireTool } from '../../server/test-support/system-tools';
import { dialForLeg, takeRouteOffer } from '../../server/test-support/sip-peers';

/**
 * SIPp callers over UDP with real RTP through the ACD's own SIP and the real media engine
 * (plain RTP legs): DTMF from SIPp's RFC 4733 pcaps reaches the bank as INFO on the caller's
 * control dialog, and SIPp's A-law speech (g711a.pcap) reaches a SIP phone through the
 * bridge byte for byte. The bank is a test client over WS, as in sipp.test.ts.
 */
const SIPP = requireTool('sipp');
const SECRET = 'sipp-media-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });

let acd: Acd | null = null;
let engine: WeriftMediaEngine | null = null;
const closers: Array<() => Promise<void>> = [];

async function start(): Promise<Acd> {
  engine = new WeriftMediaEngine(log, { rtpPortRange: [46200, 46299], portRange: [46300, 46399], rtpTimeoutSec: 10 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 5, transports: { udpPort: 0 } },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
    media: engine,
    logger: log,
  });
  await acd.start();
  return acd;
}

async function bank(a: Acd) {
  const b = await SipWsClient.connect(`ws://127.0.0.1:${a.port}`, 'bank');
  closers.push(() => b.close());
  const creds = bankCredentials(SECRET, 1);
  expect((await b.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  return { b, creds };
}

/** SIPp's UDP caller arguments: its SIP port, its media port (an even one of its own) and the ACD. */
async function callerArgs(a: Acd): Promise<string[]> {
  const mediaPort = 46400 + 2 * Math.floor(Math.random() * 50);
  return ['-t', 'u1', '-s', NUMBER, '-i', '127.0.0.1', '-p', String(await freePort()), '-mi', '127.0.0.1', '-mp', String(mediaPort), `127.0.0.1:${a.ports.UDP!}`];
}

afterEach(async () => {
  killSipps();
  for (const c of closers.splice(0).reverse()) await c();
  await acd?.stop();
  await engine?.close();
  acd = null;
  engine = null;
});

describe('SIPp callers with RTP through the ACD (UDP, real media engine)', () => {
  it('relays the digits SIPp plays (dtmf_2833_1.pcap, dtmf_2833_5.pcap) to the bank as dtmf-relay INFO; its BYE reaches the bank as remote-bye', { timeout: 20_000 }, async () => {
    const a = await start();
    const { b } = await bank(a);
    const run = runSipp('caller-dtmf-uac.xml', await callerArgs(a), 12);
    const offer = await b.request('INVITE', () => true, 5000);
    expect(offer.headers.get(H.dialed)).toBe(NUMBER);
    const control = b.answer(offer, 200, { body: controlSdp(1) });
    const onControl = (r: SipRequest) => r.headers.get('Call-ID') === control.callId;
    for (const digit of ['1', '5']) {
      const info = await b.request('INFO', onControl, 5000);
      expect(info.headers.get('Content-Type')).toBe('application/dtmf-relay');
      expect(info.body).toBe(`Signal=${digit}\r\nDuration=280\r\n`);
      b.respond(info, 200);
    }
    const bye = await b.request('BYE', onControl, 5000);
    expect(bye.headers.get(H.cause)).toBe('remote-bye');
    b.respond(bye, 200);
    const { code, errors } = await run.done;
    expect(errors).toBe('');
    expect(code).toBe(0);
    // exactly one INFO per digit (the three end packets count once)
    expect(b.received.filter((m) => m.kind === 'request' && m.method === 'INFO').map((m) => m.body.split('\r\n')[0])).toEqual(['Signal=1', 'Signal=5']);
    expect(a.legs()).toEqual([]);
  });

  it("bridges SIPp's A-law speech (g711a.pcap) to a SIP phone registered over UDP: the phone receives the packets byte for byte", { timeout: 25_000 }, async () => {
    const a = await start();
    const { b, creds } = await bank(a);
    const dev = issueDeviceCredentials(SECRET, 3600);
    const phone = await SipWsClient.udp('127.0.0.1', a.ports.UDP!, 'phone');
    closers.push(() => phone.close());
    expect((await phone.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const phoneRtp = await UdpRtpPeer.open();
    closers.push(() => phoneRtp.close());

    const run = runSipp('caller-g711a-uac.xml', await callerArgs(a), 15);
    const { callerLeg, route } = await takeRouteOffer(b, 5000);
    const dial = await dialForLeg(b, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds);
    const ring = await phone.request('INVITE', () => true, 5000);
    expect(ring.body).toMatch(/^m=audio \d+ RTP\/AVP /m);
    phoneRtp.aimAt(ring.body);
    const phoneDialog = phone.answer(ring, 200, { body: phoneRtp.sdp({ pts: '8 101' }) });
    const bridged = await b.response(dial.headers.get('Call-ID')!, 'INVITE', true, 5000);
    expect(bridged.status).toBe(200);
    const control = b.dialogFrom(dial, bridged);
    b.send(b.inDialog('ACK', control));
    // keep the phone's leg alive (it is bridged, so its silence goes to SIPp)
    const talk = setInterval(() => phoneRtp.send(8, Buffer.alloc(160, 0xd5)), 20);
    closers.push(async () => clearInterval(talk));

    // SIPp hangs up after 2.5 s of speech: the bank hears remote-bye on the caller's control dialog
    const bye = await b.request('BYE', (r) => r.headers.get('Call-ID') === route.callId, 10_000);
    expect(bye.headers.get(H.cause)).toBe('remote-bye');
    b.respond(bye, 200);
    const { code, errors } = await run.done;
    expect(errors).toBe('');
    expect(code).toBe(0);
    clearInterval(talk);

    // what reached the phone after the bridge: SIPp's speech, in order, payloads unchanged (PCMA both sides)
    const speech = readPcapUdp('/usr/share/sip-tester/g711a.pcap').map((p) => p.data.subarray(12));
    const got = phoneRtp.received.filter((p) => p.pt === 8 && p.payload.length === speech[0]!.length);
    expect(got.length).toBeGreaterThan(50); // 2.5 s of 30 ms packets ≈ 80
    expect(got.map((p) => p.payload.toString('hex'))).toEqual(speech.slice(0, got.length).map((s) => s.toString('hex')));
    // one stream towards the phone: one SSRC, +1 sequence steps
    expect(new Set(got.map((p) => p.ssrc)).size).toBe(1);
    expect(got.every((p, i) => i === 0 || p.seq === ((got[i - 1]!.seq + 1) & 0xffff))).toBe(true);

    // the device waits; the bank releases it
    expect(a.legs()).toEqual([expect.objectContaining({ kind: 'device', state: 'waiting' })]);
    b.send(b.inDialog('BYE', control));
    const phoneBye = await phone.request('BYE', (r) => r.headers.get('Call-ID') === phoneDialog.callId);
    phone.respond(phoneBye, 200);
    expect((await b.response(control.callId, 'BYE')).status).toBe(200);
  });
});
