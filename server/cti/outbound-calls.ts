import { randomBytes } from 'node:crypto';
import { newLiveCall } from './live-call';
import type { Logger } from '../log';
import { dialAllowed } from '../contracts/admin/dialing';
import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { CallView } from '../contracts/socket-events';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { Journal } from './call-journal';
import type { CallLifecycle } from './call-lifecycle';
import { mobileUri } from './mobile-verification';
import type { BankPort } from './ports/bank-port';
import type { CtiStore } from './ports/cti-store';
import type { ViewPublisher } from './views';

export interface OutboundCallsDeps {
  bank: BankPort;
  store: CtiStore;
  book: CallBook;
  roster: AgentRoster;
  journal: Journal;
  views: ViewPublisher;
  calls: CallLifecycle;
  sipDomain: string;
  log: Logger;
  now: () => number;
}

const DEVICE_RING_SEC = 30;
const NUMBER_RING_SEC = 60;

/**
 * An operator's click-to-dial (issue 8 item 6): the number must start with one of the admin's
 * allowed prefixes (cached here, reloaded on a `dial_prefix` change; decided before the bank is
 * asked, so a refused number sends nothing anywhere). The number is dialled first, through a
 * trunk (the existing trunk path: its caller-ID rules present the center's number, and the ACD
 * refuses any number the bank did not ask for); once it answers, the operator's own device is
 * rung bridged to it. That order is the dialect's: the ACD rings a device only to bridge or join
 * an existing leg, while a number through a trunk may be dialled alone (the number-check dial).
 * The console answers its own browser phone for a call it just dialled, so the gap is short.
 *
 * The operator is `reserved` from the click until their device answers, then `talking`: not
 * offered calls. The call is stored with direction `outbound`; its end is the inbound call's
 * (either leg ending releases the other, CallLifecycle).
 */
export class OutboundCalls {
  private prefixes: string[] = [];

  constructor(private readonly d: OutboundCallsDeps) {}

  async reload(): Promise<void> {
    this.prefixes = await this.d.store.dialPrefixes();
    this.d.log.info({ prefixes: this.prefixes.length }, 'allowed dialling prefixes loaded');
  }

  /** Whether the admin's allowed prefixes cover this number (click-to-dial and transfers to a number). */
  allows(e164: string): boolean {
    return dialAllowed(e164, this.prefixes);
  }

  dial(operatorId: string, e164: string): CallView {
    const { roster, book, bank } = this.d;
    const a = roster.require(operatorId);
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', 'Finish the call you are on first.');
    if (!roster.hasDevice(a) || !a.deviceUri) throw new AppError('CONFLICT', 'Choose a device first.');
    if (!dialAllowed(e164, this.prefixes)) {
      this.d.log.warn({ operatorId, number: maskE164(e164) }, 'outbound call refused: not under an allowed prefix');
      const msg = this.prefixes.length === 0 ? 'Outbound calls are not set up; ask an administrator.' : 'Calls to this number are not allowed here.';
      throw new AppError('BAD_REQUEST', msg, { number: msg });
    }
    if (!bank.isReady()) throw new AppError('UNAVAILABLE', 'The phone system is not reachable; try again shortly.');
    const now = this.d.now();
    const id = `call-${randomBytes(8).toString('hex')}`;
    const log = this.d.log.child({ callId: id, operatorId, direction: 'outbound' });
    // legId: the number's leg once it answers (until then the call is found by the device's leg); the caller shown is the number
    const call = newLiveCall({ id, legId: '', dialed: e164, callerName: 'Outbound call', callerUri: `tel:${e164}`, operatorId, arrivedAt: now, log, journal: this.d.journal.call(id, log) });
    book.open(call);
    book.unbindLeg('');
    call.journal.created({ acdLegId: '', dialed: e164, callerId: `tel:${e164}`, callerNumber: e164, queueId: null, arrivedAt: new Date(now), direction: 'outbound' });
    call.journal.event('outbound', { operatorId, number: maskE164(e164) });
    book.move(call, 'offer');
    const wasReady = a.state === 'ready';
    roster.command(a, 'dial', `outbound call ${id}`);
    a.callId = id;
    call.journal.updated({ operatorId, offeredAt: new Date(now) });
    this.d.views.callChanged(call);
    log.info({ number: maskE164(e164) }, 'outbound call: dialling the number through a trunk');
    const dial = bank.dial({ deviceUri: mobileUri(e164, this.d.sipDomain), bridgeTo: null, ringTimeoutSec: NUMBER_RING_SEC });
    call.dial = dial;
    void dial.outcome.then((o) => {
      if (call.dial !== dial) {
        if (o.kind === 'answered') bank.release(o.legId);
        return;
      }
      call.dial = null;
      if (o.kind === 'failed') {
        log.info({ status: o.status, cause: o.cause }, 'outbound call: the number did not answer');
        call.journal.event('dial-failed', { status: o.status, cause: o.cause });
        a.callId = null;
        // back where they were: Ready stays Ready; otherwise Not ready, saying why
        if (wasReady) roster.move(a, 'offer_cancelled', 'outbound: the number did not answer');
        else roster.move(a, 'offer_failed', 'outbound: the number did not answer', { cause: 'operator', label: 'The number you dialled did not answer' });
        this.d.calls.endCall(call, 'system', 'failed');
        return;
      }
      this.numberAnswered(call, o.legId);
    });
    return this.d.views.callView(call);
  }

  /** The number answered: its leg waits while the operator's device is rung and bridged to it. */
  private numberAnswered(call: LiveCall, legId: string): void {
    const { roster, book, bank } = this.d;
    const a = call.operatorId ? roster.get(call.operatorId) : undefined;
    call.legId = legId;
    book.bindLeg(legId, call);
    call.journal.updated({ acdLegId: legId });
    call.journal.event('number-answered', { legId });
    if (!a?.deviceUri || a.callId !== call.id) {
      call.log.warn('outbound call: the operator is gone; releasing the number');
      this.releaseNumber(call, legId);
      return;
    }
    call.log.info({ legId }, 'outbound call: the number answered; ringing the operator’s device');
    // the console shows it like an offer (the number, no queue): the operator's device rings next
    this.d.views.callOffered(a.operatorId, call);
    const dial = bank.dial({ deviceUri: a.deviceUri, bridgeTo: legId, ringTimeoutSec: DEVICE_RING_SEC });
    call.dial = dial;
    void dial.outcome.then((o) => {
      if (call.dial !== dial) {
        if (o.kind === 'answered') bank.release(o.legId);
        return;
      }
      call.dial = null;
      if (o.kind === 'failed') {
        call.log.info({ status: o.status, cause: o.cause }, 'outbound call: the operator’s device did not answer');
        call.journal.event('dial-failed', { operatorId: a.operatorId, status: o.status, cause: o.cause });
        a.callId = null;
        roster.move(a, 'offer_failed', 'outbound: device did not answer', { cause: 'device', label: 'Your phone did not answer the call you dialled' });
        this.releaseNumber(call, legId);
        return;
      }
      const at = this.d.now();
      call.deviceLegId = o.legId;
      call.answeredAt = at;
      book.bindLeg(o.legId, call);
      book.move(call, 'answer');
      roster.move(a, 'answer', `outbound call ${call.id}`);
      call.journal.updated({ answeredAt: new Date(at) });
      call.journal.event('answered', { deviceLegId: o.legId });
      call.log.info({ deviceLegId: o.legId }, 'outbound call: operator and number bridged');
      this.d.views.callChanged(call);
    });
  }

  private releaseNumber(call: LiveCall, legId: string): void {
    this.d.book.unbindLeg(legId);
    const sent = this.d.bank.release(legId);
    call.journal.event('caller-release', { sent });
    this.d.calls.endCall(call, 'system', 'failed');
  }
}
