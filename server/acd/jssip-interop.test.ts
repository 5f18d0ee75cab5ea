import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import { createRequire } from 'node:module';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { H } from '../shared/sip-control';
import { Acd } from './acd';
import { installSdpOnlyWebRtc } from '../shared/sdp/sdp-only-peer-connection';
import { SipWsClient } from './test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from './test-support/test-media-engine';

/**
 * The ACD against a real JsSIP user agent, as the CTI's bank will drive it: registration
 * with digest, the route-point offer, a dial answering the 407 challenge, and the hang-up
 * order. Guards against dialect or SIP details that a hand-written test client would miss.
 */
// jssip-node-websocket ships no types: take its constructor through require, typed here
const NodeWebSocket = createRequire(import.meta.url)('jssip-node-websocket') as new (url: string) => JsSIP.Socket;

const SECRET = 'jssip-interop-secret-'.padEnd(40, 'y');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550123';

let acd: Acd;
let ua: JsSIP.UA;
const clients: SipWsClient[] = [];

beforeAll(async () => {
  installSdpOnlyWebRtc();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
    media: new TestMediaEngine(),
    logger: pino({ level: 'silent' }),
  });
  await acd.start();
});

afterAll(async () => {
  ua?.stop();
  await Promise.all(clients.map((c) => c.close()));
  await acd.stop();
});

function once<T>(register: (resolve: (v: T) => void) => void, ms = 4000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

describe('ACD ↔ JsSIP bank UA', () => {
  it('registers the route point, takes the offer, dials a device through the 407 challenge and follows the hang-up order', { timeout: 15_000 }, async () => {
    const url = `ws://127.0.0.1:${acd.port}`;
    const bank = bankCredentials(SECRET, 1);
    ua = new JsSIP.UA({
      sockets: [new NodeWebSocket(url)],
      uri: `sip:route@${DOMAIN}`,
      authorization_user: bank.user,
      password: bank.password,
      realm: DOMAIN,
      register: true,
      session_timers: false,
      user_agent: 'patchbay-test-bank',
    });
    const sessions: RTCSession[] = [];
    const offered = once<{ legId: string; cause: Promise<string | undefined> }>((resolve) =>
      ua.on('newRTCSession', (e: { originator: string; session: RTCSession; request: { getHeader(n: string): string | undefined } }) => {
        if (e.originator !== 'remote') return;
        sessions.push(e.session);
        const cause = once<string | undefined>((r) => e.session.on('ended', (ev: { message?: { getHeader(n: string): string | undefined } }) => r(ev.message?.getHeader(H.cause))), 10_000);
        e.session.answer({ mediaConstraints: { audio: false, video: false }, pcConfig: { iceServers: [] } });
        resolve({ legId: e.request.getHeader(H.leg) ?? '', cause });
      }),
    );
    const registered = once<void>((r) => ua.on('registered', () => r()));
    ua.start();
    await registered;

    const device = await SipWsClient.connect(url, 'device');
    clients.push(device);
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);

    const caller = await SipWsClient.connect(url, 'caller');
    clients.push(caller);
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP });
    caller.send(inv);
    const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
    const callerDialog = caller.dialogFrom(inv, ok);
    caller.send(caller.inDialog('ACK', callerDialog));

    const offer = await offered;
    expect(offer.legId).toMatch(/^leg-[0-9a-f]{16}$/);

    // the dial, exactly as the bank does it
    const dial = ua.call(`sip:${dev.user}@${DOMAIN}`, {
      extraHeaders: [`${H.bridge}: ${offer.legId}`],
      mediaConstraints: { audio: false, video: false },
      pcConfig: { iceServers: [] },
    });
    const ring = await device.request('INVITE');
    const dialConfirmed = once<string | undefined>((r) => dial.on('accepted', (ev: { response?: { getHeader(n: string): string | undefined } }) => r(ev.response?.getHeader(H.leg))));
    const deviceDialog = device.answer(ring, 200, { body: TEST_SDP });
    const deviceLeg = await dialConfirmed;
    expect(deviceLeg).toMatch(/^leg-[0-9a-f]{16}$/);
    expect(acd.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);

    // caller hangs up → JsSIP sees BYE with the cause on the caller's control dialog only
    caller.send(caller.inDialog('BYE', callerDialog));
    expect(await offer.cause).toBe('remote-bye');
    await new Promise((r) => setTimeout(r, 200));
    expect(device.never((m) => m.kind === 'request' && m.method === 'BYE')).toBe(true);
    expect(dial.isEnded()).toBe(false);

    // the bank releases the device
    dial.terminate();
    const devBye = await device.request('BYE', (r) => r.headers.get('Call-ID') === deviceDialog.callId);
    device.respond(devBye, 200);
    await new Promise((r) => setTimeout(r, 100));
    expect(acd.legs()).toEqual([]);
  });
});
