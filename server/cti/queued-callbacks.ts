import type { CallOutcome, EndedBy } from '../contracts/call';
import { maskE164 } from '../contracts/phone';
import type { Agent } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import { CallbackConfirmations } from './callback-confirmations';
import { mobileUri } from './mobile-verification';
import type { BankPort, DialHandle, DtmfPressed } from './ports/bank-port';
import type { ViewPublisher } from './views';

export interface QueuedCallbacksDeps {
  bank: BankPort;
  book: CallBook;
  views: ViewPublisher;
  /** the waiting announcements stop for a caller who asked to be called back (and pause while they confirm the number) */
  announcer: { cancel(call: LiveCall): void; resume(call: LiveCall): void };
  /** the admin's allowed dialling prefixes (the toll-fraud rule of every call the CTI places) */
  numberAllowed(e164: string): boolean;
  endCall(call: LiveCall, endedBy: EndedBy, outcome: CallOutcome): void;
  routeWaiting(): void;
  sipDomain: string;
  now: () => number;
}

/** Seconds the caller's number rings on a try (tries, their interval and the expiry are the queue's: QueueInfo.callback). */
export const CALLBACK_RING_SEC = 45;
/** Seconds after the request before the first try: the caller hears the confirmation and hangs up first. */
export const CALLBACK_GRACE_SEC = 8;

/** What the router lends a callback offer: its dial slot, and the bookkeeping of the outcome. */
export interface CallbackOffer {
  agent: Agent;
  /** the dial in progress for this offer (the number, then the device); the router cancels it on withdrawal */
  track(dial: DialHandle): void;
  /** whether the offer is still this one (not withdrawn: caller gone, service stopping) */
  current(): boolean;
  /** the try failed: the operator is free again, the call back at its place */
  failed(why: string): void;
  /** the operator's device answered, bridged to the caller's leg (recorded to this file when the queue records always) */
  answered(deviceLegId: string, recording: string | null): void;
}

/**
 * Queued callback that keeps the caller's place (docs/cti.md, "Queued callback"). A waiting
 * caller presses the queue's key (the ACD's DTMF INFO on the caller's control dialog) and
 * confirms the number on the keypad — their own, read back, or another they key
 * (callback-confirmations.ts); the CTI then has the ACD play the confirmation and release them,
 * and the call stays `queued` at its place (its arrival time, priority and ageing unchanged)
 * without a caller leg. When routing offers it, the operator is reserved first, then the number
 * is dialled through a trunk (no bridge, naming the inbound caller's leg so the ACD can check the
 * number is theirs), and once it answers the operator's device is rung bridged to it — the same
 * order as an operator's click-to-dial, the only order the dialect allows. A failed try frees the
 * operator and puts the call back at its place, not offered again for the queue's retry interval;
 * after the queue's tries, or past its expiry, it ends `failed`.
 */
export class QueuedCallbacks {
  private readonly confirming: CallbackConfirmations;

  constructor(private readonly d: QueuedCallbacksDeps) {
    this.confirming = new CallbackConfirmations({ bank: d.bank, announcer: d.announcer, numberAllowed: (n) => d.numberAllowed(n), confirmed: (c, n) => this.accept(c, n) });
  }

  /** A key pressed on a leg: true when it was a waiting caller's callback key, or a key of their confirmation. */
  dtmf(e: DtmfPressed): boolean {
    const call = this.d.book.byLeg(e.legId);
    const q = call?.queue;
    if (!call || !q || call.legId !== e.legId || call.callback || q.callbackDigit === null) return false;
    if (call.status !== 'queued') {
      // offered to an operator meanwhile: the keypad dialogue is over
      this.confirming.drop(call);
      return false;
    }
    if (this.confirming.has(call)) this.confirming.key(call, e.digit);
    else if (e.digit === q.callbackDigit) this.confirming.start(call);
    else return false;
    return true;
  }

  stop(): void {
    this.confirming.stop();
  }

  /** The router offers a callback to a reserved operator: the caller's number first, then the device bridged to it. */
  dial(call: LiveCall, offer: CallbackOffer): void {
    const cb = call.callback!;
    const { bank, book } = this.d;
    cb.attempts += 1;
    call.log.info({ attempt: cb.attempts, operatorId: offer.agent.operatorId }, 'callback: operator reserved; calling the caller back');
    call.journal.event('callback-dial', { operatorId: offer.agent.operatorId, attempt: cb.attempts, number: maskE164(cb.number) });
    const dial = bank.dial({ deviceUri: mobileUri(cb.number, this.d.sipDomain), bridgeTo: null, ringTimeoutSec: CALLBACK_RING_SEC, callbackFor: cb.forLeg });
    offer.track(dial);
    void dial.outcome.then((o) => {
      if (!offer.current() || call.status !== 'offering') {
        if (o.kind === 'answered') bank.release(o.legId);
        return;
      }
      if (o.kind === 'failed') {
        call.journal.event('dial-failed', { number: maskE164(cb.number), status: o.status, cause: o.cause });
        return this.tryFailed(call, offer, `callback: the caller did not answer (${o.status} ${o.cause})`);
      }
      // the caller answered: their new leg is the call's caller leg from now on
      call.legId = o.legId;
      book.bindLeg(o.legId, call);
      call.journal.updated({ acdLegId: o.legId });
      call.journal.event('callback-answered', { legId: o.legId });
      this.d.views.callOffered(offer.agent.operatorId, call);
      // the bridge is recorded like any other call of a queue that records always
      const record = call.queue?.recordingPolicy === 'always';
      const device = bank.dial({ deviceUri: offer.agent.deviceUri!, bridgeTo: o.legId, ringTimeoutSec: call.queue?.ringTimeoutSec ?? 20, ...(record ? { record } : {}) });
      offer.track(device);
      void device.outcome.then((d) => {
        if (!offer.current() || call.status !== 'offering') {
          if (d.kind === 'answered') bank.release(d.legId);
          return;
        }
        if (d.kind === 'answered') return offer.answered(d.legId, d.recording ?? null);
        call.journal.event('dial-failed', { operatorId: offer.agent.operatorId, status: d.status, cause: d.cause });
        // the caller is on the line with nobody: released, and tried again later
        book.unbindLeg(o.legId);
        bank.release(o.legId);
        this.tryFailed(call, offer, `callback: the operator's device did not answer (${d.status} ${d.cause})`);
      });
    });
  }

  private accept(call: LiveCall, number: string): void {
    const now = this.d.now();
    const leg = call.legId;
    const rules = call.queue!.callback;
    call.callback = { number, forLeg: leg, requestedAt: now, attempts: 0, dueAt: now + CALLBACK_GRACE_SEC * 1000 };
    // the caller is not on the line any more: no maximum wait, no announcements; the callback's expiry instead
    if (call.maxWaitTimer) clearTimeout(call.maxWaitTimer);
    call.maxWaitTimer = setTimeout(() => this.expire(call), rules.expiryMin * 60_000);
    call.maxWaitTimer.unref();
    this.d.announcer.cancel(call);
    // the leg's end (after the confirmation) is not the call's end
    this.d.book.unbindLeg(leg);
    call.log.info({ number: maskE164(number) }, 'callback requested; the caller keeps their place and is released');
    call.journal.event('callback-requested', { number: maskE164(number), digit: call.queue?.callbackDigit ?? null });
    this.d.views.callChanged(call);
    void this.d.bank.announce(leg, ['say-callback-ok'], 'release').then((status) => {
      if (status >= 300) this.d.bank.release(leg);
    });
    this.d.routeWaiting();
  }

  /** The queue's expiry passed: a callback still waiting is given up (one being dialled finishes its try first). */
  private expire(call: LiveCall): void {
    call.maxWaitTimer = null;
    if (!call.callback || call.status === 'ended') return;
    if (call.status !== 'queued') return; // tryFailed checks the expiry when this try ends
    this.giveUp(call, 'callback-expired');
  }

  private giveUp(call: LiveCall, why: 'callback-failed' | 'callback-expired'): void {
    const cb = call.callback!;
    const rules = call.queue!.callback;
    call.log.warn({ attempts: cb.attempts, why }, 'callback given up');
    call.journal.event(why, why === 'callback-failed' ? { attempts: cb.attempts } : { attempts: cb.attempts, expiryMin: rules.expiryMin });
    this.d.endCall(call, 'system', 'failed');
  }

  private tryFailed(call: LiveCall, offer: CallbackOffer, why: string): void {
    const cb = call.callback!;
    const rules = call.queue!.callback;
    offer.failed(why);
    if (cb.attempts >= rules.tries) return this.giveUp(call, 'callback-failed');
    const now = this.d.now();
    cb.dueAt = now + rules.retrySec * 1000;
    if (cb.dueAt > cb.requestedAt + rules.expiryMin * 60_000) return this.giveUp(call, 'callback-expired');
    call.journal.event('requeued', { callbackDueAt: new Date(cb.dueAt).toISOString() });
    this.d.views.callChanged(call);
    this.d.routeWaiting();
  }
}
