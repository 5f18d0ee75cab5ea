import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log';
import { CALLBACK_WINDOW_DEFAULT_SEC, type AcdConfig, type AcdOptions } from './acd-config';
import { CallbackLedger } from './calls/callback-ledger';
import { CallerNotices } from './calls/caller-notice';
import { DeviceGrace } from './calls/device-grace';
import { Bridging } from './calls/bridging';
import { ControlOps } from './calls/control-ops';
import { DtmfOut } from './calls/dtmf-out';
import { LegMoves } from './calls/leg-moves';
import { Mixing } from './calls/mixing';
import { RecordControl } from './calls/record-control';
import type { CallContext } from './calls/call-context';
import { DialAnswer } from './calls/dials/dial-answer';
import { DialAuthorizer } from './calls/dials/dial-authorizer';
import { Dialer } from './calls/dials/dialer';
import { Announcements } from './calls/announcement';
import { DtmfRelay } from './calls/dtmf-relay';
import { QualityReports } from './calls/quality-reports';
import { InboundCallers } from './calls/inbound-callers';
import type { Leg, LegSnapshot } from './calls/leg';
import { LegRelease } from './calls/leg-release';
import { LegTable } from './calls/leg-table';
import { MediaWatch } from './calls/media-watch';
import { PartyReoffer } from './calls/party-reoffer';
import { RoutePoint } from './calls/route-point';
import { LegHandoff } from './calls/leg-handoff';
import { LegRecovery } from './calls/leg-recovery';
import { SessionRefresh } from './calls/session-refresh';
import { ClientTransactions } from './client-transactions';
import { LocalAddress } from './local-address';
import { FailureLimiter } from '../shared/failure-limiter';
import { OfferDelayMeter } from './overload/offer-delay';
import { DEFAULT_OVERLOAD, eventLoopLagMeter, OverloadGuard } from './overload/overload-guard';
import { ReachNotices } from './reach-notices';
import { Registrar } from './registrar';
import { ServerTransactions } from './server-transactions';
import { SipTally } from './sip-tally';
import { RequestRouter } from './signalling/request-router';
import { DigestAuthenticator } from './sip/digest';
import { DEFAULT_TIMERS } from './timers';
import type { TransportProtocol } from './transport/flow';
import { TransportSet } from './transport/transport-set';
import { probeTransports, type TransportProbe } from './transport/self-probe';
import { TrunkSide, type TrunkStatus } from './trunks/trunk-side';

export type { AcdConfig, AcdOptions } from './acd-config';

/**
 * The switch: answers callers, parks them with music, offers them to the CTI's route
 * point, dials devices on the CTI's order and bridges them, and releases legs — one leg
 * at a time, never the other leg of a bridge by itself (docs/sip-control-dialect.md).
 *
 * This class only composes the parts and owns their lifetime; a call's path through them
 * is signalling/request-router → calls/inbound-callers → calls/route-point → calls/dials/*
 * → calls/bridging → calls/leg-release (docs/acd-signalling.md, "Modules").
 */
export class Acd {
  private readonly cfg: AcdConfig;
  private readonly log: Logger;
  private readonly transports: TransportSet;
  private readonly registrar: Registrar;
  /** re-offers held legs to a bank UA that registers again (set once the call modules exist) */
  private recovery: LegRecovery | null = null;
  /** tells the bank which devices this node can ring (set once the transactions exist) */
  private reach: ReachNotices | null = null;
  private readonly clientTx: ClientTransactions;
  private readonly serverTx: ServerTransactions;
  private readonly table = new LegTable();
  private readonly trunks: TrunkSide | null;
  private readonly router: RequestRouter;
  /** Refuses new callers past capacity (503 + Retry-After); its counts are read by /metrics. */
  readonly overload: OverloadGuard;
  private readonly quality: QualityReports;
  /** SIP messages in and out by method and response class, read by /metrics. */
  readonly sip = new SipTally();
  private running = false;
  private stopping: Promise<void> | null = null;

  constructor(opts: AcdOptions) {
    this.cfg = opts.config;
    const timers = { ...DEFAULT_TIMERS, ...opts.config.timers };
    this.log = opts.logger.child({ part: 'acd' });
    this.transports = new TransportSet(
      { ...this.cfg.transports, host: this.cfg.host, wsPort: this.cfg.port },
      {
        onMessage: (r, f) => {
          this.sip.received(r);
          this.router.onMessage(r, f);
        },
        onFlowClosed: (f) => this.router.onFlowClosed(f),
        onSent: (m) => this.sip.sent(m),
      },
      this.log,
    );
    const local = new LocalAddress(() => this.cfg.publicHost ?? this.cfg.host);
    const digest = new DigestAuthenticator(this.cfg.domain, timers.nonceTtlMs);
    const limiter = new FailureLimiter({ kind: 'token-bucket', burst: timers.authFailBurst, refillPerSec: timers.authFailRefillPerSec });
    this.registrar = new Registrar({
      domain: this.cfg.domain,
      secret: this.cfg.secret,
      digest,
      limiter,
      logger: this.log.child({ module: 'registrar' }),
      onRouteRegistered: (b) => {
        this.reach?.routeRegistered(b);
        this.recovery?.routeRegistered(b);
      },
      onDeviceReach: (aor, reachable) => this.reach?.deviceChanged(aor, reachable),
    });
    this.clientTx = new ClientTransactions(timers, this.log);
    this.reach = new ReachNotices({ domain: this.cfg.domain, registrar: this.registrar, clientTx: this.clientTx, local, logger: this.log, running: () => this.running });
    this.serverTx = new ServerTransactions(timers);
    // trunk hook: inbound screening, outbound targets, registrations to carriers
    this.trunks = opts.trunks
      ? new TrunkSide({
          directory: opts.trunks,
          connect: (protocol, host, port) => this.transports.connect(protocol, host, port),
          local,
          digest,
          limiter,
          clientTx: this.clientTx,
          logger: this.log,
        })
      : null;

    const offerDelay = new OfferDelayMeter();
    // the call modules, leaves first: each gets the shared context and the modules it calls
    const ctx: CallContext = {
      cfg: this.cfg,
      timers,
      log: this.log,
      local,
      clientTx: this.clientTx,
      media: opts.media,
      registrar: this.registrar,
      transports: this.transports,
      trunks: this.trunks,
      table: this.table,
      callbacks: new CallbackLedger(this.cfg.callbackWindowSec ?? CALLBACK_WINDOW_DEFAULT_SEC, opts.now),
      offerDelay,
      dialNonce: () => digest.nonce(),
      running: () => this.running,
    };
    const bridging = new Bridging(ctx);
    const notices = new CallerNotices();
    const release = new LegRelease(ctx, bridging);
    const dtmf = new DtmfRelay(ctx);
    const mediaWatch = new MediaWatch(ctx, dtmf);
    this.quality = new QualityReports(ctx);
    const sessions = new SessionRefresh(ctx, new PartyReoffer(local));
    const routePoint = new RoutePoint(ctx);
    this.recovery = new LegRecovery(ctx);
    this.overload = new OverloadGuard({ ...DEFAULT_OVERLOAD, ...this.cfg.overload }, () => this.table.waiting.count, this.log.child({ module: 'overload' }), opts.lagMeter ?? eventLoopLagMeter(), Date.now, offerDelay);
    const mixing = new Mixing(ctx, bridging);
    this.router = new RequestRouter(ctx, this.serverTx, opts.dialPlan, {
      callers: new InboundCallers(ctx, opts.dialPlan, release, sessions, mediaWatch, routePoint, this.overload),
      authorizer: new DialAuthorizer(this.cfg.secret, digest, limiter, this.log),
      dialer: new Dialer(ctx, release, mediaWatch, new DialAnswer(ctx, bridging, sessions, mixing, notices), notices),
      sessions,
      dtmf,
      control: new ControlOps(new LegMoves(ctx, bridging), new DtmfOut(ctx), mixing, new LegHandoff(ctx)),
      announcements: new Announcements(ctx),
      recording: new RecordControl(ctx),
      grace: new DeviceGrace(ctx),
      recovery: this.recovery,
    });
  }

  /** Each trunk with its registration state (monitoring, tests). */
  trunkStatus(): TrunkStatus[] {
    return this.trunks?.status() ?? [];
  }

  /** The SIP-over-WebSocket port actually bound (useful when 0 was configured). */
  get port(): number {
    return this.transports.port('WS') ?? this.cfg.port;
  }

  /** The bound port of each listening transport. */
  get ports(): Partial<Record<TransportProtocol, number>> {
    const out: Partial<Record<TransportProtocol, number>> = {};
    for (const t of this.transports.all()) out[t.protocol] = t.port;
    return out;
  }

  /** The ACD's transports, for parts that originate requests (trunks). */
  get transportSet(): TransportSet {
    return this.transports;
  }

  async start(): Promise<void> {
    if (this.cfg.recordingsDir) await mkdir(this.cfg.recordingsDir, { recursive: true });
    await this.transports.start();
    this.running = true;
    this.overload.start();
    this.quality.start();
    this.trunks?.start();
    this.log.info({ host: this.cfg.host, ports: this.ports, domain: this.cfg.domain }, 'ACD listening');
  }

  /** Closes every leg's media, timers and connections. Safe to call twice. */
  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.running = false;
    this.overload.stop();
    this.quality.stop();
    for (const dial of this.table.dials()) dial.transition('fail');
    // no BYEs on the way out: each leg's timers and media go, recordings are finalised
    const closing = [...this.table.legs()].map((leg) => leg.shutdown());
    this.table.clear();
    this.clientTx.stop();
    this.serverTx.stop();
    this.registrar.clear();
    await Promise.all(closing);
    this.trunks?.stop();
    await this.transports.stop();
    this.log.info('ACD stopped');
  }

  /**
   * Readiness (docs/operations.md): each listening transport answers an OPTIONS the ACD sends
   * itself within `timeoutMs`; a stopped ACD has nothing listening.
   */
  async probeTransports(timeoutMs: number): Promise<TransportProbe[]> {
    if (!this.running) return [{ protocol: 'WS', ok: false, reason: 'the ACD is stopped' }];
    return probeTransports(this.transports.all(), this.cfg.host, this.cfg.domain, timeoutMs);
  }

  /** Sizes of what the ACD holds: for monitoring, and for tests that check nothing leaks. */
  stats(): { legs: number; dialogs: number; dials: number; serverTransactions: number; clientTransactions: number; waitingCallers: number } {
    return { ...this.table.sizes, serverTransactions: this.serverTx.size, clientTransactions: this.clientTx.size, waitingCallers: this.table.waiting.count };
  }

  /** A read-only picture of the legs the ACD holds (tests, monitoring). */
  legs(): ReadonlyArray<Readonly<LegSnapshot>> {
    return this.table.snapshots();
  }

  /** The live legs themselves, read-only use: the bench sums their media counters. */
  liveLegs(): Iterable<Readonly<Leg>> {
    return this.table.legs();
  }
}
