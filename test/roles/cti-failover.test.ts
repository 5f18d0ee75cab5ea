import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, CallView, ClientEvents, ServerEvents, SipPhoneGrant } from '../../server/contracts/socket-events';
import type { Response } from '../../server/contracts/result';
import { registeredRtpPhone } from '../../server/acd/test-support/call-kit';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { UdpRtpPeer } from '../../server/acd/media/test-udp-peer';
import { speak } from '../../server/acd/test-support/tones';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { createSocketProxy, targetOrder } from '../../server/http/socket-proxy';
import { SessionService } from '../../server/http/session-service';
import { createLogger } from '../../server/log';
import { connectPostgres, databaseUrl } from '../../server/test-support/postgres';
import { placeCall } from '../../server/test-support/sip-peers';
import { until } from '../../server/test-support/until';
import { listenPort, RoleProcess } from './role-process';

/**
 * Several CTI nodes, one killed (docs/cti.md, "Several CTI nodes"): one ACD and two CTI processes
 * on a scratch PostgreSQL database and the machine's Redis; the consoles go through the web's own
 * socket.io pass-through (server/http/socket-proxy.ts, CTI_URL listing both nodes), one operator's
 * console sticking to node A, the other's to node B, each on a SIP phone with RTP. A caller is
 * bridged to whichever operator the ACD's node picked; that node is killed with SIGKILL. The ACD
 * re-offers the call's legs to the other node's bank at once, the survivor rebuilds the call from
 * the database (same id, same operator), the killed node's operator's console reconnects through
 * the web to the survivor and shows the live call, RTP never stops, and the caller's hang-up is
 * then released by the survivor and stored.
 */
const SECRET = 'cti-failover-secret-'.padEnd(44, 'f');
const LO = '127.0.0.1';
const REDIS = 'redis://127.0.0.1:6379';
const prefix = `pbtest:${randomBytes(6).toString('hex')}:`;
const dbName = `pb_failover_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let reader: pg.Client;
let db: Database;
let dir: string;
let ports: { ws: number; udp: number; a: number; b: number };
let web: string;
const procs: Record<'acd' | 'a' | 'b', RoleProcess | null> = { acd: null, a: null, b: null };
const closers: Array<() => Promise<void> | void> = [];

const shared = () => ({ LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(dbName), PATCHBAY_SECRET: SECRET });
function ctiEnv(node: 'a' | 'b'): Record<string, string> {
  return {
    ...shared(),
    DATA_DIR: path.join(dir, node),
    CTI_PORT: String(ports[node]),
    ACD_SIP_WS_URL: `ws://${LO}:${ports.ws}`,
    ACD_PUBLIC_HOST: LO,
    SIP_WS_PORT: String(ports.ws),
    SIP_UDP_PORT: String(ports.udp),
    SIP_TCP_PORT: '0',
    REDIS_URL: REDIS,
    REDIS_KEY_PREFIX: prefix,
    CTI_NODE_ID: `node-${node}`,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-failover-'));
  admin = await connectPostgres();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  db = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: dir });
  await seedDemo(db.prisma, { password: 'failover-demo-password' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  reader = new pg.Client({ connectionString: databaseUrl(dbName) });
  await reader.connect();
  ports = { ws: await listenPort('tcp'), udp: await listenPort('udp'), a: await listenPort('tcp'), b: await listenPort('tcp') };
  procs.acd = RoleProcess.spawn('acd', { ...shared(), DATA_DIR: path.join(dir, 'acd'), SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '26000', RTP_PORT_MAX: '26199', ACD_OPS_PORT: String(await listenPort('tcp')) });
  await procs.acd.logLine('acd started', 120_000);
  procs.a = RoleProcess.spawn('cti', ctiEnv('a'));
  procs.b = RoleProcess.spawn('cti', ctiEnv('b'));
  await Promise.all([procs.a.logLine('cti started', 120_000), procs.b.logLine('cti started', 120_000)]);
  // the web's pass-through, in this process (the web role's Next.js build is not needed for it)
  const http = createServer();
  const proxy = createSocketProxy(http, [new URL(`http://${LO}:${ports.a}`), new URL(`http://${LO}:${ports.b}`)], createLogger('silent'));
  http.on('request', (req, res) => void (proxy.request(req, res) || res.writeHead(404).end()));
  await new Promise<void>((r) => http.listen(0, LO, r));
  web = `http://${LO}:${(http.address() as AddressInfo).port}`;
  closers.push(() => {
    proxy.close();
    http.closeAllConnections();
    http.close();
  });
}, 300_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const p of Object.values(procs)) p?.kill();
  await reader?.end();
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin?.end();
  const r = new Redis(REDIS);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

const ask = <T>(s: Socket<ServerEvents, ClientEvents>, event: 'agent:device' | 'agent:ready', payload: object) =>
  new Promise<Response<T>>((resolve) => (s.emit as (e: string, p: object, cb: (r: Response<T>) => void) => void)(event, payload, resolve));

/** An operator's console through the web, its session's first node `node`; reconnection on, as the console's. */
async function operator(userId: string, node: 0 | 1) {
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  let cookie = '';
  while (!cookie || targetOrder(cookie, 2)[0] !== node) cookie = (await sessions.create(userId)).setCookie.split(';')[0]!;
  const socket: Socket<ServerEvents, ClientEvents> = io(web, { extraHeaders: { cookie }, transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  closers.push(() => void socket.close());
  const o = { id: userId, socket, states: [] as AgentView[], calls: [] as CallView[] };
  socket.on('agent:state', (v) => void o.states.push(v));
  socket.on('call:update', (v) => void o.calls.push(v));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const grant = await ask<SipPhoneGrant>(socket, 'agent:device', { kind: 'sip_phone' });
  if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
  const phone = await registeredRtpPhone(ports.udp, grant.data, `phone-${userId}`, closers);
  return { ...o, phone };
}

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
  return { stop: () => clearInterval(t), maxGapMs, counts: () => Object.fromEntries(Object.entries(peers).map(([k, p]) => [k, p.received.length])) };
}

const sql = async <T extends pg.QueryResultRow>(q: string, params: unknown[] = []) => (await reader.query<T>(q, params)).rows;

describe('two CTI nodes, one killed with SIGKILL', () => {
  it('the killed node’s call goes on: re-offered to the other node, the operator’s console reconnects through the web to it, audio never stops', { timeout: 180_000 }, async () => {
    const ops = [await operator(DEMO.users[1].id, 0), await operator(DEMO.users[2].id, 1)];
    const answered = ops.map((o) => o.phone.answerNext(30_000).then(() => o));
    for (const o of ops) expect(await ask<AgentView>(o.socket, 'agent:ready', {})).toMatchObject({ ok: true });

    const rtp = await UdpRtpPeer.open();
    closers.push(() => rtp.close());
    const sip = await SipWsClient.udp(LO, ports.udp, 'caller1');
    closers.push(() => sip.close());
    const { ok, dialog } = await placeCall(sip, `sip:${DEMO.number}@patchbay.local`, rtp.sdp({ pts: '0 101' }), { from: '<sip:+447700900101@carrier.invalid>', timeoutMs: 10_000 });
    expect(ok.status).toBe(200);
    rtp.aimAt(ok.body);
    closers.push(speak(rtp, 0, 400));
    const op = await Promise.race(answered);
    op.phone.speak(700);
    await until(() => op.states.at(-1)?.state === 'talking', 15_000, 'the operator talking');
    const node = op === ops[0] ? 'a' : 'b';
    const survivor = node === 'a' ? 'b' : 'a';
    const [row] = await (async () => {
      for (let i = 0; i < 50; i++) {
        const r = await sql<{ id: string; operator_id: string }>('SELECT id, operator_id FROM calls WHERE ended_at IS NULL AND answered_at IS NOT NULL');
        if (r.length) return r;
        await new Promise((res) => setTimeout(res, 200));
      }
      throw new Error('the answered call was not stored');
    })();
    expect(row!.operator_id).toBe(op.id);

    await new Promise((r) => setTimeout(r, 1000));
    const audio = sampler({ caller: rtp, phone: op.phone.rtp });
    const atKill = audio.counts();
    const seenCalls = op.calls.length;
    const seenStates = op.states.length;
    const killedAt = Date.now();
    procs[node]!.kill();
    await procs[node]!.exit();

    // the survivor rebuilds the call from the ACD's re-offer and the stored row: the same id
    const dump = () => {
      const pick = (p: RoleProcess) => p.output().split('\n').filter((l) => /recover|re-offer|controller|route point|operator|cti started|agent state/.test(l)).slice(-25).join('\n');
      process.stdout.write(`--- survivor\n${pick(procs[survivor]!)}\n--- acd\n${pick(procs.acd!)}\n--- console\n${JSON.stringify({ calls: op.calls.slice(seenCalls), states: op.states.slice(seenStates).map((s) => s.state) })}\n`);
    };
    const dumpTimer = setTimeout(dump, 12_000);
    await until(() => op.calls.slice(seenCalls).some((c) => c.callId === row!.id && c.status === 'connected') && op.states.slice(seenStates).at(-1)?.state === 'talking', 30_000, 'the console shows the live call again, from the other node');
    clearTimeout(dumpTimer);
    const backMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 1500));
    audio.stop();
    const after = audio.counts();
    for (const [name, n] of Object.entries(after)) expect(n - atKill[name]!, name).toBeGreaterThan(((Date.now() - killedAt) / 20) * 0.25);
    for (const [name, gap] of Object.entries(audio.maxGapMs)) expect(gap, `${name}: longest gap`).toBeLessThan(1500);
    expect(sip.never((m) => m.kind === 'request' && m.method === 'BYE')).toBe(true);
    expect(procs[survivor]!.output()).toContain('recovery: call rebuilt from the ACD re-offer');
    // the survivor's journal writes behind (a batch every 150 ms)
    let recovered: Array<{ data: { state: string } }> = [];
    for (let i = 0; i < 50 && recovered.length === 0; i++) {
      recovered = await sql<{ data: { state: string } }>("SELECT data FROM call_events WHERE call_id = $1 AND type = 'recovered'", [row!.id]);
      if (!recovered.length) await new Promise((res) => setTimeout(res, 200));
    }
    expect(recovered.map((r) => r.data.state)).toEqual(['bridged']);

    // the caller hangs up: the survivor releases the operator's phone and closes the call's row
    sip.send(sip.inDialog('BYE', dialog));
    await op.phone.released(10_000);
    for (let i = 0; i < 50; i++) {
      const [r] = await sql<{ ended_by: string | null; outcome: string | null }>('SELECT ended_by, outcome FROM calls WHERE id = $1', [row!.id]);
      if (r?.outcome) {
        expect(r).toEqual({ ended_by: 'caller', outcome: 'completed' });
        break;
      }
      if (i === 49) throw new Error('the call row was not closed');
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(Number((await sql<{ n: string }>('SELECT count(*) n FROM calls'))[0]!.n)).toBe(1);
    process.stdout.write(`cti-failover: node ${node} killed; console back on node ${survivor} with the call after ${backMs} ms; longest RTP gap ${JSON.stringify(audio.maxGapMs)}\n`);
  });
});
