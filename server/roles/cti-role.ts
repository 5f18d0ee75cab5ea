import type http from 'node:http';
import { Server as IoServer } from 'socket.io';
import type { Config } from '../config';
import type { ClientEvents, ServerEvents } from '../contracts/socket-events';
import { startCti, type RunningCti } from '../cti/start-cti';
import { attachSocketFanout } from '../cti/socket-fanout';
import { SessionService } from '../http/session-service';
import { CtiMetrics } from '../metrics/cti-metrics';
import { RecordingCatalog } from '../recordings/recording-catalog';
import { RecordingRetention } from '../recordings/recording-retention';
import type { PlatformBase } from './platform-base';
import { openRecordingStores } from './recording-stores';
import { closeServer, createHttpServer, listen } from './http-server';
import { serveOps } from './ops-server';
import { platformHealth } from '../health/platform-health';

/** The settings the CTI reads: the ACD's address, the shared secret, sessions, recordings. */
export type CtiRoleConfig = Pick<
  Config,
  | 'host'
  | 'publicHost'
  | 'sipWsPort'
  | 'sipUdpPort'
  | 'sipTcpPort'
  | 'sipDomain'
  | 'secret'
  | 'bankSize'
  | 'deviceCredTtlSec'
  | 'reportTimeZone'
  | 'acdSipWsUrls'
  | 'acdNodeLostSec'
  | 'callbackWindowSec'
  | 'acdPublicHost'
  | 'ctiPort'
  | 'sessionTtlSec'
  | 'recordingsDir'
  | 'recordingStore'
  | 'recordingRetentionIntervalSec'
  | 'recordingRetentionDefaultDays'
  | 'recoverySettleMs'
  | 'metricsToken'
  | 'redisUrl'
  | 'redisKeyPrefix'
  | 'ctiNodeId'
>;

export interface RunningCtiRole {
  cti: RunningCti;
  /** Stops the service and bank, the retention job and the socket.io server. */
  stop(): Promise<void>;
}

/**
 * The CTI's composition root on a given socket.io server: the web's HTTP server in `npm start`,
 * its own port when it runs alone. Sockets are authenticated against the sessions in the shared
 * database, so it does not matter which process signed the person in.
 */
export async function startCtiRole(base: PlatformBase, config: CtiRoleConfig, io: IoServer<ClientEvents, ServerEvents>): Promise<RunningCtiRole> {
  const { log, db, changes } = base;
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: config.sessionTtlSec, secureCookie: false });
  const stores = openRecordingStores(config, log);
  const recordings = new RecordingCatalog(db.prisma, stores.local, log, { archive: stores.s3 });
  // several CTI nodes: a room's emit on one reaches the room's sockets on all (before any socket connects)
  const fanout = config.redisUrl ? await attachSocketFanout(io, { url: config.redisUrl, prefix: config.redisKeyPrefix, logger: log }) : null;
  const cti = await startCti({ config, prisma: db.prisma, io, sessions, logger: log, recordings, metrics: new CtiMetrics(base.metrics.registry) });
  const retention = new RecordingRetention(db.prisma, stores.all, log, config.recordingRetentionDefaultDays);
  retention.start(config.recordingRetentionIntervalSec);
  // the CTI re-reads waiting calls' queues and signs out deactivated operators
  const unsubscribe = changes.subscribe((c) => void cti.cti.configChanged(c));
  let stopping: Promise<void> | null = null;
  return {
    cti,
    stop: () =>
      (stopping ??= (async () => {
        unsubscribe();
        await retention.stop();
        await cti.stop();
        io.close();
        await fanout?.close();
        stores.close();
      })()),
  };
}

/** The CTI run alone: socket.io on CTI_PORT, where the web passes browsers' connections, and its probes and /metrics (docs/deploy.md). */
export async function startCtiAlone(base: PlatformBase, config: CtiRoleConfig): Promise<RunningCtiRole & { server: http.Server }> {
  const server = createHttpServer();
  const io = new IoServer<ClientEvents, ServerEvents>(server, { serveClient: false });
  const running = await startCtiRole(base, config, io);
  // besides socket.io: its probes (the database, the bank's registrations) and its /metrics
  const health = platformHealth({ prisma: base.db.prisma, bank: running.cti.bank, logger: base.log });
  serveOps(server, base, health, config);
  await listen(server, config.ctiPort, config.host);
  return {
    ...running,
    server,
    stop: async () => {
      await running.stop();
      await closeServer(server);
      health.stop();
    },
  };
}
