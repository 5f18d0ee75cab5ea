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
 *     └──── end ─────────┴──────▶ ended ◀─────┘      hold ▼ ▲ resume
 *     ▲                                ▲──── end ───── held
 *     └──────────── transfer (from connected or held) ──┘
 * ```
 * - `hold` / `resume`: the operator parks the caller with music and takes them back (the
 *   ACD's in-call requests; docs/cti.md "In-call controls"). The operator stays `talking`.
 * - `transfer`: a blind transfer to another operator or queue — the first operator's device is
 *   released and the caller waits again (keeping their arrival time, so first in line). A
 *   transfer to an outside number then `forward`s; if it fails (`dial_failed`) the caller waits again.
 * - `device_lost` (from connected or held): the operator's device lost its connection and did
 *   not come back within the ACD's grace (docs/acd-signalling.md, "Device reconnect"); the
 *   caller waits again, first in its queue.
 * - `dial_failed`: the device did not answer / refused / is gone; the caller stays parked
 *   with music and the call waits in the queue again.
 * - `end` from queued/offering: the caller left (abandoned) or waited too long.
 * - Diversions (closed hours, maximum wait; server/cti/call-diversions.ts) from queued or
 *   offering (an offer in progress is withdrawn first): `announce` → announcing (a message,
 *   then the ACD releases the caller: `end`); `overflow` → queued again in another queue;
 *   `forward` → forwarding (the ACD dials an external number bridged to the caller), which
 *   `answer`s (connected) or ends.
 */
export const CallEvent = ['offer', 'dial_failed', 'answer', 'end', 'announce', 'overflow', 'forward', 'hold', 'resume', 'transfer', 'device_lost'] as const;
export type CallEvent = (typeof CallEvent)[number];

export const CALL_STATES: readonly CallStatus[] = ['queued', 'offering', 'announcing', 'forwarding', 'connected', 'held', 'ended'];

export const CALL_TRANSITIONS: Readonly<Record<CallStatus, Partial<Record<CallEvent, CallStatus>>>> = {
  queued: { offer: 'offering', end: 'ended', announce: 'announcing', overflow: 'queued', forward: 'forwarding' },
  offering: { answer: 'connected', dial_failed: 'queued', end: 'ended', announce: 'announcing', overflow: 'queued', forward: 'forwarding' },
  announcing: { end: 'ended' },
  forwarding: { answer: 'connected', end: 'ended', dial_failed: 'queued' },
  connected: { end: 'ended', hold: 'held', transfer: 'queued', device_lost: 'queued' },
  held: { resume: 'connected', end: 'ended', transfer: 'queued', device_lost: 'queued' },
  ended: {},
};

export function callTransition(state: CallStatus, event: CallEvent): TransitionResult<CallStatus> {
  const next = CALL_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('call', state, event) };
}

/** Answered and not over: the operator's device is bridged to the caller (or the caller is held from it). */
export const isAnswered = (s: CallStatus): boolean => s === 'connected' || s === 'held';
