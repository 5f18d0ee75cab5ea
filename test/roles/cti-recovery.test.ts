import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, CallOffer, CallView, ClientEvents, ServerEvents, SipPhoneGrant } from '../../server/contracts/socket-events';
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
 * CTI restart recovery with real parts (docs/cti.md, "Restart recovery"): the ACD and the CTI as
 * processes on a scratch PostgreSQL database; two operators on SIP phones (plain RTP) talk with two
 * callers, three more callers wait with music; the CTI is killed with SIGKILL and started again.
 * Every party's RTP is counted each 250 ms throughout: no counter stalls, no SIP party gets a BYE,
 * the new CTI rebuilds all five calls (the same ids), the operators' consoles reconnect on their
 * own and show their live call, the database's open rows are exactly those calls with the gap in
 * their timelines, and the waiting callers are offered in their arrival order once operators free up.
 */
const SECRET = 'cti-recovery-secret-'.padEnd(44, 'k');
const METRICS_TOKEN = 'cti-recovery-metrics-token-'.padEnd(40, 'm');
const LO = '127.0.0.1';
const M = 2;
const N = 3;

const dbName = `pb_recovery_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let db: Database;
let dir: string;
const procs: Partial<Record<'acd' | 'cti', RoleProcess>> = {};
let ports: { cti: number; ws: number; udp: number; ops: number };
const closers: Array<() => Promise<void> | void> = [];

function envOf(role: 'acd' | 'cti'): Record<string, string> {
  const shared = { LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(dbName), PATCHBAY_SECRET: SECRET, METRICS_TOKEN, DATA_DIR: path.join(dir, role) };
  if (role === 'acd') return { ...shared, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '45400', RTP_PORT_MAX: '45499', ACD_OPS_PORT: String(ports.ops) };
  return { ...shared, CTI_PORT: String(ports.cti), ACD_SIP_WS_URL: `ws://${LO}:${ports.ws}`, ACD_PUBLIC_HOST: LO, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0' };
}

async function startRole(role: 'acd' | 'cti'): Promise<RoleProcess> {
  const p = RoleProcess.spawn(role, envOf(role));
  procs[role] = p;
  await p.logLine(`${role} started`, 120_000);
  return p;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-recovery-'));
  admin = await connectPostgres();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: dir });
  await seedDemo(db.prisma, { password: 'recovery-demo-password' });
  reader = new pg.Client({ connectionString: databaseUrl(dbName) });
  await reader.connect();
  closers.push(() => reader.end());
  // an operator is free again as soon as a call ends (no wrap-up), and nobody is released for waiting
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  ports = { cti: await listenPort('tcp'), ws: await listenPort('tcp'), udp: await listenPort('udp'), ops: await listenPort('tcp') };
  await startRole('acd');
  await startRole('cti');
}, 300_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const p of Object.values(procs)) p?.kill();
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

interface Operator {
  id: string;
  socket: Socket<ServerEvents, ClientEvents>;
  states: AgentView[];
  calls: CallView[];
  offers: CallOffer[];
  phone: Awaited<ReturnType<typeof registeredRtpPhone>>;
}

async function operator(userId: string): Promise<Operator> {
  const { setCookie } = await new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false }).create(userId);
  const cookie = setCookie.split(';')[0]!;
  // reconnection on (as the console does): after the CTI comes back the socket connects again by itself
  const socket: Socket<ServerEvents, ClientEvents> = io(`http://${LO}:${ports.cti}`, { extraHeaders: { cookie }, transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  closers.push(() => void socket.close());
  const o = { id: userId, socket, states: [] as AgentView[], calls: [] as CallView[], offers: [] as CallOffer[] };
  socket.on('agent:state', (v) => void o.states.push(v));
  socket.on('call:update', (v) => void o.calls.push(v));
  socket.on('call:offer', (v) => void o.offers.push(v));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { ...o, phone: await phoneFor(o) };
}

const ask = <T>(s: Socket<ServerEvents, ClientEvents>, event: 'agent:device' | 'agent:ready', payload: object) =>
  new Promise<Response<T>>((resolve) => (s.emit as (e: string, p: object, cb: (r: Response<T>) => void) => void)(event, payload, resolve));

/** A SIP phone chosen on the console and registered at the ACD (it speaks once it has answered). */
async function phoneFor(o: Pick<Operator, 'socket'>): Promise<Operator['phone']> {
  const grant = await ask<SipPhoneGrant>(o.socket, 'agent:device', { kind: 'sip_phone' });
  if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
  return registeredRtpPhone(ports.udp, grant.data, `phone-${randomBytes(2).toString('hex')}`, closers);
}

interface Caller {
  n: number;
  sip: SipWsClient;
  rtp: UdpRtpPeer;
  dialog: ClientDialog;
}

async function caller(n: number): Promise<Caller> {
  const rtp = await UdpRtpPeer.open();
  closers.push(() => rtp.close());
  const sip = await SipWsClient.udp(LO, ports.udp, `caller${n}`);
  closers.push(() => sip.close());
  const { ok, dialog } = await placeCall(sip, `sip:${DEMO.number}@patchbay.local`, rtp.sdp({ pts: '0 101' }), { from: `<sip:+44770090010${n}@carrier.invalid>`, timeoutMs: 10_000 });
  if (ok.status !== 200) throw new Error(`caller ${n} answered ${ok.status}`);
  rtp.aimAt(ok.body);
  closers.push(speak(rtp, 0, 400));
  return { n, sip, rtp, dialog };
}

/**
 * Every 100 ms, how many RTP packets each peer has received; per peer, the longest time without a
 * new packet. The senders are this test's own timers, so a loaded machine that starves this process
 * shows as a short gap everywhere at once; the ACD dropping media while the CTI is away would be a
 * gap as long as the CTI's absence (seconds).
 */
function sampler(peers: Record<string, UdpRtpPeer>) {
  const last = new Map<string, { n: number; at: number }>();
  const maxGapMs: Record<string, number> = {};
  const t = setInterval(() => {
    const now = Date.now();
    for (const [name, p] of Object.entries(peers)) {
      const n = p.received.length;
      const prev = last.get(name);
      if (!prev || n > prev.n) last.set(name, { n, at: now });
      else maxGapMs[name] = Math.max(maxGapMs[name] ?? 0, now - prev.at);
    }
  }, 100);
  const counts = () => Object.fromEntries(Object.entries(peers).map(([k, p]) => [k, p.received.length]));
  return { stop: () => clearInterval(t), maxGapMs, counts };
}

let reader: pg.Client;
const sql = async <T extends pg.QueryResultRow>(q: string, params: unknown[] = []) => (await reader.query<T>(q, params)).rows;
async function eventually(pred: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('CTI restart recovery, CTI killed with SIGKILL', () => {
  it(`${M} bridged and ${N} waiting callers survive the kill; the new CTI rebuilds every call, the consoles reconnect, the waiting are offered in arrival order`, { timeout: 240_000 }, async () => {
    const ops: Operator[] = [];
    for (const u of [DEMO.users[1], DEMO.users[2]]) ops.push(await operator(u.id));
    const bridged: Caller[] = [];
    for (let i = 0; i < M; i++) {
      const op = ops[i]!;
      const answered = op.phone.answerNext(20_000);
      expect(await ask<AgentView>(op.socket, 'agent:ready', {})).toMatchObject({ ok: true });
      bridged.push(await caller(i + 1));
      await answered;
      op.phone.speak(700);
      await until(() => op.states.some((s) => s.state === 'talking'), 15_000, `operator ${i + 1} talking`);
    }
    const waiting: Caller[] = [];
    for (let i = 0; i < N; i++) {
      waiting.push(await caller(M + i + 1));
      await new Promise((r) => setTimeout(r, 150));
    }
    const callIdOf = new Map<number, string>();
    await eventually(async () => (await sql('SELECT id FROM calls WHERE ended_at IS NULL')).length === M + N, 15_000, 'all five calls stored');
    for (const r of await sql<{ id: string; caller_id: string }>('SELECT id, caller_id FROM calls')) callIdOf.set(Number(/10(\d)@/.exec(r.caller_id)![1]), r.id);

    const peers: Record<string, UdpRtpPeer> = {};
    for (const c of [...bridged, ...waiting]) peers[`caller${c.n}`] = c.rtp;
    ops.forEach((o, i) => (peers[`phone${i + 1}`] = o.phone.rtp));
    await new Promise((r) => setTimeout(r, 1000));
    const rtp = sampler(peers);

    // the kill: no clean stop, no BYE, no last journal batch
    const atKill = rtp.counts();
    const old = procs.cti!;
    old.kill();
    await old.exit();
    const spawned = Date.now();
    const cti = await startRole('cti');
    const started = Date.now();
    const settled = await cti.logLine('recovery settled', 60_000);
    const settledAt = Date.now();
    const atSettle = rtp.counts();
    expect(settled).toMatchObject({ parked: N, talking: M, closed: 0, released: 0 });
    // the new CTI's own /metrics (on its socket.io port) counts what it rebuilt
    const scraped = await (await fetch(`http://${LO}:${ports.cti}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(scraped).toContain(`patchbay_recovered_calls_total{kind="parked"} ${N}`);
    expect(scraped).toContain(`patchbay_recovered_calls_total{kind="talking"} ${M}`);
    expect(scraped).toContain('patchbay_recovered_calls_total{kind="closed"} 0');
    expect(Number(/^patchbay_recovery_rebuild_seconds (\S+)$/m.exec(scraped)?.[1])).toBeGreaterThan(0);

    // the consoles reconnect by themselves and show the live call
    for (const [i, op] of ops.entries()) {
      const id = callIdOf.get(i + 1)!;
      await until(() => op.calls.some((c) => c.callId === id && c.status === 'connected') && op.states.at(-1)?.state === 'talking', 20_000, `operator ${i + 1} shows the call again`);
    }
    await new Promise((r) => setTimeout(r, 1000));
    rtp.stop();
    // audio flowed for every party while no CTI was there (kill → settled): at least a quarter of 50 packets/s (the senders are this loaded process's timers)
    const absentMs = settledAt - spawned;
    for (const [name, n] of Object.entries(atSettle)) expect(n - atKill[name]!, name).toBeGreaterThan((absentMs / 20) * 0.25);
    for (const [name, gap] of Object.entries(rtp.maxGapMs)) expect(gap, `${name}: longest gap`).toBeLessThan(1500);
    for (const c of [...bridged, ...waiting]) expect(c.sip.never((m) => m.kind === 'request' && m.method === 'BYE')).toBe(true);

    // the database: exactly the five calls open, each with the gap in its timeline
    const open = await sql<{ id: string }>('SELECT id FROM calls WHERE ended_at IS NULL ORDER BY arrived_at');
    expect(open.map((r) => r.id).sort()).toEqual([...callIdOf.values()].sort());
    const gaps = await sql<{ call_id: string; data: { state: string; gapMs: number } }>("SELECT call_id, data FROM call_events WHERE type = 'recovered'");
    expect(gaps).toHaveLength(M + N);
    for (const g of gaps) expect(g.data.gapMs).toBeGreaterThan(0);

    // operators free up one by one: the waiting are offered in their arrival order
    const offeredOrder: number[] = [];
    for (const [i, c] of bridged.entries()) {
      const op = ops[i]!;
      c.sip.send(c.sip.inDialog('BYE', c.dialog));
      await op.phone.released(10_000);
      await until(() => ['ready', 'not_ready'].includes(op.states.at(-1)?.state ?? ''), 10_000, `operator ${i + 1} free`);
      const before = op.offers.length;
      op.phone = await phoneFor(op);
      const answered = op.phone.answerNext(20_000);
      // the call over, the operator is Not ready (device): a new CTI does not know their phone until they choose it again
      if (op.states.at(-1)?.state === 'not_ready') {
        const r = await ask<AgentView>(op.socket, 'agent:ready', {});
        expect(r, `operator ${i + 1}: ${JSON.stringify(r)} after ${JSON.stringify(op.states.slice(-3).map((v) => [v.state, v.device]))}`).toMatchObject({ ok: true });
      }
      await until(() => op.offers.length > before, 20_000, `operator ${i + 1} offered a waiting caller`);
      offeredOrder.push(Number(/10(\d)@/.exec(op.offers.at(-1)!.callerUri)![1]));
      await answered;
    }
    expect(offeredOrder).toEqual(waiting.slice(0, M).map((c) => c.n));

    const recovery = { processStartMs: started - spawned, rebuiltMs: settled.lastRebuiltMs, settledAfterStartMs: settledAt - started, absentMs, maxRtpGapMs: rtp.maxGapMs };
    process.stdout.write(`cti-recovery: ${JSON.stringify(recovery)}\n`);
  });
});
