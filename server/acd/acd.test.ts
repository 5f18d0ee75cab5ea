import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { controlSdp, H } from '../shared/sip-control';
import { Acd } from './acd';
import { parseCSeq } from './sip/headers';
import type { SipMessage, SipRequest, SipResponse } from './sip/message';
import { SipWsClient, type ClientDialog } from './test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from './test-support/test-media-engine';

const SECRET = 'integration-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';

let acd: Acd;
let media: TestMediaEngine;
let clients: SipWsClient[] = [];
let url: string;

async function client(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.connect(url, name);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  media = new TestMediaEngine();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, timers: { routeRetryMs: 100, routeRetryLimit: 3 }, deviceGraceSec: 1 },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'queue-music' } : null) },
    media,
    logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
  });
  await acd.start();
  url = `ws://127.0.0.1:${acd.port}`;
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await acd.stop();
  await acd.stop(); // safe twice
});

const isRequest = (m: SipMessage, method: string, callId?: string): boolean => m.kind === 'request' && m.method === method && (callId === undefined || m.headers.get('Call-ID') === callId);

/** Bank registered as route point, device registered, caller answered and offered to the bank. */
async function parkedCaller() {
  const bank = await client('bank');
  const bankCreds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, bankCreds.user, bankCreds.password)).status).toBe(200);
  const device = await client('device');
  const dev = issueDeviceCredentials(SECRET, 3600);
  expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);

  const caller = await client('caller');
  const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: '"Alice Caller" <sip:alice@callers.invalid>', body: TEST_SDP });
  caller.send(inv);
  const callId = inv.headers.get('Call-ID')!;
  const trying = await caller.response(callId, 'INVITE', false);
  expect(trying.status).toBe(100);
  const ok = await caller.response(callId, 'INVITE');
  expect(ok.status).toBe(200);
  expect(ok.body).toContain('m=audio');
  const callerDialog = caller.dialogFrom(inv, ok);
  caller.send(caller.inDialog('ACK', callerDialog));

  const offer = await bank.request('INVITE');
  const callerLeg = offer.headers.get(H.leg)!;
  const routeDialog = bank.answer(offer, 200, { body: controlSdp(1) });
  await bank.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
  return { bank, bankCreds, device, dev, caller, callerDialog, offer, callerLeg, routeDialog };
}

/** The bank dials the device for the parked caller (answering the 407 challenge). */
async function dialDevice(p: Awaited<ReturnType<typeof parkedCaller>>, extra: Array<[string, string]> = []) {
  const first = p.bank.makeRequest('INVITE', `sip:${p.dev.user}@${DOMAIN}`, { from: `<sip:bank-1@${DOMAIN}>`, headers: [[H.bridge, p.callerLeg], ...extra], body: controlSdp(2) });
  p.bank.send(first);
  const challenge = await p.bank.response(first.headers.get('Call-ID')!, 'INVITE');
  expect(challenge.status).toBe(407);
  p.bank.ackFailure(first, challenge);
  const dial = p.bank.withAuth(first, challenge, p.bankCreds.user, p.bankCreds.password);
  p.bank.send(dial);
  return dial;
}

async function bridgedCall() {
  const p = await parkedCaller();
  const dial = await dialDevice(p);
  const dialCallId = dial.headers.get('Call-ID')!;
  const ring = await p.device.request('INVITE');
  p.device.send({ ...p.device.answerProvisional(ring) });
  expect((await p.bank.response(dialCallId, 'INVITE', false)).status).toBe(100);
  expect((await p.bank.response(dialCallId, 'INVITE', false)).status).toBe(180);
  const deviceDialog = p.device.answer(ring, 200, { body: TEST_SDP });
  await p.device.request('ACK', (r) => r.headers.get('Call-ID') === ring.headers.get('Call-ID'));
  const ok = await p.bank.response(dialCallId, 'INVITE');
  expect(ok.status).toBe(200);
  const controlDialog = p.bank.dialogFrom(dial, ok);
  p.bank.send(p.bank.inDialog('ACK', controlDialog));
  return { ...p, ring, deviceDialog, deviceLeg: ok.headers.get(H.leg)!, controlDialog, dial };
}

async function bye(c: SipWsClient, d: ClientDialog): Promise<SipResponse> {
  const req = c.inDialog('BYE', d);
  c.send(req);
  return c.response(d.callId, 'BYE');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Acd over SIP WebSocket', () => {
  it('parks a caller, offers it to the route point, bridges a dialled device, and releases legs one at a time', { timeout: 10_000 }, async () => {
    const p = await bridgedCall();

    // the route-point offer carried the dialect's headers and the caller's identity
    expect(p.offer.uri).toBe(`sip:route@${DOMAIN}`);
    expect(p.callerLeg).toMatch(/^leg-[0-9a-f]{16}$/);
    expect(p.offer.headers.get(H.dialed)).toBe(NUMBER);
    expect(p.offer.headers.get(H.audio)).toBe('queue-music');
    expect(p.offer.headers.get('From')).toMatch(/^"Alice Caller" <sip:alice@callers\.invalid>;tag=/);
    expect(p.offer.body).toContain('a=inactive');
    // the device saw the caller's identity, and the bank got the new leg's id
    expect(p.ring.headers.get('From')).toContain('sip:alice@callers.invalid');
    expect(p.deviceLeg).toMatch(/^leg-[0-9a-f]{16}$/);
    expect(media.events).toContain(`play ${p.callerLeg} queue-music`);
    expect(media.events).toContain(`bridge ${p.callerLeg} ${p.deviceLeg}`);
    // the caller's UA is told it is connected (its own state only)
    const info = await p.caller.request('INFO', (r) => r.headers.get('Call-ID') === p.callerDialog.callId);
    expect(info.headers.get(H.state)).toBe('bridged');
    p.caller.respond(info, 200);
    expect(acd.legs().map((l) => [l.legId, l.state, l.bridgedTo])).toEqual(
      expect.arrayContaining([
        [p.callerLeg, 'bridged', p.deviceLeg],
        [p.deviceLeg, 'bridged', p.callerLeg],
      ]),
    );

    // the caller hangs up: BYE on the caller's control dialog, nothing to the device
    expect((await bye(p.caller, p.callerDialog)).status).toBe(200);
    const ctlBye = (await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.routeDialog.callId)) as SipRequest;
    expect(ctlBye.headers.get(H.cause)).toBe('remote-bye');
    p.bank.respond(ctlBye, 200);
    await pause(300);
    expect(p.device.never((m) => isRequest(m, 'BYE'))).toBe(true);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.deviceLeg, state: 'waiting', bridgedTo: null })]);
    expect(media.endpoints.get(p.callerLeg)?.closed).toBe(true);
    expect(media.endpoints.get(p.deviceLeg)?.closed).toBe(false);

    // only the CTI's BYE on the device's control dialog releases the device
    const release = p.bank.inDialog('BYE', p.controlDialog);
    p.bank.send(release);
    const devBye = await p.device.request('BYE', (r) => r.headers.get('Call-ID') === p.ring.headers.get('Call-ID'));
    p.device.respond(devBye, 200);
    expect((await p.bank.response(p.controlDialog.callId, 'BYE')).status).toBe(200);
    expect(acd.legs()).toEqual([]);
    expect(media.endpoints.get(p.deviceLeg)?.closed).toBe(true);
  });

  it('operator hangs up first: the device leg ends, the caller goes back to music and stays held', { timeout: 10_000 }, async () => {
    const p = await bridgedCall();
    // JsSIP's session timers refresh control dialogs with UPDATE or re-INVITE: both are answered
    const upd = p.bank.inDialog('UPDATE', p.controlDialog);
    p.bank.send(upd);
    expect((await p.bank.response(p.controlDialog.callId, 'UPDATE')).status).toBe(200);
    const reinvite = p.bank.inDialog('INVITE', p.controlDialog, controlSdp(9));
    p.bank.send(reinvite);
    const reOk = await p.bank.response(p.controlDialog.callId, 'INVITE');
    expect(reOk.status).toBe(200);
    expect(reOk.body).toContain('a=inactive');
    p.bank.send(p.bank.inDialog('ACK', { ...p.controlDialog, inviteSeq: parseCSeq(reinvite.headers.get('CSeq')!)!.seq }));
    // a party's refresh re-INVITE (same SDP, only the o= version bumped) is answered with the ACD's SDP (RFC 4028)
    const partyRe = p.device.inDialog('INVITE', p.deviceDialog, TEST_SDP.replace('o=- 1 1 ', 'o=- 1 2 '));
    p.device.send(partyRe);
    const refreshed = await p.device.response(p.deviceDialog.callId, 'INVITE');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toBe(p.ring.body); // the offer the device was rung with, unchanged
    p.device.send(p.device.inDialog('ACK', { ...p.deviceDialog, inviteSeq: parseCSeq(partyRe.headers.get('CSeq')!)!.seq }));
    // a media change (hold) is answered by the leg's media (same session, direction applied)
    const hold = p.device.inDialog('INVITE', p.deviceDialog, TEST_SDP.replace('a=sendrecv', 'a=sendonly').replace('o=- 1 1 ', 'o=- 1 3 '));
    p.device.send(hold);
    const held = await p.device.response(p.deviceDialog.callId, 'INVITE');
    expect(held.status).toBe(200);
    expect(held.body).toContain('m=audio');
    p.device.send(p.device.inDialog('ACK', { ...p.deviceDialog, inviteSeq: parseCSeq(hold.headers.get('CSeq')!)!.seq }));

    expect((await bye(p.device, p.deviceDialog)).status).toBe(200);
    const ctlBye = await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.controlDialog.callId);
    expect(ctlBye.headers.get(H.cause)).toBe('remote-bye');
    p.bank.respond(ctlBye, 200);
    await pause(200);
    expect(p.caller.never((m) => isRequest(m, 'BYE'))).toBe(true);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    expect(media.events.filter((e) => e === `play ${p.callerLeg} queue-music`)).toHaveLength(2);
    const states = await Promise.all([
      p.caller.request('INFO', (r) => r.headers.get(H.state) === 'bridged'),
      p.caller.request('INFO', (r) => r.headers.get(H.state) === 'parked'),
    ]);
    expect(states.map((r) => r.headers.get(H.state))).toEqual(['bridged', 'parked']);

    // the CTI decides: it releases the caller through the caller's control dialog
    const release = p.bank.inDialog('BYE', p.routeDialog);
    p.bank.send(release);
    const callerBye = await p.caller.request('BYE');
    p.caller.respond(callerBye, 200);
    expect((await p.bank.response(p.routeDialog.callId, 'BYE')).status).toBe(200);
    expect(acd.legs()).toEqual([]);
  });

  it('losing the bank connection keeps every leg (the CTI may come back)', { timeout: 10_000 }, async () => {
    const p = await bridgedCall();
    await p.bank.close();
    await pause(200);
    expect(acd.legs().map((l) => l.state)).toEqual(['bridged', 'bridged']);
    expect(p.caller.never((m) => isRequest(m, 'BYE')) && p.device.never((m) => isRequest(m, 'BYE'))).toBe(true);
  });

  it('a device whose connection drops ends with transport-lost once its grace is over; the peer is not released', { timeout: 10_000 }, async () => {
    const p = await bridgedCall();
    await p.device.close();
    // kept for the grace (1 s here; calls/device-grace.test.ts covers its return)
    await pause(300);
    expect(acd.legs().map((l) => l.state).sort()).toEqual(['bridged', 'bridged']);
    const ctlBye = await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.controlDialog.callId);
    expect(ctlBye.headers.get(H.cause)).toBe('transport-lost');
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
  });

  it('a refused dial ends only its control dialog; the caller stays parked', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const dial = await dialDevice(p);
    const ring = await p.device.request('INVITE');
    p.device.answer(ring, 486);
    const res = await p.bank.response(dial.headers.get('Call-ID')!, 'INVITE');
    expect(res.status).toBe(486);
    await pause(100);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    expect(p.caller.never((m) => isRequest(m, 'BYE'))).toBe(true);
    expect(p.bank.never((m) => isRequest(m, 'BYE'))).toBe(true);
  });

  it('ring timeout cancels the device and answers 408; the bank may CANCEL a dial (487)', { timeout: 15_000 }, async () => {
    const p = await parkedCaller();
    const dial = await dialDevice(p, [[H.ringTimeout, '5']]);
    const ring = await p.device.request('INVITE');
    p.device.send(p.device.answerProvisional(ring));
    const cancel = await p.device.request('CANCEL', () => true, 7000);
    p.device.respond(cancel, 200);
    p.device.answer(ring, 487);
    expect((await p.bank.response(dial.headers.get('Call-ID')!, 'INVITE')).status).toBe(408);

    const dial2 = await dialDevice(p);
    const ring2 = await p.device.request('INVITE', (r) => r.headers.get('Call-ID') !== ring.headers.get('Call-ID'));
    p.device.send(p.device.answerProvisional(ring2));
    await p.bank.response(dial2.headers.get('Call-ID')!, 'INVITE', false);
    p.bank.send(p.bank.cancelOf(dial2));
    expect((await p.bank.response(dial2.headers.get('Call-ID')!, 'CANCEL')).status).toBe(200);
    expect((await p.bank.response(dial2.headers.get('Call-ID')!, 'INVITE')).status).toBe(487);
    await p.device.request('CANCEL', (r) => r.headers.get('Call-ID') === ring2.headers.get('Call-ID'));
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
  });

  it('answers dial errors: bad X-PB-Bridge 400, bad X-PB-Parallel 400, unknown leg 481, unregistered device 404', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const check = async (uri: string, bridge: string, status: number, extra: Array<[string, string]> = []) => {
      const first = p.bank.makeRequest('INVITE', uri, { headers: [[H.bridge, bridge], ...extra], body: controlSdp(3) });
      p.bank.send(first);
      const ch = await p.bank.response(first.headers.get('Call-ID')!, 'INVITE');
      p.bank.ackFailure(first, ch);
      const again = p.bank.withAuth(first, ch, p.bankCreds.user, p.bankCreds.password);
      p.bank.send(again);
      const res = await p.bank.response(first.headers.get('Call-ID')!, 'INVITE');
      expect(res.status).toBe(status);
    };
    await check(`sip:${p.dev.user}@${DOMAIN}`, 'not-a-leg', 400);
    await check(`sip:${p.dev.user}@${DOMAIN}`, p.callerLeg, 400, [[H.parallel, 'maybe']]);
    await check(`sip:${p.dev.user}@${DOMAIN}`, 'leg-00000000000000000000', 481);
    await check(`sip:dev-0000000000000000-9999999999@${DOMAIN}`, p.callerLeg, 404);
  });

  it('challenges a replayed dial INVITE again instead of dialling twice', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const dial = await dialDevice(p);
    await p.device.request('INVITE');
    // the same credentials again (a replay): a fresh challenge, and no second ring
    const replay = { ...dial, headers: dial.headers.clone() };
    replay.headers.set('Call-ID', 'replayed-call');
    replay.headers.set('Via', 'SIP/2.0/WS replay.invalid;branch=z9hG4bKreplay;rport');
    p.bank.send(replay);
    const res = await p.bank.response('replayed-call', 'INVITE');
    expect(res.status).toBe(407);
    expect(res.headers.get('Proxy-Authenticate')).toContain('stale=true');
    await pause(100);
    expect(p.device.received.filter((m) => isRequest(m, 'INVITE'))).toHaveLength(1);
  });

  it('refuses a dial from anyone but an authenticated bank user, and never rings the device', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const intruder = await client('intruder');
    const inv = intruder.makeRequest('INVITE', `sip:${p.dev.user}@${DOMAIN}`, { headers: [[H.bridge, p.callerLeg]], body: TEST_SDP });
    intruder.send(inv);
    const challenge = await intruder.response(inv.headers.get('Call-ID')!, 'INVITE');
    expect(challenge.status).toBe(407);
    intruder.ackFailure(inv, challenge);
    // a device's own valid credentials are not enough to make the ACD dial
    const other = issueDeviceCredentials(SECRET, 3600);
    intruder.send(intruder.withAuth(inv, challenge, other.user, other.password));
    expect((await intruder.response(inv.headers.get('Call-ID')!, 'INVITE')).status).toBe(403);
    // nor is a number the ACD does not serve
    const stray = intruder.makeRequest('INVITE', `sip:+15559999@${DOMAIN}`, { body: TEST_SDP });
    intruder.send(stray);
    expect((await intruder.response(stray.headers.get('Call-ID')!, 'INVITE')).status).toBe(404);
    await pause(100);
    expect(p.device.never((m) => isRequest(m, 'INVITE'))).toBe(true);
  });

  it('answers a malformed request 400 and keeps working; OPTIONS 200, unknown 501, Max-Forwards 0 483, stray BYE 481', { timeout: 10_000 }, async () => {
    const c = await client('probe');
    c.sendRaw('OPTIONS sip:x@patchbay.local SIP/2.0\r\nVia: SIP/2.0/WS h.invalid;branch=z9hG4bKbad1\r\nFrom: <sip:p@x>;tag=1\r\nTo: <sip:x@patchbay.local>\r\nCall-ID: bad-1\r\nCSeq: 1 INVITE\r\n\r\n');
    const bad = await c.response('bad-1', 'INVITE');
    expect(bad.status).toBe(400);
    expect(bad.reason).toBe('CSeq method does not match');
    c.sendRaw('complete garbage\r\n\r\n');
    const opt = c.makeRequest('OPTIONS', `sip:${DOMAIN}`);
    c.send(opt);
    expect((await c.response(opt.headers.get('Call-ID')!, 'OPTIONS')).status).toBe(200);
    const sub = c.makeRequest('SUBSCRIBE', `sip:${DOMAIN}`);
    c.send(sub);
    expect((await c.response(sub.headers.get('Call-ID')!, 'SUBSCRIBE')).status).toBe(501);
    const loop = c.makeRequest('OPTIONS', `sip:${DOMAIN}`);
    loop.headers.set('Max-Forwards', '0');
    c.send(loop);
    expect((await c.response(loop.headers.get('Call-ID')!, 'OPTIONS')).status).toBe(483);
    const strayBye = c.makeRequest('BYE', `sip:${DOMAIN}`);
    strayBye.headers.set('To', `<sip:${DOMAIN}>;tag=nope`);
    c.send(strayBye);
    expect((await c.response(strayBye.headers.get('Call-ID')!, 'BYE')).status).toBe(481);
    expect(parseCSeq(bad.headers.get('CSeq')!)?.method).toBe('INVITE');
  });

  it('answers OPTIONS to the route point 480 while no bank UA holds it, 200 once one registers (the front\'s probe, deploy/kamailio)', { timeout: 10_000 }, async () => {
    const c = await client('front');
    const probe = async () => {
      const opt = c.makeRequest('OPTIONS', `sip:route@127.0.0.1:${acd.port}`);
      c.send(opt);
      return (await c.response(opt.headers.get('Call-ID')!, 'OPTIONS')).status;
    };
    expect(await probe()).toBe(480);
    const bank = await client('bank');
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
    expect(await probe()).toBe(200);
    // the node's own SIP stack (no user): 200 either way
    await bank.close();
    await pause(100);
    expect(await probe()).toBe(480);
    const plain = c.makeRequest('OPTIONS', `sip:127.0.0.1:${acd.port}`);
    c.send(plain);
    expect((await c.response(plain.headers.get('Call-ID')!, 'OPTIONS')).status).toBe(200);
  });

  it('a caller CANCEL before answer gets 487; with no route point the caller ends with no-controller', { timeout: 10_000 }, async () => {
    // no route point registered: the parked caller is retried, then released
    const caller = await client('caller');
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP });
    caller.send(inv);
    const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
    const d = caller.dialogFrom(inv, ok);
    caller.send(caller.inDialog('ACK', d));
    const byeReq = await caller.request('BYE', () => true, 3000);
    caller.respond(byeReq, 200);
    expect(acd.legs()).toEqual([]);

    // CANCEL: sent right after the INVITE, before the (asynchronous) answer
    const inv2 = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { body: TEST_SDP });
    caller.send(inv2);
    caller.send(caller.cancelOf(inv2));
    const cid = inv2.headers.get('Call-ID')!;
    expect((await caller.response(cid, 'CANCEL')).status).toBe(200);
    expect((await caller.response(cid, 'INVITE')).status).toBe(487);
    await pause(50);
    expect(acd.legs()).toEqual([]);
  });
});

describe('Acd media hooks (media double)', () => {
  it('a device whose media dies while ringing fails the dial 480 and is cancelled; the caller stays parked', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const dial = await dialDevice(p);
    const ring = await p.device.request('INVITE');
    p.device.send(p.device.answerProvisional(ring));
    const deviceLeg = [...media.endpoints.keys()].find((id) => id !== p.callerLeg)!;
    media.endpoints.get(deviceLeg)!.emitEnded('ice-failed');
    expect((await p.bank.response(dial.headers.get('Call-ID')!, 'INVITE')).status).toBe(480);
    const cancel = await p.device.request('CANCEL');
    p.device.respond(cancel, 200);
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: p.callerLeg, state: 'parked' })]);
    expect(media.endpoints.get(deviceLeg)?.closed).toBe(true);
  });

  it('the caller ends with rtp-timeout (BYE to the party, cause to the bank); DTMF becomes a dtmf-relay INFO; a plain offer gets a plain endpoint', { timeout: 10_000 }, async () => {
    const p = await parkedCaller();
    const ep = media.endpoints.get(p.callerLeg)!;
    expect(ep.kind).toBe('rtp'); // TEST_SDP is RTP/AVP
    ep.emitDtmf('*', 120);
    const info = await p.bank.request('INFO', (r) => r.headers.get('Call-ID') === p.routeDialog.callId);
    expect(info.headers.get('Content-Type')).toBe('application/dtmf-relay');
    expect(info.body).toBe('Signal=*\r\nDuration=120\r\n');
    p.bank.respond(info, 200);
    ep.emitEnded('rtp-timeout');
    const bye = await p.caller.request('BYE');
    p.caller.respond(bye, 200);
    const ctlBye = await p.bank.request('BYE', (r) => r.headers.get('Call-ID') === p.routeDialog.callId);
    expect(ctlBye.headers.get(H.cause)).toBe('rtp-timeout');
    p.bank.respond(ctlBye, 200);
    expect(acd.legs()).toEqual([]);
    expect(ep.closed).toBe(true);
  });
});
