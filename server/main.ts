import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { inspect } from 'node:util';
import next from 'next';
import { Server as IoServer } from 'socket.io';
import { loadConfig, ConfigError } from './config';
import { createLogger } from './log';
import { openDatabase } from './db/database';
import { seedDemo } from './db/seed';
import type { ClientEvents, ServerEvents } from './contracts/socket-events';
import { Acd } from './acd/acd';
import { DatabaseClipSource } from './acd/database-clip-source';
import { DatabaseDialPlan } from './acd/database-dial-plan';
import { DatabaseTrunkDirectory } from './acd/trunks/trunk-directory';
import { WeriftMediaEngine } from './acd/media/werift-media-engine';
import { startCti } from './cti/start-cti';
import { createAdminServices } from './admin/admin-services';
import { ChangePublisher } from './admin/change-publisher';
import { pgNotificationSource } from './admin/pg-notification-source';
import { reloadOnChange } from './admin/reload-on-change';
import { espeakSpeech } from './admin/press-one-clip';
import { createApiHandler } from './http/api-router';
import { LocalRecordingStorage } from './recordings/local-recording-storage';
import { RecordingCatalog } from './recordings/recording-catalog';
import { RecordingRetention } from './recordings/recording-retention';
import { RecordingService } from './recordings/recording-service';
import { S3RecordingStorage } from './recordings/s3-recording-storage';
import { createPageGate } from './http/page-gate';
import { SessionService } from './http/session-service';
import { PlatformMetrics } from './metrics/platform-metrics';
import { registerAcdMetrics } from './metrics/acd-metrics';
import { CtiMetrics } from './metrics/cti-metrics';

/**
 * The composition root: reads the config once, opens the database, starts the ACD (SIP switch
 * and media), the CTI (UA bank, domain, sockets) and the web edge, on one machine.
 * The CTI reaches the ACD only through its SIP WebSocket URL, as it would on another node.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const t0 = Date.now();
  // one Prometheus registry for the process: each part adds its collectors (docs/metrics.md)
  const metrics = new PlatformMetrics();

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  log.info({ kind: db.kind, applied: db.applied }, 'database ready');
  let seeded: { email: string; role: string; password: string }[] = [];
  if (config.seedDemo) {
    seeded = (await seedDemo(db.prisma, { password: config.demoPassword ?? undefined })).created;
    if (seeded.length > 0 && !config.demoPassword) {
      const file = path.join(config.dataDir, 'demo-credentials.txt');
      writeFileSync(file, seeded.map((s) => `${s.role}\t${s.email}\t${s.password}`).join('\n') + '\n', { mode: 0o600 });
    }
  }

  // One change notification for the whole platform: the portal's writes publish to it after
  // their commit; the ACD's dial plan and the CTI reload from it (no restart). On PostgreSQL,
  // writes from another process arrive through LISTEN, and a slow poll of the version row covers
  // a dropped LISTEN connection. PGlite is this process's own: every write is published here.
  const changes = new ChangePublisher(log, Date.now);
  if (db.kind === 'postgres' && config.databaseUrl) {
    await changes.attach(pgNotificationSource(config.databaseUrl));
    changes.startPolling(db.prisma, 10_000);
  }

  // ACD: the SIP switch and its media. It knows served numbers, never operators.
  const media = new WeriftMediaEngine(log, {
    rtpTimeoutSec: config.rtpTimeoutSec,
    rtpAddress: config.mediaAddress,
    ...(config.rtpPortRange ? { rtpPortRange: config.rtpPortRange } : {}),
  });
  if (config.audioDir) await media.loadClipsFromDir(config.audioDir);
  // the portal's audio library: loaded now, then again on every library change (no restart)
  const clipSource = new DatabaseClipSource(db.prisma);
  await media.clips.sync(clipSource);
  // 'queue' too: a queue's save makes its press-1 sentence, a clip the phones hear (docs/cti.md)
  reloadOnChange(changes, ['audio', 'queue'], async () => void (await media.clips.sync(clipSource)), log.child({ part: 'acd', module: 'clip-library' }));
  const dialPlan = new DatabaseDialPlan(db.prisma, log.child({ part: 'acd', module: 'dial-plan' }));
  await dialPlan.start();
  // a number saved in the portal is served at once; the dial plan's own timer stays as a fallback
  // (and on a queue change: a number without hold audio of its own plays its queue's)
  reloadOnChange(changes, ['number', 'queue'], () => dialPlan.load(), log.child({ part: 'acd', module: 'dial-plan' }));
  const trunks = new DatabaseTrunkDirectory(db.prisma, config.secret, log.child({ part: 'acd', module: 'trunk-directory' }));
  await trunks.start();
  // a trunk saved in the portal (or a number moved to one: its DIDs are numbers.trunk_id) is
  // reloaded at once; the trunk side re-registers what changed (docs/trunks.md)
  reloadOnChange(changes, ['trunk', 'number'], () => trunks.load(), log.child({ part: 'acd', module: 'trunk-directory' }));
  const acd = new Acd({
    config: {
      host: config.host,
      port: config.sipWsPort,
      domain: config.sipDomain,
      secret: config.secret,
      ringTimeoutDefaultSec: 20,
      publicHost: config.publicHost,
      recordingsDir: config.recordingsDir,
      transports: { udpPort: config.sipUdpPort, tcpPort: config.sipTcpPort, tlsPort: config.sipTlsPort, wssPort: config.sipWssPort, tls: config.sipTls },
      overload: config.overload,
      callbackWindowSec: config.callbackWindowSec,
      deviceGraceSec: config.deviceGraceSec,
    },
    dialPlan,
    media,
    logger: log,
    trunks,
  });
  await acd.start();
  registerAcdMetrics(metrics.registry, acd);

  // CTI: reaches the ACD only through its SIP WebSocket, as it would from another machine.
  // Idle keep-alive sockets live longer than a load balancer's (60 s is common) and a browser's
  // pauses: with Node's 5 s a client that reuses a socket just as the server closes it gets a
  // reset (seen as ECONNRESET in an e2e run). headersTimeout must exceed keepAliveTimeout.
  const httpServer = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 });
  const io = new IoServer<ClientEvents, ServerEvents>(httpServer, { serveClient: false });
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: config.sessionTtlSec, secureCookie: false });
  // Recordings: the ACD writes them into its directory (the embedded store); the CTI catalogues
  // each recorded call once it ends; the portal plays them; the retention job deletes old ones.
  // With RECORDINGS_STORE=s3 the catalog moves each finished file into the bucket (multi-node sites).
  const localRecordings = new LocalRecordingStorage(config.recordingsDir);
  const s3Recordings = config.recordingStore.kind === 's3' ? new S3RecordingStorage(config.recordingStore, log.child({ part: 'web' })) : null;
  const recordingStores = s3Recordings ? [localRecordings, s3Recordings] : [localRecordings];
  if (config.recordingStore.kind === 's3') {
    const { bucket, endpoint, region, prefix } = config.recordingStore;
    log.info({ bucket, endpoint, region, prefix }, 'recordings are kept in an S3 bucket');
  }
  const recordings = new RecordingCatalog(db.prisma, localRecordings, log, { archive: s3Recordings });
  const cti = await startCti({ config: { ...config, sipWsPort: acd.port }, prisma: db.prisma, io, sessions, logger: log, recordings, metrics: new CtiMetrics(metrics.registry) });
  const retention = new RecordingRetention(db.prisma, recordingStores, log, config.recordingRetentionDefaultDays);
  retention.start(config.recordingRetentionIntervalSec);
  // the CTI re-reads waiting calls' queues and signs out deactivated operators
  changes.subscribe((c) => void cti.cti.configChanged(c));

  // Web edge: the JSON API and the page gate run before Next.js renders pages.
  // the portal's writes publish to the shared notification; a queue with callers waiting (the CTI's call book) is not deleted
  // trunk passwords are stored under PATCHBAY_SECRET; the trunks page shows the ACD's registrations
  const admin = createAdminServices({ prisma: db.prisma, logger: log, publisher: changes, live: cti.cti, secret: config.secret, trunkStatus: acd, speech: espeakSpeech });
  const api = createApiHandler({ prisma: db.prisma, sessions, logger: log, config, admin, recordings: new RecordingService(db.prisma, recordingStores, log), metrics });
  const gate = createPageGate({ sessions });
  const app = next({ dev: false, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  httpServer.on('request', (req, res) => {
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
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.httpPort, config.host, resolve);
  });

  const base = `http://${config.publicHost}:${config.httpPort}`;
  log.info({ ms: Date.now() - t0 }, 'platform started');
  printWelcome(base, seeded, config.demoPassword !== null, path.join(config.dataDir, 'demo-credentials.txt'));

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await changes.stop();
    await retention.stop();
    await cti.stop();
    io.close();
    await new Promise<void>((r) => httpServer.close(() => r()));
    await acd.stop();
    await media.close();
    dialPlan.stop();
    trunks.stop();
    s3Recordings?.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The one place the platform talks to a person on the terminal (not a log line). */
function printWelcome(base: string, seeded: { email: string; role: string; password: string }[], fixedPassword: boolean, credFile: string): void {
  const lines = [
    '',
    `  Patchbay is running`,
    `    operator console  ${base}/login  → /console`,
    `    admin portal      ${base}/admin`,
    `    caller page       ${base}/call   (dial +15550100)`,
  ];
  if (seeded.length > 0) {
    lines.push('', '  Demo sign-ins (shown once' + (fixedPassword ? ', password from DEMO_PASSWORD' : `; also in ${credFile}`) + '):');
    for (const s of seeded) lines.push(`    ${s.role.padEnd(9)} ${s.email.padEnd(24)} ${fixedPassword ? '(DEMO_PASSWORD)' : s.password}`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`patchbay failed to start: ${err instanceof Error ? (err.stack ?? err.message) : inspect(err)}\n`);
  process.exit(1);
});
