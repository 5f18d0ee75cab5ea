import type { Logger } from '../log';
import type { CallStatus, EndedBy } from '../contracts/call';
import type { CallJournal } from './call-journal';
import { callTransition, type CallEvent } from './domain/call-state';
import type { DialHandle } from './ports/bank-port';
import type { QueueInfo } from './ports/cti-store';

/** A call as the CTI holds it while it lives (and a while after, for the admin view). */
export interface LiveCall {
  id: string;
  /** the caller's leg in the ACD */
  legId: string;
  dialed: string;
  callerName: string;
  callerUri: string;
  queue: QueueInfo | null;
  status: CallStatus;
  operatorId: string | null;
  deviceLegId: string | null;
  /** the dial of the offered operator's device, while it rings */
  dial: DialHandle | null;
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  maxWaitTimer: NodeJS.Timeout | null;
  log: Logger;
  journal: CallJournal;
}

/**
 * Every call the CTI knows: the live ones by id, the index of their legs (caller and device) and
 * the last ended ones. Status moves go through the call state machine.
 */
export class CallBook {
  private readonly calls = new Map<string, LiveCall>();
  /** leg id (caller or device) → call id */
  private readonly legs = new Map<string, string>();
  private readonly recent: LiveCall[] = [];

  constructor(private readonly recentKept: number) {}

  /** A new call and its caller's leg. */
  open(call: LiveCall): void {
    this.calls.set(call.id, call);
    this.legs.set(call.legId, call.id);
  }

  hasLeg(legId: string): boolean {
    return this.legs.has(legId);
  }

  /** The live call a leg belongs to. */
  byLeg(legId: string): LiveCall | undefined {
    const callId = this.legs.get(legId);
    return callId ? this.calls.get(callId) : undefined;
  }

  bindLeg(legId: string, call: LiveCall): void {
    this.legs.set(legId, call.id);
  }

  unbindLeg(legId: string): void {
    this.legs.delete(legId);
  }

  live(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }

  /** A live call, or one of the recently ended. */
  find(callId: string): LiveCall | undefined {
    return this.calls.get(callId) ?? this.recent.find((r) => r.id === callId);
  }

  /** Live calls, then the recently ended (newest first). */
  all(): LiveCall[] {
    return [...this.calls.values(), ...this.recent];
  }

  liveCalls(): LiveCall[] {
    return [...this.calls.values()];
  }

  /** Queued calls with a queue, oldest first. */
  waiting(): LiveCall[] {
    return [...this.calls.values()].filter((c) => c.status === 'queued' && c.queue).sort((x, y) => x.arrivedAt - y.arrivedAt);
  }

  /** Callers waiting in a queue right now: queued, or offered to an operator whose device rings. */
  waitingIn(queueId: string): number {
    let n = 0;
    for (const c of this.calls.values()) if (c.queue?.id === queueId && (c.status === 'queued' || c.status === 'offering')) n++;
    return n;
  }

  /** An ended call leaves the live set and joins the recent ones. */
  retire(call: LiveCall): void {
    this.calls.delete(call.id);
    this.recent.unshift(call);
    this.recent.length = Math.min(this.recent.length, this.recentKept);
  }

  /** Applies a call event; logs and refuses an illegal one. Returns whether it moved. */
  move(call: LiveCall, event: CallEvent): boolean {
    const r = callTransition(call.status, event);
    if (!r.ok) {
      call.log.error({ status: call.status, event }, `refused: ${r.error.message}`);
      return false;
    }
    call.status = r.next;
    return true;
  }
}
