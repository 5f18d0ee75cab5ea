import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { bankCredentials, issueDeviceCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import { freePort, killSipps, runSipp } from './sipp-runner';
import { dialForLeg, placeCall, takeRouteOffer } from '../../server/test-support/sip-peers';

/**
 * SIPp (Debian's sip-tester) as a real peer of the ACD over UDP and TCP: an OPTIONS ping,
 * a caller answered and parked while the bank takes the route-point offer over WS, and a
 * SIPp phone registered over UDP that the bank dials. SIPp has no TLS/WS (FACTS.md).
 */
const SECRET = 'sipp-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';

let acd: Acd | null = null;
let media: TestMediaEngine | null = null;
let clients: SipWsClient[] = [];

async function startAcd(): Promise<Acd> {
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 5, timers: { routeRetryMs: 100, routeRetryLimit: 3 }, transports: { udpPort: 0, tcpPort: 0 } },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
    media: (media = new TestMediaEngine()),
    logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
  });
  await acd.start();
  return acd;
}

async function bank() {
  const b = await SipWsClient.connect(`ws://127.0.0.1:${acd!.port}`, 'bank');
  clients.push(b);
  const creds = bankCredentials(SECRET, 1);
  expect((await b.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  return { b, creds };
}

afterEach(async () => {
  killSipps();
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await acd?.stop();
  acd = null;
});

describe('SIPp against the ACD', () => {
  for (const t of ['u1', 't1'] as const) {
    const name = t === 'u1' ? 'UDP' : 'TCP';
    it(`answers an OPTIONS ping over ${name}`, { timeout: 10_000 }, async () => {
      await startAcd();
      const port = acd!.ports[name]!;
      const run = runSipp('options-uac.xml', ['-t', t, '-i', '127.0.0.1', '-p', String(await freePort()), `127.0.0.1:${port}`], 6);
      const { code, errors } = await run.done;
      expect(errors).toBe('');
      expect(code).toBe(0);
    });

    it(`parks a SIPp caller over ${name} and offers it to the bank over WS; the caller's BYE reaches the bank`, { timeout: 12_000 }, async () => {
      await startAcd();
      const { b } = await bank();
      const run = runSipp('caller-uac.xml', ['-t', t, '-s', NUMBER, '-i', '127.0.0.1', '-p', String(await freePort()), `127.0.0.1:${acd!.ports[name]!}`], 8);
      const offer = await b.request('INVITE', () => true, 5000);
      expect(offer.headers.get(H.dialed)).toBe(NUMBER);
      expect(offer.headers.get('From')).toContain('+15557770000');
      const control = b.answer(offer, 200, { body: controlSdp(1) });
      const bye = await b.request('BYE', (r) => r.headers.get('Call-ID') === control.callId, 5000);
      expect(bye.headers.get(H.cause)).toBe('remote-bye');
      b.respond(bye, 200);
      const { code, errors } = await run.done;
      expect(errors).toBe('');
      expect(code).toBe(0);
      expect(acd!.legs()).toHaveLength(0);
    });
  }

  it('rings a SIPp phone registered over UDP when the bank dials it, and releases it with BYE', { timeout: 15_000 }, async () => {
    await startAcd();
    const { b, creds } = await bank();
    const dev = issueDeviceCredentials(SECRET, 3600);
    const phonePort = await freePort();
    const phone = ['-t', 'u1', '-i', '127.0.0.1', '-p', String(phonePort), '-s', dev.user, '-au', dev.user, '-ap', dev.password];
    const reg = await runSipp('device-register.xml', [...phone, `127.0.0.1:${acd!.ports.UDP!}`], 6).done;
    expect(reg.errors).toBe('');
    expect(reg.code).toBe(0);
    const answering = runSipp('device-uas.xml', phone, 10);

    const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd!.port}`, 'caller');
    clients.push(caller);
    await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, TEST_SDP);
    const { callerLeg } = await takeRouteOffer(b);

    const dial = await dialForLeg(b, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds);
    const bridged = await b.response(dial.headers.get('Call-ID')!, 'INVITE', true, 5000);
    expect(bridged.status).toBe(200);
    const control = b.dialogFrom(dial, bridged);
    b.send(b.inDialog('ACK', control));
    expect(acd!.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);
    // a phone registered over UDP gets a plain RTP/AVP offer, not WebRTC
    expect([...media!.endpoints.values()].map((e) => e.kind)).toEqual(['rtp', 'rtp']);
    // the bank releases the device leg: the ACD sends BYE to the phone, which answers and exits 0
    b.send(b.inDialog('BYE', control));
    expect((await b.response(control.callId, 'BYE')).status).toBe(200);
    const { code, errors } = await answering.done;
    expect(errors).toBe('');
    expect(code).toBe(0);
    expect(acd!.legs()).toEqual([expect.objectContaining({ kind: 'caller', state: 'parked' })]);
  });
});
