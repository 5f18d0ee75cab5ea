import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server as IoServer } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { TestMediaEngine } from '../acd/test-support/test-media-engine';
import type { HealthInfo, LivenessInfo } from '../contracts/web-api';
import { startCti, type RunningCti } from '../cti/start-cti';
import { DOMAIN, SECRET } from '../cti/test-support/acd-harness';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createApiHandler } from '../http/api-router';
import { SessionService } from '../http/session-service';
import { connectPostgres, databaseUrl, PG_ADMIN_URL } from '../test-support/postgres';
import { TcpProxy } from '../test-support/tcp-proxy';
import { until, untilAsync } from '../test-support/until';
import { CtiMetrics } from '../metrics/cti-metrics';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { parseExposition } from '../metrics/test-support/exposition';
import type { Health } from './health';
import { platformHealth } from './platform-health';

/**
 * Readiness and liveness over the real parts, wired as server/main.ts wires them: PostgreSQL
 * (reached through a TCP relay, so the network to it can be broken), the ACD listening on WS,
 * UDP and TCP, the CTI from startCti with its real JsSIP bank, the real API handler over HTTP.
 * Each fault is injected the way it happens: a bank whose secret does not match the ACD's (a
 * second machine configured apart), the network to the database dropping packets and then the
 * database host refusing, one of the ACD's sockets closed, and the whole ACD stopped. Readiness
 * names the failing check with 503; liveness stays 200 throughout.
 */
const logger = pino({ level: 'silent' });
const dbName = `patchbay_health_${process.pid}_${Date.now()}`;

let root: Awaited<ReturnType<typeof connectPostgres>>;
let proxy: TcpProxy;
let db: Database;
let acd: Acd;
let running: RunningCti;
const servers: http.Server[] = [];
const healths: Health[] = [];
let base: string;
const metrics = new PlatformMetrics({ process: false });

async function serve(health: Health): Promise<string> {
  healths.push(health);
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  const api = createApiHandler({ prisma: db.prisma, sessions, logger, config: { publicHost: '127.0.0.1', sipWsPort: acd.port, sipDomain: DOMAIN }, health });
  const server = http.createServer((req, res) => void api(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function probe<T>(url: string): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: (JSON.parse(text) as { data: T }).data, text };
}

const ready = (b = base) => probe<HealthInfo>(`${b}/api/health/ready`);
const live = (b = base) => probe<LivenessInfo>(`${b}/api/health/live`);
const check = (info: HealthInfo, name: string) => info.checks.find((c) => c.name === name);

/** Polls readiness until `pred` holds (verdicts are cached 1 s), then checks liveness is unaffected. */
async function readyUntil(pred: (r: { status: number; body: HealthInfo }) => boolean, what: string, b = base): Promise<{ status: number; body: HealthInfo; text: string }> {
  let last: Awaited<ReturnType<typeof ready>> | null = null;
  await untilAsync(async () => pred((last = await ready(b))), 15_000, what);
  expect((await live(b)).status).toBe(200);
  return last!;
}

beforeAll(async () => {
  root = await connectPostgres();
  await root.query(`CREATE DATABASE "${dbName}"`);
  const pgUrl = new URL(PG_ADMIN_URL);
  proxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  await proxy.start();
  const url = new URL(databaseUrl(dbName));
  url.host = `127.0.0.1:${proxy.port}`;
  db = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0, tcpPort: 0 } },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media: new TestMediaEngine(),
    logger,
  });
  await acd.start();
  running = await startCti({
    config: { host: '127.0.0.1', publicHost: '127.0.0.1', sipWsPort: acd.port, sipUdpPort: null, sipTcpPort: null, sipDomain: DOMAIN, secret: SECRET, bankSize: 2, deviceCredTtlSec: 600 },
    prisma: db.prisma,
    io: new IoServer(),
    sessions: new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false }),
    logger,
    metrics: new CtiMetrics(metrics.registry),
  });
  await until(() => running.bank.figures().registered.every(Boolean), 10_000, 'both bank UAs registered');
  base = await serve(platformHealth({ prisma: db.prisma, acd, bank: running.bank, logger }));
}, 90_000);

afterAll(async () => {
  for (const h of healths) h.stop();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  await running?.stop();
  await acd?.stop();
  proxy?.heal();
  await db?.close();
  await proxy?.stop();
  await root?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await root?.end();
}, 30_000);

describe('readiness and liveness over the real platform', { timeout: 60_000 }, () => {
  it('is ready when the database, every SIP transport and every bank UA answer; /api/health says the same', async () => {
    const r = await ready();
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      db: 'ok',
      checks: [
        { name: 'database', ok: true },
        { name: 'sip_transports', ok: true },
        { name: 'cti_bank', ok: true },
      ],
    });
    // the kept route answers readiness too (scripts and the e2e web server wait on it)
    const legacy = await probe<HealthInfo>(`${base}/api/health`);
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual(r.body);
    const l = await live();
    expect(l.status).toBe(200);
    expect(l.body.status).toBe('ok');
    // the ACD really answered an OPTIONS on each of its three transports
    const before = acd.sip.requests.in[5]!; // OPTIONS
    await new Promise((res) => setTimeout(res, 1100)); // past the verdict's cache
    expect((await ready()).status).toBe(200);
    expect(acd.sip.requests.in[5]! - before).toBe(3);
  });

  it('a bank that the ACD refuses (its secret differs) is not ready: 503 naming cti_bank', async () => {
    const stray = await startCti({
      config: { host: '127.0.0.1', publicHost: '127.0.0.1', sipWsPort: acd.port, sipUdpPort: null, sipTcpPort: null, sipDomain: DOMAIN, secret: 'another-machine-secret-'.padEnd(40, 'y'), bankSize: 2, deviceCredTtlSec: 600 },
      prisma: db.prisma,
      io: new IoServer(),
      sessions: new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false }),
      logger,
      registerTimeoutMs: 1500,
    });
    try {
      const b = await serve(platformHealth({ prisma: db.prisma, acd, bank: stray.bank, logger }));
      const r = await readyUntil((x) => x.status === 503, '503', b);
      expect(r.body.status).toBe('degraded');
      expect(check(r.body, 'cti_bank')).toEqual({ name: 'cti_bank', ok: false, reason: '2 of 2 bank user agents are not registered with the ACD' });
      expect(check(r.body, 'database')?.ok).toBe(true);
      expect(check(r.body, 'sip_transports')?.ok).toBe(true);
      // nothing of either secret in the answer
      expect(r.text).not.toContain(SECRET);
      expect(r.text).not.toContain('another-machine-secret');
    } finally {
      await stray.stop();
    }
  });

  it('a database whose network drops packets fails within the timeout, one that refuses fails at once, and both recover', async () => {
    proxy.stall();
    const t0 = Date.now();
    const stalled = await readyUntil((x) => x.status === 503, 'the stalled database seen');
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(stalled.body.db).toBe('down');
    expect(check(stalled.body, 'database')).toMatchObject({ ok: false, reason: expect.stringMatching(/^(no answer within 1000 ms|the database has not answered for \d+ s)$/) });
    expect(check(stalled.body, 'sip_transports')?.ok).toBe(true);
    expect(check(stalled.body, 'cti_bank')?.ok).toBe(true);

    // the host goes down: every connection reset, new ones refused
    proxy.refuse();
    const refused = await readyUntil((x) => check(x.body, 'database')?.reason === 'the database refused or dropped the connection', 'the refusal seen');
    expect(refused.status).toBe(503);
    // the driver's own words (host, port, user) stay in the log
    expect(refused.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);

    proxy.heal();
    const back = await readyUntil((x) => x.status === 200, 'ready again');
    expect(back.body.db).toBe('ok');
  });

  it('a closed ACD socket fails sip_transports; an ACD that is down fails it and the bank, while liveness stays 200', async () => {
    await acd.transportSet.get('UDP')!.stop();
    const udp = await readyUntil((x) => x.status === 503, 'the closed UDP socket seen');
    expect(check(udp.body, 'sip_transports')).toEqual({ name: 'sip_transports', ok: false, reason: 'UDP: not listening (connection refused)' });
    expect(check(udp.body, 'cti_bank')?.ok).toBe(true);
    expect(check(udp.body, 'database')?.ok).toBe(true);

    // what /api/health used to call ok: the ACD down
    await acd.stop();
    const down = await readyUntil((x) => check(x.body, 'cti_bank')?.ok === false, 'the bank unregistered');
    expect(down.status).toBe(503);
    expect(check(down.body, 'sip_transports')).toEqual({ name: 'sip_transports', ok: false, reason: 'the ACD is stopped' });
    expect(check(down.body, 'cti_bank')?.reason).toBe('2 of 2 bank user agents are not registered with the ACD');
    expect((await probe<HealthInfo>(`${base}/api/health`)).status).toBe(503);
    // each UA's loss is a recovery event on /metrics
    const samples = parseExposition(await metrics.text());
    expect(samples.get('patchbay_recovery_events_total{event="bank_registration_lost"}')).toBe(2);
    expect(samples.get('patchbay_bank_uas{state="unregistered"}')).toBe(2);
  });
});
