/**
 * A dial's state machine: the bank's INVITE (server side) waiting on the device's INVITE
 * (client side). It ends exactly once, connected (200 to the bank) or failed (one status).
 *
 * ```
 *  preparing ──invite──▶ calling ──provisional (18x)──▶ ringing ─┐ provisional
 *                         ▲   │                            │ ◀──┘
 *                         └───┴──challenge (401/407, re-sent with digest)
 *  calling / ringing ──answer (2xx)──▶ answered ──connect──▶ connected
 *  preparing / calling / ringing / answered ──fail──▶ failed
 * ```
 */
export const DialState = ['preparing', 'calling', 'ringing', 'answered', 'connected', 'failed'] as const;
export type DialState = (typeof DialState)[number];

export const DialEvent = ['invite', 'provisional', 'challenge', 'answer', 'connect', 'fail'] as const;
export type DialEvent = (typeof DialEvent)[number];

/** state → event → next state. Anything absent is illegal. */
export const DIAL_TRANSITIONS: Readonly<Record<DialState, Partial<Record<DialEvent, DialState>>>> = {
  preparing: { invite: 'calling', fail: 'failed' },
  calling: { provisional: 'ringing', challenge: 'calling', answer: 'answered', fail: 'failed' },
  ringing: { provisional: 'ringing', challenge: 'calling', answer: 'answered', fail: 'failed' },
  answered: { connect: 'connected', fail: 'failed' },
  connected: {},
  failed: {},
};

export interface IllegalDialTransition {
  kind: 'illegal-transition';
  machine: 'dial';
  state: DialState;
  event: DialEvent;
  message: string;
}

export type DialTransitionResult = { ok: true; next: DialState } | { ok: false; error: IllegalDialTransition };

/** The next dial state, or why the move is refused. Pure; never throws. */
export function dialTransition(state: DialState, event: DialEvent): DialTransitionResult {
  const next = DIAL_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: { kind: 'illegal-transition', machine: 'dial', state, event, message: `dial: ${event} is not allowed in state ${state}` } };
}

export const isFinal = (s: DialState): boolean => s === 'connected' || s === 'failed';
