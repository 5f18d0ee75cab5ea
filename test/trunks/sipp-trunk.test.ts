import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import type { MediaEngine } from '../../server/acd/media/media-engine';
import { WeriftMediaEngine } from '../../server/acd/media/werift-media-engine';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import type { TrunkConfig } from '../../server/acd/trunks/trunk-config';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import { bankCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import { freePort, listening, SCENARIOS, sipp, type SippRun } from './sipp';

/**
 * Trunks against a real peer: SIPp as the carrier over SIP/TCP and SIP/UDP on loopback. The
 * bank side is the raw WS test client; media is the ACD's test double, except for the inbound
 * call, where the real engine counts the carrier's RTP (SIPp's g711a.pcap) on the caller leg.
 */
const SECRET = 'sipp-trunk-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const DID = '+15550100';
const MOBILE = '+447700900123';

let acd: Acd | null = null;
let engine: WeriftMediaEngine | null = null;
let run: SippRun | null = null;
const clients: SipWsClient[] = [];

function trunkAt(port: number, over: Partial<TrunkConfig> = {}): TrunkConfig {
  return {
    id: 't1', name: 'loopback', host: '127.0.0.1', port, transport: 'tcp', username: 'pb-acct', password: 'carrier-password-1', realm: 'carrier.test',
    register: false, registerExpirySec: 600, inboundSources: ['127.0.0.1'], inboundDigest: false, outbound: true,
    callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [DID], ...over,
  };
}

async function startAcd(trunk: TrunkConfig, media: MediaEngine = new TestMediaEngine()): Promise<Acd> {
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { tcpPort: 0, udpPort: 0 } },
    dialPlan: { lookup: (n) => (n === DID ? { holdAudio: 'queue-music' } : null) },
    media,
    logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
    trunks: new StaticTrunkDirectory([trunk]),
  });
  await acd.start();
  return acd;
}

async function bank(a: Acd) {
  const c = await SipWsClient.connect(`ws://127.0.0.1:${a.port}`, 'bank');
  clients.push(c);
  const creds = bankCredentials(SECRET, 1);
  expect((await c.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  return { c, creds };
}

afterEach(async () => {
  run?.kill();
  run = null;
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await acd?.stop();
  acd = null;
  await engine?.close();
  engine = null;
});

describe.each([
  { transport: 'tcp' as const, sippT: 't1' },
  { transport: 'udp' as const, sippT: 'u1' },
])('trunks with SIPp as the carrier over $transport (loopback)', ({ transport, sippT }) => {
  it('the bank dials tel:+… and SIPp sees an authenticated INVITE (after its 407) with the trunk’s caller-ID, answers, and gets the BYE', { timeout: 20_000 }, async () => {
    const port = await freePort();
    run = sipp(['-sf', `${SCENARIOS}/carrier-uas-407.xml`, '-t', sippT, '-i', '127.0.0.1', '-p', String(port)]);
    await listening(port, transport);
    const a = await startAcd(trunkAt(port, { transport }));
    const { c, creds } = await bank(a);
    const first = c.makeRequest('INVITE', `tel:${MOBILE}`, { from: `<sip:${creds.user}@${DOMAIN}>`, body: controlSdp(2) });
    c.send(first);
    const ch = await c.response(first.headers.get('Call-ID')!, 'INVITE');
    expect(ch.status).toBe(407);
    c.ackFailure(first, ch);
    const dial = c.withAuth(first, ch, creds.user, creds.password);
    c.send(dial);
    const ok = await c.response(first.headers.get('Call-ID')!, 'INVITE', true, 10_000);
    expect(ok.status).toBe(200);
    const control = c.dialogFrom(dial, ok);
    c.send(c.inDialog('ACK', control));
    c.send(c.inDialog('BYE', control));
    expect((await c.response(control.callId, 'BYE')).status).toBe(200);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('SIPp as the carrier calls a DID: the ACD parks the caller, offers it to the CTI and receives its RTP', { timeout: 20_000 }, async () => {
    engine = new WeriftMediaEngine(pino({ level: 'silent' }), { rtpPortRange: [46500, 46599], portRange: [46600, 46699] });
    const a = await startAcd(trunkAt(9, { transport }), engine);
    const { c } = await bank(a);
    const port = await freePort();
    const mediaPort = 46700 + 2 * Math.floor(Math.random() * 50);
    run = sipp([`127.0.0.1:${transport === 'tcp' ? a.ports.TCP : a.ports.UDP}`, '-sf', `${SCENARIOS}/carrier-uac-inbound.xml`, '-t', sippT, '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-s', DID]);
    const offer = await c.request('INVITE', () => true, 10_000);
    expect(offer.headers.get(H.dialed)).toBe(DID);
    expect(offer.headers.get('From')).toContain('+15557654321');
    // the caller leg is plain RTP (the carrier offered RTP/AVP) in A-law, the carrier's first choice
    const leg = engine.endpointOf(offer.headers.get(H.leg)!)!;
    expect(leg.kind).toBe('rtp');
    expect(leg.codec).toBe('PCMA');
    c.answer(offer, 200, { body: controlSdp(1) });
    // the carrier hangs up after 1.5 s: the ACD tells the CTI with cause remote-bye
    const bye = await c.request('BYE', () => true, 10_000);
    expect(bye.headers.get(H.cause)).toBe('remote-bye');
    c.respond(bye, 200);
    // 1.5 s of g711a.pcap (30 ms packets) reached the caller leg: about 50 packets
    expect(leg.rtpReceived).toBeGreaterThan(30);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('registers to the carrier (SIPp registrar: 401, digest checked, 60 s granted) and reports it in trunkStatus()', { timeout: 20_000 }, async () => {
    const port = await freePort();
    run = sipp(['-sf', `${SCENARIOS}/carrier-registrar.xml`, '-t', sippT, '-i', '127.0.0.1', '-p', String(port)]);
    await listening(port, transport);
    const a = await startAcd(trunkAt(port, { transport, register: true, registerExpirySec: 120 }));
    const until = Date.now() + 8000;
    while (a.trunkStatus()[0]?.registration?.state !== 'registered' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const st = a.trunkStatus()[0]!.registration!;
    expect(st.state).toBe('registered');
    expect(st.lastStatus).toBe(200);
    expect(st.expiresAt! - Date.now()).toBeGreaterThan(50_000);
    expect(st.expiresAt! - Date.now()).toBeLessThanOrEqual(60_000);
    expect(st.nextAttemptAt! - Date.now()).toBeLessThan(50_000);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });
});
