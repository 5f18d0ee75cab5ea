import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { parseCSeq, parseVia } from '../../server/acd/sip/headers';
import type { SipMessage, SipResponse } from '../../server/acd/sip/message';
import type { AcdTimers } from '../../server/acd/timers';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { bankCredentials, issueDeviceCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import { selfSignedCert } from '../../server/acd/test-support/tls-cert';
import { dialForLeg, placeCall, takeRouteOffer } from '../../server/test-support/sip-peers';

/**
 * The ACD over UDP, TCP, TLS and WSS with raw clients: Via/rport answers, retransmissions
 * (Timers A, G, H), absorbed request resends, stream framing, session timers.
 */
const SECRET = 'transport-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
// short timers: T1 50 ms, T2 200 ms, Timer H 1 s
const FAST: Partial<AcdTimers> = { t1Ms: 50, t2Ms: 200, t4Ms: 200, ackTimeoutMs: 1000, transactionTimeoutMs: 1500, routeRetryMs: 100, routeRetryLimit: 3, minSessionExpiresSec: 2 };

let acd: Acd | null = null;
let media: TestMediaEngine;
let clients: SipWsClient[] = [];
let tlsMaterial: { cert: string; key: string };

beforeAll(() => {
  tlsMaterial = selfSignedCert();
});

async function startAcd(): Promise<Acd> {
  media = new TestMediaEngine();
  acd = new Acd({
    config: {
      host: '127.0.0.1',
      port: 0,
      domain: DOMAIN,
      secret: SECRET,
      ringTimeoutDefaultSec: 5,
      timers: FAST,
      transports: { udpPort: 0, tcpPort: 0, tlsPort: 0, wssPort: 0, tls: tlsMaterial },
    },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
    media,
    logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
  });
  await acd.start();
  return acd;
}

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await acd?.stop();
  acd = null;
});

const keep = (c: SipWsClient) => (clients.push(c), c);
const udp = async (name: string) => keep(await SipWsClient.udp('127.0.0.1', acd!.ports.UDP!, name));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (c: SipWsClient, pred: (m: SipMessage) => boolean) => c.received.filter(pred).length;
const isFinal = (callId: string, status: number) => (m: SipMessage) => m.kind === 'response' && m.status === status && m.headers.get('Call-ID') === callId;

async function bankOnWs() {
  const bank = keep(await SipWsClient.connect(`ws://127.0.0.1:${acd!.port}`, 'bank'));
  const creds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  return { bank, creds };
}

describe('ACD transports', () => {
  it('listens on every configured transport and answers OPTIONS over UDP, TCP, TLS and WSS', { timeout: 8000 }, async () => {
    await startAcd();
    const ports = acd!.ports;
    expect(Object.keys(ports).sort()).toEqual(['TCP', 'TLS', 'UDP', 'WS', 'WSS']);
    const peers = [
      await udp('u'),
      keep(await SipWsClient.stream('127.0.0.1', ports.TCP!, 't')),
      keep(await SipWsClient.stream('127.0.0.1', ports.TLS!, 's', tlsMaterial.cert)),
      keep(await SipWsClient.connect(`wss://localhost:${ports.WSS!}`, 'w', 'sip', { ca: tlsMaterial.cert })),
    ];
    for (const c of peers) {
      const req = c.makeRequest('OPTIONS', `sip:${DOMAIN}`);
      c.send(req);
      const res = await c.response(req.headers.get('Call-ID')!, 'OPTIONS');
      expect(res.status, c.transport).toBe(200);
      expect(res.headers.get('Allow')).toContain('INVITE');
      expect(res.headers.get('Supported')).toBe('timer');
      // RFC 3581: the ACD says which port it saw the request come from
      const via = parseVia(res.headers.get('Via')!)!;
      expect(via.transport).toBe(c.transport);
      expect(Number(via.params.get('rport'))).toBeGreaterThan(0);
    }
  });

  it('reads compact header forms and comma-joined Vias, and answers with the whole Via stack in order', { timeout: 5000 }, async () => {
    await startAcd();
    const c = await udp('compact');
    c.sendRaw(
      [
        `OPTIONS sip:${DOMAIN} SIP/2.0`,
        `v: SIP/2.0/UDP ${c.sentBy};branch=z9hG4bKcompact1;rport, SIP/2.0/UDP proxy.invalid:5060;branch=z9hG4bKprev`,
        'f: <sip:c@test.invalid>;tag=ct1',
        `t: <sip:${DOMAIN}>`,
        'i: compact-1@test',
        'CSeq: 7 OPTIONS',
        'Max-Forwards: 70',
        'l: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const res = await c.response('compact-1@test', 'OPTIONS');
    expect(res.status).toBe(200);
    const vias = res.headers.getAll('Via');
    expect(vias).toHaveLength(2);
    expect(vias[0]).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bKcompact1;rport=\d+$/);
    expect(vias[1]).toBe('SIP/2.0/UDP proxy.invalid:5060;branch=z9hG4bKprev');
    // §8.2.2.3: an extension the ACD lacks is refused by name; `timer` is fine
    const rel = c.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP, headers: [['Require', '100rel, timer']] });
    c.send(rel);
    const refused = await c.response(rel.headers.get('Call-ID')!, 'INVITE');
    expect(refused.status).toBe(420);
    expect(refused.headers.get('Unsupported')).toBe('100rel');
    c.ackFailure(rel, refused);
  });

  it('registers a device with digest over UDP, TCP and TLS; a resent REGISTER gets the same answer', { timeout: 8000 }, async () => {
    await startAcd();
    const ports = acd!.ports;
    for (const c of [await udp('u'), keep(await SipWsClient.stream('127.0.0.1', ports.TCP!, 't')), keep(await SipWsClient.stream('127.0.0.1', ports.TLS!, 's', tlsMaterial.cert))]) {
      const dev = issueDeviceCredentials(SECRET, 3600);
      expect((await c.register(dev.user, DOMAIN, dev.user, dev.password)).status, c.transport).toBe(200);
    }
    // a retransmitted request is absorbed by its transaction: the same 401 (same nonce) comes back
    const c = await udp('again');
    const req = c.makeRequest('REGISTER', `sip:${DOMAIN}`, { from: `<sip:dev-x@${DOMAIN}>`, to: `<sip:dev-x@${DOMAIN}>` });
    c.send(req);
    c.send(req);
    await pause(150);
    const answers = c.received.filter((m): m is SipResponse => m.kind === 'response' && m.headers.get('Call-ID') === req.headers.get('Call-ID'));
    expect(answers).toHaveLength(2);
    expect(answers[0]!.headers.get('WWW-Authenticate')).toBe(answers[1]!.headers.get('WWW-Authenticate'));
  });

  it('frames TCP by Content-Length: two messages in one write, one message in pieces; garbage closes the connection', { timeout: 8000 }, async () => {
    await startAcd();
    const c = keep(await SipWsClient.stream('127.0.0.1', acd!.ports.TCP!, 'frames'));
    const { serialize } = await import('../../server/acd/sip/serializer');
    const a = c.makeRequest('OPTIONS', `sip:${DOMAIN}`);
    const b = c.makeRequest('OPTIONS', `sip:${DOMAIN}`);
    c.sendRaw(serialize(a) + serialize(b));
    const third = serialize(c.makeRequest('OPTIONS', `sip:${DOMAIN}`, { callId: 'split@test' }));
    c.sendRaw(third.slice(0, 40));
    await pause(30);
    c.sendRaw(third.slice(40));
    for (const id of [a.headers.get('Call-ID')!, b.headers.get('Call-ID')!, 'split@test']) expect((await c.response(id, 'OPTIONS')).status).toBe(200);
    c.sendRaw('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4\r\n\r\n'); // no Content-Length on a stream
    for (let i = 0; i < 50 && c.open; i++) await pause(20);
    expect(c.open).toBe(false);
  });

  it('UDP caller: a resent INVITE is absorbed, the 200 is retransmitted on Timer G until ACK, the bank gets the offer over WS', { timeout: 8000 }, async () => {
    await startAcd();
    const { bank } = await bankOnWs();
    const caller = await udp('caller');
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP });
    const callId = inv.headers.get('Call-ID')!;
    caller.send(inv);
    expect((await caller.response(callId, 'INVITE', false)).status).toBe(100);
    const ok = await caller.response(callId, 'INVITE');
    expect(ok.status).toBe(200);
    caller.send(inv); // the INVITE again (a lost 200, as the caller sees it)
    await pause(400);
    expect(acd!.legs()).toHaveLength(1);
    const resent = count(caller, isFinal(callId, 200));
    expect(resent).toBeGreaterThanOrEqual(3); // first 200, the one for the resend, Timer G copies at 50/150/350 ms
    caller.send(caller.inDialog('ACK', caller.dialogFrom(inv, ok)));
    const offer = await bank.request('INVITE');
    expect(offer.headers.get(H.dialed)).toBe(NUMBER);
    bank.answer(offer, 200, { body: controlSdp(1) });
    await pause(300);
    expect(count(caller, isFinal(callId, 200))).toBeLessThanOrEqual(resent + 1); // stopped by the ACK
    expect(acd!.legs()[0]).toMatchObject({ state: 'parked', control: 'up' });
  });

  it('UDP caller behind a proxy that never ACKs: 200 retransmitted at T1, 2T1, 4T1… capped at T2, then Timer H ends the leg with a BYE on the route set', { timeout: 8000 }, async () => {
    await startAcd();
    const caller = await udp('mute');
    const rr = ['<sip:proxy-a.invalid;lr>', '<sip:127.0.0.1;lr;transport=udp>'];
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP, headers: rr.map((r) => ['Record-Route', r] as [string, string]) });
    const callId = inv.headers.get('Call-ID')!;
    caller.send(inv);
    const ok = await caller.response(callId, 'INVITE');
    expect(ok.headers.getAll('Record-Route')).toEqual(rr);
    const t0 = Date.now();
    const bye = await caller.request('BYE', (r) => r.headers.get('Call-ID') === callId, 3000);
    // loose routing (§16.12): the route set as recorded, the caller's Contact as Request-URI
    expect(bye.headers.getAll('Route')).toEqual(rr);
    expect(bye.uri).toBe(inv.headers.get('Contact')!.replace(/^<|>$/g, ''));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    caller.respond(bye, 200);
    // 1 s of Timer H with T1=50/T2=200: copies at 50, 150, 350, 550, 750, 950 ms
    const copies = count(caller, isFinal(callId, 200));
    // (a loaded machine delays timers, so the lower bound leaves room)
    expect(copies).toBeGreaterThanOrEqual(4);
    expect(copies).toBeLessThanOrEqual(8);
    await pause(300);
    expect(count(caller, isFinal(callId, 200))).toBe(copies);
    expect(acd!.legs()).toHaveLength(0);
  });

  it('UDP device: registered, dialled by the bank, INVITE retransmitted on Timer A until it answers; bridged; the ACD refreshes its session', { timeout: 8000 }, async () => {
    await startAcd();
    const { bank, creds } = await bankOnWs();
    const device = await udp('device');
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const caller = keep(await SipWsClient.stream('127.0.0.1', acd!.ports.TCP!, 'caller'));
    await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, TEST_SDP);
    const { callerLeg } = await takeRouteOffer(bank);

    const dial = await dialForLeg(bank, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds);
    const ring = await device.request('INVITE');
    expect(parseVia(ring.headers.get('Via')!)!.transport).toBe('UDP');
    expect(ring.headers.get('Supported')).toBe('timer');
    await pause(400); // no answer yet: Timer A resends at 50, 150 and 350 ms
    const ringCallId = ring.headers.get('Call-ID')!;
    expect(count(device, (m) => m.kind === 'request' && m.method === 'INVITE' && m.headers.get('Call-ID') === ringCallId)).toBeGreaterThanOrEqual(3);
    device.send(device.answerProvisional(ring));
    await pause(200);
    const afterRinging = count(device, (m) => m.kind === 'request' && m.method === 'INVITE');
    // the phone wants a session timer and makes the ACD (the UAC) the refresher
    device.answer(ring, 200, { body: TEST_SDP, headers: [['Session-Expires', '2;refresher=uac'], ['Require', 'timer']] });
    await device.request('ACK', (r) => r.headers.get('Call-ID') === ringCallId);
    const bridged = await bank.response(dial.headers.get('Call-ID')!, 'INVITE');
    expect(bridged.status).toBe(200);
    expect(count(device, (m) => m.kind === 'request' && m.method === 'INVITE')).toBe(afterRinging); // a 1xx stops Timer A
    expect(acd!.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);
    // at half the interval the ACD refreshes with a re-INVITE carrying its unchanged offer (the phone did not allow UPDATE)
    const refresh = await device.request('INVITE', (r) => r.headers.get('Call-ID') === ringCallId && r.headers.get('To')!.includes('tag='), 2500);
    expect(refresh.body).toBe(ring.body);
    expect(refresh.headers.get('Session-Expires')).toBe('2;refresher=uac');
    device.answer(refresh, 200, { body: TEST_SDP, headers: [['Session-Expires', '2;refresher=uac']] });
    const ack = await device.request('ACK', (r) => r.headers.get('Call-ID') === ringCallId && r.headers.get('CSeq') === refresh.headers.get('CSeq')!.replace('INVITE', 'ACK'));
    expect(ack.uri).toBe(refresh.uri);
    expect(acd!.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);
  });

  it('TCP device: the ACD rings it on the connection it registered on, without retransmitting', { timeout: 8000 }, async () => {
    await startAcd();
    const { bank, creds } = await bankOnWs();
    const device = keep(await SipWsClient.stream('127.0.0.1', acd!.ports.TCP!, 'tcp-phone'));
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const caller = await udp('caller');
    await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, TEST_SDP);
    const { callerLeg } = await takeRouteOffer(bank);
    const dial = await dialForLeg(bank, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds);
    const ring = await device.request('INVITE');
    expect(parseVia(ring.headers.get('Via')!)!.transport).toBe('TCP');
    expect(ring.headers.get('Contact')).toContain(`:${acd!.ports.TCP!};transport=tcp`);
    await pause(300); // T1 is 50 ms: over TCP nothing may be resent
    expect(count(device, (m) => m.kind === 'request' && m.method === 'INVITE')).toBe(1);
    const phoneDialog = device.answer(ring, 200, { body: TEST_SDP });
    await device.request('ACK', (r) => r.headers.get('Call-ID') === ring.headers.get('Call-ID'));
    expect((await bank.response(dial.headers.get('Call-ID')!, 'INVITE')).status).toBe(200);
    expect(acd!.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);
    // the phone hangs up over TCP: its leg ends, the caller (on UDP) goes back to music
    device.send(device.inDialog('BYE', phoneDialog));
    expect((await device.response(phoneDialog.callId, 'BYE')).status).toBe(200);
    expect(acd!.legs()).toEqual([expect.objectContaining({ kind: 'caller', state: 'parked' })]);
  });

  it('session timers: 422 below Min-SE; a caller that stops refreshing is sent BYE and the bank hears session-expired', { timeout: 8000 }, async () => {
    await startAcd();
    const { bank } = await bankOnWs();
    const caller = await udp('timed');
    const small = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP, headers: [['Session-Expires', '1'], ['Supported', 'timer']] });
    caller.send(small);
    const tooSmall = await caller.response(small.headers.get('Call-ID')!, 'INVITE');
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.headers.get('Min-SE')).toBe('2');
    caller.ackFailure(small, tooSmall);

    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP, headers: [['Session-Expires', '2;refresher=uac'], ['Supported', 'timer'], ['Allow', 'INVITE, ACK, BYE, UPDATE']] });
    const callId = inv.headers.get('Call-ID')!;
    caller.send(inv);
    const ok = await caller.response(callId, 'INVITE');
    expect(ok.headers.get('Session-Expires')).toBe('2;refresher=uac');
    expect(ok.headers.get('Require')).toBe('timer');
    const d = caller.dialogFrom(inv, ok);
    caller.send(caller.inDialog('ACK', d));
    const offer = await bank.request('INVITE');
    const control = bank.answer(offer, 200, { body: controlSdp(1) });
    const t0 = Date.now();
    // one refresh (UPDATE without SDP) at 0.8 s keeps the session; then silence ends it
    await pause(800);
    const upd = caller.inDialog('UPDATE', d);
    upd.headers.append('Session-Expires', '2;refresher=uac').append('Supported', 'timer');
    caller.send(upd);
    const updOk = await caller.response(callId, 'UPDATE');
    expect(updOk.status).toBe(200);
    expect(updOk.body).toBe('');
    const bye = await caller.request('BYE', (r) => r.headers.get('Call-ID') === callId, 3000);
    // expiry 2 − 2/3 s after the refresh at 0.8 s
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    caller.respond(bye, 200);
    const ctlBye = await bank.request('BYE', (r) => r.headers.get('Call-ID') === control.callId);
    expect(ctlBye.headers.get(H.cause)).toBe('session-expired');
    bank.respond(ctlBye, 200);
    expect(parseCSeq(bye.headers.get('CSeq')!)!.method).toBe('BYE');
  });
});
