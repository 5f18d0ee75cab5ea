import type { CallOutcome } from '../contracts/call';
import type { Logger } from '../log';
import { ClipName } from '../shared/sip-announce';
import type { CallBook, LiveCall } from './call-book';
import type { CallRouter } from './call-router';
import { mobileUri } from './mobile-verification';
import type { BankPort, DialOutcome } from './ports/bank-port';
import type { Diversion, QueueInfo } from './ports/cti-store';
import type { RoutingConfig } from './routing-config';
import type { ScheduleCache } from './schedule-cache';
import type { ViewPublisher } from './views';

export interface CallDiversionsDeps {
  bank: BankPort;
  /** the queues as last read (the overflow target comes from memory, like every arrival's queue) */
  routing: Pick<RoutingConfig, 'queue'>;
  book: CallBook;
  router: CallRouter;
  hours: ScheduleCache;
  views: ViewPublisher;
  sipDomain: string;
  log: Logger;
  now: () => number;
  stopped: () => boolean;
  /** puts the call in a queue: its maximum-wait timer, then routing */
  enterQueue(call: LiveCall, q: QueueInfo): void;
  /** ends the caller's leg from the CTI side and the call with this outcome */
  releaseCaller(call: LiveCall, outcome: CallOutcome): void;
}

/** Overflow hops one call may take (closed → queue B, B's max wait → queue C, …) before it is released. */
export const MAX_OVERFLOWS = 5;
/** Seconds an external overflow number rings before the caller is released. */
export const FORWARD_RING_SEC = 30;

/**
 * What happens to a caller a queue does not keep: outside business hours (the number's
 * schedule, then the queue's, checked on arrival from the schedule cache — never the
 * database), on arrival at a full queue (its size limit, counted from the call book) and after
 * the queue's maximum wait. Three actions, the same for all (a full queue uses the max-wait
 * action with its own queue-full message):
 * - `release`: the ACD plays the message (if any) and then releases the caller (the
 *   announcement primitive; the call is `announcing` until the ACD reports the leg's end);
 * - `overflow_queue`: the call moves to another queue (CTI-internal: the caller stays parked
 *   in the ACD; the new queue's hours and maximum wait apply);
 * - `overflow_number`: the ACD dials the number through a trunk, bridged to the caller (the
 *   dial path with X-PB-Bridge); the call is `forwarding`, then `connected` or released.
 */
export class CallDiversions {
  constructor(private readonly d: CallDiversionsDeps) {}

  /** On arrival (or on entering a queue by overflow): the closed rule that applies now, if any. */
  closedNow(q: QueueInfo, arrival: boolean): { scheduleId: string; closed: Diversion; whose: 'number' | 'queue' } | null {
    const now = this.d.now();
    const n = arrival ? q.numberHours : undefined;
    if (n?.scheduleId && !this.d.hours.isOpen(n.scheduleId, now)) return { scheduleId: n.scheduleId, closed: n.closed, whose: 'number' };
    if (q.hours.scheduleId && !this.d.hours.isOpen(q.hours.scheduleId, now)) return { scheduleId: q.hours.scheduleId, closed: q.hours.closed, whose: 'queue' };
    return null;
  }

  /** The schedule says closed: the closed action, with `closed` as the outcome of a release. */
  closed(call: LiveCall, rule: { scheduleId: string; closed: Diversion; whose: 'number' | 'queue' }): void {
    call.log.info({ scheduleId: rule.scheduleId, whose: rule.whose, action: rule.closed.action }, 'closed by business hours');
    call.journal.event('closed', { scheduleId: rule.scheduleId, whose: rule.whose, action: rule.closed.action });
    this.divert(call, rule.closed, 'closed');
  }

  /** The queue had its maximum of callers waiting when this one arrived: the queue's overflow action, `busy` if released. */
  full(call: LiveCall, q: QueueInfo, waiting: number): void {
    call.log.warn({ queue: q.name, waiting, maxCallers: q.maxCallers, action: q.full.action }, 'queue full; caller not admitted');
    call.journal.event('queue-full', { queueId: q.id, waiting, maxCallers: q.maxCallers, action: q.full.action });
    this.divert(call, q.full, 'busy');
  }

  /** Nobody who could take the call is signed in (a queue that overflows then): its after-wait action at once. */
  empty(call: LiveCall, q: QueueInfo, when: 'arrival' | 'sign-out'): void {
    call.log.warn({ queue: q.name, when, action: q.maxWait.action }, 'nobody who could take the call is signed in; the queue overflows');
    call.journal.event('queue-empty', { queueId: q.id, when, action: q.maxWait.action });
    this.divert(call, q.maxWait, 'timeout');
  }

  /** The caller waited the queue's maximum: any offer is withdrawn, then the queue's after-wait action. */
  maxWait(call: LiveCall, q: QueueInfo): void {
    call.log.warn({ maxWaitSec: q.maxWaitSec, action: q.maxWait.action }, 'caller waited the maximum');
    call.journal.event('max-wait', { maxWaitSec: q.maxWaitSec, action: q.maxWait.action });
    this.d.router.withdrawOffer(call, 'offer_cancelled', 'max wait reached');
    this.divert(call, q.maxWait, 'timeout');
  }

  private divert(call: LiveCall, to: Diversion, releaseOutcome: CallOutcome): void {
    if (call.status === 'ended' || this.d.stopped()) return;
    if (to.action === 'overflow_queue' && to.queueId) return void this.overflowToQueue(call, to.queueId, releaseOutcome);
    if (to.action === 'overflow_number' && to.number) return this.forward(call, to.number, releaseOutcome);
    this.announceThenRelease(call, to.audio, releaseOutcome);
  }

  /** The message, then the ACD releases the caller; no message (or one the ACD refuses): released at once. */
  private announceThenRelease(call: LiveCall, audio: string | null, outcome: CallOutcome): void {
    const clip = audio === null ? null : ClipName.safeParse(audio.toLowerCase());
    if (!clip?.success) {
      if (audio !== null) call.log.warn({ audio }, 'message is not a clip name the ACD can play; releasing without it');
      return this.d.releaseCaller(call, outcome);
    }
    if (!this.d.book.move(call, 'announce')) return;
    call.announceOutcome = outcome;
    call.journal.event('announcement', { clip: clip.data, then: 'release' });
    this.d.views.callChanged(call);
    void this.d.bank.announce(call.legId, [clip.data], 'release').then((status) => {
      if (status < 300 || call.status !== 'announcing') return;
      call.log.warn({ status }, 'the ACD refused the announcement; releasing the caller');
      this.d.releaseCaller(call, outcome);
    });
  }

  private async overflowToQueue(call: LiveCall, queueId: string, outcome: CallOutcome): Promise<void> {
    if (call.overflows >= MAX_OVERFLOWS) {
      call.log.warn({ overflows: call.overflows }, 'too many overflows; releasing the caller');
      return this.d.releaseCaller(call, outcome);
    }
    call.overflows += 1;
    const q: QueueInfo | null = this.d.routing.queue(queueId);
    if (call.status === 'ended' || this.d.stopped()) return;
    if (!q || !this.d.book.move(call, 'overflow')) {
      call.log.warn({ queueId }, 'overflow queue gone; releasing the caller');
      return this.d.releaseCaller(call, outcome);
    }
    call.log.info({ from: call.queue?.name, to: q.name }, 'caller overflows to another queue');
    call.journal.event('overflow-queue', { fromQueueId: call.queue?.id ?? null, toQueueId: q.id });
    this.d.enterQueue(call, { ...q, holdAudio: call.queue?.holdAudio ?? q.holdAudio });
  }

  /** The ACD dials the number through a trunk, bridged to the caller. */
  private forward(call: LiveCall, number: string, outcome: CallOutcome): void {
    if (!this.d.book.move(call, 'forward')) return;
    call.forwardedTo = number;
    call.log.info({ number }, 'forwarding the caller to an external number');
    call.journal.event('overflow-number', { number });
    this.d.views.callChanged(call);
    const dial = this.d.bank.dial({ deviceUri: mobileUri(number, this.d.sipDomain), bridgeTo: call.legId, ringTimeoutSec: FORWARD_RING_SEC });
    call.dial = dial;
    void dial.outcome.then((o) => this.forwardSettled(call, o, outcome));
  }

  private forwardSettled(call: LiveCall, o: DialOutcome, outcome: CallOutcome): void {
    if (call.status !== 'forwarding') {
      if (o.kind === 'answered') this.d.bank.release(o.legId); // the caller left meanwhile
      return;
    }
    call.dial = null;
    if (o.kind === 'failed') {
      call.log.warn({ status: o.status, cause: o.cause }, 'forward failed; releasing the caller');
      call.journal.event('dial-failed', { number: call.forwardedTo, status: o.status, cause: o.cause });
      return this.d.releaseCaller(call, outcome === 'closed' ? 'closed' : 'failed');
    }
    const at = this.d.now();
    call.deviceLegId = o.legId;
    call.answeredAt = at;
    this.d.book.bindLeg(o.legId, call);
    this.d.book.move(call, 'answer');
    call.log.info({ deviceLegId: o.legId }, 'forwarded number answered; bridged to the caller');
    call.journal.updated({ answeredAt: new Date(at) });
    call.journal.event('answered', { number: call.forwardedTo, deviceLegId: o.legId });
    this.d.views.callChanged(call);
  }
}
