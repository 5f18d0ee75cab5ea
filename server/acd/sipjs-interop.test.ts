import pino from 'pino';
import { Invitation, Inviter, Registerer, RegistererState, SessionState, UserAgent, type SessionDescriptionHandler } from 'sip.js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { controlSdp, H } from '../shared/sip-control';
import { Acd } from './acd';
import { SipWsClient } from './test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from './test-support/test-media-engine';

/**
 * The ACD against a real sip.js user agent as the operator's device (the browser's stack):
 * registration with digest, an incoming call from the ACD answered, and the release that
 * only the CTI's BYE causes. Media is an SDP-only description handler (no WebRTC in Node).
 */
const SECRET = 'sipjs-interop-secret-'.padEnd(40, 'z');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550177';

let acd: Acd;
let ua: UserAgent | null = null;
const clients: SipWsClient[] = [];

function sdpOnlyHandler(): SessionDescriptionHandler {
  return {
    close: () => {},
    getDescription: async () => ({ body: TEST_SDP, contentType: 'application/sdp' }),
    hasDescription: (ct: string) => ct === 'application/sdp',
    setDescription: async () => {},
    sendDtmf: () => false,
  };
}

beforeAll(async () => {
  // sip.js opens its socket with the global WebSocket (Node 20 has none): give it ws's
  (globalThis as Record<string, unknown>).WebSocket ??= WebSocket;
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
    media: new TestMediaEngine(),
    logger: pino({ level: 'silent' }),
  });
  await acd.start();
});

afterAll(async () => {
  await ua?.stop();
  await Promise.all(clients.map((c) => c.close()));
  await acd.stop();
});

describe('ACD ↔ sip.js device', () => {
  it('registers a sip.js device, rings it for the CTI, and hangs it up only on the CTI’s BYE', { timeout: 15_000 }, async () => {
    const url = `ws://127.0.0.1:${acd.port}`;
    const dev = issueDeviceCredentials(SECRET, 3600);
    let invitation: Invitation | null = null;
    const invited = new Promise<Invitation>((resolve) => {
      ua = new UserAgent({
        uri: UserAgent.makeURI(`sip:${dev.user}@${DOMAIN}`),
        transportOptions: { server: url },
        authorizationUsername: dev.user,
        authorizationPassword: dev.password,
        logBuiltinEnabled: false,
        sessionDescriptionHandlerFactory: () => sdpOnlyHandler(),
        delegate: {
          onInvite: (inv) => {
            invitation = inv;
            resolve(inv);
          },
        },
      });
    });
    await ua!.start();
    const registerer = new Registerer(ua!);
    const registered = new Promise<void>((resolve) => registerer.stateChange.addListener((s) => s === RegistererState.Registered && resolve()));
    await registerer.register();
    await registered;

    const bank = await SipWsClient.connect(url, 'bank');
    clients.push(bank);
    const bankCreds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, bankCreds.user, bankCreds.password)).status).toBe(200);
    const caller = await SipWsClient.connect(url, 'caller');
    clients.push(caller);
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: '"Carol" <sip:carol@callers.invalid>', body: TEST_SDP });
    caller.send(inv);
    const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
    const callerDialog = caller.dialogFrom(inv, ok);
    caller.send(caller.inDialog('ACK', callerDialog));
    const offer = await bank.request('INVITE');
    const routeDialog = bank.answer(offer, 200, { body: controlSdp(1) });

    const first = bank.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { headers: [[H.bridge, offer.headers.get(H.leg)!]], body: controlSdp(2) });
    bank.send(first);
    const ch = await bank.response(first.headers.get('Call-ID')!, 'INVITE');
    bank.ackFailure(first, ch);
    const dial = bank.withAuth(first, ch, bankCreds.user, bankCreds.password);
    bank.send(dial);

    const incoming = await invited;
    expect(incoming.remoteIdentity.uri.user).toBe('carol');
    expect(incoming.remoteIdentity.displayName).toBe('Carol');
    await incoming.accept();
    const answered = await bank.response(dial.headers.get('Call-ID')!, 'INVITE');
    expect(answered.status).toBe(200);
    const control = bank.dialogFrom(dial, answered);
    bank.send(bank.inDialog('ACK', control));
    await new Promise((r) => setTimeout(r, 100));
    expect(incoming.state).toBe(SessionState.Established);

    // caller hangs up: the device stays up
    caller.send(caller.inDialog('BYE', callerDialog));
    const ctlBye = await bank.request('BYE', (r) => r.headers.get('Call-ID') === routeDialog.callId);
    bank.respond(ctlBye, 200);
    await new Promise((r) => setTimeout(r, 200));
    expect(invitation!.state).toBe(SessionState.Established);

    // the CTI releases it
    const terminated = new Promise<void>((resolve) => incoming.stateChange.addListener((s) => s === SessionState.Terminated && resolve()));
    bank.send(bank.inDialog('BYE', control));
    await terminated;
    expect((await bank.response(control.callId, 'BYE')).status).toBe(200);
    expect(acd.legs()).toEqual([]);

    await registerer.unregister();
    // the next test's offer must reach its own bank, whatever the route point's rotation
    await bank.close();
  });

  it('a sip.js caller reaches a served number, is offered to the CTI, and its hang-up reaches the CTI', { timeout: 15_000 }, async () => {
    const url = `ws://127.0.0.1:${acd.port}`;
    const bank = await SipWsClient.connect(url, 'bank2');
    clients.push(bank);
    const bankCreds = bankCredentials(SECRET, 2);
    expect((await bank.register('route', DOMAIN, bankCreds.user, bankCreds.password)).status).toBe(200);

    const callerUa = new UserAgent({
      uri: UserAgent.makeURI(`sip:web-caller@${DOMAIN}`),
      displayName: 'Web Caller',
      transportOptions: { server: url },
      logBuiltinEnabled: false,
      sessionDescriptionHandlerFactory: () => sdpOnlyHandler(),
    });
    await callerUa.start();
    try {
      const inviter = new Inviter(callerUa, UserAgent.makeURI(`sip:${NUMBER}@${DOMAIN}`)!);
      const established = new Promise<void>((resolve) => inviter.stateChange.addListener((s) => s === SessionState.Established && resolve()));
      await inviter.invite();
      await established;
      const offer = await bank.request('INVITE');
      expect(offer.headers.get('From')).toMatch(/^"Web Caller" <sip:web-caller@patchbay\.local>;tag=/);
      expect(offer.headers.get(H.dialed)).toBe(NUMBER);
      const routeDialog = bank.answer(offer, 200, { body: controlSdp(1) });
      await bank.request('ACK', (r) => r.headers.get('Call-ID') === routeDialog.callId);
      await inviter.bye();
      const ctlBye = await bank.request('BYE', (r) => r.headers.get('Call-ID') === routeDialog.callId);
      expect(ctlBye.headers.get(H.cause)).toBe('remote-bye');
      bank.respond(ctlBye, 200);
    } finally {
      await callerUa.stop();
    }
  });
});
