import { numberFromUri } from '../../contracts/call-work';
import { E164 } from '../../shared/sip-control';
import type { SipFailure } from './sip-status';

/** What the ACD remembers of an inbound caller who pressed keys: their number, the numbers they keyed, when. */
interface Entry {
  /** the caller's own number (their From), when it is E.164 */
  own: string | null;
  /** runs of digits the caller ended with `#` on the call */
  keyed: Set<string>;
  /** digits since the last `#` */
  run: string;
  /** when the caller's first key was relayed: the window counts from there */
  at: number;
}

/** Keyed numbers kept per caller, and callers kept: bounds on what a caller's keypad can make the ACD hold. */
const MAX_KEYED = 4;
const MAX_RUN = 20;
export const MAX_CALLERS = 20_000;

/**
 * The ACD's own rule for the one call it places to an outside number without an operator's click,
 * the queued callback (docs/sip-control-dialect.md, "Callback dials"): the bank's dial names the
 * inbound caller's leg (`X-PB-Callback-For`), and the ACD — which saw that caller come in and
 * relayed their keys — dials only the caller's own number or a number keyed on that call, within
 * `windowSec` of the caller's first key. A caller who never pressed a key cannot have asked for a
 * callback, so only callers who pressed keys are remembered (bounded: the oldest go first), and
 * the memory outlives the caller's leg (they hang up, then are called back).
 */
export class CallbackLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A key a caller pressed (relayed to the controller): remembered against their leg. */
  pressed(legId: string, callerUri: string, digit: string): void {
    this.prune();
    let e = this.entries.get(legId);
    if (!e) {
      if (this.entries.size >= MAX_CALLERS) this.entries.delete(this.entries.keys().next().value!);
      const own = numberFromUri(callerUri);
      e = { own: own && E164.safeParse(own).success ? own : null, keyed: new Set(), run: '', at: this.now() };
      this.entries.set(legId, e);
    }
    if (digit === '#') {
      if (e.run && e.keyed.size < MAX_KEYED) e.keyed.add(e.run);
      e.run = '';
    } else if (/^\d$/.test(digit)) {
      e.run = (e.run + digit).slice(-MAX_RUN);
    } else {
      e.run = '';
    }
  }

  /** Whether a callback dial for `legId` may go to `e164`; the refusal names the rule it broke. */
  check(legId: string, e164: string | null): { ok: true } | ({ ok: false } & SipFailure) {
    this.prune();
    const e = this.entries.get(legId);
    if (!e) return { ok: false, status: 403, reason: 'No Such Callback Caller' };
    if (this.now() - e.at > this.windowSec * 1000) return { ok: false, status: 403, reason: 'Callback Window Passed' };
    if (!e164 || (e164 !== e.own && !this.keyedOn(e, e164))) return { ok: false, status: 403, reason: 'Not The Caller Number' };
    return { ok: true };
  }

  /**
   * Keyed on the call: a run ended with # whose last digits are the number's (the ACD cannot tell
   * which key was the queue's callback key or a `00` prefix, so it takes the run's tail — still
   * only digits this caller pressed).
   */
  private keyedOn(e: Entry, e164: string): boolean {
    const digits = e164.slice(1);
    for (const run of e.keyed) if (run.endsWith(digits)) return true;
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries are in insertion order, so the expired ones are at the front; kept twice the window, so a late dial is told why. */
  private prune(): void {
    const oldest = this.now() - 2 * this.windowSec * 1000;
    for (const [id, e] of this.entries) {
      if (e.at >= oldest) break;
      this.entries.delete(id);
    }
  }
}
