import type { Logger } from '../log';
import type { AgentView, CallOffer, CallView, MobileStatus } from '../contracts/socket-events';
import type { Agent } from './agent-roster';
import type { LiveCall } from './call-book';
import type { CtiNotifier } from './ports/cti-notifier';

/** What clients see of an operator and of a call: built here only, from the live records. */
export function agentView(a: Agent): AgentView {
  return { operatorId: a.operatorId, name: a.name, state: a.state, since: a.since, device: a.device, callId: a.callId };
}

export function callView(c: LiveCall, operatorName: string | null): CallView {
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
  };
}

export function callOffer(c: LiveCall): CallOffer {
  return { callId: c.id, callerName: c.callerName, callerUri: c.callerUri, dialed: c.dialed, queue: c.queue?.name ?? null, arrivedAt: c.arrivedAt };
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
  ) {}

  callView(c: LiveCall): CallView {
    return callView(c, c.operatorId ? this.operatorName(c.operatorId) : null);
  }

  agentChanged(a: Agent): void {
    const v = agentView(a);
    this.safe(() => this.notifier.agentChanged(v));
  }

  callChanged(c: LiveCall): void {
    const v = this.callView(c);
    this.safe(() => this.notifier.callChanged(v, c.operatorId));
  }

  callOffered(operatorId: string, c: LiveCall): void {
    this.safe(() => this.notifier.callOffered(operatorId, callOffer(c)));
  }

  mobileChanged(operatorId: string, status: MobileStatus): void {
    this.safe(() => this.notifier.mobileChanged?.(operatorId, status));
  }

  userRemoved(userId: string, reason: string): void {
    this.safe(() => this.notifier.userRemoved?.(userId, reason));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'notifier threw');
    }
  }
}
