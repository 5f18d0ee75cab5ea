import { E164Number } from '../../contracts/admin/paging';
import { lookUpTransition, type TransitionResult } from '../../shared/state-machine';
import { numberClip } from '../../shared/wait-prompts';

/**
 * The caller confirms the callback number on the keypad (docs/cti.md, "Queued callback"). After
 * the queue's callback key the caller hears their own number read back — "We will call you back
 * on 4 4 7 7 0 0 …. To confirm, press one. To use another number, enter it with the country code,
 * then press the hash key." — or, when their own number cannot be called back, only the second
 * half. A number keyed is checked (E.164, under the allowed dialling prefixes); a bad one is
 * refused with a spoken message and one retry, then the caller keeps waiting at their place.
 *
 * ```
 *  idle ─offer-own─▶ confirming ─one─▶ one-pressed ─pause|hash─▶ confirmed (own number)
 *    │                  │ digit            │ one|digit
 *    │ ask-number       ▼                  ▼
 *    └────────────▶ entering ◀─────────────┘        (one|digit: the digit is kept)
 *                      │ hash
 *                      ▼
 *                   checking ─valid─▶ confirmed (keyed number)
 *                      │ invalid
 *                      ▼
 *                  re-entering ─hash─▶ re-checking ─valid─▶ confirmed
 *                                          │ invalid
 *                                          ▼
 *                                     kept-waiting
 * ```
 * `pause` is the state's own timer: in `one-pressed` the short pause after a lone 1 (a number
 * may start with 1, e.g. the US's country code, so 1 confirms only when nothing follows it, or with
 * #); elsewhere no answer in time → `kept-waiting`. Keys other than digits and # mean nothing here.
 */
export const CONFIRM_STATES = ['idle', 'confirming', 'one-pressed', 'entering', 'checking', 're-entering', 're-checking', 'confirmed', 'kept-waiting'] as const;
export type ConfirmState = (typeof CONFIRM_STATES)[number];

export const CONFIRM_EVENTS = ['offer-own', 'ask-number', 'one', 'digit', 'hash', 'pause', 'valid', 'invalid'] as const;
export type ConfirmEvent = (typeof CONFIRM_EVENTS)[number];

export const CONFIRM_TRANSITIONS: Readonly<Record<ConfirmState, Readonly<Partial<Record<ConfirmEvent, ConfirmState>>>>> = {
  idle: { 'offer-own': 'confirming', 'ask-number': 'entering' },
  confirming: { one: 'one-pressed', digit: 'entering', pause: 'kept-waiting' },
  'one-pressed': { pause: 'confirmed', hash: 'confirmed', one: 'entering', digit: 'entering' },
  entering: { one: 'entering', digit: 'entering', hash: 'checking', pause: 'kept-waiting' },
  checking: { valid: 'confirmed', invalid: 're-entering' },
  're-entering': { one: 're-entering', digit: 're-entering', hash: 're-checking', pause: 'kept-waiting' },
  're-checking': { valid: 'confirmed', invalid: 'kept-waiting' },
  confirmed: {},
  'kept-waiting': {},
};

export function confirmTransition(state: ConfirmState, event: ConfirmEvent): TransitionResult<ConfirmState> {
  return lookUpTransition('callback-confirm', CONFIRM_TRANSITIONS, state, event);
}

/** Seconds each waiting state gives the caller before its `pause` fires. */
export const PAUSE_SEC: Readonly<Partial<Record<ConfirmState, number>>> = {
  // the number read back and the question take about 10 s
  confirming: 25,
  'one-pressed': 3,
  entering: 20,
  're-entering': 20,
};

/** The longest number a caller may key (00 and 15 digits). */
const MAX_KEYED = 17;

/** A confirmation in progress: the machine's state, the caller's own number (when it can be called back), the digits keyed. */
export interface ConfirmFlow {
  state: ConfirmState;
  own: string | null;
  typed: string;
}

/** What the shell does after a step: the clips to play (then the music), and the number or the refusal once decided. */
export interface ConfirmStep {
  flow: ConfirmFlow;
  say: string[] | null;
  /** checking: the keyed number (E.164) or null when it is not one; the shell answers valid/invalid */
  check?: { number: string | null };
  done?: { kind: 'confirmed'; number: string } | { kind: 'kept-waiting'; reason: string };
}

/**
 * The number a caller keyed: the country code and the number, digits only (a keypad has no `+`);
 * a leading international prefix `00` is dropped. Null unless it is E.164 (+ and 7 to 15 digits).
 */
export function keyedNumber(digits: string): string | null {
  if (!/^\d+$/.test(digits)) return null;
  const e164 = `+${digits.startsWith('00') ? digits.slice(2) : digits}`;
  return E164Number.safeParse(e164).success ? e164 : null;
}

/** The digits of a number read one by one ("four four seven …"). */
export function spokenNumber(e164: string): string[] {
  return [...e164.replace(/^\+/, '')].map((d) => numberClip(Number(d)));
}

/** The caller pressed the callback key: the first prompt. */
export function startConfirm(own: string | null): ConfirmStep {
  const flow: ConfirmFlow = { state: 'idle', own, typed: '' };
  return own ? step(flow, 'offer-own') : step(flow, 'ask-number');
}

/** The event a key is (null: the key means nothing in a confirmation). */
export function keyEvent(digit: string): ConfirmEvent | null {
  if (digit === '1') return 'one';
  if (digit === '#') return 'hash';
  return /^[02-9]$/.test(digit) ? 'digit' : null;
}

/**
 * One step: the table decides the state, this adds the digits kept and what is said. An event the
 * table does not allow changes nothing (null say); `digit` says which key it was.
 */
export function step(flow: ConfirmFlow, event: ConfirmEvent, digit?: string, reason?: string): ConfirmStep {
  const r = confirmTransition(flow.state, event);
  if (!r.ok) return { flow, say: null };
  const next = r.next;
  let typed = flow.typed;
  if (event === 'one' || event === 'digit') {
    // from one-pressed the 1 was the start of a number: keep it
    typed = (flow.state === 'one-pressed' ? '1' : flow.state === 'confirming' ? '' : typed) + (digit ?? (event === 'one' ? '1' : ''));
    typed = typed.slice(0, MAX_KEYED + 1);
  }
  if (next === 're-entering' && flow.state === 'checking') typed = '';
  const out: ConfirmFlow = { ...flow, state: next, typed };
  switch (next) {
    case 'confirming':
      return { flow: out, say: ['say-callback-number', ...spokenNumber(flow.own!), 'say-callback-confirm'] };
    case 'entering':
      return { flow: out, say: flow.state === 'idle' ? ['say-callback-enter'] : null };
    case 'checking':
    case 're-checking':
      return { flow: out, say: null, check: { number: typed.length <= MAX_KEYED ? keyedNumber(typed) : null } };
    case 're-entering':
      return { flow: out, say: event === 'invalid' ? ['say-callback-bad', 'say-callback-enter'] : null };
    case 'confirmed': {
      const number = event === 'valid' ? keyedNumber(typed)! : flow.own!;
      return { flow: out, say: null, done: { kind: 'confirmed', number } };
    }
    case 'kept-waiting': {
      const why = event === 'pause' ? 'no answer on the keypad' : (reason ?? 'not a number that can be called back');
      return { flow: out, say: event === 'invalid' ? ['say-callback-bad', 'say-callback-kept'] : ['say-callback-kept'], done: { kind: 'kept-waiting', reason: why } };
    }
    default:
      return { flow: out, say: null };
  }
}
