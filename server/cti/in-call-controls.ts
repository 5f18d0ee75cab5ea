import type { Logger } from '../log';
import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { CallView, TransferTarget, TransferTargets } from '../contracts/socket-events';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { CallRouter } from './call-router';
import { controlRefusal, type CallControl } from './domain/call-controls';
import type { BankPort } from './ports/bank-port';
import type { ControlResult } from './ports/leg-control-port';
import type { CtiStore, QueueInfo } from './ports/cti-store';
import type { RoutingConfig } from './routing-config';
import type { ViewPublisher } from './views';
import { mobileUri } from './mobile-verification';

const CONSULTING = 'Finish or cancel the consultation first.';
const HANDED_OFF = 'You transferred this call to an outside number, so it is no longer on your line: it cannot be held, transferred or changed from your console.';

export interface InCallControlsDeps {
  bank: BankPort;
  store: CtiStore;
  /** the admin's allowed prefixes for calls to outside numbers (outbound-calls.ts) */
  numberAllowed(e164: string): boolean;
  /** the queues as last read (a transfer to a queue reads the cache, like every arrival) */
  routing: Pick<RoutingConfig, 'queue'>;
  book: CallBook;
  roster: AgentRoster;
  router: CallRouter;
  views: ViewPublisher;
  /** the caller waits again in a queue (its closed hours and maximum wait apply), then is routed */
  requeue(call: LiveCall, q: QueueInfo): void;
  sipDomain: string;
  now: () => number;
  log: Logger;
}

/**
 * The operator's controls on their answered call — hold, resume, mute, keypad, blind transfer —
 * acted through the ACD's in-call requests on the legs it anchors (docs/sip-control-dialect.md,
 * "In-call requests"), so they work whatever the operator's device is: this browser, a mobile
 * through a trunk, or a SIP phone. Every refusal is an AppError in plain words (the console
 * shows it); one request per call at a time, so a second click waits for the first's answer.
 */
export class InCallControls {
  constructor(private readonly d: InCallControlsDeps) {}

  async hold(operatorId: string, callId: string, on: boolean): Promise<CallView> {
    const call = this.ownCall(operatorId, callId, on ? 'hold' : 'resume');
    if (call.consult) throw new AppError('CONFLICT', CONSULTING);
    const r = await this.send(call, () => (on ? this.d.bank.controls.hold(call.legId) : this.d.bank.controls.resume(call.legId)));
    if (!r.ok) throw this.refused(call, r, on ? 'hold' : 'resume');
    if (this.d.book.move(call, on ? 'hold' : 'resume')) {
      call.journal.event(on ? 'held' : 'resumed');
      this.d.views.callChanged(call);
    }
    return this.d.views.callView(call);
  }

  async mute(operatorId: string, callId: string, on: boolean): Promise<CallView> {
    const call = this.ownCall(operatorId, callId, on ? 'mute' : 'unmute');
    const device = call.deviceLegId;
    if (!device) throw new AppError('CONFLICT', 'This call has ended.');
    const r = await this.send(call, () => this.d.bank.controls.mute(device, on));
    if (!r.ok) throw this.refused(call, r, on ? 'mute' : 'unmute');
    call.mic = on ? 'muted' : 'open';
    call.journal.event(on ? 'muted' : 'unmuted');
    this.d.views.callChanged(call);
    return this.d.views.callView(call);
  }

  /** Digits toward the caller's side (to drive a remote menu); never stored (they may be a PIN). */
  async dtmf(operatorId: string, callId: string, digits: string): Promise<CallView> {
    const call = this.ownCall(operatorId, callId, 'dtmf');
    const r = await this.send(call, () => this.d.bank.controls.sendDtmf(call.legId, digits));
    if (!r.ok) throw this.refused(call, r, 'dtmf');
    call.journal.event('dtmf-sent', { count: digits.length });
    return this.d.views.callView(call);
  }

  /** Who the operator may transfer their call to: the Ready operators (with a device) and the queues. */
  async targets(operatorId: string): Promise<TransferTargets> {
    const operators = this.d.roster
      .all()
      .filter((a) => a.operatorId !== operatorId && a.state === 'ready' && this.d.roster.hasDevice(a))
      .map((a) => ({ operatorId: a.operatorId, name: a.name }))
      .sort((x, y) => x.name.localeCompare(y.name));
    const [queues, numbers] = await Promise.all([this.d.store.queues?.() ?? [], this.d.store.hasOutboundTrunk?.() ?? false]);
    return { operators, queues, numbers };
  }

  /**
   * Blind transfer: the first operator's device is released (they go to wrap-up) and the caller
   * — back on their music — is offered to the chosen operator, or waits in the chosen queue. The
   * caller keeps their arrival time, so they are first in line; if the chosen operator does not
   * answer, the caller waits in the queue for the next one.
   */
  async transfer(operatorId: string, callId: string, to: TransferTarget): Promise<CallView> {
    const call = this.ownCall(operatorId, callId, 'transfer');
    if (call.consult) throw new AppError('CONFLICT', CONSULTING);
    let queue: QueueInfo | null = null;
    if (to.kind === 'operator') {
      if (to.operatorId === operatorId) throw new AppError('BAD_REQUEST', 'Choose someone else: this call is already yours.', { to: 'choose someone else' });
      const b = this.d.roster.get(to.operatorId);
      if (!b) throw new AppError('NOT_FOUND', 'That operator is not signed in.', { to: 'not signed in' });
      if (b.state !== 'ready' || !this.d.roster.hasDevice(b)) throw new AppError('CONFLICT', `${b.name} is not Ready to take a call.`, { to: 'not ready' });
      // several ACD nodes: refused here with why, rather than the router quietly queueing the call (call-router.ts reachable())
      const bank = this.d.bank;
      if (bank.reaches && b.deviceUri && !bank.reaches(b.deviceUri, call.legId)) throw new AppError('CONFLICT', `${b.name}'s phone is not reachable from the switch this call is on.`, { to: 'not reachable' });
    } else if (to.kind === 'number') {
      await this.numberCheck(call, to.e164, 'transfer');
    } else {
      queue = this.d.routing.queue(to.queueId);
      if (!queue) throw new AppError('NOT_FOUND', 'That queue does not exist any more.', { to: 'no such queue' });
      if (call.status === 'ended') throw new AppError('CONFLICT', 'This call has ended.');
    }
    const a = this.d.roster.require(operatorId);
    const device = call.deviceLegId;
    if (!device || !this.d.book.move(call, 'transfer')) throw new AppError('CONFLICT', 'This call has ended.');
    // releasing the operator's leg undoes the bridge: the ACD parks the caller with music again
    this.d.book.unbindLeg(device);
    const sent = this.d.bank.release(device);
    call.log.info({ to, deviceLegId: device, sent }, 'blind transfer: operator released, caller waits again');
    call.journal.event('transferred', to.kind === 'operator' ? { toOperatorId: to.operatorId } : to.kind === 'queue' ? { toQueueId: to.queueId } : { number: to.e164 });
    call.journal.event('device-release', { deviceLegId: device, sent });
    call.deviceLegId = null;
    call.mic = 'open';
    call.operatorId = null;
    call.transferTo = to.kind === 'operator' ? to.operatorId : null;
    if (to.kind === 'number') call.handedOffBy = operatorId;
    if (a.callId === call.id) {
      a.callId = null;
      this.d.roster.callEnded(a, call.queue?.wrapUpSec ?? 0, call);
    }
    this.d.views.callChanged(call);
    if (queue) this.d.requeue(call, { ...queue, holdAudio: call.queue?.holdAudio ?? queue.holdAudio });
    else if (to.kind === 'number') this.forward(call, to.e164);
    else this.d.router.route(call);
    return this.d.views.callView(call);
  }

  /**
   * Toll fraud, for a transfer or a consultation to an outside number: only through a configured
   * trunk, and only to the admin's allowed prefixes (the click-to-dial rule, outbound-calls.ts).
   * Decided before the bank is asked, so a refused number sends nothing anywhere.
   */
  async numberCheck(call: LiveCall, e164: string, what: 'transfer' | 'consult'): Promise<void> {
    if (!(await this.d.store.hasOutboundTrunk?.().catch(() => false))) throw new AppError('CONFLICT', 'Calls to outside numbers are not set up here: ask your administrator.', { to: 'no outside line' });
    if (!this.d.numberAllowed(e164)) {
      call.log.warn({ to: 'number', number: maskE164(e164) }, `${what} refused: the number is not under an allowed prefix`);
      throw new AppError('BAD_REQUEST', 'Calls to this number are not allowed here.', { to: 'not an allowed number' });
    }
    if (call.status === 'ended') throw new AppError('CONFLICT', 'This call has ended.');
  }

  /** The ACD dials the number through a trunk bridged to the caller; if it fails, the caller waits in the queue again. */
  private forward(call: LiveCall, number: string): void {
    if (!this.d.book.move(call, 'forward')) return;
    call.forwardedTo = number;
    const dial = this.d.bank.dial({ deviceUri: mobileUri(number, this.d.sipDomain), bridgeTo: call.legId, ringTimeoutSec: call.queue?.ringTimeoutSec ?? 30 });
    call.dial = dial;
    void dial.outcome.then((o) => {
      if (call.dial !== dial || call.status !== 'forwarding') {
        if (o.kind === 'answered') this.d.bank.release(o.legId);
        return;
      }
      call.dial = null;
      if (o.kind === 'answered') {
        call.deviceLegId = o.legId;
        call.answeredAt = this.d.now();
        this.d.book.bindLeg(o.legId, call);
        this.d.book.move(call, 'answer');
        call.journal.event('answered', { number, deviceLegId: o.legId });
      } else {
        call.log.warn({ status: o.status, cause: o.cause }, 'transfer to a number failed; the caller waits in the queue again');
        call.journal.event('dial-failed', { number, status: o.status, cause: o.cause });
        call.forwardedTo = null;
        this.d.book.move(call, 'dial_failed');
        this.d.router.route(call);
      }
      this.d.views.callChanged(call);
    });
  }

  /** The operator's own live call, with the control applicable now — or the reason it is not. */
  ownCall(operatorId: string, callId: string, control: CallControl): LiveCall {
    const call = this.d.book.find(callId);
    if (!call) throw new AppError('NOT_FOUND', 'There is no such call.');
    if (call.status === 'ended' && call.operatorId === operatorId) throw new AppError('CONFLICT', 'This call has ended.');
    // handed to an outside number (as in Amazon Connect or Twilio, the agent leaves an external transfer): by design
    if (call.operatorId !== operatorId && call.forwardedTo && call.handedOffBy === operatorId) throw new AppError('CONFLICT', HANDED_OFF);
    if (call.operatorId !== operatorId) throw new AppError('FORBIDDEN', 'This is not your call.');
    if (call.controlBusy) throw new AppError('CONFLICT', 'Wait a moment: your last request is still being carried out.');
    const why = controlRefusal(call, control);
    if (why) throw new AppError(call.status === 'ended' ? 'CONFLICT' : 'ILLEGAL_TRANSITION', why);
    return call;
  }

  /** One request in flight per call; never left busy, whatever the bank answers. */
  async send(call: LiveCall, request: () => Promise<ControlResult>): Promise<ControlResult> {
    call.controlBusy = true;
    try {
      return await request();
    } finally {
      call.controlBusy = false;
    }
  }

  /** The ACD's refusal in the operator's words (its status and reason stay in the log). */
  refused(call: LiveCall, r: Extract<ControlResult, { ok: false }>, control: CallControl): AppError {
    call.log.warn({ control, status: r.status, reason: r.reason }, 'in-call request refused');
    if (call.status === 'ended' || r.status === 481 || r.status === 0) return new AppError('CONFLICT', 'This call has ended.');
    if (r.status === 409 && /already held/i.test(r.reason)) return new AppError('CONFLICT', 'The call is already on hold.');
    if (r.status === 409 && /not held/i.test(r.reason)) return new AppError('CONFLICT', 'The call is not on hold.');
    return new AppError('UNAVAILABLE', 'The phone system could not do that just now. Try again.');
  }
}
