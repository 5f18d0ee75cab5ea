import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import type { CallOutcome, EndedBy } from '../contracts/call';
import { numberFromUri } from '../contracts/call-work';
import type { LegEndCause } from '../shared/sip-control';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import { newLiveCall } from './live-call';
import { CallDiversions } from './call-diversions';
import { isAnswered } from './domain/call-state';
import { admission, type Admission } from './domain/queue-limit';
import { anyoneToServe } from './domain/routing';
import type { Journal } from './call-journal';
import type { CallRouter } from './call-router';
import type { BankPort, LegEnded, LegOffered } from './ports/bank-port';
import type { CallMetricsPort } from './ports/call-metrics-port';
import type { QueueInfo } from './ports/cti-store';
import type { RoutingConfig } from './routing-config';
import type { ScheduleCache } from './schedule-cache';
import type { ViewPublisher } from './views';
import type { WaitAnnouncer } from './wait-announcer';

const ADMIT: Admission = { admit: true };

export interface CallLifecycleDeps {
  bank: BankPort;
  routing: RoutingConfig;
  book: CallBook;
  roster: AgentRoster;
  router: CallRouter;
  journal: Journal;
  views: ViewPublisher;
  hours: ScheduleCache;
  sipDomain: string;
  log: Logger;
  now: () => number;
  stopped: () => boolean;
  /** tells waiting callers their place and wait (absent: nobody is told) */
  announcer?: Pick<WaitAnnouncer, 'queued' | 'ended'>;
  metrics: CallMetricsPort;
  /** the second operator of a consultation hung up */
  consultLeft?(call: LiveCall): void;
  /** the call is ending: a consultation in progress is ended too */
  callEnding?(call: LiveCall): void;
}

/**
 * A call from the moment the ACD offers the caller's leg until it ends: arrival, its queue and
 * the queue's maximum wait, hang-ups on either side, and the end (ended_by, outcome), after which
 * the operator goes to wrap-up and waiting calls are routed again.
 *
 * The core promise: when the caller hangs up, the CTI — not the ACD — releases the operator's
 * device, and the stored timeline shows `caller-hangup` then `device-release`, in that order.
 */
export class CallLifecycle {
  private readonly diversions: CallDiversions;

  constructor(private readonly d: CallLifecycleDeps) {
    this.diversions = new CallDiversions({
      ...d,
      enterQueue: (call, q) => this.enterQueue(call, q, false),
      releaseCaller: (call, outcome) => this.releaseCaller(call, 'system', outcome),
    });
  }

  /** The ACD offered a caller's leg to the route point. */
  legOffered(e: LegOffered): void {
    if (this.d.stopped()) return;
    if (this.d.book.hasLeg(e.legId)) {
      this.d.log.warn({ legId: e.legId }, 'leg offered again; keeping the call we have');
      return;
    }
    // a leg the ACD held before the CTI restarted keeps its arrival (call-recovery.ts)
    const now = e.arrivedAt ?? this.d.now();
    const id = `call-${randomBytes(8).toString('hex')}`;
    const log = this.d.log.child({ callId: id, legId: e.legId });
    const call = newLiveCall({ id, legId: e.legId, dialed: e.dialed, callerName: e.callerName, callerUri: e.callerUri, arrivedAt: now, log, journal: this.d.journal.call(id, log) });
    this.d.book.open(call);
    call.log.debug({ dialed: e.dialed, caller: e.callerUri }, 'call arrived');
    call.journal.created({ acdLegId: e.legId, dialed: e.dialed, callerId: e.callerUri, callerNumber: numberFromUri(e.callerUri), queueId: null, arrivedAt: new Date(now) });
    call.journal.event('arrived', { callerName: e.callerName, callerUri: e.callerUri, dialed: e.dialed, audio: e.audio });
    this.d.views.callChanged(call);
    // from memory (routing-config.ts, schedule-cache.ts): no database read between arrival and offer
    const q = this.d.routing.queueForNumber(e.dialed);
    if (!(q instanceof Promise) && this.d.hours.isReady) {
      this.queueFound(call, q);
      return;
    }
    void Promise.all([q, this.d.hours.ready()]).then(
      ([found]) => this.queueFound(call, found),
      (err: unknown) => {
        call.counted = true;
        this.d.metrics.arrived(null);
        call.log.error({ err }, 'queue lookup failed; releasing the caller');
        this.releaseCaller(call, 'system', 'failed');
      },
    );
  }

  /** The ACD ended a leg: a caller's or a device's. */
  legEnded(e: LegEnded): void {
    const call = this.d.book.byLeg(e.legId);
    if (!call) {
      this.d.log.info({ legId: e.legId, cause: e.cause }, 'leg ended for no live call');
      return;
    }
    this.d.book.unbindLeg(e.legId);
    if (e.legId === call.legId) this.callerLegEnded(call, e.cause);
    else if (e.legId === call.deviceLegId) this.deviceLegEnded(call, e.cause);
    else if (e.legId === call.consult?.legId) this.d.consultLeft?.(call);
  }

  /**
   * A transferred caller waits again in a queue (keeping their arrival time: first in line).
   * `keepWait`: the maximum wait counts from the arrival, not from now (a caller handed over from another CTI node).
   */
  requeue(call: LiveCall, q: QueueInfo, keepWait = false): void {
    this.enterQueue(call, q, false, false, keepWait);
  }

  /** Clears the calls' timers and cancels their dials (the service is stopping). */
  stop(): void {
    for (const c of this.d.book.liveCalls()) {
      if (c.maxWaitTimer) clearTimeout(c.maxWaitTimer);
      c.dial?.cancel();
    }
  }

  private queueFound(call: LiveCall, q: QueueInfo | null): void {
    if (call.status === 'ended' || this.d.stopped()) return;
    call.counted = true;
    this.d.metrics.arrived(q?.name ?? null);
    if (!q) {
      call.log.warn({ dialed: call.dialed }, 'no queue serves this number; releasing the caller');
      this.releaseCaller(call, 'system', 'failed');
      return;
    }
    this.enterQueue(call, q, true);
  }

  /**
   * The call joins a queue (on arrival, by overflow, or transferred by an operator): closed hours
   * first, then the queue's size limit (not for a transfer: an operator's choice is kept), then its
   * maximum wait, then routing.
   */
  private enterQueue(call: LiveCall, q: QueueInfo, arrival: boolean, limited = true, keepWait = false): void {
    // counted before the call joins: the callers already waiting there
    const admitted = limited ? admission(q.maxCallers, this.d.book.waitingIn(q.id) - (call.queue?.id === q.id ? 1 : 0)) : ADMIT;
    call.queue = q;
    call.priority = q.callPriority ?? 0;
    // the one line a person reads for the arrival (the details of 'call arrived' are at debug)
    call.log.info({ dialed: call.dialed, caller: call.callerUri, queue: q.name }, 'call queued');
    call.journal.updated({ queueId: q.id });
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = null;
    const closed = this.diversions.closedNow(q, arrival);
    if (closed) return this.diversions.closed(call, closed);
    if (!admitted.admit) return this.diversions.full(call, q, admitted.waiting);
    if (q.overflowWhenEmpty && !this.anyoneFor(q)) return this.diversions.empty(call, q, 'arrival');
    call.maxWaitTimer = setTimeout(() => {
      call.maxWaitTimer = null;
      if (call.status !== 'queued' && call.status !== 'offering') return;
      this.diversions.maxWait(call, call.queue ?? q);
    }, keepWait ? Math.max(0, q.maxWaitSec * 1000 - (this.d.now() - call.arrivedAt)) : q.maxWaitSec * 1000);
    this.d.views.callChanged(call);
    this.d.router.route(call);
    this.d.announcer?.queued(call);
  }

  /**
   * An operator signed out: callers waiting in a queue that overflows when nobody can answer, and
   * now has nobody, get its overflow action (not a callback, whose caller has already hung up;
   * not a call ringing an operator, who is still there).
   */
  operatorSignedOut(): void {
    if (this.d.stopped()) return;
    for (const c of this.d.book.liveCalls()) {
      const q = c.queue;
      if (c.status !== 'queued' || !q?.overflowWhenEmpty || c.callback || this.anyoneFor(q)) continue;
      if (c.maxWaitTimer) clearTimeout(c.maxWaitTimer);
      c.maxWaitTimer = null;
      this.diversions.empty(c, q, 'sign-out');
    }
  }

  private anyoneFor(q: QueueInfo): boolean {
    return anyoneToServe(q.routing, (id) => this.d.roster.get(id) !== undefined);
  }

  private callerLegEnded(call: LiveCall, cause: LegEndCause): void {
    const endedBy: EndedBy = cause === 'remote-bye' || cause === 'cancel' ? 'caller' : 'system';
    call.log.debug({ cause, status: call.status }, 'caller leg ended');
    if (call.status === 'announcing') {
      // the ACD released the caller after the message (`played`), or the caller left during it
      call.journal.event(cause === 'played' ? 'caller-release' : 'caller-hangup', { cause });
      this.endCall(call, endedBy, call.announceOutcome ?? 'timeout');
      return;
    }
    call.journal.event('caller-hangup', { cause });
    if (call.status === 'forwarding') {
      call.dial?.cancel();
      call.dial = null;
      this.endCall(call, endedBy, 'abandoned');
      return;
    }
    if (isAnswered(call.status)) {
      // The core promise: the caller hung up, so the CTI releases the operator's device.
      const deviceLeg = call.deviceLegId;
      if (deviceLeg) {
        this.d.book.unbindLeg(deviceLeg);
        const sent = this.d.bank.release(deviceLeg);
        call.log.info({ deviceLegId: deviceLeg, sent }, 'caller hung up → releasing the operator device');
        call.journal.event('device-release', { deviceLegId: deviceLeg, sent });
      }
      this.endCall(call, endedBy, call.forwardedTo ? 'forwarded' : 'completed');
      return;
    }
    this.d.router.withdrawOffer(call, 'offer_cancelled', 'caller left while ringing');
    this.endCall(call, endedBy, 'abandoned');
  }

  private deviceLegEnded(call: LiveCall, cause: LegEndCause): void {
    call.log.debug({ cause }, 'device leg ended');
    // the ACD waited its grace for the device to reconnect: the caller is not the one who left
    if (cause === 'transport-lost' && isAnswered(call.status) && call.queue && !call.forwardedTo) return this.deviceLost(call, call.queue);
    // an outbound call's number may still be ringing: withdraw it
    call.dial?.cancel();
    call.dial = null;
    call.journal.event('device-hangup', { cause });
    const sent = this.d.bank.release(call.legId);
    this.d.book.unbindLeg(call.legId);
    call.log.info({ sent }, 'operator hung up → releasing the caller');
    call.journal.event('caller-release', { sent });
    // a forwarded number is nobody's operator: its end is the system's
    this.endCall(call, cause === 'remote-bye' && !call.forwardedTo ? 'operator' : 'system', call.forwardedTo ? 'forwarded' : 'completed');
  }

  /**
   * The operator's device lost its connection mid-call and did not come back within the ACD's
   * grace (docs/acd-signalling.md, "Device reconnect"): the caller (parked with music by the ACD)
   * waits again at the head of its queue; the operator goes to wrap-up as after any call.
   */
  private deviceLost(call: LiveCall, q: QueueInfo): void {
    const { book, roster } = this.d;
    if (!book.move(call, 'device_lost')) return;
    const operatorId = call.operatorId;
    call.log.info({ operatorId }, 'operator device lost → the caller waits again, first in line');
    call.journal.event('device-lost', { operatorId });
    call.deviceLegId = null;
    call.operatorId = null;
    call.mic = 'open';
    call.first = true;
    const a = operatorId ? roster.get(operatorId) : undefined;
    if (a && a.callId === call.id) {
      a.callId = null;
      roster.callEnded(a, q.wrapUpSec ?? 0, call);
    }
    this.d.views.callChanged(call);
    this.requeue(call, q);
  }

  /** Ends the caller's leg from the CTI side (no queue, max wait, failure). */
  private releaseCaller(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    if (call.status === 'ended') return;
    call.dial?.cancel();
    call.dial = null;
    this.d.book.unbindLeg(call.legId);
    const sent = this.d.bank.release(call.legId);
    call.journal.event('caller-release', { sent });
    this.endCall(call, endedBy, outcome);
  }

  /** The call is over: stored, retired, its operator to wrap-up, waiting calls routed again. */
  endCall(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    const { book, roster } = this.d;
    this.d.callEnding?.(call);
    if (!book.move(call, 'end')) return;
    const at = this.d.now();
    call.endedAt = at;
    call.endedBy = endedBy;
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = null;
    call.log.info({ endedBy, outcome }, 'call ended');
    // outbound calls (outbound-calls.ts) never arrived: not in the inbound counts
    if (call.counted) this.d.metrics.ended(call.queue?.name ?? null, outcome);
    call.journal.updated({ endedAt: new Date(at), endedBy, outcome });
    call.journal.event('ended', { endedBy, outcome });
    if (call.recording) {
      // the ACD finalises the file as the caller's leg ends (it spans holds, mixes, transfers); the catalog waits for it, after the call's rows
      call.journal.recorded({ callId: call.id, queueId: call.queue?.id ?? null, operatorId: call.operatorId, fileName: call.recording.fileName, startedAt: new Date(call.recording.startedAt) });
    }
    book.retire(call);
    this.d.announcer?.ended(call);
    const a = call.operatorId ? roster.get(call.operatorId) : undefined;
    this.d.views.callChanged(call);
    this.d.router.callEnded(call);
    if (a && a.callId === call.id) {
      a.callId = null;
      if (a.state === 'talking') roster.callEnded(a, call.queue?.wrapUpSec ?? 0, call);
    }
    this.d.router.routeWaiting();
  }
}
