import { AgentState, type DeviceKind } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import type { CallStatus } from '../contracts/call';
import { AppError } from '../contracts/result';
import type { MonitorMode, MonitorView } from '../contracts/monitor';
import type { CallerHistory, CallWork, ConsoleCodes } from '../contracts/call-work';
import type { AdminSnapshot, WallboardSnapshot, AgentView, BrowserGrant, SipPhoneGrant, CallView, MobileGrant, MobileStatus, TransferTarget, TransferTargets } from '../contracts/socket-events';
import { type ConfigChangeHint } from './config-follower';
import type { CtiServiceOptions } from './cti-service-options';
import { assembleCtiParts, type CtiParts } from './cti-parts';
import type { BankPort, BankEvents } from './ports/bank-port';
import type { CtiNotifier } from './ports/cti-notifier';
import { agentView } from './views';
import { LINE_DROPPED } from './agent-roster';
import type { QueueTile } from '../contracts/wallboard';

export type { BankPort } from './ports/bank-port';

export interface LiveFigures {
  /** by queue name: callers queued or being offered, and how long the longest has waited */
  waiting: Map<string, { calls: number; longestMs: number }>;
  agents: Record<AgentState, number>;
  journal: { held: number; dropped: number };
  liveCalls: number;
  /** live calls by status (every status but ended, 0 included) */
  byStatus: Record<Exclude<CallStatus, 'ended'>, number>;
}
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
export type { CtiServiceOptions } from './cti-service-options';

export class CtiService {
  private readonly p: CtiParts;
  private readonly unlisten: Array<() => void> = [];
  private started = false;
  private stopped = false;

  constructor(private readonly o: CtiServiceOptions) {
    this.p = assembleCtiParts(o, () => this.stopped);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.p.hours.ready();
    // numbers, queues and members in memory before the first call (a call arriving sooner waits for it)
    void this.p.routing.start().then(
      // the wallboard's day so far, once the queues' service levels are known
      () => this.p.board.seed().catch((err: unknown) => this.o.logger.warn({ err }, "today's calls not read; the wallboard counts from now")),
      () => undefined,
    );
    this.listen('legOffered', (e) => this.p.calls.legOffered(e));
    this.listen('legEnded', (e) => {
      // a verification call, a supervisor's phone, or an operator's phone asked to press 1 (bound to no call yet)
      if (this.p.devices.legEnded(e.legId) || this.p.monitor.legEnded(e.legId) || this.p.router.legEnded(e.legId)) return;
      this.p.calls.legEnded(e);
      // a supervisor on a call that just ended leaves with it
      this.p.monitor.sweep();
    });
    this.listen('registered', () => this.p.router.routeWaiting());
    // several ACD nodes: a device registered with some node (or left one): waiting callers there may now reach it
    this.listen('reachChanged', () => this.p.router.routeWaiting());
    this.p.recovery.start();
    this.p.crossNode?.start();
    // the ACD's call quality of a leg in a call: kept with the call, pushed with it to the roster
    this.listen('quality', (e) => {
      const c = this.p.book.byLeg(e.legId);
      const side = !c || c.status === 'ended' ? null : e.legId === c.legId ? 'caller' : e.legId === c.deviceLegId ? 'operator' : null;
      if (!c || !side) return;
      c.quality = { caller: c.quality?.caller ?? null, operator: c.quality?.operator ?? null, [side]: { ...e.quality, at: (this.o.now ?? Date.now)() } };
      this.p.views.callChanged(c);
    });
    // an operator's phone answering "press 1", a verification call's code, or a waiting caller's callback key (different legs)
    this.listen('dtmf', (e) => {
      if (!this.p.router.dtmf(e) && !this.p.callbacks.dtmf(e) && !this.p.monitor.dtmf(e)) this.p.devices.dtmf(e);
    });
    // the admin's lists, read once here and again on each code change (never per request)
    void this.p.codes.reload();
    // the allowed dialling prefixes, likewise (an operator's click-to-dial reads the cache)
    this.outboundReady = this.p.outbound.reload().catch((err: unknown) => this.o.logger.warn({ err }, 'dialling prefixes not loaded; outbound calls refused until the next change'));
  }

  private outboundReady: Promise<void> = Promise.resolve();

  /** An operator's click-to-dial: their device rings first, then the number (allowed prefixes only). */
  async dialNumber(operatorId: string, e164: string): Promise<CallView> {
    await this.outboundReady;
    return this.p.outbound.dial(operatorId, e164);
  }

  /** Stops listening and clears every timer; the bank is stopped by its owner. Safe twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unlisten.splice(0)) off();
    this.p.roster.stop();
    this.p.board.stop();
    this.p.router.stop();
    this.p.announcer.stop();
    this.p.callbacks.stop();
    this.p.devices.stop();
    this.p.monitor.stopAll();
    this.p.calls.stop();
    this.p.recovery.stop();
    this.p.crossNode?.stop();
    await this.p.journal.flush(this.o.stopFlushTimeoutMs ?? 10_000);
  }

  /** Resolves when every database write queued so far has finished (tests). */
  async flush(): Promise<void> {
    await this.p.journal.flush();
  }

  // ---------------------------------------------------------------- operators

  /** An operator's socket connected: signs them in (not_ready) or cancels a pending sign-out. */
  operatorConnected(user: AuthUser): AgentView {
    const a = this.p.roster.connect(user);
    this.p.recovery.operatorConnected(a);
    return agentView(a);
  }

  /** An operator's socket closed; after the grace period with no socket they are signed out. */
  operatorDisconnected(operatorId: string): void {
    this.p.roster.disconnect(operatorId);
  }

  /** The operator rings on their own verified mobile, through a trunk; routing treats it like a browser. */
  chooseMobile(operatorId: string, e164: string): Promise<MobileGrant> {
    return this.p.devices.chooseMobile(operatorId, e164);
  }

  mobileStatus(operatorId: string): Promise<MobileStatus> {
    return this.p.devices.mobileStatus(operatorId);
  }

  verifyMobile(operatorId: string, e164: string): Promise<MobileStatus> {
    return this.p.devices.verifyMobile(operatorId, e164);
  }

  chooseDevice(operatorId: string, kind: Extract<DeviceKind, 'browser'>): BrowserGrant {
    return this.p.devices.browser(operatorId, kind);
  }

  /** A desk phone or softphone: the settings to type into it (to this operator only). */
  chooseSipPhone(operatorId: string): SipPhoneGrant {
    return this.p.devices.sipPhone(operatorId);
  }

  setReady(operatorId: string): AgentView {
    const a = this.p.roster.require(operatorId);
    if (a.device === 'browser' && a.lineDown) throw new AppError('CONFLICT', 'Your phone line is down: wait for it to reconnect, or press “Reconnect this browser”, then press Ready.');
    if (!this.p.roster.hasDevice(a)) throw new AppError('CONFLICT', 'choose a device first');
    this.p.roster.command(a, 'go_ready', 'operator');
    return agentView(a);
  }

  /**
   * Not ready, with the admin's reason (`code`) or the console's own (`reason`, e.g. `device-lost`
   * when the phone line dropped). A code must be an active one of the not-ready list.
   */
  async setNotReady(operatorId: string, req: { reason?: string; code?: string } = {}): Promise<AgentView> {
    this.p.roster.require(operatorId);
    const chosen = req.code ? await this.p.codes.find('not_ready', req.code) : null;
    if (req.code && !chosen) throw new AppError('BAD_REQUEST', 'That reason is not in the list any more; choose another.', { code: 'not in the list' });
    // re-read after the wait: the operator may have signed out meanwhile
    const a = this.p.roster.require(operatorId);
    if (chosen) this.p.roster.command(a, 'go_not_ready', `operator: ${chosen.code}`, { cause: 'operator', code: chosen.code, label: chosen.label });
    else if (req.reason === 'device-lost') this.p.roster.command(a, 'go_not_ready', 'operator: device-lost', { cause: 'device', label: LINE_DROPPED });
    else this.p.roster.command(a, 'go_not_ready', req.reason ? `operator: ${req.reason}` : 'operator');
    return agentView(a);
  }

  /** The console's browser line to the ACD went down (reconnecting, lost) or is up again (agent-roster.ts `lineChanged`). */
  lineChanged(operatorId: string, up: boolean): AgentView {
    const a = this.p.roster.require(operatorId);
    this.p.roster.lineChanged(a, up);
    return agentView(a);
  }

  /** One more wrap-up period (the queue's wrap-up time), once per wrap-up. */
  extendWrapUp(operatorId: string): AgentView {
    const a = this.p.roster.require(operatorId);
    this.p.roster.extendWrapUp(a);
    return agentView(a);
  }

  // ---------------------------------------------------------------- after-call work, caller context

  /** The admin's active not-ready reasons and dispositions (cached). */
  consoleCodes(operatorId: string): Promise<ConsoleCodes> {
    return this.p.work.codes(operatorId);
  }

  /** Notes and a disposition for a call the operator had (during it or in its wrap-up). */
  saveCallNotes(operatorId: string, req: { callId: string; notes: string; disposition: string | null }): Promise<CallWork> {
    return this.p.work.saveNotes(operatorId, req);
  }

  /** The previous calls of the caller on the operator's call. */
  callerHistory(operatorId: string, callId: string): Promise<CallerHistory> {
    return this.p.work.history(operatorId, callId);

  }

  /** The operator starts or stops recording their call (queues that record on demand). */
  setRecording(operatorId: string, on: boolean): Promise<CallView> {
    return this.p.recording.set(operatorId, on);
  }

  // ---------------------------------------------------------------- in-call controls

  /** Hold (`on`) or resume the operator's call: the caller hears music meanwhile. */
  holdCall(operatorId: string, callId: string, on: boolean): Promise<CallView> {
    return this.p.controls.hold(operatorId, callId, on);
  }

  /** Mute (`on`) or unmute the operator toward the caller. */
  muteCall(operatorId: string, callId: string, on: boolean): Promise<CallView> {
    return this.p.controls.mute(operatorId, callId, on);
  }

  sendDtmf(operatorId: string, callId: string, digits: string): Promise<CallView> {
    return this.p.controls.dtmf(operatorId, callId, digits);
  }

  transferTargets(operatorId: string): Promise<TransferTargets> {
    return this.p.controls.targets(operatorId);
  }

  transferCall(operatorId: string, callId: string, to: TransferTarget): Promise<CallView> {
    return this.p.controls.transfer(operatorId, callId, to);
  }

  /** Consultation: the caller on hold, the operator rings a second (Ready) operator. */
  /** Consult a Ready operator (`targetId`) or an outside number (`{ number }`). */
  consultCall(operatorId: string, callId: string, target: string | { number: string }): Promise<CallView> {
    return this.p.consult.start(operatorId, callId, typeof target === 'string' ? { operatorId: target } : target);
  }

  consultStep(operatorId: string, callId: string, step: 'swap' | 'complete' | 'cancel' | 'conference'): Promise<CallView> {
    return this.p.consult[step](operatorId, callId);
  }

  // ---------------------------------------------------------------- supervisors

  /** The phone that rings when the supervisor monitors a call: the supervision page's own, or a desk phone's settings. */
  monitorDevice(user: AuthUser, kind: 'browser' | 'sip_phone' = 'browser'): BrowserGrant | SipPhoneGrant {
    return this.p.monitor.device(user, kind);
  }

  /** The supervisor's own verified mobile as the phone that rings (through a trunk; press 1 to join). */
  monitorMobile(user: AuthUser, e164: string): Promise<MobileGrant> {
    return this.p.monitor.chooseMobile(user, e164);
  }

  monitorMobileStatus(user: AuthUser): Promise<MobileStatus> {
    return this.p.monitor.mobileStatus(user);
  }

  /** The supervisor's mobile verification call (the operator's, with the code shown on the supervision page). */
  verifyMonitorMobile(user: AuthUser, e164: string): Promise<MobileStatus> {
    return this.p.monitor.verifyMobile(user, e164);
  }

  /** Rings the supervisor's phone into a connected call: listen, whisper (to the operator) or barge. */
  startMonitor(user: AuthUser, callId: string, mode: MonitorMode): MonitorView {
    return this.p.monitor.start(user, callId, mode);
  }

  setMonitorMode(user: AuthUser, callId: string, mode: MonitorMode): Promise<MonitorView> {
    return this.p.monitor.mode(user, callId, mode);
  }

  /** The supervisor leaves the call: their leg only. */
  stopMonitor(user: AuthUser, callId: string): MonitorView {
    return this.p.monitor.stop(user, callId);
  }

  monitorOf(supervisorId: string): MonitorView | null {
    return this.p.monitor.monitorOf(supervisorId);
  }

  supervisorNotReady(user: AuthUser, operatorId: string): AgentView {
    const a = this.signedIn(operatorId);
    this.p.roster.notReadyBySupervisor(a, user.id);
    return agentView(a);
  }

  supervisorSignOut(user: AuthUser, operatorId: string): AgentView {
    const a = this.signedIn(operatorId);
    this.p.roster.signOutBySupervisor(a, user.id);
    return agentView(a);
  }

  private signedIn(operatorId: string) {
    const a = this.p.roster.get(operatorId);
    if (!a) throw new AppError('NOT_FOUND', 'That operator is not signed in.');
    return a;
  }

  // ---------------------------------------------------------------- the portal

  /** The portal changed something (the admin change notification): reload what it touches. */
  configChanged(hint: ConfigChangeHint): Promise<void> {
    if (hint.entity === 'dial_prefix' || hint.entity === '*') this.outboundReady = this.p.outbound.reload().catch((err: unknown) => this.o.logger.warn({ err }, 'dialling prefixes reload failed'));
    return this.p.config.changed(hint).finally(() => this.p.board.poke());
  }

  /** For the portal: callers waiting in a queue now (a queue with callers waiting is not deleted). */
  waitingInQueue(queueId: string): number {
    return this.p.book.waitingIn(queueId);
  }

  // ---------------------------------------------------------------- views

  /**
   * The live picture's sizes for /metrics, read on scrape (no IO, one pass over the live calls
   * and the roster): callers waiting by queue with the longest wait, operators by state, the
   * journal's backlog.
   */
  liveFigures(): LiveFigures {
    const now = (this.o.now ?? Date.now)();
    const waiting = new Map<string, { calls: number; longestMs: number }>();
    const live = this.p.book.liveCalls();
    const byStatus: LiveFigures['byStatus'] = { queued: 0, offering: 0, announcing: 0, forwarding: 0, connected: 0, held: 0 };
    for (const c of live) {
      if (c.status !== 'ended') byStatus[c.status] += 1;
      if ((c.status !== 'queued' && c.status !== 'offering') || !c.queue) continue;
      const w = waiting.get(c.queue.name) ?? { calls: 0, longestMs: 0 };
      w.calls += 1;
      w.longestMs = Math.max(w.longestMs, now - c.arrivedAt);
      waiting.set(c.queue.name, w);
    }
    const agents = Object.fromEntries(AgentState.options.map((s) => [s, 0])) as Record<AgentState, number>;
    for (const a of this.p.roster.all()) agents[a.state] += 1;
    return { waiting, agents, journal: this.p.journal.backlog, liveCalls: live.length, byStatus };
  }

  adminSnapshot(): AdminSnapshot {
    return { agents: this.p.roster.all().map(agentView), calls: this.p.book.all().map((c) => this.p.views.callView(c)) };
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
      .map((u) => ({ operatorId: u.id, name: u.name, state: 'offline', since: u.lastChangeAt?.getTime() ?? 0, device: null, callId: null, notReady: null, wrapUp: null }));
    return { agents: [...live.agents, ...away], calls: live.calls };
  }

  /** The wallboard's tiles now (figures of today in the site's time zone, waiting callers, staffing). */
  queueTiles(): QueueTile[] {
    return this.p.board.tiles();
  }

  /** What the wallboard shows on subscribing: the tiles and the supervision roster. */
  async wallboardSnapshot(): Promise<WallboardSnapshot> {
    const s = await this.supervisionSnapshot();
    return { ...s, queues: this.p.board.tiles() };
  }

  getAgent(operatorId: string): AgentView | null {
    const a = this.p.roster.get(operatorId);
    return a ? agentView(a) : null;
  }

  getCall(callId: string): CallView | null {
    const c = this.p.book.find(callId);
    return c ? this.p.views.callView(c) : null;
  }

  private listen<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void {
    this.unlisten.push(this.o.bank.on(event, listener));
  }
}
