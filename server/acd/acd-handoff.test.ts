import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { controlSdp, H } from '../shared/sip-control';
import { CONTROL_OP_CONTENT_TYPE } from '../shared/sip-control-ops';
import { parseRecovered, RECOVERY_H } from '../shared/sip-recovery';
import { Acd } from './acd';
import type { SipRequest, SipResponse } from './sip/message';
import { SipWsClient, type ClientDialog } from './test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from './test-support/test-media-engine';

/**
 * The handoff of a parked caller to another CTI node's bank (docs/sip-control-dialect.md,
 * "Handoff to another CTI node"): raw SIP clients play two nodes' bank UAs (each naming its node
 * on REGISTER), the caller and a device; the media is the test double.
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

async function bank(n: number, node: string | null): Promise<{ c: SipWsClient; creds: { user: string; password: string } }> {
  const c = await client(`bank${n}`);
  const creds = bankCredentials(SECRET, n);
  expect((await c.register('route', DOMAIN, creds.user, creds.password, 600, node ? [[H.node, node]] : [])).status).toBe(200);
  return { c, creds };
}

/** A caller answered and taken by the (only) bank registered so far. */
async function parked(b: SipWsClient, name: string): Promise<{ caller: SipWsClient; dialog: ClientDialog; leg: string; control: ClientDialog; offer: SipRequest }> {
  const caller = await client(name);
  const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: `"${name}" <sip:${name}@callers.invalid>`, body: TEST_SDP });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  expect(ok.status).toBe(200);
  const dialog = caller.dialogFrom(inv, ok);
  caller.send(caller.inDialog('ACK', dialog));
  const offer = await b.request('INVITE', (r) => r.headers.get(H.leg) !== undefined);
  const control = b.answer(offer, 200, { body: controlSdp(1) });
  await b.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
  return { caller, dialog, leg: offer.headers.get(H.leg)!, control, offer };
}

async function op(via: SipWsClient, control: ClientDialog, body: Record<string, unknown>): Promise<SipResponse> {
  const info = via.inDialog('INFO', control, JSON.stringify(body));
  info.headers.set('Content-Type', CONTROL_OP_CONTENT_TYPE);
  via.send(info);
  return via.response(control.callId, 'INFO');
}

const isBye = (m: { kind: string; method?: string }) => m.kind === 'request' && m.method === 'BYE';

describe('handoff of a parked caller to another CTI node', () => {
  it('re-offers the leg to the named node with its arrival; the new dialog controls it, the old one gets BYE (moved), the caller notices nothing', { timeout: 20_000 }, async () => {
    const t0 = Date.now();
    const a = await bank(1, 'node-a');
    const p = await parked(a.c, 'alice');
    const b = await bank(2, 'node-b');
    const eventsBefore = media.events.length;

    const answer = op(a.c, p.control, { op: 'handoff', node: 'node-b' });
    const offer = await b.c.request('INVITE', (r) => r.headers.get(H.leg) === p.leg, 5000);
    expect(offer.headers.get(H.handoff)).toBe('node-a');
    expect(offer.headers.get(H.dialed)).toBe(NUMBER);
    expect(offer.headers.get(H.audio)).toBe('queue-music');
    expect(offer.headers.get('From')).toContain('alice');
    const rec = parseRecovered(offer.headers.get(RECOVERY_H.recovered)!);
    expect(rec.ok && rec.value).toMatchObject({ state: 'parked', kind: 'caller', peer: null });
    if (rec.ok) expect(rec.value.since).toBeGreaterThanOrEqual(t0 - 1000);
    if (rec.ok) expect(rec.value.since).toBeLessThanOrEqual(Date.now());
    const newControl = b.c.answer(offer, 200, { body: controlSdp(3) });
    await b.c.request('ACK', (r) => r.headers.get('Call-ID') === offer.headers.get('Call-ID'));
    expect((await answer).status).toBe(200);
    const bye = await a.c.request('BYE', (r) => r.headers.get('Call-ID') === p.control.callId, 5000);
    expect(bye.headers.get(H.cause)).toBe('moved');
    a.c.respond(bye, 200);

    // nothing happened to the caller's leg or media
    expect(acd.legs().find((l) => l.legId === p.leg)?.state).toBe('parked');
    expect(media.events.slice(eventsBefore).filter((e) => /^(unbridge|stop|close)/.test(e))).toEqual([]);
    expect(media.endpoints.get(p.leg)?.playing).toBe('queue-music');
    expect(p.caller.never(isBye)).toBe(true);

    // the old dialog controls nothing any more; the new one does
    expect((await op(a.c, p.control, { op: 'hold' })).status).toBe(481);
    const dev = issueDeviceCredentials(SECRET, 3600);
    const device = await client('device');
    expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const dial = await b.c.sendWithAuth(b.c.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { from: `<sip:${b.creds.user}@${DOMAIN}>`, headers: [[H.bridge, p.leg]], body: controlSdp(4) }), b.creds.user, b.creds.password);
    const ring = await device.request('INVITE');
    device.answer(ring, 200, { body: TEST_SDP });
    await device.request('ACK', (r) => r.headers.get('Call-ID') === ring.headers.get('Call-ID'));
    expect((await b.c.response(dial.headers.get('Call-ID')!, 'INVITE')).status).toBe(200);
    expect(acd.legs().find((l) => l.legId === p.leg)?.state).toBe('bridged');

    // the caller's hang-up reaches the new controller only
    p.caller.send(p.caller.inDialog('BYE', p.dialog));
    const end = await b.c.request('BYE', (r) => r.headers.get('Call-ID') === newControl.callId, 5000);
    expect(end.headers.get(H.cause)).toBe('remote-bye');
    b.c.respond(end, 200);
  });

  it('refuses what it cannot do, and nothing moves', { timeout: 20_000 }, async () => {
    const a = await bank(1, 'node-a');
    const p = await parked(a.c, 'bob');
    expect((await op(a.c, p.control, { op: 'handoff', node: 'node-z' })).status).toBe(480);
    expect((await op(a.c, p.control, { op: 'handoff', node: 'node-a' })).status).toBe(400);
    expect((await op(a.c, p.control, { op: 'handoff', node: 'bad node!' })).status).toBe(400);
    expect((await op(a.c, p.control, { op: 'handoff', node: 'node-b', extra: 1 })).status).toBe(400);
    // the other node refuses the offer: the INFO says so and the leg stays with its controller
    const b = await bank(2, 'node-b');
    const answer = op(a.c, p.control, { op: 'handoff', node: 'node-b' });
    const offer = await b.c.request('INVITE', (r) => r.headers.get(H.leg) === p.leg, 5000);
    b.c.answer(offer, 486);
    expect((await answer).status).toBe(480);
    expect((await op(a.c, p.control, { op: 'hold' })).status).toBe(409); // still A's to control (not bridged)
    // a bank that names no node cannot hand off; a bad X-PB-Node on REGISTER is refused
    const c = await client('bank3');
    const creds = bankCredentials(SECRET, 3);
    expect((await c.register('route', DOMAIN, creds.user, creds.password, 600, [[H.node, 'no spaces allowed']])).status).toBe(400);
    const dev = issueDeviceCredentials(SECRET, 3600);
    const d = await client('dev');
    expect((await d.register(dev.user, DOMAIN, dev.user, dev.password, 600, [[H.node, 'node-x']])).status).toBe(400);
    // a device leg is not handed off
    const device = await client('device');
    expect((await device.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const dial = await a.c.sendWithAuth(a.c.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { from: `<sip:${a.creds.user}@${DOMAIN}>`, headers: [[H.bridge, p.leg]], body: controlSdp(5) }), a.creds.user, a.creds.password);
    const ring = await device.request('INVITE');
    device.answer(ring, 200, { body: TEST_SDP });
    await device.request('ACK', (r) => r.headers.get('Call-ID') === ring.headers.get('Call-ID'));
    const ok = await a.c.response(dial.headers.get('Call-ID')!, 'INVITE');
    const deviceControl = a.c.dialogFrom(dial, ok);
    a.c.send(a.c.inDialog('ACK', deviceControl));
    expect((await op(a.c, deviceControl, { op: 'handoff', node: 'node-b' })).status).toBe(409);
    // nor a caller in a call
    expect((await op(a.c, p.control, { op: 'handoff', node: 'node-b' })).status).toBe(409);
    expect(p.caller.never(isBye)).toBe(true);
  });

  it('a bank with no node cannot ask for a handoff', { timeout: 20_000 }, async () => {
    const a = await bank(1, null);
    const p = await parked(a.c, 'carol');
    await bank(2, 'node-b');
    expect((await op(a.c, p.control, { op: 'handoff', node: 'node-b' })).status).toBe(403);
  });
});
