import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../../shared/credentials';
import { controlSdp, H } from '../../shared/sip-control';
import { Acd } from '../acd';
import { DigestAuthenticator, parseDigest } from '../sip/digest';
import { SipWsClient } from '../test-support/sip-ws-client';
import { TcpPeerServer } from '../test-support/tcp-peer-server';
import { TEST_SDP, TestMediaEngine } from '../test-support/test-media-engine';
import type { TrunkConfig } from './trunk-config';
import { StaticTrunkDirectory } from './trunk-directory';

const SECRET = 'trunk-test-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const DID = '+15550100';
const MOBILE = '+447700900123';
const CARRIER_REALM = 'carrier.test';
const TRUNK_USER = 'pb-acct';
const TRUNK_PASS = 'carrier-password-1';

let acd: Acd;
let carrier: TcpPeerServer;
let clients: SipWsClient[] = [];
let url: string;

function trunk(port: number, over: Partial<TrunkConfig> = {}): TrunkConfig {
  return {
    id: 't1',
    name: 'loopback',
    host: '127.0.0.1',
    port,
    transport: 'tcp',
    username: TRUNK_USER,
    password: TRUNK_PASS,
    realm: CARRIER_REALM,
    register: false,
    registerExpirySec: 600,
    inboundSources: ['127.0.0.1/32'],
    inboundDigest: false,
    outbound: true,
    callerIdMode: 'fixed',
    callerIdE164: '+15550199',
    assertIdentity: true,
    privacy: false,
    enabled: true,
    dids: [DID],
    ...over,
  };
}

beforeEach(async () => {
  carrier = new TcpPeerServer();
  const port = await carrier.start();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, timers: { routeRetryMs: 100, routeRetryLimit: 3 }, transports: { tcpPort: 0, udpPort: 0 } },
    dialPlan: { lookup: (n) => (n === DID || n === '+15550111' ? { holdAudio: 'queue-music' } : null) },
    media: new TestMediaEngine(),
    logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
    trunks: new StaticTrunkDirectory([trunk(port)]),
  });
  await acd.start();
  url = `ws://127.0.0.1:${acd.port}`;
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await acd.stop();
  await carrier.stop();
});

async function ws(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.connect(url, name);
  clients.push(c);
  return c;
}
async function tcp(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.stream('127.0.0.1', acd.ports.TCP!, name);
  clients.push(c);
  return c;
}

async function bankRegistered() {
  const bank = await ws('bank');
  const creds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  return { bank, creds };
}

/** A caller parked on the DID (over WS, like the web caller page), offered to the bank. */
async function parkedCaller(bank: SipWsClient) {
  const caller = await ws('caller');
  const inv = caller.makeRequest('INVITE', `sip:${DID}@${DOMAIN}`, { from: '"Alice" <sip:+15551234567@callers.invalid>', body: TEST_SDP });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  caller.send(caller.inDialog('ACK', caller.dialogFrom(inv, ok)));
  const offer = await bank.request('INVITE');
  bank.answer(offer, 200, { body: controlSdp(1) });
  return { caller, callerLeg: offer.headers.get(H.leg)!, offer };
}

/** Sends an INVITE and answers our own 407 with the given credentials; returns the final answer. */
async function inviteWithAuth(c: SipWsClient, uri: string, user: string | null, password: string, headers: Array<[string, string]> = []) {
  const first = c.makeRequest('INVITE', uri, { from: `<sip:${user ?? 'anon'}@${DOMAIN}>`, headers, body: controlSdp(2) });
  c.send(first);
  const challenge = await c.response(first.headers.get('Call-ID')!, 'INVITE');
  if (challenge.status !== 407 || user === null) return { first, final: challenge, sent: first };
  c.ackFailure(first, challenge);
  const again = c.withAuth(first, challenge, user, password);
  c.send(again);
  return { first, final: await c.response(first.headers.get('Call-ID')!, 'INVITE'), sent: again };
}

describe('trunk: outbound through the carrier', () => {
  it('dials tel:+E164 for the bank, answers the carrier’s 407, presents the trunk’s caller-ID, and bridges on answer', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const p = await parkedCaller(bank);
    const carrierAuth = new DigestAuthenticator(CARRIER_REALM, 60_000);

    const dial = bank.makeRequest('INVITE', `tel:${MOBILE}`, { from: `<sip:${creds.user}@${DOMAIN}>`, headers: [[H.bridge, p.callerLeg]], body: controlSdp(2) });
    bank.send(dial);
    const ch = await bank.response(dial.headers.get('Call-ID')!, 'INVITE');
    expect(ch.status).toBe(407);
    bank.ackFailure(dial, ch);
    const authed = bank.withAuth(dial, ch, creds.user, creds.password);
    bank.send(authed);
    const dialCallId = dial.headers.get('Call-ID')!;

    // the carrier sees the INVITE and challenges it
    const side = await carrier.next();
    clients.push(side);
    const inv1 = await side.request('INVITE');
    expect(inv1.uri).toBe(`sip:${MOBILE}@127.0.0.1:${carrier.port};user=phone;transport=tcp`);
    expect(inv1.headers.get('Proxy-Authorization')).toBeUndefined();
    side.respond(inv1, 407, [['Proxy-Authenticate', carrierAuth.challenge()]]);
    await side.request('ACK');
    const inv2 = await side.request('INVITE');
    const creds2 = parseDigest(inv2.headers.get('Proxy-Authorization') ?? '');
    expect(creds2).not.toBeNull();
    expect(creds2!.qop).toBe('auth');
    expect(creds2!.nc).toBe('00000001');
    expect(creds2!.cnonce).toBeTruthy();
    expect(carrierAuth.verify(creds2!, 'INVITE', (u) => (u === TRUNK_USER ? TRUNK_PASS : null))).toEqual({ ok: true, username: TRUNK_USER });
    expect(inv2.headers.get('CSeq')).toBe('2 INVITE');
    // caller-ID: the trunk's fixed number, asserted
    expect(inv2.headers.get('From')).toMatch(/^<sip:\+15550199@carrier\.test;user=phone>;tag=/);
    expect(inv2.headers.get('P-Asserted-Identity')).toBe('<sip:+15550199@carrier.test;user=phone>');
    expect(inv2.headers.get('Via')).toMatch(/^SIP\/2\.0\/TCP /);

    side.send(side.answerProvisional(inv2));
    expect((await bank.response(dialCallId, 'INVITE', false)).status).toBe(100);
    expect((await bank.response(dialCallId, 'INVITE', false)).status).toBe(180);
    side.answer(inv2, 200, { body: TEST_SDP });
    const ack = await side.request('ACK');
    expect(ack.headers.get('CSeq')).toBe('2 ACK');
    const ok = await bank.response(dialCallId, 'INVITE');
    expect(ok.status).toBe(200);
    const legId = ok.headers.get(H.leg)!;
    expect(acd.legs().find((l) => l.legId === legId)).toMatchObject({ kind: 'device', state: 'bridged', bridgedTo: p.callerLeg });

    // the bank releases the mobile: BYE goes to the carrier on the same connection
    const control = bank.dialogFrom(authed, ok);
    bank.send(bank.inDialog('ACK', control));
    bank.send(bank.inDialog('BYE', control));
    const bye = await side.request('BYE');
    side.respond(bye, 200);
    expect((await bank.response(dialCallId, 'BYE')).status).toBe(200);
  });

  it('a carrier failure maps like a device failure (486 → 486), the caller stays parked', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const p = await parkedCaller(bank);
    const r = inviteWithAuth(bank, `sip:${MOBILE}@${DOMAIN};user=phone`, creds.user, creds.password, [[H.bridge, p.callerLeg]]);
    const side = await carrier.next();
    clients.push(side);
    const inv = await side.request('INVITE');
    side.respond(inv, 486);
    expect((await r).final.status).toBe(486);
    expect(acd.legs().find((l) => l.legId === p.callerLeg)?.state).toBe('parked');
  });

  it('without X-PB-Bridge a bank dial to a number is a number check: answered, then waiting for the controller', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const r = inviteWithAuth(bank, `tel:${MOBILE}`, creds.user, creds.password);
    const side = await carrier.next();
    clients.push(side);
    const inv = await side.request('INVITE');
    side.answer(inv, 200, { body: TEST_SDP });
    const { final } = await r;
    expect(final.status).toBe(200);
    expect(acd.legs().find((l) => l.legId === final.headers.get(H.leg))?.state).toBe('waiting');
  });
});

describe('trunk: dial life cycle like a device', () => {
  it('the bank’s CANCEL reaches the carrier as CANCEL; the bank gets 487 and the caller stays parked', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const p = await parkedCaller(bank);
    const first = bank.makeRequest('INVITE', `tel:${MOBILE}`, { from: `<sip:${creds.user}@${DOMAIN}>`, headers: [[H.bridge, p.callerLeg]], body: controlSdp(2) });
    bank.send(first);
    const ch = await bank.response(first.headers.get('Call-ID')!, 'INVITE');
    bank.ackFailure(first, ch);
    const dial = bank.withAuth(first, ch, creds.user, creds.password);
    bank.send(dial);
    const side = await carrier.next();
    clients.push(side);
    const inv = await side.request('INVITE');
    side.send(side.answerProvisional(inv));
    expect((await bank.response(first.headers.get('Call-ID')!, 'INVITE', false)).status).toBe(100);
    expect((await bank.response(first.headers.get('Call-ID')!, 'INVITE', false)).status).toBe(180);
    bank.send(bank.cancelOf(dial));
    const cancel = await side.request('CANCEL');
    side.respond(cancel, 200);
    side.respond(inv, 487);
    const final = await bank.response(first.headers.get('Call-ID')!, 'INVITE');
    expect(final.status).toBe(487);
    expect(acd.legs().find((l) => l.legId === p.callerLeg)?.state).toBe('parked');
    expect(acd.legs().filter((l) => l.kind === 'device')).toEqual([]);
  });
});

describe('trunk: inbound from the carrier', () => {
  it('a carrier that INVITEs our registered Contact (user = the trunk’s username) names the DID in To', { timeout: 10_000 }, async () => {
    const { bank } = await bankRegistered();
    const c = await tcp('carrier-in');
    const inv = c.makeRequest('INVITE', `sip:${TRUNK_USER}@127.0.0.1:${acd.ports.TCP};transport=tcp`, { to: `<sip:${DID}@carrier.test;user=phone>`, from: '<sip:+15557654321@carrier.test>', body: TEST_SDP });
    c.send(inv);
    const ok = await c.response(inv.headers.get('Call-ID')!, 'INVITE');
    expect(ok.status).toBe(200);
    c.send(c.inDialog('ACK', c.dialogFrom(inv, ok)));
    expect((await bank.request('INVITE')).headers.get(H.dialed)).toBe(DID);
  });

  it('an INVITE from the trunk’s address to its DID is a caller: parked and offered to the CTI', { timeout: 10_000 }, async () => {
    const { bank } = await bankRegistered();
    const c = await tcp('carrier-in');
    const inv = c.makeRequest('INVITE', `sip:${DID}@127.0.0.1;user=phone`, { from: '<sip:+15557654321@carrier.test;user=phone>', body: TEST_SDP });
    c.send(inv);
    const ok = await c.response(inv.headers.get('Call-ID')!, 'INVITE');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Contact')).toContain('transport=tcp');
    c.send(c.inDialog('ACK', c.dialogFrom(inv, ok)));
    const offer = await bank.request('INVITE');
    expect(offer.headers.get(H.dialed)).toBe(DID);
    expect(offer.headers.get('From')).toContain('sip:+15557654321@carrier.test');
  });
});

describe('toll-fraud attempts: all refused, nothing reaches the carrier', () => {
  it('unauthenticated INVITEs towards tel:+44… and sip:+44…;user=phone are challenged, and answering with a device’s valid credentials is refused', { timeout: 10_000 }, async () => {
    const c = await ws('fraudster');
    expect((await inviteWithAuth(c, `tel:${MOBILE}`, null, '')).final.status).toBe(407);
    expect((await inviteWithAuth(c, `sip:${MOBILE}@${DOMAIN};user=phone`, null, '')).final.status).toBe(407);
    const dev = issueDeviceCredentials(SECRET, 3600);
    const r = await inviteWithAuth(c, `tel:${MOBILE}`, dev.user, dev.password);
    expect(r.final.status).toBe(403);
    const wrong = await inviteWithAuth(c, `sip:${MOBILE}@${DOMAIN};user=phone`, 'bank-1', 'not-the-password');
    expect(wrong.final.status).toBe(403);
    expect(carrier.connections).toBe(0);
  });

  it('a spoofed X-PB-Bridge without bank credentials is refused', { timeout: 10_000 }, async () => {
    const { bank } = await bankRegistered();
    const p = await parkedCaller(bank);
    const c = await ws('fraudster');
    expect((await inviteWithAuth(c, `tel:${MOBILE}`, null, '', [[H.bridge, p.callerLeg]])).final.status).toBe(407);
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect((await inviteWithAuth(c, `tel:${MOBILE}`, dev.user, dev.password, [[H.bridge, p.callerLeg]])).final.status).toBe(403);
    expect(acd.legs().find((l) => l.legId === p.callerLeg)?.state).toBe('parked');
    expect(carrier.connections).toBe(0);
  });

  it('from the trunk’s own address: a non-DID E.164, a served number that is not its DID, a device, or a bridge order → refused', { timeout: 10_000 }, async () => {
    const { bank } = await bankRegistered();
    const p = await parkedCaller(bank);
    const c = await tcp('carrier-in');
    const send = async (uri: string, headers: Array<[string, string]> = []) => {
      const inv = c.makeRequest('INVITE', uri, { from: '<sip:+15557654321@carrier.test>', headers, body: TEST_SDP });
      c.send(inv);
      return (await c.response(inv.headers.get('Call-ID')!, 'INVITE')).status;
    };
    expect(await send(`sip:${MOBILE}@127.0.0.1;user=phone`)).toBe(404);
    expect(await send(`tel:${MOBILE}`)).toBe(404);
    expect(await send(`sip:+15550111@127.0.0.1;user=phone`)).toBe(404); // served, but not this trunk's DID
    expect(await send(`sip:${issueDeviceCredentials(SECRET, 3600).user}@${DOMAIN}`)).toBe(403);
    expect(await send(`tel:${MOBILE}`, [[H.bridge, p.callerLeg]])).toBe(403);
    expect(carrier.connections).toBe(0);
  });

  it('the same refusals from the trunk’s address over UDP', { timeout: 10_000 }, async () => {
    const c = await SipWsClient.udp('127.0.0.1', acd.ports.UDP!, 'carrier-udp');
    clients.push(c);
    const send = async (uri: string, headers: Array<[string, string]> = []) => {
      const inv = c.makeRequest('INVITE', uri, { from: '<sip:+15557654321@carrier.test>', headers, body: TEST_SDP });
      c.send(inv);
      return (await c.response(inv.headers.get('Call-ID')!, 'INVITE')).status;
    };
    expect(await send(`sip:${MOBILE}@127.0.0.1;user=phone`)).toBe(404);
    expect(await send(`tel:${MOBILE}`, [[H.bridge, 'leg-0123456789abcdef']])).toBe(403);
    expect(carrier.connections).toBe(0);
  });

  it('a callback dial (X-PB-Callback-For) for a caller who pressed no key, with a bridge, to a device or with a bad leg id is refused; nothing is sent', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const p = await parkedCaller(bank);
    const dial = async (uri: string, headers: Array<[string, string]>) => (await inviteWithAuth(bank, uri, creds.user, creds.password, headers)).final;
    // the caller's own number, but they never pressed a key: the ACD has no callback to allow
    expect(await dial(`tel:+15551234567`, [[H.callbackFor, p.callerLeg]])).toMatchObject({ status: 403, reason: 'No Such Callback Caller' });
    expect(await dial(`tel:${MOBILE}`, [[H.callbackFor, p.callerLeg], [H.bridge, p.callerLeg]])).toMatchObject({ status: 400, reason: 'X-PB-Callback-For Without X-PB-Bridge' });
    expect(await dial(`sip:${issueDeviceCredentials(SECRET, 3600).user}@${DOMAIN}`, [[H.callbackFor, p.callerLeg]])).toMatchObject({ status: 400, reason: 'X-PB-Callback-For Needs A Number' });
    expect(await dial(`tel:${MOBILE}`, [[H.callbackFor, 'leg-x']])).toMatchObject({ status: 400, reason: 'Bad X-PB-Callback-For' });
    expect(carrier.connections).toBe(0);
  });

  it('a bank naming an unknown or disabled trunk in X-PB-Trunk gets 404, nothing is sent', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    const r = await inviteWithAuth(bank, `tel:${MOBILE}`, creds.user, creds.password, [['X-PB-Trunk', 'no-such-trunk']]);
    expect(r.final.status).toBe(404);
    expect(r.final.reason).toBe('No Such Trunk');
    expect(carrier.connections).toBe(0);
  });

  it('a replayed bank dial INVITE (captured credentials) is challenged again, never dialled', { timeout: 10_000 }, async () => {
    const { bank, creds } = await bankRegistered();
    // an authenticated dial that fails for its own reason (the leg does not exist) spends its nonce
    const r = await inviteWithAuth(bank, `tel:${MOBILE}`, creds.user, creds.password, [[H.bridge, 'leg-0123456789abcdef']]);
    expect(r.final.status).toBe(481);
    // the same credentials in a new transaction and call
    const replay = { ...r.sent, headers: r.sent.headers.clone() };
    replay.headers.set('Via', `SIP/2.0/WS replay.invalid;branch=z9hG4bKreplay${Date.now()};rport`);
    replay.headers.set('Call-ID', `replay-${Date.now()}@x`);
    replay.headers.delete(H.bridge);
    const c = await ws('replayer');
    c.send(replay);
    const res = await c.response(replay.headers.get('Call-ID')!, 'INVITE');
    expect(res.status).toBe(407);
    expect(res.headers.get('Proxy-Authenticate')).toContain('stale=true');
    expect(carrier.connections).toBe(0);
  });

  it('a preloaded Route naming the carrier changes nothing: the ACD is no proxy', { timeout: 10_000 }, async () => {
    const c = await ws('router');
    const route: Array<[string, string]> = [['Route', `<sip:127.0.0.1:${carrier.port};transport=tcp;lr>`]];
    expect((await inviteWithAuth(c, `sip:${MOBILE}@127.0.0.1:${carrier.port};user=phone`, null, '', route)).final.status).toBe(407);
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect((await inviteWithAuth(c, `sip:${MOBILE}@127.0.0.1:${carrier.port};user=phone`, dev.user, dev.password, route)).final.status).toBe(403);
    expect(carrier.connections).toBe(0);
  });

  it('repeated failures from one source are rate-limited (503 with Retry-After)', { timeout: 10_000 }, async () => {
    const c = await tcp('carrier-in');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const inv = c.makeRequest('INVITE', `tel:${MOBILE}`, { headers: [[H.bridge, 'leg-0123456789abcdef']], body: TEST_SDP });
      c.send(inv);
      statuses.push((await c.response(inv.headers.get('Call-ID')!, 'INVITE')).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(10)).toEqual([503, 503]);
    expect(carrier.connections).toBe(0);
    expect(carrier.bytes).toBe(0);
  });
});

describe('trunk: inbound digest and registration back-off', () => {
  it('a trunk with inbound digest is challenged for its own credentials; a wrong password is refused', { timeout: 10_000 }, async () => {
    await acd.stop();
    acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { tcpPort: 0 } },
      dialPlan: { lookup: (n) => (n === DID ? { holdAudio: 'queue-music' } : null) },
      media: new TestMediaEngine(),
      logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
      trunks: new StaticTrunkDirectory([trunk(carrier.port, { inboundDigest: true })]),
    });
    await acd.start();
    url = `ws://127.0.0.1:${acd.port}`;
    const { bank } = await bankRegistered();
    const c = await tcp('carrier-in');
    const bad = await inviteWithAuth(c, `sip:${DID}@127.0.0.1;user=phone`, TRUNK_USER, 'wrong');
    expect(bad.final.status).toBe(403);
    const good = await inviteWithAuth(c, `sip:${DID}@127.0.0.1;user=phone`, TRUNK_USER, TRUNK_PASS);
    expect(good.final.status).toBe(200);
    c.send(c.inDialog('ACK', c.dialogFrom(good.sent, good.final)));
    const offer = await bank.request('INVITE');
    expect(offer.headers.get(H.dialed)).toBe(DID);
  });

  it('a refused registration is reported as failed and retried with back-off', { timeout: 10_000 }, async () => {
    await acd.stop();
    acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { tcpPort: 0 } },
      dialPlan: { lookup: () => null },
      media: new TestMediaEngine(),
      logger: pino({ level: process.env.ACD_TEST_LOG ?? 'silent' }),
      trunks: new StaticTrunkDirectory([trunk(carrier.port, { register: true })]),
    });
    await acd.start();
    const side = await carrier.next();
    clients.push(side);
    const reg = await side.request('REGISTER');
    expect(reg.headers.get('Expires')).toBe('600');
    side.respond(reg, 403);
    const until = Date.now() + 3000;
    while (acd.trunkStatus()[0]?.registration?.state !== 'failed' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const st = acd.trunkStatus()[0]!.registration!;
    expect(st).toMatchObject({ state: 'failed', lastStatus: 403, failures: 1 });
    expect(st.nextAttemptAt! - Date.now()).toBeGreaterThan(3000);
    expect(st.nextAttemptAt! - Date.now()).toBeLessThanOrEqual(5000);
  });
});
