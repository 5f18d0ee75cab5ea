import { callRating } from '../contracts/call-quality';
import { maskE164 } from '../contracts/phone';
import type { Logger } from '../log';
import type { MonitorView } from '../contracts/monitor';
import { expandScreenPop, numberFromUri } from '../contracts/call-work';
import type { AgentView, CallOffer, CallView, MobileStatus } from '../contracts/socket-events';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import type { CtiNotifier } from './ports/cti-notifier';

/** What clients see of an operator and of a call: built here only, from the live records. */
export function agentView(a: Agent): AgentView {
  const w = a.wrapUp;
  return {
    operatorId: a.operatorId,
    name: a.name,
    state: a.state,
    since: a.since,
    device: a.device,
    callId: a.callId,
    notReady: a.notReady,
    wrapUp: w && a.state === 'wrap_up' ? { callId: w.callId, endsAt: w.endsAt, extended: w.extended, extendSec: w.extendSec } : null,
  };
}

export function callView(c: LiveCall, operatorName: string | null, nameOf: (operatorId: string) => string | null = () => null): CallView {
  const k = c.consult;
  return {
    callId: c.id,
    status: c.status,
    callerName: c.callerName,
    callerUri: c.callerUri,
    dialed: c.dialed,
    queue: c.queue?.name ?? null,
    operatorId: c.operatorId,
    operatorName,
    arrivedAt: c.arrivedAt,
    answeredAt: c.answeredAt,
    endedAt: c.endedAt,
    endedBy: c.endedBy,
    recording: c.queue?.recordingPolicy === 'always' ? 'always' : c.recording ? 'on' : c.queue?.recordingPolicy === 'on_demand' ? 'off' : 'not-offered',
    ...(c.callerTold ? { callerTold: true as const } : {}),
    ...(c.forwardedTo ? { forwardedTo: maskE164(c.forwardedTo) } : {}),
    muted: c.mic === 'muted',
    consult: k && k.state !== 'over' ? { state: k.state, operatorId: k.operatorId, name: k.number ?? (k.operatorId ? nameOf(k.operatorId) : null) ?? 'the other operator', number: k.number } : null,
    ...(c.callback ? { callback: true as const } : {}),
    ...(c.quality ? { quality: { ...c.quality, rating: callRating(c.quality) } } : {}),
  };
}

export function callOffer(c: LiveCall): CallOffer {
  const callerNumber = numberFromUri(c.callerUri);
  const pop = c.queue?.screenPopUrl;
  return {
    callId: c.id,
    callerName: c.callerName,
    callerUri: c.callerUri,
    dialed: c.dialed,
    queue: c.queue?.name ?? null,
    arrivedAt: c.arrivedAt,
    callerNumber,
    screenPopUrl: pop ? expandScreenPop(pop, { number: callerNumber, callId: c.id }) : null,
    pressOne: false,
    consultFrom: null,
  };
}

/**
 * Sends views through the notifier. A notifier that throws is logged: a broken socket layer
 * must not stop a call in the middle of a decision.
 */
export class ViewPublisher {
  constructor(
    private readonly notifier: CtiNotifier,
    /** the current name of an operator (null once they signed out) */
    private readonly operatorName: (operatorId: string) => string | null,
    private readonly log: Logger,
    /** told after every agent or call change (the wallboard sends its tiles soon after) */
    private readonly changed: () => void = () => undefined,
  ) {}

  callView(c: LiveCall): CallView {
    return callView(c, c.operatorId ? this.operatorName(c.operatorId) : null, this.operatorName);
  }

  agentChanged(a: Agent): void {
    const v = agentView(a);
    this.safe(() => this.notifier.agentChanged(v));
    this.safe(this.changed);
  }

  callChanged(c: LiveCall): void {
    const v = this.callView(c);
    this.safe(() => this.notifier.callChanged(v, c.operatorId));
    this.safe(this.changed);
  }

  /** `pressOne`: the operator's phone must press 1 to take it; `consultFrom`: the operator consulting them about the call (the console says so). */
  callOffered(operatorId: string, c: LiveCall, how: { pressOne?: boolean; consultFrom?: string } = {}): void {
    const consultFrom = how.consultFrom === undefined ? null : { operatorName: how.consultFrom };
    this.safe(() => this.notifier.callOffered(operatorId, { ...callOffer(c), pressOne: how.pressOne ?? false, consultFrom }));
  }

  mobileChanged(operatorId: string, status: MobileStatus): void {
    this.safe(() => this.notifier.mobileChanged?.(operatorId, status));
  }

  userRemoved(userId: string, reason: string, by: 'administrator' | 'supervisor' = 'administrator'): void {
    this.safe(() => this.notifier.userRemoved?.(userId, reason, by));
  }

  monitorChanged(supervisorId: string, view: MonitorView): void {
    this.safe(() => this.notifier.monitorChanged?.(supervisorId, view));
  }

  monitorMobileChanged(supervisorId: string, status: MobileStatus): void {
    this.safe(() => this.notifier.monitorMobileChanged?.(supervisorId, status));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'notifier threw');
    }
  }
}
