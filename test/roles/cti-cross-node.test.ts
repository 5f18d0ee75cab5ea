import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, connectConsole, type ConsoleSocket } from '../../bench/console-client';
import { IpcChild } from '../../bench/ipc-child';
import type { PhoneCreds, PhonesReply, PhonesRequest } from '../../bench/phones-child';
import { ScratchDb } from '../../bench/scratch-db';
import { SippRunner } from '../../bench/sipp-run';
import { openDatabase } from '../../server/db/database';
import { DEMO } from '../../server/db/seed';
import { SessionService } from '../../server/http/session-service';
import { listenPort, RoleProcess } from './role-process';

/**
 * Routing across CTI nodes (docs/cti.md, *Routing across nodes*): one ACD, two CTI processes, one
 * scratch PostgreSQL database and the machine's Redis (a key prefix of its own). First every
 * operator is signed in on node B only, while the ACD spreads the callers over both nodes' bank
 * UAs: the callers that reached node A can only be answered by being handed to B (the ACD's
 * handoff of the parked leg). Then, mixed: operators on A, on B and on both, callers on both.
 * Checked from the database's records: every call answered by an operator and completed, the
 * calls handed over (a `moved` event) answered on B, no operator ever on two calls at once.
 */
const LO = '127.0.0.1';
const SECRET = 'cross-cti-nodes-secret-'.padEnd(44, 'n');
const CALLS = Number(process.env.CROSS_CTI_CALLS ?? 300);
const RATE = Number(process.env.CROSS_CTI_RATE ?? 5);
const ON_B = 10;
const ON_A = 6;
const BOTH = 4;
const PASSWORD = 'cross-nodes-password';
const HERE = path.dirname(new URL(import.meta.url).pathname);
const REDIS = 'redis://127.0.0.1:6379';

let dir: string;
let db: ScratchDb;
let sipp: SippRunner;
let phones: IpcChild<PhonesRequest, PhonesReply>;
const prefix = `pbtest:${randomBytes(6).toString('hex')}:`;
const procs: RoleProcess[] = [];
const consoles: ConsoleSocket[] = [];
let ports: { ws: number; udp: number; a: number; b: number };
let ids: string[] = [];
let supervisorCookie = '';
const cookies = new Map<string, string>();

function ctiEnv(node: 'a' | 'b'): Record<string, string> {
  return {
    LOG_LEVEL: 'info',
    HOST: LO,
    DATABASE_URL: db.url,
    PATCHBAY_SECRET: SECRET,
    DATA_DIR: path.join(dir, `cti-${node}`),
    CTI_PORT: String(node === 'a' ? ports.a : ports.b),
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

/** Consoles for these operators on these nodes, their phones registered, each Ready. */
async function signIn(plan: Array<{ id: string; port: number }>): Promise<void> {
  const creds: PhoneCreds[] = [];
  const mine: ConsoleSocket[] = [];
  for (const p of plan) {
    const s = await connectConsole(`http://${LO}:${p.port}`, cookies.get(p.id)!);
    consoles.push(s);
    mine.push(s);
    const g = await ask(s, 'agent:device', { kind: 'browser' });
    if (g.kind !== 'browser') throw new Error('expected a browser grant');
    creds.push({ user: g.sipUser, password: g.sipPassword });
  }
  const reg = await phones.ask({ op: 'register', phones: creds, host: LO, port: ports.udp, domain: 'patchbay.local' }, 'registered', 120_000);
  if (reg.failed.length) throw new Error(`phones failed to register: ${reg.failed.slice(0, 3).join('; ')}`);
  for (const s of mine) await ask(s, 'agent:ready', {});
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-cross-cti-'));
  sipp = new SippRunner(dir);
  db = await ScratchDb.create();
  const seeded = await db.seed({ operators: ON_B + ON_A, fanout: 0, supervisors: 1, password: PASSWORD });
  supervisorCookie = seeded.supervisorCookies[0]!;
  const prisma = await openDatabase({ databaseUrl: db.url, dataDir: 'memory://' });
  await prisma.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  ids = seeded.operators.map((email) => email.split('@')[0]!);
  const sessions = new SessionService({ prisma: prisma.prisma, ttlSec: 3600, secureCookie: false });
  for (const id of ids) cookies.set(id, (await sessions.create(id)).setCookie.split(';')[0]!);
  await prisma.close();

  ports = { ws: await listenPort('tcp'), udp: await listenPort('udp'), a: await listenPort('tcp'), b: await listenPort('tcp') };
  const acd = RoleProcess.spawn('acd', {
    LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: db.url, PATCHBAY_SECRET: SECRET, DATA_DIR: path.join(dir, 'acd'),
    SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '28000', RTP_PORT_MAX: '29999',
    // its own ops port: the default 3002 is another role test's when files run side by side
    ACD_OPS_PORT: String(await listenPort('tcp')),
  });
  procs.push(acd);
  await acd.logLine('acd started', 120_000);
  const [a, b] = [RoleProcess.spawn('cti', ctiEnv('a')), RoleProcess.spawn('cti', ctiEnv('b'))];
  procs.push(a, b);
  await Promise.all([a.logLine('cti started', 120_000), b.logLine('cti started', 120_000)]);
  phones = new IpcChild<PhonesRequest, PhonesReply>(['--import', 'tsx', path.join(HERE, '../../bench/phones-child.ts')]);
  await phones.wait('ready', 30_000);
  // the first ON_B operators on node B only
  await signIn(ids.slice(0, ON_B).map((id) => ({ id, port: ports.b })));
}, 400_000);

afterAll(async () => {
  // CROSS_CTI_LOGS=<dir>: each process's JSON log kept there (what the nodes said about each handoff)
  if (process.env.CROSS_CTI_LOGS) procs.forEach((p, i) => writeFileSync(path.join(process.env.CROSS_CTI_LOGS!, `${i}-${p.role}.log`), p.output()));
  for (const s of consoles) s.close();
  sipp?.killAll();
  await phones?.stop({ op: 'stop' }, 5000).catch(() => undefined);
  for (const p of procs.reverse()) await p.terminate(15_000).catch(() => p.kill());
  await db?.drop();
  const r = new Redis(REDIS);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** SIPp's callers, then what the database says of the calls since `t0`. */
async function run(calls: number, label: string) {
  const t0 = Date.now();
  const r = await sipp.run('caller-full.xml', ['-t', 'u1', '-p', String(await listenPort('udp')), '-s', DEMO.number, '-r', String(RATE), '-m', String(calls), '-l', '200', '-d', '800', '-recv_timeout', '30000', '-max_socket', '64', `${LO}:${ports.udp}`], calls / RATE + 120).done;
  const wallS = (Date.now() - t0) / 1000;
  for (let i = 0; i < 60 && (await db.openCalls()) > 0; i++) await new Promise((res) => setTimeout(res, 500));
  const since = new Date(t0);
  const t = await db.timelines(since);
  const reader = new pg.Client({ connectionString: db.url });
  await reader.connect();
  const one = async (sql: string) => (await reader.query<Record<string, string | null>>(sql, [since])).rows[0]!;
  const overlaps = Number((await one(`SELECT count(*) n FROM calls x JOIN calls y ON x.operator_id = y.operator_id AND x.id < y.id
    AND x.answered_at < y.ended_at AND y.answered_at < x.ended_at WHERE x.arrived_at >= $1`)).n);
  const moved = await one(`SELECT count(*) n, count(*) FILTER (WHERE c.answered_at IS NOT NULL AND c.outcome = 'completed') done,
      count(DISTINCT c.id) FILTER (WHERE (SELECT count(*) FROM call_events m WHERE m.call_id = c.id AND m.type = 'moved') > 1) twice,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.offered_at - c.arrived_at)) * 1000 p50,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM c.offered_at - c.arrived_at)) * 1000 p99
    FROM calls c WHERE c.arrived_at >= $1 AND EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type = 'moved')`);
  // the timeline of a moved call is one sequence: arrived first, moved before offered, no seq twice
  const broken = Number((await one(`SELECT count(*) n FROM calls c WHERE c.arrived_at >= $1 AND EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type = 'moved') AND (
      (SELECT type FROM call_events e WHERE e.call_id = c.id ORDER BY seq LIMIT 1) <> 'arrived'
      OR (SELECT min(seq) FROM call_events e WHERE e.call_id = c.id AND e.type = 'offered') < (SELECT min(seq) FROM call_events e WHERE e.call_id = c.id AND e.type = 'moved')
      OR (SELECT count(*) FROM call_events e WHERE e.call_id = c.id) <> (SELECT count(DISTINCT seq) FROM call_events e WHERE e.call_id = c.id))`)).n);
  const byOperator = (await reader.query<{ op: string; n: string }>(`SELECT operator_id op, count(*) n FROM calls WHERE arrived_at >= $1 GROUP BY 1`, [since])).rows;
  await reader.end();
  const f = (v: string | null | undefined) => (v === null || v === undefined ? NaN : Number(v)).toFixed(0);
  process.stdout.write(`cross-node ${label}: ${calls} calls at ${RATE}/s in ${wallS.toFixed(1)} s; sipp ok ${r.ok} failed ${r.failed}; answered ${t.answered}/${t.calls}; outcomes ${JSON.stringify(t.outcomes)}; ` +
    `moved ${moved.n} (completed ${moved.done}, moved twice ${moved.twice}); arrived→offered all p50 ${t.arrivedToOffered.p50.toFixed(0)} ms p99 ${t.arrivedToOffered.p99.toFixed(0)} ms, moved p50 ${f(moved.p50)} ms p99 ${f(moved.p99)} ms; ` +
    `overlapping calls per operator: ${overlaps}; timelines out of order: ${broken}\n`);
  return { r, t, overlaps, moved: Number(moved.n), movedDone: Number(moved.done), broken, operators: new Map(byOperator.map((x) => [x.op, Number(x.n)])) };
}

describe('routing across CTI nodes (one ACD, two CTI processes, Redis)', () => {
  it(`operators only on node B: ${CALLS} callers spread over both nodes, all answered by B's operators`, { timeout: 600_000 }, async () => {
    const x = await run(CALLS, 'operators on B only');
    expect(x.r.ok).toBe(CALLS);
    expect(x.t.calls).toBe(CALLS);
    expect(x.t.answered).toBe(CALLS);
    expect(x.t.outcomes).toEqual({ completed: CALLS });
    // the ACD spreads callers round-robin over both nodes' bank UAs: about half reached A and were handed over
    expect(x.moved).toBeGreaterThan(CALLS / 4);
    expect(x.movedDone).toBe(x.moved);
    expect([...x.operators.keys()].every((op) => ids.slice(0, ON_B).includes(op))).toBe(true);
    expect(x.overlaps).toBe(0);
    expect(x.broken).toBe(0);
  });

  it("a supervisor on either node sees the whole center's tiles: every call of the day, every node's operators", { timeout: 60_000 }, async () => {
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    const today = Number((await reader.query<{ n: string }>(`SELECT count(*) n FROM calls WHERE arrived_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)).rows[0]!.n);
    await reader.end();
    const tiles: Array<{ node: string; offered: number; answered: number; ready: number }> = [];
    for (const [node, port] of [['a', ports.a], ['b', ports.b]] as const) {
      const s = await connectConsole(`http://${LO}:${port}`, supervisorCookie);
      consoles.push(s);
      // the shares come within a second or two of the last change; the snapshot is read until they have
      let tile = null;
      for (let i = 0; i < 50; i++) {
        const snap = await ask(s, 'wallboard:subscribe', {});
        tile = snap.queues.find((t) => t.queueId === DEMO.queue.id) ?? null;
        if (tile && tile.tally.offered === today && tile.staffing.ready === ON_B) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      tiles.push({ node, offered: tile?.tally.offered ?? -1, answered: tile?.tally.answered ?? -1, ready: tile?.staffing.ready ?? -1 });
    }
    process.stdout.write(`cross-node wallboard: ${JSON.stringify(tiles)} (calls today in the database: ${today})\n`);
    // node A handed every caller to B, whose operators answered them all: A's supervisor sees them too
    expect(tiles).toEqual([
      { node: 'a', offered: today, answered: today, ready: ON_B },
      { node: 'b', offered: today, answered: today, ready: ON_B },
    ]);
  });

  it(`mixed: operators on A, on B and on both; ${CALLS} callers; no operator on two calls at once`, { timeout: 600_000 }, async () => {
    // ON_A more operators on node A, and BOTH of B's operators on A as well (a second tab)
    await signIn([...ids.slice(ON_B, ON_B + ON_A).map((id) => ({ id, port: ports.a })), ...ids.slice(0, BOTH).map((id) => ({ id, port: ports.a }))]);
    const x = await run(CALLS, 'mixed');
    expect(x.r.ok).toBe(CALLS);
    expect(x.t.answered).toBe(CALLS);
    expect(x.t.outcomes).toEqual({ completed: CALLS });
    expect(x.overlaps).toBe(0);
    expect(x.broken).toBe(0);
    // operators of both nodes served calls
    expect(ids.slice(ON_B).some((op) => (x.operators.get(op) ?? 0) > 0)).toBe(true);
    expect(ids.slice(BOTH, ON_B).some((op) => (x.operators.get(op) ?? 0) > 0)).toBe(true);
  });
});
