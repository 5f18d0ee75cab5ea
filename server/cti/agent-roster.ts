import type { Logger } from '../log';
import type { AgentState, DeviceKind } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import type { NotReadyCause, NotReadyReason } from '../contracts/call-work';
import { AppError } from '../contracts/result';
import type { AgentJournal, CallJournal, Journal } from './call-journal';
import { NOT_READY_CAUSE, transition, type AgentEvent } from './domain/agent-state';
import type { DailyTally } from './domain/daily-tally';
import type { RoutingCandidate } from './domain/routing';
import type { ViewPublisher } from './views';
import type { ReservationStore } from './ports/reservation-store';

/** Agent events a routine call makes by itself: logged at debug (the call's lines say the same). */
const CALL_DRIVEN: ReadonlySet<AgentEvent> = new Set<AgentEvent>(['offer', 'answer', 'hang_up', 'wrap_up_done']);

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
  /** the console says its browser line to the ACD is down (reconnecting or lost): that device cannot ring */
  lineDown: boolean;
  callId: string | null;
  sockets: number;
  graceTimer: NodeJS.Timeout | null;
  wrapTimer: NodeJS.Timeout | null;
  signOutWhenFree: boolean;
  /** why they are not ready (null in every other state) */
  notReady: NotReadyReason | null;
  /** the wrap-up in progress: its call (notes go to it), end, and the one extension */
  wrapUp: WrapUp | null;
  /** deactivated in the portal: signed out once free, whatever their sockets, and never back */
  deactivated: boolean;
  log: Logger;
  journal: AgentJournal;
}

export interface WrapUp {
  callId: string;
  endsAt: number;
  extended: boolean;
  extendSec: number;
  journal: CallJournal;
}

/** What the operator's screen says for each cause when no admin code names the reason. */
const CAUSE_LABEL: Record<NotReadyCause, string> = {
  operator: 'Not ready',
  missed: 'Missed call',
  device: 'Your phone could not be reached',
  signed_in: 'Just signed in',
  supervisor: 'A supervisor set you Not ready',
};

/** What the console shows when the browser line's loss made the operator Not ready. */
export const LINE_DROPPED = 'Your phone line dropped';

/** The reason given with a move to not_ready: the admin's code and its label, or a cause of the console's. */
export type NotReadyDetail = Partial<NotReadyReason>;

/** What the roster asks of the call side (the facade wires it to the router). */
export interface RosterHooks {
  /** someone became ready: offer them the waiting calls (called after the current command) */
  becameReady(): void;
  /** A reserved operator is leaving: withdraw the offer and sign them out. False when there is no offer to withdraw. */
  withdrawReservation(a: Agent, reason: string): boolean;
  /** someone signed out: queues that overflow when nobody can answer look again (called after the current command) */
  signedOut?(): void;
}

export interface AgentRosterDeps {
  journal: Journal;
  views: ViewPublisher;
  hooks: RosterHooks;
  log: Logger;
  now: () => number;
  /** how long an operator whose sockets all closed stays signed in (a reload) */
  disconnectGraceMs: number;
  /** the cross-node hold on an operator (ports/reservation-store.ts): let go when their call is over */
  reservations?: Pick<ReservationStore, 'release' | 'take'>;
}

/** States in which an operator is held for a call (the reservation store's hold lasts as long). */
const ON_A_CALL: ReadonlySet<AgentState> = new Set<AgentState>(['reserved', 'talking']);

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
        lineDown: false,
        callId: null,
        sockets: 0,
        graceTimer: null,
        wrapTimer: null,
        signOutWhenFree: false,
        notReady: null,
        wrapUp: null,
        deactivated: false,
        log,
        journal: this.d.journal.agent(user.id),
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
    // a new grant is a new line: the console reports it again once it registers
    a.lineDown = false;
    this.d.views.agentChanged(a);
  }

  /** A device that can ring now: chosen, its credentials valid, and (a browser) its line up. */
  hasDevice(a: Agent): boolean {
    return a.device !== null && a.deviceUri !== null && a.deviceExpiresAt > this.d.now() && !(a.device === 'browser' && a.lineDown);
  }

  /**
   * The console's browser line went down or came back. Down while Ready: Not ready (device) at
   * once, so no call is offered to a line that cannot ring; down in wrap-up: Not ready when the
   * wrap-up ends instead of Ready (armWrapTimer). Back up: nothing moves — the operator presses Ready.
   */
  lineChanged(a: Agent, up: boolean): void {
    if (a.lineDown === !up) return;
    a.lineDown = !up;
    a.log.info({ device: a.device, state: a.state }, up ? 'browser line up again' : 'browser line down');
    if (!up && a.device === 'browser' && a.state === 'ready') this.move(a, 'device_lost', 'browser line down', { cause: 'device', label: LINE_DROPPED });
  }

  /** Whether anyone could take a call now (routing stops at once when not: the overload case). */
  anyReady(): boolean {
    for (const a of this.agents.values()) if (a.state === 'ready' && this.hasDevice(a)) return true;
    return false;
  }

  /** What routing needs to know of every operator. */
  candidates(tally?: DailyTally): Map<string, RoutingCandidate> {
    const candidates = new Map<string, RoutingCandidate>();
    const now = this.d.now();
    for (const a of this.agents.values()) {
      const id = a.operatorId;
      candidates.set(id, { operatorId: id, state: a.state, hasDevice: this.hasDevice(a), idleSince: a.idleSince, callsToday: tally?.callsToday(id, now) ?? 0, talkMsToday: tally?.talkMsToday(id, now) ?? 0 });
    }
    return candidates;
  }

  /** An operator's own command (Ready, Not ready): an illegal one is an ILLEGAL_TRANSITION error. */
  command(a: Agent, event: AgentEvent, reason: string, detail?: NotReadyDetail): void {
    this.allowed(a, event);
    this.move(a, event, reason, detail);
  }

  /** ILLEGAL_TRANSITION unless the table allows the event now. */
  private allowed(a: Agent, event: AgentEvent): void {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.warn({ state: a.state, event }, r.error.message);
      throw new AppError('ILLEGAL_TRANSITION', r.error.message);
    }
  }

  /** Applies an agent event; logs and refuses an illegal one. Returns whether it moved. */
  move(a: Agent, event: AgentEvent, reason: string, detail?: NotReadyDetail): boolean {
    const r = transition(a.state, event);
    if (!r.ok) {
      a.log.error({ state: a.state, event, reason }, `refused: ${r.error.message}`);
      return false;
    }
    const from = a.state;
    const at = this.d.now();
    const stays = from === r.next;
    a.state = r.next;
    if (!stays) {
      a.since = at;
      if (r.next === 'ready' || r.next === 'wrap_up') a.idleSince = at;
    }
    if (from === 'wrap_up' && !stays) this.endWrapUp(a, at);
    const holds = this.d.reservations;
    if (holds && ON_A_CALL.has(from) && !ON_A_CALL.has(r.next)) void holds.release(a.operatorId);
    // their own dial (click-to-dial, a consultation, a recovered call given back): the router reserved nobody, the ACD is the truth
    if (holds && event === 'dial') void holds.take(a.operatorId, `dial:${reason}`);
    let reasonCode: string | null = null;
    if (r.next === 'not_ready') {
      const cause = detail?.cause ?? NOT_READY_CAUSE[event] ?? 'operator';
      a.notReady = { cause, code: detail?.code ?? null, label: detail?.label ?? CAUSE_LABEL[cause] };
      reasonCode = a.notReady.code ?? (cause === 'operator' ? null : cause);
    } else {
      a.notReady = null;
    }
    // moves a call makes on its own (offer, answer, hang-up, wrap-up over) are in the call's own lines: debug
    const level = CALL_DRIVEN.has(event) ? 'debug' : 'info';
    a.log[level]({ from, to: r.next, event, reason, reasonCode }, 'agent state');
    a.journal.stateChanged(from, r.next, `${event}: ${reason}`, at, reasonCode);
    this.d.views.agentChanged(a);
    // Deferred: the command that made them ready finishes (and is acknowledged) before an offer.
    if (r.next === 'ready') queueMicrotask(() => this.d.hooks.becameReady());
    if (r.next === 'offline') {
      this.clearTimers(a);
      this.agents.delete(a.operatorId);
      if (a.deactivated) this.d.views.userRemoved(a.operatorId, reason);
      const signedOut = this.d.hooks.signedOut;
      if (signedOut) queueMicrotask(() => signedOut());
    }
    return true;
  }

  /**
   * A call ended: talking → wrap_up for the queue's time, in one push that already carries the
   * wrap-up (its call, its end), then ready — or signed out if they left meanwhile.
   */
  callEnded(a: Agent, seconds: number, call: { id: string; journal: CallJournal }): void {
    a.wrapUp = { callId: call.id, endsAt: this.d.now() + seconds * 1000, extended: false, extendSec: seconds, journal: call.journal };
    if (!this.move(a, 'hang_up', `call ${call.id} ended`)) {
      a.wrapUp = null;
      return;
    }
    if (this.maybeSignOut(a)) return;
    this.armWrapTimer(a);
  }

  /** The operator asks for more time, once per wrap-up, by the queue's wrap-up time. */
  extendWrapUp(a: Agent): void {
    this.allowed(a, 'extend_wrap_up');
    const w = a.wrapUp;
    if (!w) throw new AppError('CONFLICT', 'there is no wrap-up to extend');
    if (w.extended) throw new AppError('CONFLICT', 'You have already extended this wrap-up once.');
    if (w.extendSec <= 0) throw new AppError('CONFLICT', 'This queue has no wrap-up time to extend by.');
    w.extended = true;
    w.endsAt += w.extendSec * 1000;
    this.armWrapTimer(a);
    w.journal.updated({ wrapUpExtended: true });
    this.move(a, 'extend_wrap_up', `wrap-up extended by ${w.extendSec} s`);
  }

  private armWrapTimer(a: Agent): void {
    if (a.wrapTimer) clearTimeout(a.wrapTimer);
    const w = a.wrapUp;
    if (!w) return;
    a.wrapTimer = setTimeout(
      () => {
        a.wrapTimer = null;
        if (a.state !== 'wrap_up') return;
        // Ready needs a device; after a CTI restart a recovered call's operator has none until they choose it again
        if (this.hasDevice(a)) this.move(a, 'wrap_up_done', 'wrap-up time over');
        else if (a.device === 'browser' && a.lineDown) this.move(a, 'device_lost', 'wrap-up over; the browser line is down', { cause: 'device', label: LINE_DROPPED });
        else this.move(a, 'device_lost', 'wrap-up over; no phone chosen since the restart');
      },
      Math.max(0, w.endsAt - this.d.now()),
    );
  }

  /** Leaving wrap-up (time over, Ready or Not ready early, signed out): the call's row says when. */
  private endWrapUp(a: Agent, at: number): void {
    if (a.wrapTimer) clearTimeout(a.wrapTimer);
    a.wrapTimer = null;
    a.wrapUp?.journal.updated({ wrapUpEndedAt: new Date(at) });
    a.wrapUp = null;
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

  /** A supervisor signs the operator out of the console: never during a call; their console is closed with words saying so. */
  signOutBySupervisor(a: Agent, supervisorId: string): void {
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', `${a.name} is on a call; sign them out when it ends.`);
    if (this.move(a, 'sign_out', `supervisor ${supervisorId}`)) this.d.views.userRemoved(a.operatorId, 'signed out by a supervisor', 'supervisor');
  }

  /** A supervisor sets the operator Not ready (from Ready or wrap-up; a call in progress is never cut). */
  notReadyBySupervisor(a: Agent, supervisorId: string): void {
    if (a.state === 'not_ready') throw new AppError('CONFLICT', `${a.name} is already Not ready.`);
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', `${a.name} is on a call; try again when it ends.`);
    this.command(a, 'go_not_ready', `supervisor ${supervisorId}`, { cause: 'supervisor' });
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
