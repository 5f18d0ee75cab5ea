import type { Logger } from '../log';
import type { AgentState, DeviceKind } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import { AppError } from '../contracts/result';
import type { AgentJournal, Journal } from './call-journal';
import { transition, type AgentEvent } from './domain/agent-state';
import type { RoutingCandidate } from './domain/routing';
import type { ViewPublisher } from './views';

/** An operator signed in to the CTI: the live record every decision reads. */
export interface Agent {
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
  /** deactivated in the portal: signed out once free, whatever their sockets, and never back */
  deactivated: boolean;
  log: Logger;
  journal: AgentJournal;
}

/** What the roster asks of the call side (the facade wires it to the router). */
export interface RosterHooks {
  /** someone became ready: offer them the waiting calls (called after the current command) */
  becameReady(): void;
  /** A reserved operator is leaving: withdraw the offer and sign them out. False when there is no offer to withdraw. */
  withdrawReservation(a: Agent, reason: string): boolean;
}

export interface AgentRosterDeps {
  journal: Journal;
  views: ViewPublisher;
  hooks: RosterHooks;
  log: Logger;
  now: () => number;
  /** how long an operator whose sockets all closed stays signed in (a reload) */
  disconnectGraceMs: number;
}

/**
 * The operators signed in: sign-in and sign-out (with the grace period of a reload), their
 * state moves through the agent state machine, and their timers (grace, wrap-up). Every move
 * is written to the operator's state log and published.
 */
export class AgentRoster {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly d: AgentRosterDeps) {}

  get(operatorId: string): Agent | undefined {
    return this.agents.get(operatorId);
  }

  /** The signed-in operator, or CONFLICT. */
  require(operatorId: string): Agent {
    const a = this.agents.get(operatorId);
    if (!a) throw new AppError('CONFLICT', 'operator is not signed in');
    return a;
  }

  all(): Agent[] {
    return [...this.agents.values()];
  }

  /** An operator's socket connected: signs them in (not_ready) or cancels a pending sign-out. */
  connect(user: AuthUser): Agent {
    let a = this.agents.get(user.id);
    if (!a) {
      const now = this.d.now();
      const log = this.d.log.child({ operatorId: user.id });
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
        deactivated: false,
        log,
        journal: this.d.journal.agent(user.id, log),
      };
      this.agents.set(user.id, a);
      this.move(a, 'sign_in', 'connected');
    }
    a.sockets++;
    if (!a.deactivated) a.signOutWhenFree = false;
    if (a.graceTimer) {
      clearTimeout(a.graceTimer);
      a.graceTimer = null;
      a.log.info('operator reconnected within the grace period');
    }
    return a;
  }

  /** An operator's socket closed; after the grace period with no socket they are signed out. */
  disconnect(operatorId: string): void {
    const a = this.agents.get(operatorId);
    if (!a) return;
    a.sockets = Math.max(0, a.sockets - 1);
    if (a.sockets > 0 || a.graceTimer) return;
    const grace = this.d.disconnectGraceMs;
    a.log.info({ graceMs: grace }, 'operator disconnected; waiting for a reconnect');
    a.graceTimer = setTimeout(() => {
      a.graceTimer = null;
      if (a.sockets > 0) return;
      this.signOut(a, 'disconnected');
    }, grace);
  }

  /** The operator's new device (browser credentials or their verified mobile). */
  grantDevice(a: Agent, kind: DeviceKind, uri: string, expiresAt: number): void {
    a.device = kind;
    a.deviceUri = uri;
    a.deviceExpiresAt = expiresAt;
    this.d.views.agentChanged(a);
  }

  hasDevice(a: Agent): boolean {
    return a.device !== null && a.deviceUri !== null && a.deviceExpiresAt > this.d.now();
  }

  /** What routing needs to know of every operator. */
  candidates(): Map<string, RoutingCandidate> {
    const candidates = new Map<string, RoutingCandidate>();
    for (const a of this.agents.values()) {
      candidates.set(a.operatorId, { operatorId: a.operatorId, state: a.state, hasDevice: this.hasDevice(a), idleSince: a.idleSince });
    }
    return candidates;
  }

  /** An operator's own command (Ready, Not ready): an illegal one is an ILLEGAL_TRANSITION error. */
  command(a: Agent, event: AgentEvent, reason: string): void {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.warn({ state: a.state, event }, r.error.message);
      throw new AppError('ILLEGAL_TRANSITION', r.error.message);
    }
    this.move(a, event, reason);
  }

  /** Applies an agent event; logs and refuses an illegal one. Returns whether it moved. */
  move(a: Agent, event: AgentEvent, reason: string): boolean {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.error({ state: a.state, event, reason }, `refused: ${r.error.message}`);
      return false;
    }
    const from = a.state;
    const at = this.d.now();
    a.state = r.next;
    a.since = at;
    if (r.next === 'ready' || r.next === 'wrap_up') a.idleSince = at;
    if (from === 'wrap_up' && a.wrapTimer) {
      clearTimeout(a.wrapTimer);
      a.wrapTimer = null;
    }
    a.log.info({ from, to: r.next, event, reason }, 'agent state');
    a.journal.stateChanged(from, r.next, `${event}: ${reason}`, at);
    this.d.views.agentChanged(a);
    // Deferred: the command that made them ready finishes (and is acknowledged) before an offer.
    if (r.next === 'ready') queueMicrotask(() => this.d.hooks.becameReady());
    if (r.next === 'offline') {
      this.clearTimers(a);
      this.agents.delete(a.operatorId);
      if (a.deactivated) this.d.views.userRemoved(a.operatorId, reason);
    }
    return true;
  }

  /** After a call: wrap-up for the queue's time, then ready (or signed out if they left meanwhile). */
  startWrapUp(a: Agent, seconds: number): void {
    if (this.maybeSignOut(a)) return;
    a.wrapTimer = setTimeout(() => {
      a.wrapTimer = null;
      if (a.state === 'wrap_up') this.move(a, 'wrap_up_done', 'wrap-up time over');
    }, seconds * 1000);
  }

  /** Signs out an operator who left (or was deactivated) during a call, once the call is over. */
  maybeSignOut(a: Agent): boolean {
    if (!a.signOutWhenFree || (a.sockets > 0 && !a.deactivated)) return false;
    a.signOutWhenFree = false;
    this.move(a, 'sign_out', a.deactivated ? 'deactivated' : 'disconnected');
    return true;
  }

  /**
   * The portal deactivated the operator: signed out now, or — on a call — once it ends (the
   * call is never cut; a device still ringing is withdrawn and the caller offered to the next).
   * Their sockets are closed when they reach offline (`views.userRemoved`).
   */
  deactivate(a: Agent): void {
    if (a.deactivated) return;
    a.deactivated = true;
    a.log.info({ state: a.state }, 'operator deactivated in the portal');
    this.signOut(a, 'deactivated');
  }

  /** Clears every timer (the service is stopping). */
  stop(): void {
    for (const a of this.agents.values()) this.clearTimers(a);
  }

  private signOut(a: Agent, reason: string): void {
    if (a.state === 'reserved' && a.callId && this.d.hooks.withdrawReservation(a, reason)) return;
    if (a.state === 'talking' || a.state === 'reserved') {
      a.log.info({ state: a.state }, 'sign-out deferred until the call ends');
      a.signOutWhenFree = true;
      return;
    }
    this.move(a, 'sign_out', reason);
  }

  private clearTimers(a: Agent): void {
    if (a.graceTimer) clearTimeout(a.graceTimer);
    if (a.wrapTimer) clearTimeout(a.wrapTimer);
    a.graceTimer = null;
    a.wrapTimer = null;
  }
}
