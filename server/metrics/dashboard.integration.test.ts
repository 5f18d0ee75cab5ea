import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { Server as IoServer } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { startCti, type RunningCti } from '../cti/start-cti';
import { DOMAIN, SECRET } from '../cti/test-support/acd-harness';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createApiHandler } from '../http/api-router';
import { SessionService } from '../http/session-service';
import { until } from '../test-support/until';
import { registerAcdMetrics } from './acd-metrics';
import { CtiMetrics } from './cti-metrics';
import { registerMediaMetrics } from './media-metrics';
import { PlatformMetrics } from './platform-metrics';
import { metricNames } from './test-support/promql-names';

/**
 * deploy/grafana/patchbay-dashboard.json against what the platform really exports: the parts
 * wired as server/main.ts wires them (the ACD with the werift media engine, the CTI and its
 * JsSIP bank, the process collectors, one registry), /metrics scraped over HTTP with the
 * scraper's token. Every metric name in every panel's PromQL and in the template's query must
 * be a family of that scrape (a histogram's `_bucket`, `_sum`, `_count` included), and the
 * dashboard must show each figure issue 11 §7 asks for.
 */
const TOKEN = 'dashboard-test-scrape-token-0123456789abcdef';
const DASHBOARD = path.resolve(__dirname, '../../deploy/grafana/patchbay-dashboard.json');
const logger = pino({ level: 'silent' });

interface Panel {
  type: string;
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: Array<{ expr: string; refId: string }>;
}

let db: Database;
let acd: Acd;
let media: WeriftMediaEngine;
let running: RunningCti;
let server: http.Server;
let scrape: string;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  const metrics = new PlatformMetrics();
  media = new WeriftMediaEngine(logger, { rtpPortRange: [44000, 44099], portRange: [44100, 44199] });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 }, overload: { maxWaiting: 1000, maxLagMs: 0, resumeFraction: 0.8 } },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media,
    logger,
  });
  await acd.start();
  registerAcdMetrics(metrics.registry, acd);
  registerMediaMetrics(metrics.registry, media);
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  running = await startCti({
    config: { host: '127.0.0.1', publicHost: '127.0.0.1', sipWsPort: acd.port, sipUdpPort: null, sipTcpPort: null, sipDomain: DOMAIN, secret: SECRET, bankSize: 1, deviceCredTtlSec: 600 },
    prisma: db.prisma,
    io: new IoServer(),
    sessions,
    logger,
    metrics: new CtiMetrics(metrics.registry),
  });
  await until(() => running.bank.isReady(), 10_000, 'the bank registered');
  const api = createApiHandler({ prisma: db.prisma, sessions, logger, config: { publicHost: '127.0.0.1', sipWsPort: acd.port, sipDomain: DOMAIN, metricsToken: TOKEN }, metrics });
  server = http.createServer((req, res) => void api(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  scrape = await res.text();
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await acd?.stop();
  await media?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await db?.close();
}, 20_000);

/** Every series name a scrape can hold: each `# TYPE` family, and a histogram's or summary's own series. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name! + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name! + s);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string; query: unknown }> } };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  const templateQueries = dashboard.templating.list.filter((v) => typeof v.query === 'object').map((v) => ({ panel: `variable ${v.name}`, expr: (v.query as { query: string }).query }));

  it('reads metric names out of PromQL the way the test relies on', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le, queue) (rate(a_bucket{queue=~"$queue"}[$__rate_interval])))')).toEqual(['a_bucket']);
    expect(metricNames('100 * sum by (engine) (rate(lost_total[5m])) / clamp_min(sum(rate(pk_total{direction="in"}[5m])) + x_total, 1)')).toEqual(['lost_total', 'pk_total', 'x_total']);
    expect(metricNames('label_values(patchbay_calls_arrived_total, queue)')).toEqual(['patchbay_calls_arrived_total']);
  });

  it('is a well-formed dashboard: unique panel ids, one templated data source, every panel with a query inside the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.uid).toBe('patchbay-overview');
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('every PromQL expression reads only metrics the running platform exports', () => {
    const have = exported(scrape);
    expect(have.size).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const { panel, expr } of [...exprs, ...templateQueries]) {
      const names = metricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const n of names) if (!have.has(n)) missing.push(`${panel}: ${n}`);
    }
    expect(missing).toEqual([]);
  });

  it('shows every figure issue 11 §7 asks for', () => {
    const used = new Set(exprs.flatMap((e) => metricNames(e.expr)));
    const required = [
      // calls by state and outcome
      'patchbay_calls',
      'patchbay_calls_ended_total',
      // queue depth and longest wait
      'patchbay_calls_waiting',
      'patchbay_calls_longest_wait_seconds',
      // operators by state
      'patchbay_operators',
      // SIP requests and responses by method and status, transactions
      'patchbay_acd_sip_requests_total',
      'patchbay_acd_sip_responses_total',
      'patchbay_acd_sip_transactions',
      // dial failures by cause
      'patchbay_dial_failures_total',
      // RTP packets, loss and jitter per engine
      'patchbay_rtp_packets_total',
      'patchbay_rtp_packets_lost_total',
      'patchbay_rtp_jitter_seconds',
      // recovery events
      'patchbay_recovery_events_total',
    ];
    expect(required.filter((n) => !used.has(n))).toEqual([]);
  });
});
