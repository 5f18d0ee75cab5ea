import { E164Number } from '../contracts/admin/paging';
import { numberFromUri } from '../contracts/call-work';
import { maskE164 } from '../contracts/phone';
import type { LiveCall } from './call-book';
import { keyEvent, PAUSE_SEC, startConfirm, step, type ConfirmFlow, type ConfirmStep } from './domain/callback-confirm';
import type { BankPort } from './ports/bank-port';

export interface CallbackConfirmationsDeps {
  bank: Pick<BankPort, 'announce'>;
  /** the waiting announcements pause while the caller is on the keypad, and resume after */
  announcer: { cancel(call: LiveCall): void; resume(call: LiveCall): void };
  /** the admin's allowed dialling prefixes (the toll-fraud rule of every call the CTI places) */
  numberAllowed(e164: string): boolean;
  /** the caller confirmed this number: released, called back from their place */
  confirmed(call: LiveCall, number: string): void;
}

interface Confirming {
  flow: ConfirmFlow;
  timer: NodeJS.Timeout | null;
}

/**
 * The keypad dialogue after a waiting caller pressed the callback key (the pure machine is
 * domain/callback-confirm.ts): the CTI plays each prompt as an announcement with `then: music`,
 * feeds the caller's keys (the ACD's DTMF INFOs) and the state's pause timer to the machine, checks
 * a keyed number against E.164 and the allowed prefixes, and on the outcome either has the caller
 * released and called back, or leaves them waiting at their place. The call stays `queued`
 * meanwhile: an operator who frees up takes it at once (the bridge stops the prompt), and the
 * dialogue is dropped — at the next key or the state's timer, whichever comes first, so a call that
 * ended is held here at most one pause (25 s).
 */
export class CallbackConfirmations {
  private readonly open = new Map<LiveCall, Confirming>();

  constructor(private readonly d: CallbackConfirmationsDeps) {}

  /** Whether this call's caller is on the keypad (their keys belong to the dialogue). */
  has(call: LiveCall): boolean {
    return this.open.has(call);
  }

  /** The caller pressed the callback key: their number read back, or a number asked for. */
  start(call: LiveCall): void {
    const own = numberFromUri(call.callerUri);
    const callable = own && E164Number.safeParse(own).success && this.d.numberAllowed(own) ? own : null;
    call.log.info({ own: callable ? maskE164(callable) : null }, 'callback asked; confirming the number on the keypad');
    call.journal.event('callback-confirming', { number: callable ? maskE164(callable) : null });
    this.d.announcer.cancel(call);
    this.open.set(call, { flow: { state: 'idle', own: callable, typed: '' }, timer: null });
    this.apply(call, startConfirm(callable));
  }

  /** A key pressed during the dialogue. */
  key(call: LiveCall, digit: string): void {
    const c = this.open.get(call);
    const ev = keyEvent(digit);
    if (!c || !ev) return;
    this.apply(call, step(c.flow, ev, digit));
  }

  /** The call left the queue (offered, ended): the dialogue is over; a call back in the queue later hears its announcements again. */
  drop(call: LiveCall): void {
    if (!this.end(call)) return;
    this.d.announcer.resume(call);
  }

  private end(call: LiveCall): boolean {
    const c = this.open.get(call);
    if (c?.timer) clearTimeout(c.timer);
    return this.open.delete(call);
  }

  stop(): void {
    for (const call of [...this.open.keys()]) this.end(call);
  }

  private apply(call: LiveCall, s: ConfirmStep): void {
    const c = this.open.get(call);
    if (!c) return;
    if (s.flow === c.flow) return; // a key or timer that means nothing in this state (the machine changed nothing)
    c.flow = s.flow;
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    if (s.say) {
      const clips = s.say;
      call.journal.event('announcement', { then: 'music', clips });
      void this.d.bank.announce(call.legId, clips, 'music').then((status) => {
        if (status >= 300) call.log.debug({ status, clips }, 'the ACD did not play the callback prompt');
      });
    }
    if (s.check) return this.check(call, s.check.number);
    if (s.done?.kind === 'confirmed') {
      this.end(call);
      return this.d.confirmed(call, s.done.number);
    }
    if (s.done?.kind === 'kept-waiting') {
      call.log.warn({ reason: s.done.reason }, 'no callback number confirmed; the caller keeps waiting');
      call.journal.event('callback-refused', { reason: s.done.reason });
      return this.drop(call);
    }
    const sec = PAUSE_SEC[s.flow.state];
    if (sec === undefined) return;
    c.timer = setTimeout(() => {
      const now = this.open.get(call);
      if (!now || now.flow.state !== s.flow.state) return;
      now.timer = null;
      if (call.status !== 'queued') return this.drop(call);
      this.apply(call, step(now.flow, 'pause'));
    }, sec * 1000);
    c.timer.unref();
  }

  /** A keyed number: E.164 and under the allowed prefixes, or refused with the reason. */
  private check(call: LiveCall, number: string | null): void {
    const c = this.open.get(call)!;
    const reason = !number ? 'not an international number' : !this.d.numberAllowed(number) ? 'not under an allowed dialling prefix' : null;
    call.journal.event('callback-number-keyed', { number: number ? maskE164(number) : null, ok: reason === null, ...(reason ? { reason } : {}) });
    this.apply(call, reason ? step(c.flow, 'invalid', undefined, reason) : step(c.flow, 'valid'));
  }
}
