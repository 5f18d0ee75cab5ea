import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bankCredentials } from '../../shared/credentials';
import { controlSdp } from '../../shared/sip-control';
import { Acd } from '../acd';
import { decode } from '../media/g711';
import { UdpRtpPeer } from '../media/test-udp-peer';
import { WeriftMediaEngine } from '../media/werift-media-engine';
import { SipWsClient } from '../test-support/sip-ws-client';
import { goertzel, tone } from '../test-support/tones';
import type { LagMeter } from './overload-guard';

/**
 * What a caller past capacity is told (docs/metrics.md, *Overload*), with the real ACD and media
 * engine and plain RTP callers: a number whose queue has a busy message answers, plays it once
 * (a 3 kHz tone here, told from the hold music by its energy at 3 kHz), BYEs the caller and never
 * offers the leg to the route point; a number without one answers 503 + Retry-After; and when the
 * ACD's own event loop is what is behind, every number answers 503 (a message costs media).
 */
const SECRET = 'busy-message-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const WITH_MESSAGE = '+15550100';
const WITHOUT = '+15550111';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });

let acd: Acd | null = null;
let engine: WeriftMediaEngine | null = null;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await acd?.stop();
  await engine?.close();
});

async function start(overload: { maxWaiting: number; maxLagMs: number }, lagMeter?: LagMeter): Promise<Acd> {
  engine = new WeriftMediaEngine(log, { rtpPortRange: [43800, 43899], portRange: [43900, 43999], rtpTimeoutSec: 10 });
  engine.clips.add('all-busy', tone(3000, 8000, 9600));
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, overload: { ...overload, maxOfferMs: 0, resumeFraction: 0.5, retryAfterSec: 9 } },
    dialPlan: { lookup: (n) => (n === WITH_MESSAGE ? { holdAudio: 'default', busyAudio: 'all-busy' } : n === WITHOUT ? { holdAudio: 'default', busyAudio: null } : null) },
    media: engine,
    logger: log,
    ...(lagMeter ? { lagMeter } : {}),
  });
  await acd.start();
  return acd;
}

async function client(name: string): Promise<SipWsClient> {
  const c = await SipWsClient.connect(`ws://127.0.0.1:${acd!.port}`, name);
  closers.push(() => c.close());
  return c;
}

/** A plain RTP caller dialling `number`: the final answer, and (when 200) ACKed, its RTP peer talking silence. */
async function call(number: string) {
  const phone = await UdpRtpPeer.open();
  closers.push(() => phone.close());
  const caller = await client('caller');
  const inv = caller.makeRequest('INVITE', `sip:${number}@${DOMAIN}`, { from: '<sip:mobile@carrier.invalid>', body: phone.sdp({ pts: '8 101' }) });
  caller.send(inv);
  const res = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
  if (res.status === 200) {
    phone.aimAt(res.body);
    caller.send(caller.inDialog('ACK', caller.dialogFrom(inv, res)));
    const talk = setInterval(() => phone.send(8, Buffer.alloc(160, 0xd5)), 20);
    closers.push(async () => clearInterval(talk));
  }
  return { caller, phone, res };
}

describe('a caller past capacity', () => {
  it('hears its queue’s busy message and is released, never offered; a number without one gets 503', { timeout: 30_000 }, async () => {
    const a = await start({ maxWaiting: 1, maxLagMs: 0 });
    const bank = await client('bank');
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
    // the first caller fills the ceiling: parked and offered as always
    const first = await call(WITH_MESSAGE);
    expect(first.res.status).toBe(200);
    const offer = await bank.request('INVITE');
    bank.answer(offer, 200, { body: controlSdp(1) });

    const told = await call(WITH_MESSAGE);
    expect(told.res.status).toBe(200);
    const bye = await told.caller.request('BYE', () => true, 10_000);
    told.caller.respond(bye, 200);
    // what it heard before the BYE: the 3 kHz message (at least most of its 60 packets), not music
    const loud = told.phone.received.filter((p) => p.pt === 8 && goertzel(decode(p.payload, 'PCMA'), 3000) > 1000).length;
    expect(loud).toBeGreaterThanOrEqual(50);

    const busy = await call(WITHOUT);
    expect(busy.res.status).toBe(503);
    expect(busy.res.headers.get('Retry-After')).toBe('9');

    expect(a.overload.toldByMessage).toBe(1);
    expect(a.overload.refused.waiting).toBe(2);
    // the told caller was never offered: the route point saw only the first caller
    await new Promise((r) => setTimeout(r, 300));
    expect(bank.never((m) => m.kind === 'request' && m.method === 'INVITE' && m !== offer)).toBe(true);
  });

  it('gets 503 whatever its queue says while the ACD’s own loop is behind', { timeout: 30_000 }, async () => {
    const lag: LagMeter = { start: () => {}, stop: () => {}, lagMs: () => 5000 };
    const a = await start({ maxWaiting: 0, maxLagMs: 1000 }, lag);
    const r = await call(WITH_MESSAGE);
    expect(r.res.status).toBe(503);
    expect(a.overload.refused.lag).toBe(1);
    expect(a.overload.toldByMessage).toBe(0);
  });
});
