import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { controlSdp, H } from '../shared/sip-control';
import { parseRecovered, RECOVERY_H, type Recovered } from '../shared/sip-recovery';
import { Acd } from './acd';
import type { SipRequest } from './sip/message';
import { SipWsClient, type ClientDialog } from './test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from './test-support/test-media-engine';

/**
 * Recovery at the ACD (docs/sip-control-dialect.md, "Recovery"): the bank's connection closing
 * keeps every leg and its media; a bank UA registering again is offered every held leg with its
 * state. Raw SIP clients play the bank, the callers and the device; the media is the test double,
 * whose event log shows nothing was unbridged, stopped or closed.
 */
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
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
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
});

async function bank(n: number, expires = 600): Promise<{ c: SipWsClient; creds: { user: string; password: string } }> {
  const c = await client(`bank${n}`);
  const creds = bankCredentials(SECRET, n);
  expect((await c.register('route', DOMAIN, creds.user, creds.password, expires)).status).toBe(200);
  return { c, creds };
}

/** A caller answered, ACKed and taken by the bank; returns the caller's dialog and leg. */
async function parked(b: SipWsClient, name: string): Promise<{ caller: SipWsClient; dialog: ClientDialog; leg: string; control: ClientDialog }> {
  const caller = await client(name);
  const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: `"${name}" <sip:${name}@callers.invalid>`, body: TEST_SDP });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  const dialog = caller.dialogFrom(inv, ok);
  caller.send(caller.inDialog('ACK', dialog));
  const offer = await b.request('INVITE', (r) => r.headers.get(H.leg) !== undefined && !received.has(r));
  received.add(offer);
  const control = b.answer(offer, 200, { body: controlSdp(1) });
  await b.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
  return { caller, dialog, leg: offer.headers.get(H.leg)!, control };
}
const received = new WeakSet<SipRequest>();

/** The bank dials a registered device for the caller; the device answers: bridged. */
async function bridged(b: { c: SipWsClient; creds: { user: string; password: string } }, callerLeg: string) {
  const device = await client('device');
  const dev = issueDeviceCredentials(SECRET, 3600);
  expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
  const dial = await b.c.sendWithAuth(b.c.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { from: `<sip:${b.creds.user}@${DOMAIN}>`, headers: [[H.bridge, callerLeg]], body: controlSdp(2) }), b.creds.user, b.creds.password);
  const ring = await device.request('INVITE');
  const deviceDialog = device.answer(ring, 200, { body: TEST_SDP });
  await device.request('ACK', (r) => r.headers.get('Call-ID') === ring.headers.get('Call-ID'));
  const ok = await b.c.response(dial.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  b.c.send(b.c.inDialog('ACK', b.c.dialogFrom(dial, ok)));
  return { device, deviceDialog, deviceLeg: ok.headers.get(H.leg)! };
}

/** The re-offers a bank receives, parsed, by leg. */
async function reoffers(b: SipWsClient, n: number): Promise<Map<string, { req: SipRequest; rec: Recovered }>> {
  const out = new Map<string, { req: SipRequest; rec: Recovered }>();
  while (out.size < n) {
    const req = await b.request('INVITE', (r) => r.headers.get(RECOVERY_H.recovered) !== undefined && !out.has(r.headers.get(H.leg)!), 5000);
    const p = parseRecovered(req.headers.get(RECOVERY_H.recovered)!);
    if (!p.ok) throw new Error(p.message);
    out.set(req.headers.get(H.leg)!, { req, rec: p.value });
  }
  return out;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isBye = (m: { kind: string; method?: string }) => m.kind === 'request' && m.method === 'BYE';

describe('ACD recovery', () => {
  it('keeps every leg when the bank connection closes, and re-offers each with its state to a bank UA that registers', { timeout: 20_000 }, async () => {
    const t0 = Date.now();
    const b1 = await bank(1);
    const a = await parked(b1.c, 'alice');
    const bob = await parked(b1.c, 'bob');
    const { device, deviceDialog, deviceLeg } = await bridged(b1, bob.leg);
    const eventsBefore = media.events.length;

    // the CTI dies: its connection closes with no BYE
    await b1.c.close();
    await pause(400);
    expect(acd.legs().map((l) => [l.legId, l.state]).sort()).toEqual([[a.leg, 'parked'], [bob.leg, 'bridged'], [deviceLeg, 'bridged']].sort());
    const lost = media.events.slice(eventsBefore);
    expect(lost.filter((e) => /^(unbridge|stop|close)/.test(e))).toEqual([]);
    expect(media.endpoints.get(a.leg)?.playing).toBe('queue-music');
    for (const c of [a.caller, bob.caller, device]) expect(c.never(isBye)).toBe(true);

    // a device's own registration is no route binding: it is offered nothing
    const other = await client('other-device');
    const od = issueDeviceCredentials(SECRET, 3600);
    expect((await other.register(od.user, DOMAIN, od.user, od.password)).status).toBe(200);

    const b2 = await bank(2);
    const got = await reoffers(b2.c, 3);
    await pause(100);
    expect(other.never((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(true);

    const ra = got.get(a.leg)!;
    expect(ra.rec).toEqual({ state: 'parked', kind: 'caller', since: expect.any(Number), peer: null });
    expect(ra.rec.since).toBeGreaterThanOrEqual(t0);
    expect(ra.rec.since).toBeLessThanOrEqual(got.get(bob.leg)!.rec.since); // arrival order
    expect(ra.req.uri).toBe(`sip:route@${DOMAIN}`);
    expect(ra.req.headers.get(H.dialed)).toBe(NUMBER);
    expect(ra.req.headers.get(H.audio)).toBe('queue-music');
    expect(ra.req.headers.get('From')).toContain('sip:alice@callers.invalid');
    expect(got.get(bob.leg)!.rec).toMatchObject({ state: 'bridged', kind: 'caller', peer: deviceLeg });
    expect(got.get(deviceLeg)!.rec).toMatchObject({ state: 'bridged', kind: 'device', peer: bob.leg });
    expect(got.get(deviceLeg)!.req.headers.get(H.dialed)).toBeUndefined();

    const controls = new Map<string, ClientDialog>();
    for (const [leg, { req }] of got) controls.set(leg, b2.c.answer(req, 200, { body: controlSdp(3) }));
    await pause(200);
    // recovery placed no call: still the same three legs, nothing new rung
    expect(acd.legs()).toHaveLength(3);

    // the new control dialogs control the legs: bob's hang-up is reported on his, the bank's BYE releases the device
    bob.caller.send(bob.caller.inDialog('BYE', bob.dialog));
    const byeBob = await b2.c.request('BYE', (r) => r.headers.get('Call-ID') === controls.get(bob.leg)!.callId);
    expect(byeBob.headers.get(H.cause)).toBe('remote-bye');
    b2.c.respond(byeBob, 200);
    const release = b2.c.inDialog('BYE', controls.get(deviceLeg)!);
    b2.c.send(release);
    expect((await b2.c.response(release.headers.get('Call-ID')!, 'BYE')).status).toBe(200);
    const devBye = await device.request('BYE', (r) => r.headers.get('Call-ID') === deviceDialog.callId);
    device.respond(devBye, 200);
    expect(acd.legs().map((l) => l.legId)).toEqual([a.leg]);
  });

  it('keeps a leg whose re-offer is refused and offers it again at the next registration; a lapsed registration on a live connection changes nothing', { timeout: 20_000 }, async () => {
    const b1 = await bank(1, 1);
    const a = await parked(b1.c, 'alice');
    // the binding lapses (1 s) while the connection lives: the leg keeps its control dialog
    await pause(1500);
    expect(acd.legs().map((l) => l.state)).toEqual(['parked']);
    expect((await b1.c.register('route', DOMAIN, b1.creds.user, b1.creds.password)).status).toBe(200);
    await pause(200);
    expect(b1.c.never((m) => m.kind === 'request' && m.headers.get(RECOVERY_H.recovered) !== undefined)).toBe(true);

    await b1.c.close();
    await pause(300);
    const b2 = await bank(2);
    const first = (await reoffers(b2.c, 1)).get(a.leg)!;
    b2.c.answer(first.req, 480);
    await pause(200);
    expect(acd.legs().map((l) => l.state)).toEqual(['parked']);
    expect(a.caller.never(isBye)).toBe(true);
    // the bank refreshes its registration: offered again, taken this time
    expect((await b2.c.register('route', DOMAIN, b2.creds.user, b2.creds.password)).status).toBe(200);
    const again = await b2.c.request('INVITE', (r) => r.headers.get(H.leg) === a.leg && r !== first.req, 5000);
    const control = b2.c.answer(again, 200, { body: controlSdp(4) });
    await b2.c.request('ACK', (r) => r.headers.get('Call-ID') === control.callId);
    a.caller.send(a.caller.inDialog('BYE', a.dialog));
    const bye = await b2.c.request('BYE', (r) => r.headers.get('Call-ID') === control.callId);
    expect(bye.headers.get(H.cause)).toBe('remote-bye');
  });
});
