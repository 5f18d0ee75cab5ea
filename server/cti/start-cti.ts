import type { Server } from 'socket.io';
import type { Config } from '../config';
import type { PrismaClient } from '../db/generated/client';
import type { Logger } from '../log';
import type { SessionResolver } from '../contracts/auth';
import type { ClientEvents, ServerEvents } from '../contracts/socket-events';
import { CtiService } from './cti-service';
import type { SipPhoneServer } from './device-grants';
import type { RecordingsPort } from './ports/recordings-port';
import { PrismaCtiStore } from './prisma-cti-store';
import type { CtiMetrics } from '../metrics/cti-metrics';
import { attachCtiSockets, socketNotifier } from './socket-server';
import { BankSet } from './ua-bank/bank-set';
import { UaBank } from './ua-bank/ua-bank';
import { memoryReservationStore } from './reservations/memory-reservation-store';
import { RedisRoutingExchange } from './reservations/redis-routing-exchange';
import { RedisReservationStore } from './reservations/redis-reservation-store';

/** Where desk phones register: the ACD's plain SIP port (UDP, with TCP when it listens on the same number). */
function sipPhoneServer(c: Pick<Config, 'sipUdpPort' | 'sipTcpPort'>, host: string): SipPhoneServer | null {
  const port = c.sipUdpPort ?? c.sipTcpPort;
  if (!port) return null;
  const transports: SipPhoneServer['transports'] = [];
  if (c.sipUdpPort === port) transports.push('UDP');
  if (c.sipTcpPort === port) transports.push('TCP');
  return { host, port, transports };
}

export interface RunningCti {
  cti: CtiService;
  /** one ACD: its bank; several ACD nodes (ACD_SIP_WS_URL a list): a bank per node (bank-set.ts) */
  bank: UaBank | BankSet;
  /** Stops the service, then the bank (unregisters). Safe twice. */
  stop(): Promise<void>;
}

/**
 * The CTI's composition root: store, bank, service, socket edge. Call it after the ACD listens.
 * A bank that cannot register within `registerTimeoutMs` is logged as an error, not fatal: its
 * UAs keep retrying and the service offers no call until one registers.
 */
export async function startCti(deps: {
  config: Pick<Config, 'host' | 'publicHost' | 'sipWsPort' | 'sipUdpPort' | 'sipTcpPort' | 'sipDomain' | 'secret' | 'bankSize' | 'deviceCredTtlSec'> &
    Partial<Pick<Config, 'reportTimeZone' | 'acdSipWsUrls' | 'acdPublicHost' | 'recoverySettleMs' | 'acdNodeLostSec' | 'callbackWindowSec' | 'redisUrl' | 'redisKeyPrefix' | 'ctiNodeId'>>;
  prisma: PrismaClient;
  io: Server<ClientEvents, ServerEvents>;
  sessions: SessionResolver;
  logger: Logger;
  /** where recorded calls are catalogued (server/recordings/recording-catalog.ts) */
  recordings?: RecordingsPort;
  registerTimeoutMs?: number;
  /** the CTI's /metrics collectors (server/metrics/cti-metrics.ts) */
  metrics?: CtiMetrics;
}): Promise<RunningCti> {
  const { config, logger } = deps;
  // The bank reaches the ACD at ACD_SIP_WS_URL when it runs elsewhere; on this machine over
  // loopback when it listens on every address.
  const acdHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  // devices (browsers, SIP phones) reach the ACD at its public host, not the web's
  const devicesHost = config.acdPublicHost ?? config.publicHost;
  const wsUrls = config.acdSipWsUrls ?? [`ws://${acdHost}:${config.sipWsPort}`];
  const nodeId = config.ctiNodeId ?? 'cti-1';
  // several CTI nodes: the bank names its node on REGISTER, so another node can hand it a caller whose operator is here
  const bankOpts = { domain: config.sipDomain, secret: config.secret, size: config.bankSize, logger, ...(config.redisUrl ? { nodeId } : {}) };
  const bank = wsUrls.length > 1 ? new BankSet({ ...bankOpts, wsUrls, ...(config.acdNodeLostSec ? { nodeLostMs: config.acdNodeLostSec * 1000 } : {}), ...(config.callbackWindowSec ? { callbackWindowMs: config.callbackWindowSec * 1000 } : {}) }) : new UaBank({ ...bankOpts, wsUrl: wsUrls[0]! });
  // several CTI nodes share their operators' holds in Redis; one alone keeps them in memory
  const reservations = config.redisUrl
    ? await RedisReservationStore.open({ url: config.redisUrl, prefix: config.redisKeyPrefix ?? 'patchbay:', nodeId, logger })
    : memoryReservationStore(nodeId);
  // …and their Ready operators, so a caller waiting on one node is answered by an operator on another
  const exchange = config.redisUrl ? await RedisRoutingExchange.open({ url: config.redisUrl, prefix: config.redisKeyPrefix ?? 'patchbay:', nodeId, logger }) : null;
  const cti = new CtiService({
    bank,
    reservations,
    ...(exchange ? { exchange, boardExchange: exchange } : {}),
    store: new PrismaCtiStore(deps.prisma),
    notifier: socketNotifier(deps.io),
    logger,
    secret: config.secret,
    sipDomain: config.sipDomain,
    deviceWsUrl: `ws://${devicesHost}:${config.sipWsPort}`,
    deviceCredTtlSec: config.deviceCredTtlSec,
    sipPhone: sipPhoneServer(config, devicesHost),
    timeZone: config.reportTimeZone ?? 'UTC',
    ...(config.recoverySettleMs !== undefined ? { recoverySettleMs: config.recoverySettleMs } : {}),
    ...(deps.recordings ? { recordings: deps.recordings } : {}),
    ...(deps.metrics ? { metrics: deps.metrics.port, journal: { onBatch: deps.metrics.onBatch } } : {}),
  });
  deps.metrics?.watch(cti, bank);
  cti.start();
  attachCtiSockets(deps.io, { cti, sessions: deps.sessions, logger });
  try {
    await bank.start(deps.registerTimeoutMs ?? 10_000);
  } catch (err) {
    logger.error({ err }, 'CTI bank did not register with the ACD; calls wait until it does');
  }
  let stopping: Promise<void> | null = null;
  return {
    cti,
    bank,
    stop: () =>
      (stopping ??= (async () => {
        await cti.stop();
        await bank.stop();
        await exchange?.close();
        await reservations.close();
      })()),
  };
}
