import type { CallStatus } from '../../contracts/call';
import { illegalTransition as illegal, type TransitionResult } from '../../shared/state-machine';

/**
 * A call as a business object (the CTI's view; the ACD holds the legs). Its words (status,
 * ended by, outcome, timeline events) are shared with the pages: server/contracts/call.ts.
 *
 * ```
 *            offer               answer
 *   queued ─────────▶ offering ─────────▶ connected
 *     │  ▲               │                    │
 *     │  └─dial_failed───┘                    │
 *     │                  │ end                │ end
 *     └──── end ─────────┴──────▶ ended ◀─────┘
 * ```
 * - `dial_failed`: the device did not answer / refused / is gone; the caller stays parked
 *   with music and the call waits in the queue again.
 * - `end` from queued/offering: the caller left (abandoned) or waited too long.
 */
export const CallEvent = ['offer', 'dial_failed', 'answer', 'end'] as const;
export type CallEvent = (typeof CallEvent)[number];

export const CALL_STATES: readonly CallStatus[] = ['queued', 'offering', 'connected', 'ended'];

export const CALL_TRANSITIONS: Readonly<Record<CallStatus, Partial<Record<CallEvent, CallStatus>>>> = {
  queued: { offer: 'offering', end: 'ended' },
  offering: { answer: 'connected', dial_failed: 'queued', end: 'ended' },
  connected: { end: 'ended' },
  ended: {},
};

export function callTransition(state: CallStatus, event: CallEvent): TransitionResult<CallStatus> {
  const next = CALL_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('call', state, event) };
}
