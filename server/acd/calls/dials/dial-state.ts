import { lookUpTransition, type TransitionResult } from '../../../shared/state-machine';
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

/** The next dial state, or why the move is refused. Pure; never throws. */
export function dialTransition(state: DialState, event: DialEvent): TransitionResult<DialState> {
  return lookUpTransition('dial', DIAL_TRANSITIONS, state, event);
}

export const isFinal = (s: DialState): boolean => s === 'connected' || s === 'failed';
