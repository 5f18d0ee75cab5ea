import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createAdminServices, type AdminServices } from '../../admin/admin-services';
import type { LiveCallsPort } from '../../admin/waiting-callers';
import type { Role } from '../../contracts/agent';
import { openDatabase, type Database } from '../../db/database';
import { DEMO, seedDemo } from '../../db/seed';
import { hashPassword } from '../../db/passwords';
import { PlatformMetrics } from '../../metrics/platform-metrics';
import { createApiHandler, createApiRoutes, type ApiDeps } from '../api-router';
import { createPageGate } from '../page-gate';
import { LoginRateLimiter } from '../login-rate-limiter';
import type { Route } from '../route-table';
import { SessionService } from '../session-service';
import { LocalRecordingStorage } from '../../recordings/local-recording-storage';
import { RecordingService } from '../../recordings/recording-service';
import type { RecordingStorage } from '../../recordings/recording-storage';

/**
 * The API and page gate over a real http.Server on an ephemeral port, on an in-memory PGlite
 * seeded with the demo data plus a supervisor. Sessions are minted directly (no argon2 per
 * request), one per persona or per request, so a route that signs out cannot spoil the rest.
 */
export const PASSWORD = 'correct horse battery';
/** the PATCHBAY_SECRET trunk passwords are stored under */
export const FIXTURE_SECRET = 'fixture-secret-0123456789abcdef';
/** The scrape token the fixture's /metrics accepts (METRICS_TOKEN). */
export const FIXTURE_METRICS_TOKEN = 'fixture-scrape-token-0123456789abcdef';
export const SUPERVISOR = { id: 'u-sup', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' as const };
export const PERSONA_USER: Record<Exclude<Persona, 'anonymous'>, string> = { admin: DEMO.users[0].id, operator: DEMO.users[1].id, supervisor: SUPERVISOR.id };
export type Persona = 'anonymous' | 'operator' | 'supervisor' | 'admin';
export const PERSONA_ROLE: Record<Persona, Role | null> = { anonymous: null, operator: 'OPERATOR', supervisor: 'SUPERVISOR', admin: 'ADMIN' };

export interface ApiFixture {
  db: Database;
  admin: AdminServices;
  routes: Route[];
  base: string;
  live: { waiting: Map<string, number> };
  /** the recordings directory the API plays from (a temporary one, removed on close) */
  recordingsDir: string;
  cookieFor(userId: string): Promise<string>;
  send(method: string, path: string, opts?: { cookie?: string; body?: unknown; origin?: string | null; bearer?: string }): Promise<{ status: number; json: any; contentType: string | null }>;
  close(): Promise<void>;
}

export interface ApiFixtureOptions {
  /** the stores recordings play from besides the fixture's directory (e.g. an S3 bucket) */
  moreRecordingStores?: RecordingStorage[];
}

export async function startApiFixture(opts: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: PASSWORD });
  await db.prisma.user.create({ data: { ...SUPERVISOR, passwordHash: await hashPassword(PASSWORD) } });
  const logger = pino({ level: 'silent' });
  const waiting = new Map<string, number>();
  const live: LiveCallsPort = { waitingInQueue: (id) => waiting.get(id) ?? 0 };
  const admin = createAdminServices({ prisma: db.prisma, logger, live, secret: FIXTURE_SECRET });
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  const recordingsDir = mkdtempSync(path.join(tmpdir(), 'pb-api-rec-'));
  const deps: ApiDeps = {
    recordings: new RecordingService(db.prisma, [new LocalRecordingStorage(recordingsDir), ...(opts.moreRecordingStores ?? [])], logger),
    prisma: db.prisma,
    sessions,
    logger,
    admin,
    config: { publicHost: '127.0.0.1', sipWsPort: 5062, sipDomain: 'patchbay.local', metricsToken: FIXTURE_METRICS_TOKEN },
    metrics: new PlatformMetrics(),
    loginLimiter: new LoginRateLimiter({ ip: { max: 1000, windowMs: 60_000 }, email: { max: 1000, windowMs: 60_000 } }),
  };
  const api = createApiHandler(deps);
  const gate = createPageGate({ sessions });
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (await api(req, res)) return;
      if (await gate(req, res)) return;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('page');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    db,
    admin,
    routes: createApiRoutes(deps),
    base,
    live: { waiting },
    recordingsDir,
    async cookieFor(userId) {
      const s = await sessions.create(userId);
      return s.setCookie.split(';')[0] ?? '';
    },
    async send(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.cookie) headers.cookie = opts.cookie;
      if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
      if (opts.origin !== null) headers.origin = opts.origin ?? base;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), redirect: 'manual' });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json, contentType: res.headers.get('content-type') };
    },
    async close() {
      await admin.publisher.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await db.close();
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}
