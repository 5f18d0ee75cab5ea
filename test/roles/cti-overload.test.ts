import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, ClientEvents, ServerEvents, SipPhoneGrant } from '../../server/contracts/socket-events';
import type { Response } from '../../server/contracts/result';
import { registeredRtpPhone } from '../../server/acd/test-support/call-kit';
import { SipWsClient, type ClientDialog } from '../../server/acd/test-support/sip-ws-client';
import { UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import { speak } from '../../server/acd/test-support/tones';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { SessionService } from '../../server/http/session-service';
import { connectPostgres, databaseUrl } from '../../server/test-support/postgres';
import { placeCall } from '../../server/test-support/sip-peers';
import { until } from '../../server/test-support/until';
import { listenPort, RoleProcess } from './role-process';

/**
 * Overload seen from the ACD when the CTI falls behind in its own process (docs/metrics.md,
 * *Overload*): the ACD and the CTI as processes; one operator talks with a caller (RTP both
 * ways); the CTI is frozen with SIGSTOP — a CTI that takes nothing any more, as a saturated one
 * takes it late — while callers keep arriving every 250 ms. The ACD's own event loop is idle, so
 * only the route-point offer delay can tell: callers answered while the delay builds up stay
 * parked with music, and once it is sustained past `OVERLOAD_MAX_OFFER_MS` new callers get
 * `503` + `Retry-After` at once (reason `controller` in /metrics, one log line). SIGCONT: the CTI
 * takes the pending offers, the ACD admits callers again, every admitted caller has its call
 * stored and none was dropped; the bridged call's audio never stopped.
 */
const SECRET = 'cti-overload-secret-'.padEnd(44, 'k');
const METRICS_TOKEN = 'cti-overload-metrics-token-'.padEnd(40, 'm');
const LO = '127.0.0.1';
const MAX_OFFER_MS = 1000;

const dbName = `pb_overload_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let reader: pg.Client;
let db: Database;
let dir: string;
const procs: Partial<Record<'acd' | 'cti', RoleProcess>> = {};
let ports: { cti: number; ws: number; udp: number; ops: number };
const closers: Array<() => Promise<void> | void> = [];

function envOf(role: 'acd' | 'cti'): Record<string, string> {
  const shared = { LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(dbName), PATCHBAY_SECRET: SECRET, METRICS_TOKEN, DATA_DIR: path.join(dir, role) };
  if (role === 'acd') {
    return { ...shared, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '45600', RTP_PORT_MAX: '45799', ACD_OPS_PORT: String(ports.ops), OVERLOAD_MAX_OFFER_MS: String(MAX_OFFER_MS), OVERLOAD_RETRY_AFTER_SEC: '7' };
  }
  return { ...shared, CTI_PORT: String(ports.cti), ACD_SIP_WS_URL: `ws://${LO}:${ports.ws}`, ACD_PUBLIC_HOST: LO, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0' };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-overload-'));
  admin = await connectPostgres();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: dir });
  await seedDemo(db.prisma, { password: 'overload-demo-password' });
  reader = new pg.Client({ connectionString: databaseUrl(dbName) });
  await reader.connect();
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  ports = { cti: await listenPort('tcp'), ws: await listenPort('tcp'), udp: await listenPort('udp'), ops: await listenPort('tcp') };
  for (const role of ['acd', 'cti'] as const) {
    const p = RoleProcess.spawn(role, envOf(role));
    procs[role] = p;
    await p.logLine(`${role} started`, 120_000);
  }
}, 300_000);

afterAll(async () => {
  procs.cti?.child.kill('SIGCONT');
  for (const c of closers.splice(0).reverse()) await c();
  for (const p of Object.values(procs)) p?.kill();
  await reader?.end();
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

const ask = <T,>(s: Socket<ServerEvents, ClientEvents>, event: 'agent:device' | 'agent:ready', payload: object) =>
  new Promise<Response<T>>((resolve) => (s.emit as (e: string, p: object, cb: (r: Response<T>) => void) => void)(event, payload, resolve));

interface Arrival {
  n: number;
  status: number;
  retryAfter: string | null;
  sip: SipWsClient;
  dialog: ClientDialog;
}

let seq = 0;
async function arrive(rtp?: UdpRtpPeer): Promise<Arrival> {
  const n = ++seq;
  const sip = await SipWsClient.udp(LO, ports.udp, `caller${n}`);
  closers.push(() => sip.close());
  const peer = rtp ?? (await UdpRtpPeer.open());
  if (!rtp) closers.push(() => peer.close());
  const sdp = peer.sdp({ pts: '0 101' });
  const { ok, dialog } = await placeCall(sip, `sip:${DEMO.number}@patchbay.local`, sdp, { from: `<sip:+4477009${String(n).padStart(5, '0')}@carrier.invalid>`, timeoutMs: 10_000 });
  if (ok.status === 200 && rtp) rtp.aimAt(ok.body);
  return { n, status: ok.status, retryAfter: ok.headers.get('Retry-After') ?? null, sip, dialog };
}

async function scrape(): Promise<string> {
  return (await fetch(`http://${LO}:${ports.ops}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}
const metric = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const sql = async <T extends pg.QueryResultRow>(q: string, params: unknown[] = []) => (await reader.query<T>(q, params)).rows;

describe('overload: a CTI that falls behind', () => {
  it('the ACD refuses new callers (503, reason controller) while the CTI is frozen, keeps every admitted caller and the live call, and admits again once it catches up', { timeout: 180_000 }, async () => {
    // one operator on a SIP phone, talking with a caller: audio both ways
    const { setCookie } = await new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false }).create(DEMO.users[1].id);
    const socket: Socket<ServerEvents, ClientEvents> = io(`http://${LO}:${ports.cti}`, { extraHeaders: { cookie: setCookie.split(';')[0]! }, transports: ['websocket'] });
    closers.push(() => void socket.close());
    const states: AgentView[] = [];
    socket.on('agent:state', (v) => void states.push(v));
    await new Promise<void>((resolve, reject) => (socket.once('connect', resolve), socket.once('connect_error', reject)));
    const grant = await ask<SipPhoneGrant>(socket, 'agent:device', { kind: 'sip_phone' });
    if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
    const phone = await registeredRtpPhone(ports.udp, grant.data, 'phone-overload', closers);
    const answered = phone.answerNext(20_000);
    expect(await ask<AgentView>(socket, 'agent:ready', {})).toMatchObject({ ok: true });
    const talkerRtp = await UdpRtpPeer.open();
    closers.push(() => talkerRtp.close());
    const talker = await arrive(talkerRtp);
    expect(talker.status).toBe(200);
    closers.push(speak(talkerRtp, 0, 400));
    await answered;
    phone.speak(700);
    await until(() => states.some((s) => s.state === 'talking'), 15_000, 'operator talking');
    const before = await scrape();
    expect(metric(before, 'patchbay_acd_overloaded')).toBe(0);

    // freeze the CTI; callers keep arriving every 250 ms until three in a row are refused
    const cti = procs.cti!;
    const rtpAtFreeze = { caller: talkerRtp.received.length, phone: phone.rtp.received.length };
    cti.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    const during: Arrival[] = [];
    let firstRefusalMs = 0;
    while (during.slice(-3).filter((a) => a.status === 503).length < 3) {
      if (Date.now() - frozenAt > 30_000) throw new Error(`no refusal 30 s into the freeze: ${during.map((a) => a.status).join(' ')}`);
      const a = await arrive();
      during.push(a);
      if (a.status === 503 && !firstRefusalMs) firstRefusalMs = Date.now() - frozenAt;
      await new Promise((r) => setTimeout(r, 250));
    }
    const atPeak = await scrape();
    const rtpDuring = { caller: talkerRtp.received.length - rtpAtFreeze.caller, phone: phone.rtp.received.length - rtpAtFreeze.phone };
    const frozenMs = Date.now() - frozenAt;
    cti.child.kill('SIGCONT');
    const thawedAt = Date.now();

    const admittedDuring = during.filter((a) => a.status === 200);
    const refused = during.filter((a) => a.status === 503);
    // every answer was one or the other: admitted and parked, or told at once
    expect(during.every((a) => a.status === 200 || a.status === 503), during.map((a) => a.status).join(' ')).toBe(true);
    // the refusals came together at the end (no flapping), each with the configured Retry-After
    expect(during.findIndex((a) => a.status === 503)).toBe(admittedDuring.length);
    for (const r of refused) expect(r.retryAfter).toBe('7');
    expect(admittedDuring.length).toBeGreaterThan(0);
    expect(metric(atPeak, 'patchbay_acd_overloaded')).toBe(1);
    expect(metric(atPeak, 'patchbay_acd_overload_refused_total{reason="controller"}')).toBe(refused.length);
    expect(metric(atPeak, 'patchbay_acd_overload_refused_total{reason="lag"}')).toBe(0);
    expect(metric(atPeak, 'patchbay_acd_overload_offer_delay_seconds')).toBeGreaterThanOrEqual(MAX_OFFER_MS / 1000);
    const tripped = await procs.acd!.logLine('overloaded: new callers are refused until the load falls', 5_000);
    expect(tripped).toMatchObject({ reason: 'controller' });
    // the bridged call is the ACD's alone: its audio went on both ways while the CTI was frozen (≥ a quarter of 50 packets/s)
    expect(rtpDuring.caller).toBeGreaterThan((frozenMs / 20) * 0.25);
    expect(rtpDuring.phone).toBeGreaterThan((frozenMs / 20) * 0.25);

    // thawed: the CTI takes the pending offers, and new callers are admitted again
    await procs.acd!.logLine('overload over: new callers are admitted again', 20_000);
    const admittedAgainMs = Date.now() - thawedAt;
    const after = await arrive();
    expect(after.status).toBe(200);
    // every admitted caller became a stored call (none lost); the refused ones never reached the CTI
    const admittedIds = [talker, ...admittedDuring, after].map((a) => `+4477009${String(a.n).padStart(5, '0')}`);
    const deadline = Date.now() + 20_000;
    while ((await sql('SELECT id FROM calls')).length < admittedIds.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const stored = (await sql<{ caller_id: string }>('SELECT caller_id FROM calls')).map((r) => /\+\d+/.exec(r.caller_id)![0]).sort();
    expect(stored).toEqual(admittedIds.sort());
    for (const a of [talker, ...admittedDuring, after]) expect(a.sip.never((m) => m.kind === 'request' && m.method === 'BYE'), `caller ${a.n} released`).toBe(true);

    process.stdout.write(`cti-overload: ${JSON.stringify({ frozenMs, firstRefusalMs, admittedDuring: admittedDuring.length, refused: refused.length, admittedAgainMs, rtpDuring })}\n`);
  });
});
