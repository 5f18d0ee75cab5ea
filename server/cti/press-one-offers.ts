import { RECORDING_PROMPT } from '../shared/recording-prompts';
import type { Logger } from '../log';
import type { LiveCall } from './call-book';
import { digitEvent, pressOneTransition, refusalWhy, type PressOneEvent, type PressOneState } from './domain/press-one-state';
import type { BankPort, DialHandle, DtmfPressed } from './ports/bank-port';

/** An answered press-1 offer, as the router hands it over: what it is and how to settle it. */
export interface AcceptOffer {
  call: LiveCall;
  operatorId: string;
  dial: DialHandle;
  deviceLegId: string;
  /** still this operator's offer (not withdrawn, not lost to another operator) */
  current(): boolean;
  /** pressed 1 and bridged: the call is the operator's */
  taken(): void;
  /** another key, no key in time, the device hung up: a miss (the ring-no-answer policy) */
  missed(why: string): void;
  /** pressed 1 but the ACD refused the bridge: not the operator's fault */
  notBridged(): void;
}

interface Ask {
  state: PressOneState;
  offer: AcceptOffer;
  timeoutSec: number;
  timer: NodeJS.Timeout | null;
  /** the device's leg ended by itself (nothing to release) */
  gone: boolean;
  log: Logger;
}

/**
 * The devices being asked to press 1 (docs/cti.md, "Press 1 to take the call"): the dial was sent
 * with X-PB-Confirm, so when the device answered the ACD played it the question and left it
 * waiting, unbridged, while the caller keeps the music. This holds each such device until one
 * thing decides it — a key (the ACD's DTMF INFO on the device's control dialog), the queue's time
 * running out, the device hanging up, or the offer being withdrawn — through the pure machine
 * `domain/press-one-state.ts`; it releases the device unless the key was 1, and on 1 has the ACD
 * bridge the caller to it (the in-call `bridge` on the caller's leg). The timeline shows
 * `press1-asked`, then `press1-accepted` or `press1-refused` (and the router's `no-answer`).
 */
export class PressOneOffers {
  /** dials sent with X-PB-Confirm → the seconds their device has to press */
  private readonly asked = new WeakMap<DialHandle, number>();
  private readonly byLeg = new Map<string, Ask>();
  private readonly byDial = new WeakMap<DialHandle, Ask>();

  constructor(
    private readonly bank: Pick<BankPort, 'release' | 'controls' | 'record'>,
    private readonly now: () => number,
  ) {}

  /** The dial asks its device to accept with 1 (sent with X-PB-Confirm). */
  track(dial: DialHandle, timeoutSec: number): void {
    this.asked.set(dial, timeoutSec);
  }

  /** Whether this dial asked its device to press 1. */
  asks(dial: DialHandle): boolean {
    return this.asked.has(dial);
  }

  /** The asked device answered and hears the question. */
  answered(offer: AcceptOffer): void {
    const timeoutSec = this.asked.get(offer.dial) ?? 10;
    const ask: Ask = { state: 'asking', offer, timeoutSec, timer: null, gone: false, log: offer.call.log.child({ operatorId: offer.operatorId, deviceLegId: offer.deviceLegId }) };
    ask.timer = setTimeout(() => this.decide(ask, 'timed_out', null), timeoutSec * 1000);
    ask.timer.unref();
    this.byLeg.set(offer.deviceLegId, ask);
    this.byDial.set(offer.dial, ask);
    offer.call.journal.event('press1-asked', { operatorId: offer.operatorId, timeoutSec });
    ask.log.info({ timeoutSec }, 'press-1: the device answered and is asked to press 1; the caller stays on hold');
  }

  /** A key pressed on a leg: true when the leg is an asked device (the key is spent here). */
  dtmf(e: DtmfPressed): boolean {
    const ask = this.byLeg.get(e.legId);
    if (!ask) return false;
    this.decide(ask, digitEvent(e.digit), e.digit);
    return true;
  }

  /** The ACD ended a leg: true when it was an asked device (it hung up without pressing 1). */
  legEnded(legId: string): boolean {
    const ask = this.byLeg.get(legId);
    if (!ask) return false;
    ask.gone = true;
    this.decide(ask, 'hung_up', null);
    return true;
  }

  /** The offer was withdrawn (the caller left, the maximum wait, another operator answered): the asked device is released. */
  withdraw(dial: DialHandle): void {
    const ask = this.byDial.get(dial);
    if (ask) this.decide(ask, 'withdrawn', null);
  }

  stop(): void {
    for (const ask of [...this.byLeg.values()]) this.decide(ask, 'withdrawn', null);
  }

  private decide(ask: Ask, event: PressOneEvent, digit: string | null): void {
    const r = pressOneTransition(ask.state, event);
    // a second key, or a key after the time ran out: the device was already decided
    if (!r.ok) return void ask.log.debug({ event, state: ask.state }, 'press-1: already decided');
    ask.state = r.next;
    if (ask.timer) clearTimeout(ask.timer);
    ask.timer = null;
    const { offer } = ask;
    this.byLeg.delete(offer.deviceLegId);
    // only the digit 1 keeps the device: it is bridged below
    if (r.next !== 'accepted' && !ask.gone) this.bank.release(offer.deviceLegId);
    // withdrawn: whoever withdrew the offer has settled the operator and the call already
    if (r.next === 'withdrawn' || !offer.current()) {
      if (r.next === 'accepted') this.bank.release(offer.deviceLegId);
      return;
    }
    if (r.next === 'accepted') {
      offer.call.journal.event('press1-accepted', { operatorId: offer.operatorId });
      ask.log.info('press-1: the device pressed 1; bridging the caller');
      return void this.bridge(ask);
    }
    const why = refusalWhy(event, digit, ask.timeoutSec);
    offer.call.journal.event('press1-refused', { operatorId: offer.operatorId, reason: event, ...(digit !== null ? { digit } : {}), why });
    ask.log.info({ why }, 'press-1: not taken; counted as a missed offer');
    offer.missed(why);
  }

  private async bridge(ask: Ask): Promise<void> {
    const { offer } = ask;
    const r = await this.bank.controls.bridge(offer.call.legId, offer.deviceLegId);
    if (!offer.current()) {
      // the offer was withdrawn while the ACD bridged (the caller left, the maximum wait)
      this.bank.release(offer.deviceLegId);
      return;
    }
    if (!r.ok) {
      ask.log.warn({ status: r.status, reason: r.reason }, 'press-1: the bridge was refused');
      offer.call.journal.event('dial-failed', { operatorId: offer.operatorId, status: r.status, cause: `bridge after 1 refused: ${r.reason}` });
      this.bank.release(offer.deviceLegId);
      return offer.notBridged();
    }
    offer.taken();
    if (offer.call.queue?.recordingPolicy === 'always') void this.recordNow(offer.call, offer.deviceLegId);
  }

  /**
   * A queue that records every call: the press-1 bridge is recorded from its start, on demand; a
   * queue that tells its callers has them hear "now being recorded" as it starts (the dial's own
   * notice, before a bridge, is not asked for on a press-1 dial).
   */
  private async recordNow(call: LiveCall, deviceLegId: string): Promise<void> {
    const notice = call.queue?.recordingNotice ? RECORDING_PROMPT.onDemand : undefined;
    const ans = await this.bank.record(deviceLegId, true, notice);
    if (!ans.ok || !ans.recording) return void call.log.warn({ deviceLegId, ...(ans.ok ? {} : { status: ans.status }) }, 'press-1: recording not started');
    if (call.deviceLegId !== deviceLegId || call.status === 'ended') return;
    call.recording = { fileName: ans.recording, startedAt: this.now() };
    if (ans.told) call.callerTold = true;
  }
}
