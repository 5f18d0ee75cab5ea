import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import type { AgentState, DeviceKind } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import { issueDeviceCredentials } from '../shared/credentials';
import { AppError } from '../contracts/result';
import type { LegEndCause } from '../shared/sip-control';
import type { AdminSnapshot, AgentView, BrowserGrant, CallOffer, CallStatus, CallView, MobileGrant, MobileStatus } from '../contracts/socket-events';
import { maskE164 } from '../contracts/phone';
import { MobileVerification, mobileUri } from './mobile-verification';
import type { BankPort, DialHandle, DialOutcome, LegEnded, LegOffered } from './ports/bank-port';
import type { CtiNotifier } from './ports/cti-notifier';
import type { CtiStore, MobileStore, QueueInfo } from './ports/cti-store';
import { transition, type AgentEvent } from './domain/agent-state';
import type { CallOutcome, EndedBy, TimelineEvent } from '../contracts/call';
import { callTransition, type CallEvent } from './domain/call-state';
import { pickOperator, type RoutingCandidate } from './domain/routing';

export type { BankPort } from './ports/bank-port';
export type { CtiNotifier } from './ports/cti-notifier';

/**
 * The CTI: operators, their devices and states, calls as business objects, routing. It composes
 * the pure domain (state machines, routing), the bank (SIP to the ACD) and the store (database).
 *
 * The live picture (agents, calls) is in memory and every decision is taken synchronously on it;
 * database writes follow in order (one chain per call, one per operator) and never hold a call up.
 * A failed write is logged, not retried: the call goes on.
 *
 * The core promise: when the caller hangs up, the CTI — not the ACD — releases the operator's
 * device, and the stored timeline shows `caller-hangup` then `device-release`, in that order.
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

interface Agent {
  operatorId: string;
  name: string;
  state: AgentState;
  since: number;
  /** when they last became ready or ended a call (routing: longest idle first) */
  idleSince: number;
  device: DeviceKind | null;
  deviceUri: string | null;
  deviceExpiresAt: number;
  callId: string | null;
  sockets: number;
  graceTimer: NodeJS.Timeout | null;
  wrapTimer: NodeJS.Timeout | null;
  signOutWhenFree: boolean;
  log: Logger;
  writes: Promise<void>;
}

interface LiveCall {
  id: string;
  legId: string;
  dialed: string;
  callerName: string;
  callerUri: string;
  queue: QueueInfo | null;
  status: CallStatus;
  operatorId: string | null;
  deviceLegId: string | null;
  dial: DialHandle | null;
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  seq: number;
  maxWaitTimer: NodeJS.Timeout | null;
  log: Logger;
  writes: Promise<void>;
}

export class CtiService {
  private readonly agents = new Map<string, Agent>();
  private readonly calls = new Map<string, LiveCall>();
  /** leg id (caller or device) → call id */
  private readonly legs = new Map<string, string>();
  private readonly recent: LiveCall[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly now: () => number;
  private started = false;
  private stopped = false;

  /** the operators' own mobiles (null when the store cannot keep them) */
  private readonly mobile: MobileVerification | null;

  constructor(private readonly o: CtiServiceOptions) {
    this.log = o.logger.child({ part: 'cti' });
    this.now = o.now ?? Date.now;
    const st = o.store;
    this.mobile =
      st.mobileOf && st.setMobile
        ? new MobileVerification({
            dial: (r) => o.bank.dial(r),
            release: (legId) => o.bank.release(legId),
            store: { mobileOf: (u) => st.mobileOf!(u), setMobile: (u, e, v) => st.setMobile!(u, e, v) },
            notify: (op, status) => o.notifier.mobileChanged?.(op, status),
            sipDomain: o.sipDomain,
            logger: this.log,
          })
        : null;
    if (this.mobile) {
      const mv = this.mobile;
      o.bank.on('dtmf', (e) => mv.dtmf(e.legId, e.digit));
    }
  }

  private readonly onLegOffered = (e: LegOffered) => this.legOffered(e);
  private readonly onLegEnded = (e: LegEnded) => this.legEnded(e);
  private readonly onBankRegistered = () => this.routeWaiting();

  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.bank.on('legOffered', this.onLegOffered);
    this.o.bank.on('legEnded', this.onLegEnded);
    this.o.bank.on('registered', this.onBankRegistered);
  }

  /** Stops listening and clears every timer; the bank is stopped by its owner. Safe twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.o.bank.off('legOffered', this.onLegOffered);
    this.o.bank.off('legEnded', this.onLegEnded);
    this.o.bank.off('registered', this.onBankRegistered);
    for (const a of this.agents.values()) this.clearAgentTimers(a);
    this.mobile?.stop();
    for (const c of this.calls.values()) {
      if (c.maxWaitTimer) clearTimeout(c.maxWaitTimer);
      c.dial?.cancel();
    }
    await this.flush();
  }

  /** Resolves when every database write queued so far has finished (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // ---------------------------------------------------------------- operators

  /** An operator's socket connected: signs them in (not_ready) or cancels a pending sign-out. */
  operatorConnected(user: AuthUser): AgentView {
    let a = this.agents.get(user.id);
    if (!a) {
      const now = this.now();
      a = {
        operatorId: user.id,
        name: user.name,
        state: 'offline',
        since: now,
        idleSince: now,
        device: null,
        deviceUri: null,
        deviceExpiresAt: 0,
        callId: null,
        sockets: 0,
        graceTimer: null,
        wrapTimer: null,
        signOutWhenFree: false,
        log: this.log.child({ operatorId: user.id }),
        writes: Promise.resolve(),
      };
      this.agents.set(user.id, a);
      this.move(a, 'sign_in', 'connected');
    }
    a.sockets++;
    a.signOutWhenFree = false;
    if (a.graceTimer) {
      clearTimeout(a.graceTimer);
      a.graceTimer = null;
      a.log.info('operator reconnected within the grace period');
    }
    return this.agentView(a);
  }

  /** An operator's socket closed; after the grace period with no socket they are signed out. */
  operatorDisconnected(operatorId: string): void {
    const a = this.agents.get(operatorId);
    if (!a) return;
    a.sockets = Math.max(0, a.sockets - 1);
    if (a.sockets > 0 || a.graceTimer) return;
    const grace = this.o.disconnectGraceMs ?? 30_000;
    a.log.info({ graceMs: grace }, 'operator disconnected; waiting for a reconnect');
    a.graceTimer = setTimeout(() => {
      a.graceTimer = null;
      if (a.sockets > 0) return;
      this.signOut(a, 'disconnected');
    }, grace);
  }

  /** The operator rings on their own verified mobile, through a trunk; routing treats it like a browser. */
  async chooseMobile(operatorId: string, e164: string): Promise<MobileGrant> {
    const a = this.requireAgent(operatorId);
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', 'cannot change device during a call');
    const number = await this.requireMobile().verifiedNumber(operatorId, e164);
    a.device = 'mobile';
    a.deviceUri = mobileUri(number, this.o.sipDomain);
    // a number does not expire like device credentials; it lasts the sign-in
    a.deviceExpiresAt = Number.MAX_SAFE_INTEGER;
    a.log.info({ device: 'mobile', mobile: maskE164(number) }, 'device: the operator’s mobile');
    this.notifyAgent(a);
    return { kind: 'mobile', e164Masked: maskE164(number) };
  }

  mobileStatus(operatorId: string): Promise<MobileStatus> {
    this.requireAgent(operatorId);
    return this.requireMobile().status(operatorId);
  }

  verifyMobile(operatorId: string, e164: string): Promise<MobileStatus> {
    const a = this.requireAgent(operatorId);
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', 'cannot verify a number during a call');
    if (!this.o.bank.isReady()) throw new AppError('UNAVAILABLE', 'the switch is not reachable; try again shortly');
    return this.requireMobile().start(operatorId, e164);
  }

  private requireMobile(): MobileVerification {
    if (!this.mobile) throw new AppError('UNAVAILABLE', 'mobile numbers are not available');
    return this.mobile;
  }

  chooseDevice(operatorId: string, kind: Extract<DeviceKind, 'browser'>): BrowserGrant {
    const a = this.requireAgent(operatorId);
    if (a.state === 'reserved' || a.state === 'talking') {
      throw new AppError('CONFLICT', 'cannot change device during a call');
    }
    const cred = issueDeviceCredentials(this.o.secret, this.o.deviceCredTtlSec, this.now());
    a.device = kind;
    a.deviceUri = `sip:${cred.user}@${this.o.sipDomain}`;
    a.deviceExpiresAt = cred.expiresAt * 1000;
    a.log.info({ device: kind, sipUser: cred.user, expiresAt: cred.expiresAt }, 'device credentials issued');
    this.notifyAgent(a);
    return {
      kind: 'browser',
      sipUser: cred.user,
      sipPassword: cred.password,
      aor: a.deviceUri,
      wsUrl: this.o.deviceWsUrl,
      expiresAt: cred.expiresAt,
    };
  }

  setReady(operatorId: string): AgentView {
    const a = this.requireAgent(operatorId);
    if (!this.hasDevice(a)) throw new AppError('CONFLICT', 'choose a device first');
    this.command(a, 'go_ready', 'operator');
    return this.agentView(a);
  }

  setNotReady(operatorId: string, reason?: string): AgentView {
    const a = this.requireAgent(operatorId);
    this.command(a, 'go_not_ready', reason ? `operator: ${reason}` : 'operator');
    return this.agentView(a);
  }

  adminSnapshot(): AdminSnapshot {
    return {
      agents: [...this.agents.values()].map((a) => this.agentView(a)),
      calls: [...this.calls.values(), ...this.recent].map((c) => this.callView(c)),
    };
  }

  getAgent(operatorId: string): AgentView | null {
    const a = this.agents.get(operatorId);
    return a ? this.agentView(a) : null;
  }

  getCall(callId: string): CallView | null {
    const c = this.calls.get(callId) ?? this.recent.find((r) => r.id === callId);
    return c ? this.callView(c) : null;
  }

  // ---------------------------------------------------------------- calls (bank events)

  private legOffered(e: LegOffered): void {
    if (this.stopped) return;
    if (this.legs.has(e.legId)) {
      this.log.warn({ legId: e.legId }, 'leg offered again; keeping the call we have');
      return;
    }
    const now = this.now();
    const id = `call-${randomBytes(8).toString('hex')}`;
    const call: LiveCall = {
      id,
      legId: e.legId,
      dialed: e.dialed,
      callerName: e.callerName,
      callerUri: e.callerUri,
      queue: null,
      status: 'queued',
      operatorId: null,
      deviceLegId: null,
      dial: null,
      arrivedAt: now,
      answeredAt: null,
      endedAt: null,
      endedBy: null,
      seq: 0,
      maxWaitTimer: null,
      log: this.log.child({ callId: id, legId: e.legId }),
      writes: Promise.resolve(),
    };
    this.calls.set(id, call);
    this.legs.set(e.legId, id);
    call.log.info({ dialed: e.dialed, caller: e.callerUri }, 'call arrived');
    this.write(call, () =>
      this.o.store.createCall({ id, acdLegId: e.legId, dialed: e.dialed, callerId: e.callerUri, queueId: null, arrivedAt: new Date(now) }),
    );
    this.timeline(call, 'arrived', { callerName: e.callerName, callerUri: e.callerUri, dialed: e.dialed, audio: e.audio });
    this.notifyCall(call);
    void this.o.store.queueForNumber(e.dialed).then(
      (q) => this.queueFound(call, q),
      (err: unknown) => {
        call.log.error({ err }, 'queue lookup failed; releasing the caller');
        this.releaseCaller(call, 'system', 'failed');
      },
    );
  }

  private queueFound(call: LiveCall, q: QueueInfo | null): void {
    if (call.status === 'ended' || this.stopped) return;
    if (!q) {
      call.log.warn({ dialed: call.dialed }, 'no queue serves this number; releasing the caller');
      this.releaseCaller(call, 'system', 'failed');
      return;
    }
    call.queue = q;
    call.log.info({ queue: q.name }, 'call queued');
    this.write(call, () => this.o.store.updateCall(call.id, { queueId: q.id }));
    call.maxWaitTimer = setTimeout(() => {
      call.maxWaitTimer = null;
      if (call.status !== 'queued' && call.status !== 'offering') return;
      call.log.warn({ maxWaitSec: q.maxWaitSec }, 'caller waited too long; releasing');
      this.withdrawOffer(call, 'offer_cancelled', 'max wait reached');
      this.releaseCaller(call, 'system', 'timeout');
    }, q.maxWaitSec * 1000);
    this.notifyCall(call);
    this.route(call);
  }

  /** Offers a queued call to the longest-idle ready operator, if there is one. */
  private route(call: LiveCall): boolean {
    if (call.status !== 'queued' || !call.queue || this.stopped) return false;
    if (!this.o.bank.isReady()) {
      // Not the operators' fault: ringing nobody beats marking every operator not_ready.
      call.log.warn('bank not registered with the ACD; the call waits');
      return false;
    }
    const candidates = new Map<string, RoutingCandidate>();
    for (const a of this.agents.values()) {
      candidates.set(a.operatorId, { operatorId: a.operatorId, state: a.state, hasDevice: this.hasDevice(a), idleSince: a.idleSince });
    }
    const pick = pickOperator(call.queue.members, candidates);
    if (!pick) {
      call.log.info('no operator ready; the caller waits with music');
      return false;
    }
    const a = this.agents.get(pick)!;
    if (!this.move(a, 'offer', `call ${call.id}`) || !this.moveCall(call, 'offer') || !a.deviceUri) return false;
    a.callId = call.id;
    call.operatorId = a.operatorId;
    const offeredAt = this.now();
    call.log.info({ operatorId: a.operatorId, device: a.deviceUri }, 'offering call to operator; dialling their device');
    this.write(call, () => this.o.store.updateCall(call.id, { operatorId: a.operatorId, offeredAt: new Date(offeredAt) }));
    this.timeline(call, 'offered', { operatorId: a.operatorId });
    this.notifyAgent(a);
    this.notifyCall(call);
    this.safe(() =>
      this.o.notifier.callOffered(a.operatorId, {
        callId: call.id,
        callerName: call.callerName,
        callerUri: call.callerUri,
        dialed: call.dialed,
        queue: call.queue?.name ?? null,
        arrivedAt: call.arrivedAt,
      }),
    );
    const dial = this.o.bank.dial({ deviceUri: a.deviceUri, bridgeTo: call.legId, ringTimeoutSec: call.queue.ringTimeoutSec });
    call.dial = dial;
    dial.on('ringing', () => {
      if (call.dial === dial) this.timeline(call, 'device-ringing');
    });
    void dial.outcome.then((o) => this.dialSettled(call, a, dial, o));
    return true;
  }

  private dialSettled(call: LiveCall, a: Agent, dial: DialHandle, o: DialOutcome): void {
    if (call.dial !== dial || call.status !== 'offering') {
      // The call moved on (caller left, max wait) while the device was being dialled.
      if (o.kind === 'answered') {
        call.log.warn({ deviceLegId: o.legId }, 'device answered a withdrawn offer; releasing it');
        this.o.bank.release(o.legId);
      }
      return;
    }
    call.dial = null;
    if (o.kind === 'answered') {
      const at = this.now();
      call.deviceLegId = o.legId;
      call.answeredAt = at;
      this.legs.set(o.legId, call.id);
      this.moveCall(call, 'answer');
      this.move(a, 'answer', `call ${call.id}`);
      call.log.info({ operatorId: a.operatorId, deviceLegId: o.legId }, 'operator answered; caller and device bridged');
      this.write(call, () => this.o.store.updateCall(call.id, { answeredAt: new Date(at) }));
      this.timeline(call, 'answered', { operatorId: a.operatorId, deviceLegId: o.legId });
      this.notifyCall(call);
      return;
    }
    call.log.warn({ operatorId: a.operatorId, status: o.status, cause: o.cause }, 'dial failed; call back in the queue');
    this.timeline(call, 'dial-failed', { operatorId: a.operatorId, status: o.status, cause: o.cause });
    a.callId = null;
    if (o.status === 481) {
      // The caller's leg is gone: not the operator's fault; legEnded ends the call.
      this.move(a, 'offer_cancelled', 'caller gone while ringing');
    } else if (o.status === 404 || o.status === 480) {
      // The device is not registered (any more): same effect, a clearer reason in the log.
      this.move(a, 'device_lost', `device unreachable (${o.status} ${o.cause})`);
      this.maybeSignOut(a);
    } else {
      this.move(a, 'offer_failed', `no answer (${o.status} ${o.cause})`);
      this.maybeSignOut(a);
    }
    call.operatorId = null;
    this.moveCall(call, 'dial_failed');
    this.notifyCall(call);
    this.route(call);
  }

  private legEnded(e: LegEnded): void {
    if (this.mobile?.legEnded(e.legId)) return;
    const callId = this.legs.get(e.legId);
    const call = callId ? this.calls.get(callId) : undefined;
    if (!call) {
      this.log.info({ legId: e.legId, cause: e.cause }, 'leg ended for no live call');
      return;
    }
    this.legs.delete(e.legId);
    if (e.legId === call.legId) this.callerLegEnded(call, e.cause);
    else if (e.legId === call.deviceLegId) this.deviceLegEnded(call, e.cause);
  }

  private callerLegEnded(call: LiveCall, cause: LegEndCause): void {
    const endedBy: EndedBy = cause === 'remote-bye' || cause === 'cancel' ? 'caller' : 'system';
    call.log.info({ cause, status: call.status }, 'caller leg ended');
    this.timeline(call, 'caller-hangup', { cause });
    if (call.status === 'connected') {
      // The core promise: the caller hung up, so the CTI releases the operator's device.
      const deviceLeg = call.deviceLegId;
      if (deviceLeg) {
        this.legs.delete(deviceLeg);
        const sent = this.o.bank.release(deviceLeg);
        call.log.info({ deviceLegId: deviceLeg, sent }, 'caller hung up → releasing the operator device');
        this.timeline(call, 'device-release', { deviceLegId: deviceLeg, sent });
      }
      this.endCall(call, endedBy, 'completed');
      return;
    }
    this.withdrawOffer(call, 'offer_cancelled', 'caller left while ringing');
    this.endCall(call, endedBy, 'abandoned');
  }

  private deviceLegEnded(call: LiveCall, cause: LegEndCause): void {
    call.log.info({ cause }, 'device leg ended');
    this.timeline(call, 'device-hangup', { cause });
    const sent = this.o.bank.release(call.legId);
    this.legs.delete(call.legId);
    call.log.info({ sent }, 'operator hung up → releasing the caller');
    this.timeline(call, 'caller-release', { sent });
    this.endCall(call, cause === 'remote-bye' ? 'operator' : 'system', 'completed');
  }

  /** Ends the caller's leg from the CTI side (no queue, max wait, failure). */
  private releaseCaller(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    if (call.status === 'ended') return;
    this.legs.delete(call.legId);
    const sent = this.o.bank.release(call.legId);
    this.timeline(call, 'caller-release', { sent });
    this.endCall(call, endedBy, outcome);
  }

  /** Cancels a dial in progress and frees the reserved operator. */
  private withdrawOffer(call: LiveCall, event: 'offer_cancelled' | 'offer_failed', reason: string): void {
    if (call.status !== 'offering') return;
    const dial = call.dial;
    call.dial = null;
    dial?.cancel();
    const a = call.operatorId ? this.agents.get(call.operatorId) : undefined;
    if (a && a.callId === call.id) {
      a.callId = null;
      this.move(a, event, reason);
    }
  }

  private endCall(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    if (!this.moveCall(call, 'end')) return;
    const at = this.now();
    call.endedAt = at;
    call.endedBy = endedBy;
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = null;
    call.log.info({ endedBy, outcome }, 'call ended');
    this.write(call, () => this.o.store.updateCall(call.id, { endedAt: new Date(at), endedBy, outcome }));
    this.timeline(call, 'ended', { endedBy, outcome });
    this.calls.delete(call.id);
    this.recent.unshift(call);
    this.recent.length = Math.min(this.recent.length, this.o.recentCallsKept ?? 50);
    const a = call.operatorId ? this.agents.get(call.operatorId) : undefined;
    this.notifyCall(call);
    if (a && a.callId === call.id) {
      a.callId = null;
      if (a.state === 'talking') {
        this.move(a, 'hang_up', `call ${call.id} ended`);
        this.startWrapUp(a, call.queue?.wrapUpSec ?? 0);
      }
    }
    this.routeWaiting();
  }

  private startWrapUp(a: Agent, seconds: number): void {
    if (this.maybeSignOut(a)) return;
    a.wrapTimer = setTimeout(() => {
      a.wrapTimer = null;
      if (a.state === 'wrap_up') this.move(a, 'wrap_up_done', 'wrap-up time over');
    }, seconds * 1000);
  }

  /** Offers waiting calls (oldest first) to whoever is ready now. */
  private routeWaiting(): void {
    if (this.stopped) return;
    const waiting = [...this.calls.values()].filter((c) => c.status === 'queued' && c.queue).sort((x, y) => x.arrivedAt - y.arrivedAt);
    for (const c of waiting) this.route(c);
  }

  // ---------------------------------------------------------------- agent plumbing

  private command(a: Agent, event: AgentEvent, reason: string): void {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.warn({ state: a.state, event }, r.error.message);
      throw new AppError('ILLEGAL_TRANSITION', r.error.message);
    }
    this.move(a, event, reason);
  }

  /** Applies an agent event; logs and refuses an illegal one. Returns whether it moved. */
  private move(a: Agent, event: AgentEvent, reason: string): boolean {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.error({ state: a.state, event, reason }, `refused: ${r.error.message}`);
      return false;
    }
    const from = a.state;
    const at = this.now();
    a.state = r.next;
    a.since = at;
    if (r.next === 'ready' || r.next === 'wrap_up') a.idleSince = at;
    if (from === 'wrap_up' && a.wrapTimer) {
      clearTimeout(a.wrapTimer);
      a.wrapTimer = null;
    }
    a.log.info({ from, to: r.next, event, reason }, 'agent state');
    this.writeAgent(a, () => this.o.store.logAgentState({ userId: a.operatorId, from, to: r.next, reason: `${event}: ${reason}`, at: new Date(at) }));
    this.notifyAgent(a);
    // Deferred: the command that made them ready finishes (and is acknowledged) before an offer.
    if (r.next === 'ready') queueMicrotask(() => this.routeWaiting());
    if (r.next === 'offline') {
      this.clearAgentTimers(a);
      this.agents.delete(a.operatorId);
    }
    return true;
  }

  private signOut(a: Agent, reason: string): void {
    if (a.state === 'talking' || a.state === 'reserved') {
      if (a.state === 'reserved' && a.callId) {
        const call = this.calls.get(a.callId);
        if (call) {
          this.withdrawOffer(call, 'offer_failed', `operator ${reason}`);
          this.timeline(call, 'dial-failed', { operatorId: a.operatorId, status: 487, cause: `operator ${reason}` });
          this.moveCall(call, 'dial_failed');
          call.operatorId = null;
          this.notifyCall(call);
          this.move(a, 'sign_out', reason);
          this.route(call);
          return;
        }
      }
      a.log.info({ state: a.state }, 'sign-out deferred until the call ends');
      a.signOutWhenFree = true;
      return;
    }
    this.move(a, 'sign_out', reason);
  }

  /** Signs out an operator who left during a call, once the call is over. */
  private maybeSignOut(a: Agent): boolean {
    if (!a.signOutWhenFree || a.sockets > 0) return false;
    a.signOutWhenFree = false;
    this.move(a, 'sign_out', 'disconnected');
    return true;
  }

  private clearAgentTimers(a: Agent): void {
    if (a.graceTimer) clearTimeout(a.graceTimer);
    if (a.wrapTimer) clearTimeout(a.wrapTimer);
    a.graceTimer = null;
    a.wrapTimer = null;
  }

  private hasDevice(a: Agent): boolean {
    return a.device !== null && a.deviceUri !== null && a.deviceExpiresAt > this.now();
  }

  private requireAgent(operatorId: string): Agent {
    const a = this.agents.get(operatorId);
    if (!a) throw new AppError('CONFLICT', 'operator is not signed in');
    return a;
  }

  private moveCall(call: LiveCall, event: CallEvent): boolean {
    const r = callTransition(call.status, event);
    if (!r.ok) {
      call.log.error({ status: call.status, event }, `refused: ${r.error.message}`);
      return false;
    }
    call.status = r.next;
    return true;
  }

  // ---------------------------------------------------------------- views, timeline, writes

  private agentView(a: Agent): AgentView {
    return { operatorId: a.operatorId, name: a.name, state: a.state, since: a.since, device: a.device, callId: a.callId };
  }

  private callView(c: LiveCall): CallView {
    const op = c.operatorId ? this.agents.get(c.operatorId) : undefined;
    return {
      callId: c.id,
      status: c.status,
      callerName: c.callerName,
      callerUri: c.callerUri,
      dialed: c.dialed,
      queue: c.queue?.name ?? null,
      operatorId: c.operatorId,
      operatorName: op?.name ?? null,
      arrivedAt: c.arrivedAt,
      answeredAt: c.answeredAt,
      endedAt: c.endedAt,
      endedBy: c.endedBy,
    };
  }

  private notifyAgent(a: Agent): void {
    const v = this.agentView(a);
    this.safe(() => this.o.notifier.agentChanged(v));
  }

  private notifyCall(c: LiveCall): void {
    const v = this.callView(c);
    this.safe(() => this.o.notifier.callChanged(v, c.operatorId));
  }

  /** Appends a timeline event; `seq` is taken now, so the stored order is the order of events. */
  private timeline(call: LiveCall, type: TimelineEvent, data?: Record<string, unknown>): void {
    const seq = ++call.seq;
    const at = new Date(this.now());
    call.log.debug({ seq, type, ...data }, 'timeline');
    this.write(call, () => this.o.store.appendCallEvent({ callId: call.id, seq, type, at, ...(data ? { data } : {}) }));
  }

  private write(call: LiveCall, fn: () => Promise<void>): void {
    call.writes = this.track(call.writes, fn, call.log);
  }

  private writeAgent(a: Agent, fn: () => Promise<void>): void {
    a.writes = this.track(a.writes, fn, a.log);
  }

  private track(chain: Promise<void>, fn: () => Promise<void>, log: Logger): Promise<void> {
    const p = chain.then(fn).catch((err: unknown) => log.error({ err }, 'database write failed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'notifier threw');
    }
  }
}
