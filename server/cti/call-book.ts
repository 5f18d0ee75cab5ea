import type { CallQuality } from '../contracts/call-quality';
import type { Logger } from '../log';
import type { CallOutcome, CallStatus, EndedBy } from '../contracts/call';
import type { CodeOption } from '../contracts/call-work';
import type { CallJournal } from './call-journal';
import type { MicState } from './domain/call-controls';
import type { ConsultState } from './domain/consult-state';
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
  /** the call's own priority (0 normal); higher jumps ahead within its queue, with ageing (domain/call-order.ts) */
  priority?: number;
  /** its operator's device was lost mid-call (call-lifecycle.ts): it waits at the head of its queue */
  first?: boolean;
  status: CallStatus;
  operatorId: string | null;
  deviceLegId: string | null;
  /** the dial of the offered operator's device, while it rings */
  dial: DialHandle | null;
  /** the ACD records the bridge to this file (the queue records its calls), from the answer on */
  recording?: { fileName: string; startedAt: number } | null;
  /** the caller heard the recording notice (the ACD said so); the console tells the operator */
  callerTold?: boolean;
  arrivedAt: number;
  /** when the call was first offered to an operator (counted once for /metrics) */
  offeredAt?: number;
  /** counted as an arrival in /metrics (an inbound caller whose queue was looked up): its end is counted too, so arrived = ended + live */
  counted?: boolean;
  answeredAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  maxWaitTimer: NodeJS.Timeout | null;
  /** while `announcing`: the outcome the call ends with when the ACD has released the caller */
  announceOutcome: CallOutcome | null;
  /** overflow hops taken so far (bounded: call-diversions.ts) */
  overflows: number;
  /** the external number the call was forwarded to (overflow_number, a transfer or a completed consultation to it) */
  forwardedTo: string | null;
  /** the operator who handed the call to that number (their later controls are refused with words) */
  handedOffBy?: string | null;
  /** the operator's after-call work (also written to the call's row) */
  notes: string | null;
  disposition: CodeOption | null;
  /** 'no operator ready' was logged for this call (once is enough) */
  waitLogged?: boolean;
  /** the operator's microphone toward the caller (mute) */
  mic: MicState;
  /** the latest call quality the ACD told of each side, once it has (docs/wallboard.md, *Call quality*) */
  quality?: Pick<CallQuality, 'caller' | 'operator'>;
  /** an in-call request is on its way to the ACD: the next waits for its answer */
  controlBusy: boolean;
  /** a consultation with a second operator (attended transfer, conference) */
  consult: Consult | null;
  /** the caller pressed the queue's callback key: released, called back at this number from their place (callbacks.ts) */
  callback?: CallbackRequest | null;
  /** being handed to this CTI node (its operator was reserved there): no routing pass takes it meanwhile */
  movingTo?: string | null;
  /** a blind transfer to this operator: the next offer goes to them only (then to the queue) */
  transferTo: string | null;
  log: Logger;
  journal: CallJournal;
}

/** A queued callback: the number, the tries so far, and when the next may be made. */
export interface CallbackRequest {
  number: string;
  /** the inbound caller's leg it calls back: the dial names it, so the ACD can check the number is theirs (X-PB-Callback-For) */
  forLeg: string;
  requestedAt: number;
  attempts: number;
  /** not offered again before this (after a failed try) */
  dueAt: number;
}

/** Whom a consultation rings — a second operator or an outside number — and its leg once it answered. */
export interface Consult {
  state: ConsultState;
  /** the second operator, or null for an outside number */
  operatorId: string | null;
  /** the outside number (E.164), or null for an operator */
  number: string | null;
  legId: string | null;
  dial: DialHandle | null;
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

  /** A waiting call handed to another CTI node: it lives on there, so it leaves this book without ending. */
  handOver(call: LiveCall): void {
    this.calls.delete(call.id);
    if (this.legs.get(call.legId) === call.id) this.legs.delete(call.legId);
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
