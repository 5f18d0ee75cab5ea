import type { CallStatus } from '../../contracts/socket-events';
import { illegal, type TransitionResult } from './agent-state';

/**
 * A call as a business object (the CTI's view; the ACD holds the legs).
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

/**
 * The stored timeline of a call (`call_events.type`), in the order things happened.
 * `caller-hangup` followed by `device-release` is the product's core promise: when the
 * caller hangs up, the CTI (not the ACD) releases the operator's device.
 */
export const TimelineEvent = [
  'arrived', // the ACD offered the caller's leg to the route point
  'offered', // the CTI picked an operator and asked the ACD to dial their device
  'device-ringing', // the ACD reports the device is ringing
  'answered', // the device answered; the ACD bridged it to the caller
  'caller-hangup', // the ACD reports the caller's leg ended
  'device-hangup', // the ACD reports the device's leg ended
  'device-release', // the CTI released the device's leg
  'caller-release', // the CTI released the caller's leg
  'dial-failed', // the device did not take the call
  'ended', // the call is over
] as const;
export type TimelineEvent = (typeof TimelineEvent)[number];

/** Who ended a call (`calls.ended_by`). */
export type EndedBy = 'caller' | 'operator' | 'system';

/** How a call ended (`calls.outcome`). */
export const CallOutcome = ['completed', 'abandoned', 'timeout', 'failed'] as const;
export type CallOutcome = (typeof CallOutcome)[number];
