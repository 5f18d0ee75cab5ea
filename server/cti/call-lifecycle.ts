import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import type { CallOutcome, EndedBy } from '../contracts/call';
import type { LegEndCause } from '../shared/sip-control';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { Journal } from './call-journal';
import type { CallRouter } from './call-router';
import type { BankPort, LegEnded, LegOffered } from './ports/bank-port';
import type { CtiStore, QueueInfo } from './ports/cti-store';
import type { ViewPublisher } from './views';

export interface CallLifecycleDeps {
  bank: BankPort;
  store: CtiStore;
  book: CallBook;
  roster: AgentRoster;
  router: CallRouter;
  journal: Journal;
  views: ViewPublisher;
  log: Logger;
  now: () => number;
  stopped: () => boolean;
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
  constructor(private readonly d: CallLifecycleDeps) {}

  /** The ACD offered a caller's leg to the route point. */
  legOffered(e: LegOffered): void {
    if (this.d.stopped()) return;
    if (this.d.book.hasLeg(e.legId)) {
      this.d.log.warn({ legId: e.legId }, 'leg offered again; keeping the call we have');
      return;
    }
    const now = this.d.now();
    const id = `call-${randomBytes(8).toString('hex')}`;
    const log = this.d.log.child({ callId: id, legId: e.legId });
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
      maxWaitTimer: null,
      log,
      journal: this.d.journal.call(id, log),
    };
    this.d.book.open(call);
    call.log.info({ dialed: e.dialed, caller: e.callerUri }, 'call arrived');
    call.journal.created({ acdLegId: e.legId, dialed: e.dialed, callerId: e.callerUri, queueId: null, arrivedAt: new Date(now) });
    call.journal.event('arrived', { callerName: e.callerName, callerUri: e.callerUri, dialed: e.dialed, audio: e.audio });
    this.d.views.callChanged(call);
    void this.d.store.queueForNumber(e.dialed).then(
      (q) => this.queueFound(call, q),
      (err: unknown) => {
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
    if (!q) {
      call.log.warn({ dialed: call.dialed }, 'no queue serves this number; releasing the caller');
      this.releaseCaller(call, 'system', 'failed');
      return;
    }
    call.queue = q;
    call.log.info({ queue: q.name }, 'call queued');
    call.journal.updated({ queueId: q.id });
    call.maxWaitTimer = setTimeout(() => {
      call.maxWaitTimer = null;
      if (call.status !== 'queued' && call.status !== 'offering') return;
      call.log.warn({ maxWaitSec: q.maxWaitSec }, 'caller waited too long; releasing');
      this.d.router.withdrawOffer(call, 'offer_cancelled', 'max wait reached');
      this.releaseCaller(call, 'system', 'timeout');
    }, q.maxWaitSec * 1000);
    this.d.views.callChanged(call);
    this.d.router.route(call);
  }

  private callerLegEnded(call: LiveCall, cause: LegEndCause): void {
    const endedBy: EndedBy = cause === 'remote-bye' || cause === 'cancel' ? 'caller' : 'system';
    call.log.info({ cause, status: call.status }, 'caller leg ended');
    call.journal.event('caller-hangup', { cause });
    if (call.status === 'connected') {
      // The core promise: the caller hung up, so the CTI releases the operator's device.
      const deviceLeg = call.deviceLegId;
      if (deviceLeg) {
        this.d.book.unbindLeg(deviceLeg);
        const sent = this.d.bank.release(deviceLeg);
        call.log.info({ deviceLegId: deviceLeg, sent }, 'caller hung up → releasing the operator device');
        call.journal.event('device-release', { deviceLegId: deviceLeg, sent });
      }
      this.endCall(call, endedBy, 'completed');
      return;
    }
    this.d.router.withdrawOffer(call, 'offer_cancelled', 'caller left while ringing');
    this.endCall(call, endedBy, 'abandoned');
  }

  private deviceLegEnded(call: LiveCall, cause: LegEndCause): void {
    call.log.info({ cause }, 'device leg ended');
    call.journal.event('device-hangup', { cause });
    const sent = this.d.bank.release(call.legId);
    this.d.book.unbindLeg(call.legId);
    call.log.info({ sent }, 'operator hung up → releasing the caller');
    call.journal.event('caller-release', { sent });
    this.endCall(call, cause === 'remote-bye' ? 'operator' : 'system', 'completed');
  }

  /** Ends the caller's leg from the CTI side (no queue, max wait, failure). */
  private releaseCaller(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    if (call.status === 'ended') return;
    this.d.book.unbindLeg(call.legId);
    const sent = this.d.bank.release(call.legId);
    call.journal.event('caller-release', { sent });
    this.endCall(call, endedBy, outcome);
  }

  private endCall(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void {
    const { book, roster } = this.d;
    if (!book.move(call, 'end')) return;
    const at = this.d.now();
    call.endedAt = at;
    call.endedBy = endedBy;
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = null;
    call.log.info({ endedBy, outcome }, 'call ended');
    call.journal.updated({ endedAt: new Date(at), endedBy, outcome });
    call.journal.event('ended', { endedBy, outcome });
    book.retire(call);
    const a = call.operatorId ? roster.get(call.operatorId) : undefined;
    this.d.views.callChanged(call);
    if (a && a.callId === call.id) {
      a.callId = null;
      if (a.state === 'talking') {
        roster.move(a, 'hang_up', `call ${call.id} ended`);
        roster.startWrapUp(a, call.queue?.wrapUpSec ?? 0);
      }
    }
    this.d.router.routeWaiting();
  }
}
