import type { MobileStatus } from '../../contracts/socket-events';
import { illegalTransition as illegal, type TransitionResult } from '../../shared/state-machine';

/**
 * The verification call of an operator's own mobile (docs/trunks.md, "Mobile numbers"): the CTI
 * rings the number, the operator answers and types the code shown in the console.
 *
 * ```
 *   idle ──dial──▶ calling ──answered──▶ answered ──code_matched──▶ idle (number verified)
 *                    │                      │
 *                    │ dial_failed          │ code_mismatched, leg_ended, timed_out
 *                    ▼                      │
 *                  failed ◀─────────────────┘
 *                    └──dial──▶ calling (try again)
 * ```
 * - `dial` is refused while `calling` or `answered`: one verification call per operator.
 * - `idle` is also "no check at all": a verified number leaves no check behind.
 */
export type MobileCallState = MobileStatus['call'];
export const MOBILE_CALL_STATES: readonly MobileCallState[] = ['idle', 'calling', 'answered', 'failed'];

export const MobileCallEvent = ['dial', 'answered', 'dial_failed', 'code_matched', 'code_mismatched', 'leg_ended', 'timed_out'] as const;
export type MobileCallEvent = (typeof MobileCallEvent)[number];

export const MOBILE_CALL_TRANSITIONS: Readonly<Record<MobileCallState, Partial<Record<MobileCallEvent, MobileCallState>>>> = {
  idle: { dial: 'calling' },
  calling: { answered: 'answered', dial_failed: 'failed' },
  answered: { code_matched: 'idle', code_mismatched: 'failed', leg_ended: 'failed', timed_out: 'failed' },
  failed: { dial: 'calling' },
};

export function mobileCallTransition(state: MobileCallState, event: MobileCallEvent): TransitionResult<MobileCallState> {
  const next = MOBILE_CALL_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('mobile-verification', state, event) };
}
