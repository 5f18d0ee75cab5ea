import type { Logger } from '../log';
import type { DeviceKind } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import { AppError } from '../contracts/result';
import type { AdminSnapshot, AgentView, BrowserGrant, CallView, MobileGrant, MobileStatus } from '../contracts/socket-events';
import { AgentRoster } from './agent-roster';
import { CallBook } from './call-book';
import { Journal } from './call-journal';
import { CallLifecycle } from './call-lifecycle';
import { CallRouter } from './call-router';
import { ConfigFollower, type ConfigChangeHint } from './config-follower';
import { DeviceGrants } from './device-grants';
import type { BankPort, BankEvents } from './ports/bank-port';
import type { CtiNotifier } from './ports/cti-notifier';
import type { CtiStore, MobileStore } from './ports/cti-store';
import { agentView, ViewPublisher } from './views';

export type { BankPort } from './ports/bank-port';
export type { CtiNotifier } from './ports/cti-notifier';

/**
 * The CTI: operators, their devices and states, calls as business objects, routing. A facade
 * over its parts (docs/cti.md): the agent roster and its timers, device grants, the call book,
 * the router and the call lifecycle, the journal (ordered write-behind), the views. They use the
 * pure domain (state machines, routing) and reach the bank (SIP to the ACD), the store (database)
 * and the notifier (sockets) only through `ports/`.
 *
 * The live picture (agents, calls) is in memory and every decision is taken synchronously on it;
 * database writes follow in order (one chain per call, one per operator) and never hold a call up.
 */
export interface CtiServiceOptions {
  bank: BankPort;
  store: CtiStore & Partial<MobileStore>;
  notifier: CtiNotifier;
  logger: Logger;
  secret: string;
  sipDomain: string;
  /** the ACD's SIP WebSocket URL given to browser devices */
  deviceWsUrl: string;
  deviceCredTtlSec: number;
  /** how long an operator whose sockets all closed stays signed in (a reload) */
  disconnectGraceMs?: number;
  /** ended calls kept in memory for the admin view */
  recentCallsKept?: number;
  now?: () => number;
}

export class CtiService {
  private readonly journal: Journal;
  private readonly views: ViewPublisher;
  private readonly roster: AgentRoster;
  private readonly book: CallBook;
  private readonly router: CallRouter;
  private readonly calls: CallLifecycle;
  private readonly devices: DeviceGrants;
  private readonly config: ConfigFollower;
  private readonly unlisten: Array<() => void> = [];
  private started = false;
  private stopped = false;

  constructor(private readonly o: CtiServiceOptions) {
    const log = o.logger.child({ part: 'cti' });
    const now = o.now ?? Date.now;
    const stopped = () => this.stopped;
    this.journal = new Journal(o.store, now);
    this.views = new ViewPublisher(o.notifier, (id) => this.roster.get(id)?.name ?? null, log);
    this.roster = new AgentRoster({
      journal: this.journal,
      views: this.views,
      log,
      now,
      disconnectGraceMs: o.disconnectGraceMs ?? 30_000,
      hooks: {
        becameReady: () => this.router.routeWaiting(),
        withdrawReservation: (a, reason) => this.router.withdrawReservation(a, reason),
      },
    });
    this.book = new CallBook(o.recentCallsKept ?? 50);
    this.router = new CallRouter({ bank: o.bank, book: this.book, roster: this.roster, views: this.views, now, stopped });
    this.calls = new CallLifecycle({
      bank: o.bank,
      store: o.store,
      book: this.book,
      roster: this.roster,
      router: this.router,
      journal: this.journal,
      views: this.views,
      log,
      now,
      stopped,
    });
    this.devices = new DeviceGrants({
      roster: this.roster,
      bank: o.bank,
      store: o.store,
      views: this.views,
      secret: o.secret,
      sipDomain: o.sipDomain,
      deviceWsUrl: o.deviceWsUrl,
      deviceCredTtlSec: o.deviceCredTtlSec,
      now,
      log,
    });
    this.config = new ConfigFollower({ store: o.store, book: this.book, roster: this.roster, router: this.router, views: this.views, log, stopped });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.listen('legOffered', (e) => this.calls.legOffered(e));
    this.listen('legEnded', (e) => {
      if (!this.devices.legEnded(e.legId)) this.calls.legEnded(e);
    });
    this.listen('registered', () => this.router.routeWaiting());
    this.listen('dtmf', (e) => this.devices.dtmf(e));
  }

  /** Stops listening and clears every timer; the bank is stopped by its owner. Safe twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unlisten.splice(0)) off();
    this.roster.stop();
    this.devices.stop();
    this.calls.stop();
    await this.flush();
  }

  /** Resolves when every database write queued so far has finished (tests, shutdown). */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  // ---------------------------------------------------------------- operators

  /** An operator's socket connected: signs them in (not_ready) or cancels a pending sign-out. */
  operatorConnected(user: AuthUser): AgentView {
    return agentView(this.roster.connect(user));
  }

  /** An operator's socket closed; after the grace period with no socket they are signed out. */
  operatorDisconnected(operatorId: string): void {
    this.roster.disconnect(operatorId);
  }

  /** The operator rings on their own verified mobile, through a trunk; routing treats it like a browser. */
  chooseMobile(operatorId: string, e164: string): Promise<MobileGrant> {
    return this.devices.chooseMobile(operatorId, e164);
  }

  mobileStatus(operatorId: string): Promise<MobileStatus> {
    return this.devices.mobileStatus(operatorId);
  }

  verifyMobile(operatorId: string, e164: string): Promise<MobileStatus> {
    return this.devices.verifyMobile(operatorId, e164);
  }

  chooseDevice(operatorId: string, kind: Extract<DeviceKind, 'browser'>): BrowserGrant {
    return this.devices.browser(operatorId, kind);
  }

  setReady(operatorId: string): AgentView {
    const a = this.roster.require(operatorId);
    if (!this.roster.hasDevice(a)) throw new AppError('CONFLICT', 'choose a device first');
    this.roster.command(a, 'go_ready', 'operator');
    return agentView(a);
  }

  setNotReady(operatorId: string, reason?: string): AgentView {
    const a = this.roster.require(operatorId);
    this.roster.command(a, 'go_not_ready', reason ? `operator: ${reason}` : 'operator');
    return agentView(a);
  }

  // ---------------------------------------------------------------- the portal

  /** The portal changed something (the admin change notification): reload what it touches. */
  configChanged(hint: ConfigChangeHint): Promise<void> {
    return this.config.changed(hint);
  }

  /** For the portal: callers waiting in a queue now (a queue with callers waiting is not deleted). */
  waitingInQueue(queueId: string): number {
    return this.book.waitingIn(queueId);
  }

  // ---------------------------------------------------------------- views

  adminSnapshot(): AdminSnapshot {
    return { agents: this.roster.all().map(agentView), calls: this.book.all().map((c) => this.views.callView(c)) };
  }

  /**
   * What a supervisor sees on subscribing: the live picture plus every active operator who is not
   * signed in, as `offline` (`since` = their last state change, 0 when they never signed in).
   */
  async supervisionSnapshot(): Promise<AdminSnapshot> {
    const live = this.adminSnapshot();
    const signedIn = new Set(live.agents.map((a) => a.operatorId));
    const away: AgentView[] = (await this.o.store.operators())
      .filter((u) => !signedIn.has(u.id))
      .map((u) => ({ operatorId: u.id, name: u.name, state: 'offline', since: u.lastChangeAt?.getTime() ?? 0, device: null, callId: null }));
    return { agents: [...live.agents, ...away], calls: live.calls };
  }

  getAgent(operatorId: string): AgentView | null {
    const a = this.roster.get(operatorId);
    return a ? agentView(a) : null;
  }

  getCall(callId: string): CallView | null {
    const c = this.book.find(callId);
    return c ? this.views.callView(c) : null;
  }

  private listen<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void {
    this.unlisten.push(this.o.bank.on(event, listener));
  }
}
