import { illegalTransition as illegal, type TransitionResult } from '../../shared/state-machine';

/**
 * A consultation (attended transfer) on an answered call: the operator puts the caller on hold,
 * rings a second operator and talks to them, then completes (caller bridged to the second
 * operator, the first released), swaps (the caller back, the second operator held — and back),
 * cancels (the second operator released), or makes a three-way conference.
 *
 * ```
 *   dialing ──answered──▶ consulting ◀──swap──▶ swapped
 *      │                   │     └──conference──┐  │
 *      │ failed, cancel    │ complete, cancel,   ▼  │ complete, cancel, conference, target_left
 *      ▼                   │ target_left    conference ── complete, cancel, target_left ──▶ over
 *     over ◀───────────────┘
 * ```
 * `consulting`: the caller is held, the operators talk; `swapped`: the caller and the first
 * operator talk, the second is held; `conference`: all three hear each other (a mixing bridge).
 */
export const ConsultState = ['dialing', 'consulting', 'swapped', 'conference', 'over'] as const;
export type ConsultState = (typeof ConsultState)[number];
export const ConsultEvent = ['answered', 'failed', 'swap', 'complete', 'cancel', 'conference', 'target_left'] as const;
export type ConsultEvent = (typeof ConsultEvent)[number];

export const CONSULT_TRANSITIONS: Readonly<Record<ConsultState, Partial<Record<ConsultEvent, ConsultState>>>> = {
  dialing: { answered: 'consulting', failed: 'over', cancel: 'over' },
  consulting: { swap: 'swapped', complete: 'over', cancel: 'over', conference: 'conference', target_left: 'over' },
  swapped: { swap: 'consulting', complete: 'over', cancel: 'over', conference: 'conference', target_left: 'over' },
  conference: { complete: 'over', cancel: 'over', target_left: 'over' },
  over: {},
};

export function consultTransition(state: ConsultState, event: ConsultEvent): TransitionResult<ConsultState> {
  const next = CONSULT_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('consult', state, event) };
}
