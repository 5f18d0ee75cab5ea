import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
 * Several CTI nodes (docs/cti.md, "Several CTI nodes"): one ACD and two CTI processes on one
 * scratch PostgreSQL database and the machine's Redis (a key prefix of its own). Operators' consoles
 * connect to node A, to node B, and some to both at once (two tabs the web passed to different
 * nodes: the case two nodes could double-book). Each console's device is a UDP phone that answers
 * at once. SIPp places 1,000 calls at a modest rate; the ACD spreads them over both nodes' bank UAs.
 * Checked from the database's records, not the CTIs' word: every call answered and completed, both
 * nodes served calls, and no operator was ever on two calls at once (no overlapping answered → ended
 * intervals per operator).
 */
const LO = '127.0.0.1';
const SECRET = 'two-cti-nodes-secret-'.padEnd(44, 'n');
const CALLS = Number(process.env.TWO_CTI_CALLS ?? 1000);
const RATE = Number(process.env.TWO_CTI_RATE ?? 15);
const ONLY_A = 12;
const ONLY_B = 12;
const BOTH = 8;
const PASSWORD = 'two-nodes-password';
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
    // TWO_CTI_NO_REDIS=1: the control run — each node alone in memory; the overlap check then fails
    ...(process.env.TWO_CTI_NO_REDIS ? {} : { REDIS_URL: REDIS, REDIS_KEY_PREFIX: prefix }),
    CTI_NODE_ID: `node-${node}`,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-two-cti-'));
  sipp = new SippRunner(dir);
  db = await ScratchDb.create();
  const seeded = await db.seed({ operators: ONLY_A + ONLY_B + BOTH, fanout: 0, supervisors: 0, password: PASSWORD });
  const prisma = await openDatabase({ databaseUrl: db.url, dataDir: 'memory://' });
  await prisma.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0, maxWaitSec: 3600 } });
  const ids = seeded.operators.map((email) => email.split('@')[0]!);
  const sessions = new SessionService({ prisma: prisma.prisma, ttlSec: 3600, secureCookie: false });
  const cookies = new Map<string, string>();
  for (const id of ids) cookies.set(id, (await sessions.create(id)).setCookie.split(';')[0]!);
  await prisma.close();

  ports = { ws: await listenPort('tcp'), udp: await listenPort('udp'), a: await listenPort('tcp'), b: await listenPort('tcp') };
  const acd = RoleProcess.spawn('acd', {
    LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: db.url, PATCHBAY_SECRET: SECRET, DATA_DIR: path.join(dir, 'acd'),
    SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '24000', RTP_PORT_MAX: '25999',
    ACD_OPS_PORT: String(await listenPort('tcp')),
  });
  procs.push(acd);
  await acd.logLine('acd started', 120_000);
  const [a, b] = [RoleProcess.spawn('cti', ctiEnv('a')), RoleProcess.spawn('cti', ctiEnv('b'))];
  procs.push(a, b);
  await Promise.all([a.logLine('cti started', 120_000), b.logLine('cti started', 120_000)]);

  phones = new IpcChild<PhonesRequest, PhonesReply>(['--import', 'tsx', path.join(HERE, '../../bench/phones-child.ts')]);
  await phones.wait('ready', 30_000);
  // consoles: the first ONLY_A on node A, the next ONLY_B on node B, the last BOTH on both
  const plan: Array<{ id: string; port: number }> = [];
  ids.forEach((id, i) => {
    if (i < ONLY_A) plan.push({ id, port: ports.a });
    else if (i < ONLY_A + ONLY_B) plan.push({ id, port: ports.b });
    else plan.push({ id, port: ports.a }, { id, port: ports.b });
  });
  const creds: PhoneCreds[] = [];
  for (const p of plan) {
    const s = await connectConsole(`http://${LO}:${p.port}`, cookies.get(p.id)!);
    consoles.push(s);
    const g = await ask(s, 'agent:device', { kind: 'browser' });
    if (g.kind !== 'browser') throw new Error('expected a browser grant');
    creds.push({ user: g.sipUser, password: g.sipPassword });
  }
  const reg = await phones.ask({ op: 'register', phones: creds, host: LO, port: ports.udp, domain: 'patchbay.local' }, 'registered', 120_000);
  if (reg.failed.length) throw new Error(`phones failed to register: ${reg.failed.slice(0, 3).join('; ')}`);
  for (const s of consoles) await ask(s, 'agent:ready', {});
}, 400_000);

afterAll(async () => {
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

describe('two CTI nodes, one ACD, Redis', () => {
  it(`${CALLS} calls routed over both nodes; no operator on two calls at once (from the database)`, { timeout: 600_000 }, async () => {
    const t0 = Date.now();
    const run = sipp.run('caller-full.xml', ['-t', 'u1', '-p', String(await listenPort('udp')), '-s', DEMO.number, '-r', String(RATE), '-m', String(CALLS), '-l', '200', '-d', '800', '-recv_timeout', '30000', '-max_socket', '64', `${LO}:${ports.udp}`], CALLS / RATE + 120);
    const r = await run.done;
    const wallS = (Date.now() - t0) / 1000;
    for (let i = 0; i < 60 && (await db.openCalls()) > 0; i++) await new Promise((res) => setTimeout(res, 500));
    const t = await db.timelines(new Date(t0 - 60_000));
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    const q = (sql: string) => reader.query<Record<string, string>>(sql);
    const overlaps = Number((await q(`SELECT count(*) n FROM calls x JOIN calls y ON x.operator_id = y.operator_id AND x.id < y.id
      AND x.answered_at < y.ended_at AND y.answered_at < x.ended_at`)).rows[0]!.n);
    const byGroup = (await q(`SELECT CASE WHEN split_part(operator_id, '-', 2)::int <= ${ONLY_A} THEN 'a' WHEN split_part(operator_id, '-', 2)::int <= ${ONLY_A + ONLY_B} THEN 'b' ELSE 'both' END g, count(*) n
      FROM calls WHERE operator_id LIKE 'op-%' GROUP BY 1`)).rows;
    const groups = Object.fromEntries(byGroup.map((x) => [x.g, Number(x.n)]));
    await reader.end();
    process.stdout.write(`two CTI nodes: ${CALLS} calls at ${RATE}/s in ${wallS.toFixed(1)} s; sipp ok ${r.ok} failed ${r.failed}; answered ${t.answered}/${t.calls}; outcomes ${JSON.stringify(t.outcomes)}; by operator group ${JSON.stringify(groups)}; arrived→offered p50 ${t.arrivedToOffered.p50.toFixed(0)} ms p99 ${t.arrivedToOffered.p99.toFixed(0)} ms; overlapping calls per operator: ${overlaps}\n`);
    expect(r.ok).toBe(CALLS);
    expect(t.calls).toBe(CALLS);
    expect(t.answered).toBe(CALLS);
    expect(overlaps).toBe(0);
    // both nodes served their own operators' calls
    expect(groups.a ?? 0).toBeGreaterThan(CALLS / 10);
    expect(groups.b ?? 0).toBeGreaterThan(CALLS / 10);
  });
});
