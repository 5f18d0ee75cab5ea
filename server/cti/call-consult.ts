import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { CallView } from '../contracts/socket-events';
import type { Agent, AgentRoster } from './agent-roster';
import type { CallBook, Consult, LiveCall } from './call-book';
import { consultTransition, type ConsultEvent } from './domain/consult-state';
import type { InCallControls } from './in-call-controls';
import { mobileUri } from './mobile-verification';
import type { BankPort, DialOutcome } from './ports/bank-port';
import type { ControlResult } from './ports/leg-control-port';
import type { ViewPublisher } from './views';

/** Whom a consultation rings. */
export type ConsultTo = { operatorId: string } | { number: string };

export interface CallConsultDeps {
  bank: BankPort;
  sipDomain: string;
  book: CallBook;
  roster: AgentRoster;
  views: ViewPublisher;
  controls: InCallControls;
}

type Step = () => Promise<ControlResult>;

/** Whom the operator is consulting, in the refusals' words. */
const other = (k: Consult): string => k.number ?? 'The other operator';

/**
 * Consultation (attended transfer) and three-way conference, on the ACD's leg requests
 * (docs/sip-control-dialect.md, "Re-bridge" and "Mixing"). Legs: L1 the caller, L2 the first
 * operator's device, L3 the second operator's — or an outside number's leg, dialled through a
 * trunk. L3 is dialled bridged to L2 (they talk while L1 hears music); Complete re-bridges L3 to
 * L1 and releases L2; Swap holds one side and resumes the other; Cancel releases L3; Conference joins the held side
 * into the other's call (a mix: each hears the other two). The state is domain/consult-state.ts.
 */
export class CallConsult {
  constructor(private readonly d: CallConsultDeps) {}

  /**
   * The caller on hold, then the target rung bridged to the operator's device: a Ready operator,
   * or an outside number through a trunk (the toll-fraud rule of transfers applies first).
   */
  async start(operatorId: string, callId: string, to: ConsultTo): Promise<CallView> {
    const { controls, roster, bank, book, views } = this.d;
    const call = controls.ownCall(operatorId, callId, 'transfer');
    if (call.consult) throw new AppError('CONFLICT', 'You are already consulting: complete or cancel that first.');
    let b: Agent | null = null;
    if ('number' in to) await controls.numberCheck(call, to.number, 'consult');
    else {
      if (to.operatorId === operatorId) throw new AppError('BAD_REQUEST', 'Choose someone else: this call is already yours.', { to: 'choose someone else' });
      b = roster.get(to.operatorId) ?? null;
      if (!b) throw new AppError('NOT_FOUND', 'That operator is not signed in.', { to: 'not signed in' });
      if (b.state !== 'ready' || !roster.hasDevice(b) || !b.deviceUri) throw new AppError('CONFLICT', `${b.name} is not Ready to take a call.`, { to: 'not ready' });
      // several ACD nodes: the caller's node must be able to ring their device (a dial there would answer 404)
      if (bank.reaches && !bank.reaches(b.deviceUri, call.legId)) throw new AppError('CONFLICT', `${b.name}'s phone is not reachable from the switch this call is on.`, { to: 'not reachable' });
    }
    const device = call.deviceLegId;
    if (!device) throw new AppError('CONFLICT', 'This call has ended.');
    if (call.status === 'connected') {
      const r = await controls.send(call, () => bank.controls.hold(call.legId));
      if (!r.ok) throw controls.refused(call, r, 'hold');
      book.move(call, 'hold');
      call.journal.event('held');
    }
    // re-check after the wait: the caller may have gone, the target may have taken a call
    if (call.status !== 'held' || (b && (b.state !== 'ready' || !b.deviceUri))) throw new AppError('CONFLICT', call.status === 'ended' || !b ? 'This call has ended.' : `${b.name} is not Ready to take a call.`);
    const number = 'number' in to ? to.number : null;
    if (b) {
      roster.move(b, 'offer', `consultation on call ${call.id}`);
      b.callId = call.id;
    }
    const deviceUri = b ? b.deviceUri! : mobileUri(number!, this.d.sipDomain);
    const dial = bank.dial({ deviceUri, bridgeTo: device, ringTimeoutSec: call.queue?.ringTimeoutSec ?? (b ? 20 : 30) });
    const consult: Consult = { state: 'dialing', operatorId: b?.operatorId ?? null, number, legId: null, dial };
    call.consult = consult;
    call.log.info(b ? { consultOperatorId: b.operatorId } : { number: maskE164(number!) }, 'consultation: caller held, ringing the target');
    call.journal.event('consult', b ? { toOperatorId: b.operatorId } : { number });
    // B's console shows who consults them about which caller, not an ordinary offer
    if (b) views.callOffered(b.operatorId, call, { consultFrom: roster.get(operatorId)?.name ?? 'Another operator' });
    views.callChanged(call);
    void dial.outcome.then((o) => this.dialSettled(call, consult, b, o));
    return views.callView(call);
  }

  /** The caller back and the second operator on hold — or the other way round. */
  swap(operatorId: string, callId: string): Promise<CallView> {
    return this.act(operatorId, callId, 'swap', (call, k, l3) =>
      k.state === 'consulting'
        ? [() => this.d.bank.controls.hold(l3), () => this.d.bank.controls.resume(call.legId)]
        : [() => this.d.bank.controls.hold(call.legId), () => this.d.bank.controls.resume(l3)],
    );
  }

  /** Caller and second operator talk on; the first operator is released into wrap-up. */
  complete(operatorId: string, callId: string): Promise<CallView> {
    return this.act(operatorId, callId, 'complete', (call, k, l3) =>
      k.state === 'consulting' ? [() => this.d.bank.controls.bridge(l3, call.legId)] : k.state === 'swapped' ? [() => this.d.bank.controls.bridge(call.legId, l3)] : [],
    );
  }

  /** All three hear each other. */
  conference(operatorId: string, callId: string): Promise<CallView> {
    const device = (call: LiveCall) => call.deviceLegId ?? '';
    return this.act(operatorId, callId, 'conference', (call, k, l3) =>
      k.state === 'consulting' ? [() => this.d.bank.controls.join(call.legId, device(call), { mode: 'talk' })] : [() => this.d.bank.controls.join(l3, device(call), { mode: 'talk' })],
    );
  }

  /** The second operator is released; the first is back with the caller (taken off hold). */
  async cancel(operatorId: string, callId: string): Promise<CallView> {
    const call = this.d.controls.ownCall(operatorId, callId, 'transfer');
    const k = this.need(call, 'cancel');
    this.endConsult(call, k, 'cancelled');
    if (call.status === 'held') {
      const r = await this.d.controls.send(call, () => this.d.bank.controls.resume(call.legId));
      if (r.ok && this.d.book.move(call, 'resume')) call.journal.event('resumed');
    }
    this.d.views.callChanged(call);
    return this.d.views.callView(call);
  }

  /** The second operator's device ended (they hung up). */
  targetLeft(call: LiveCall): void {
    const k = call.consult;
    if (!k) return;
    k.legId = null;
    this.endConsult(call, k, 'left');
    this.d.views.callChanged(call);
  }

  /** The call is ending (caller or first operator gone): the second operator is released too. */
  abandon(call: LiveCall): void {
    const k = call.consult;
    if (k) this.endConsult(call, k, 'call ended');
  }

  private async act(operatorId: string, callId: string, event: Extract<ConsultEvent, 'swap' | 'complete' | 'conference'>, plan: (call: LiveCall, k: Consult, l3: string) => Step[]): Promise<CallView> {
    const { controls, book, views } = this.d;
    const call = controls.ownCall(operatorId, callId, 'transfer');
    const k = this.need(call, event);
    const l3 = k.legId;
    if (!l3) throw new AppError('CONFLICT', `${other(k)} has not answered yet.`);
    for (const step of plan(call, k, l3)) {
      const r = await controls.send(call, step);
      if (!r.ok) throw controls.refused(call, r, 'transfer');
    }
    if (call.consult !== k) throw new AppError('CONFLICT', `${other(k)} has left the call.`);
    const next = consultTransition(k.state, event);
    if (!next.ok) throw new AppError('ILLEGAL_TRANSITION', 'That is not possible in this consultation.');
    const from = k.state;
    k.state = next.next;
    call.journal.event(event === 'complete' ? 'transferred' : event === 'swap' ? (from === 'consulting' ? 'resumed' : 'held') : 'conference', k.number ? { number: k.number } : { consultOperatorId: k.operatorId });
    if (event === 'swap') book.move(call, from === 'consulting' ? 'resume' : 'hold');
    if (event === 'conference' && call.status === 'held') book.move(call, 'resume');
    if (event === 'complete') this.handOver(call, k, l3);
    views.callChanged(call);
    return views.callView(call);
  }

  /** Complete: the second operator owns the call; the first one's device is released. */
  private handOver(call: LiveCall, k: Consult, l3: string): void {
    const { book, bank, roster } = this.d;
    const first = call.operatorId ? roster.get(call.operatorId) : undefined;
    const l2 = call.deviceLegId;
    if (l2) {
      book.unbindLeg(l2);
      call.journal.event('device-release', { deviceLegId: l2, sent: bank.release(l2) });
    }
    call.consult = null;
    call.deviceLegId = l3;
    call.operatorId = k.operatorId;
    call.mic = 'open';
    if (call.status === 'held') book.move(call, 'resume');
    // to a number the call is nobody's any more, as after a blind transfer to one (the row keeps the operator who handled it)
    if (k.operatorId) call.journal.updated({ operatorId: k.operatorId });
    else {
      call.forwardedTo = k.number;
      call.handedOffBy = first?.operatorId ?? null;
    }
    call.log.info({ operatorId: k.operatorId, deviceLegId: l3 }, 'consultation completed: the caller is with the target');
    if (first && first.callId === call.id) {
      first.callId = null;
      roster.callEnded(first, call.queue?.wrapUpSec ?? 0, call);
    }
  }

  private need(call: LiveCall, event: ConsultEvent): Consult {
    const k = call.consult;
    if (!k) throw new AppError('CONFLICT', 'You are not consulting anyone on this call.');
    if (!consultTransition(k.state, event).ok) throw new AppError('ILLEGAL_TRANSITION', k.state === 'dialing' ? `${other(k)} has not answered yet.` : 'That is not possible in this consultation.');
    return k;
  }

  private dialSettled(call: LiveCall, k: Consult, b: Agent | null, o: DialOutcome): void {
    if (call.consult !== k || k.state !== 'dialing') {
      if (o.kind === 'answered') this.d.bank.release(o.legId);
      return;
    }
    k.dial = null;
    if (o.kind === 'answered') {
      k.legId = o.legId;
      k.state = 'consulting';
      this.d.book.bindLeg(o.legId, call);
      if (b) this.d.roster.move(b, 'answer', `consultation on call ${call.id}`);
      call.journal.event('consult-answered', b ? { operatorId: b.operatorId, legId: o.legId } : { legId: o.legId });
    } else {
      call.log.info({ status: o.status }, 'consultation: the target did not answer');
      this.endConsult(call, k, `no answer (${o.status})`, o.status);
    }
    this.d.views.callChanged(call);
  }

  /** The second operator's part ends: their leg released (or dial withdrawn), they wrap up / stay Ready. */
  private endConsult(call: LiveCall, k: Consult, why: string, dialStatus?: number): void {
    const { bank, book, roster } = this.d;
    const wasDialing = k.state === 'dialing';
    k.state = 'over';
    call.consult = null;
    k.dial?.cancel();
    k.dial = null;
    if (k.legId) {
      book.unbindLeg(k.legId);
      bank.release(k.legId);
      k.legId = null;
    }
    call.journal.event('consult-ended', { why });
    const b = k.operatorId ? roster.get(k.operatorId) : undefined;
    if (!b || b.callId !== call.id) return;
    b.callId = null;
    if (!wasDialing) roster.callEnded(b, 0, call);
    else if (dialStatus === undefined || dialStatus === 487) roster.move(b, 'offer_cancelled', why);
    else roster.move(b, 'offer_failed', why);
  }
}
