import { writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import next from 'next';
import type { Config } from '../config';
import { seedDemo } from '../db/seed';
import { createAdminServices } from '../admin/admin-services';
import { espeakSpeech } from '../admin/press-one-clip';
import { TRUNK_STATUS_ELSEWHERE, type TrunkStatusPort } from '../admin/trunks-service';
import { storedWaitingCalls, type LiveCallsPort } from '../admin/waiting-callers';
import type { Health } from '../health/health';
import { createApiHandler } from '../http/api-router';
import { createPageGate } from '../http/page-gate';
import { SessionService } from '../http/session-service';
import { createSocketProxy } from '../http/socket-proxy';
import { RecordingService } from '../recordings/recording-service';
import type { PlatformBase } from './platform-base';
import { openRecordingStores } from './recording-stores';
import { closeServer, listen } from './http-server';

/** The settings the web reads: its port, sessions, the portal's secret, where browsers find the ACD and the CTI. */
export type WebRoleConfig = Pick<
  Config,
  | 'host'
  | 'publicHost'
  | 'httpPort'
  | 'sipWsPort'
  | 'sipDomain'
  | 'acdPublicHost'
  | 'ctiUrl'
  | 'ctiUrls'
  | 'secret'
  | 'sessionTtlSec'
  | 'recordingsDir'
  | 'recordingStore'
  | 'reportTimeZone'
  | 'metricsToken'
>;

export interface WebParts {
  /** the HTTP server the web answers on (shared with the CTI's socket.io in `npm start`) */
  server: http.Server;
  /** the CTI's call book when it runs in this process; absent: the stored calls answer */
  live?: LiveCallsPort;
  /** the ACD's trunk registrations when it runs in this process */
  trunkStatus?: TrunkStatusPort;
  /** readiness of the parts this process runs (server/health/platform-health.ts); absent: the database alone */
  health?: Health;
}

export interface RunningWeb {
  stop(): Promise<void>;
}

export type Seeded = { email: string; role: string; password: string }[];

/**
 * The demo seed (SEED_DEMO), run by the web or by `npm start` before any part starts. Parts
 * already running elsewhere hear of it through the change notification, so an ACD serves the
 * seeded number at once rather than on its dial plan's next poll.
 */
export async function seedDemoData(base: PlatformBase, config: Pick<Config, 'seedDemo' | 'demoPassword' | 'dataDir'>): Promise<Seeded> {
  if (!config.seedDemo) return [];
  const { db, changes } = base;
  const seeded = (await seedDemo(db.prisma, { password: config.demoPassword ?? undefined })).created;
  if (seeded.length === 0) return seeded;
  if (!config.demoPassword) {
    const file = path.join(config.dataDir, 'demo-credentials.txt');
    writeFileSync(file, seeded.map((s) => `${s.role}\t${s.email}\t${s.password}`).join('\n') + '\n', { mode: 0o600 });
  }
  changes.published(await db.prisma.$transaction((tx) => changes.bump(tx, { entity: '*', id: null, action: 'create' })));
  return seeded;
}

/**
 * The web's composition root: the JSON API, the page gate and Next.js. With
 * CTI_URL (`--role web`) socket.io requests are passed to the CTI; otherwise socket.io answers
 * on the same server before this handler sees the request.
 */
export async function startWebRole(base: PlatformBase, config: WebRoleConfig, parts: WebParts): Promise<RunningWeb> {
  const { log, db, changes } = base;
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: config.sessionTtlSec, secureCookie: false });
  const stores = openRecordingStores(config, log);
  // the portal's writes publish to the shared notification; a queue with callers waiting is not deleted
  // trunk passwords are stored under PATCHBAY_SECRET; the trunks page shows the ACD's registrations
  const admin = createAdminServices({
    prisma: db.prisma,
    logger: log,
    publisher: changes,
    live: parts.live ?? storedWaitingCalls(db.prisma),
    secret: config.secret,
    trunkStatus: parts.trunkStatus ?? TRUNK_STATUS_ELSEWHERE,
    speech: espeakSpeech,
  });
  const api = createApiHandler({
    prisma: db.prisma,
    sessions,
    logger: log,
    config,
    admin,
    recordings: new RecordingService(db.prisma, stores.all, log),
    metrics: base.metrics,
    ...(parts.health ? { health: parts.health } : {}),
  });
  const gate = createPageGate({ sessions });
  const proxy = config.ctiUrls.length ? createSocketProxy(parts.server, config.ctiUrls.map((u) => new URL(u)), log) : null;
  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  parts.server.on('request', (req, res) => {
    if (proxy?.request(req, res)) return;
    // socket.io answers its own path on the same server; everything else is ours.
    if (req.url?.startsWith('/socket.io/')) return;
    void (async () => {
      try {
        if (await api(req, res)) return;
        if (await gate(req, res)) return;
        await handle(req, res);
      } catch (err) {
        log.error({ err, url: req.url }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      }
    })();
  });
  await listen(parts.server, config.httpPort, config.host);
  let stopping: Promise<void> | null = null;
  return {
    stop: () =>
      (stopping ??= (async () => {
        proxy?.close();
        await closeServer(parts.server);
        stores.close();
      })()),
  };
}
