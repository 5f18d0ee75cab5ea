import type { Config } from '../config';
import { Acd } from '../acd/acd';
import { DatabaseClipSource } from '../acd/database-clip-source';
import { DatabaseDialPlan } from '../acd/database-dial-plan';
import { DatabaseTrunkDirectory } from '../acd/trunks/trunk-directory';
import { RtpengineMediaEngine } from '../acd/media/rtpengine/rtpengine-media-engine';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { reloadOnChange } from '../admin/reload-on-change';
import { registerAcdMetrics } from '../metrics/acd-metrics';
import { registerMediaMetrics } from '../metrics/media-metrics';
import type { PlatformBase } from './platform-base';
import { platformHealth } from '../health/platform-health';
import { closeServer, createHttpServer, listen } from './http-server';
import { serveOps } from './ops-server';

/** The settings the ACD reads; nothing about operators, sessions or the web. */
export type AcdRoleConfig = Pick<
  Config,
  | 'host'
  | 'publicHost'
  | 'sipWsPort'
  | 'sipUdpPort'
  | 'sipTcpPort'
  | 'sipTlsPort'
  | 'sipWssPort'
  | 'sipTls'
  | 'sipDomain'
  | 'secret'
  | 'rtpTimeoutSec'
  | 'mediaAddress'
  | 'rtpPortRange'
  | 'mediaEngine'
  | 'icePortRange'
  | 'audioDir'
  | 'recordingsDir'
  | 'overload'
  | 'callbackWindowSec'
  | 'deviceGraceSec'
>;

export interface RunningAcd {
  acd: Acd;
  /** its media engine (readiness probes rtpengine through it) */
  media: WeriftMediaEngine | RtpengineMediaEngine;
  /** Stops the switch, its media and its caches. */
  stop(): Promise<void>;
}

/**
 * MEDIA_ENGINE: the embedded engine, or rtpengine in front of the embedded engine's plain RTP
 * side (rtpengine must answer an NG ping before the ACD starts taking calls).
 */
async function mediaEngineOf(base: PlatformBase, config: AcdRoleConfig): Promise<WeriftMediaEngine | RtpengineMediaEngine> {
  const plain = { rtpTimeoutSec: config.rtpTimeoutSec, rtpAddress: config.mediaAddress, ...(config.rtpPortRange ? { rtpPortRange: config.rtpPortRange } : {}) };
  // ICE ports are the embedded engine's only: with rtpengine, browsers' ICE is on rtpengine's ports
  if (config.mediaEngine.kind === 'werift') return new WeriftMediaEngine(base.log, { ...plain, ...(config.icePortRange ? { portRange: config.icePortRange } : {}) });
  const media = new RtpengineMediaEngine(base.log, { ng: config.mediaEngine.ng, legs: config.mediaEngine.legs, ...plain });
  try {
    await media.start();
  } catch (err) {
    await media.close();
    throw err;
  }
  return media;
}

/** The ACD's composition root: the SIP switch and its media. It knows served numbers, never operators. */
export async function startAcdRole(base: PlatformBase, config: AcdRoleConfig): Promise<RunningAcd> {
  const { log, db, changes } = base;
  const media = await mediaEngineOf(base, config);
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
  registerAcdMetrics(base.metrics.registry, acd);
  registerMediaMetrics(base.metrics.registry, media);
  let stopping: Promise<void> | null = null;
  return {
    acd,
    media,
    stop: () =>
      (stopping ??= (async () => {
        await acd.stop();
        await media.close();
        dialPlan.stop();
        trunks.stop();
      })()),
  };
}

/** The ACD run alone: the switch, and its probes (the database, every SIP transport) and /metrics on ACD_OPS_PORT. */
export async function startAcdAlone(
  base: PlatformBase,
  config: AcdRoleConfig & Pick<Config, 'acdOpsPort' | 'metricsToken' | 'sessionTtlSec'>,
): Promise<RunningAcd & { opsPort: number }> {
  const running = await startAcdRole(base, config);
  const health = platformHealth({ prisma: base.db.prisma, acd: running.acd, media: running.media, logger: base.log });
  const server = createHttpServer();
  serveOps(server, base, health, config);
  try {
    await listen(server, config.acdOpsPort, config.host);
  } catch (err) {
    health.stop();
    await running.stop();
    throw err;
  }
  const address = server.address();
  return {
    ...running,
    opsPort: typeof address === 'object' && address ? address.port : config.acdOpsPort,
    stop: async () => {
      await closeServer(server);
      health.stop();
      await running.stop();
    },
  };
}
