import { z } from 'zod';

/**
 * The words of a call, shared by the CTI (which decides them), the database rows it writes and
 * the pages that show them, so a view switches on a closed list instead of matching text.
 * Browser-safe: zod only. The call's state machine is in server/cti/domain/call-state.ts.
 */

/**
 * Where a call is (`CallView.status`): queued ─offer▶ offering ─answer▶ connected, then ended;
 * `announcing`: the caller hears a closed or maximum-wait message before the call ends;
 * `forwarding`: the caller is being forwarded to an external number (overflow);
 * `held`: answered, and the operator put the caller on hold (the caller hears music).
 */
export const CallStatus = z.enum(['queued', 'offering', 'announcing', 'forwarding', 'connected', 'held', 'ended']);
export type CallStatus = z.infer<typeof CallStatus>;

/** Who ended a call (`calls.ended_by`, `CallView.endedBy`). */
export const EndedBy = z.enum(['caller', 'operator', 'system']);
export type EndedBy = z.infer<typeof EndedBy>;

/** How a call ended (`calls.outcome`). */
export const CallOutcome = z.enum([
  'completed', // an operator took it
  'abandoned', // the caller left while waiting
  'timeout', // released after the queue's maximum wait
  'closed', // released outside business hours
  'forwarded', // handed to an external number (overflow) that answered
  'busy', // released on arrival: the queue already had its maximum of callers waiting
  'failed',
]);
export type CallOutcome = z.infer<typeof CallOutcome>;

/**
 * The stored timeline of a call (`call_events.type`), in the order things happened.
 * `caller-hangup` followed by `device-release` is the product's core promise: when the
 * caller hangs up, the CTI (not the ACD) releases the operator's device.
 */
export const TimelineEvent = z.enum([
  'arrived', // the ACD offered the caller's leg to the route point
  'offered', // the CTI picked an operator and asked the ACD to dial their device
  'device-ringing', // the ACD reports the device is ringing
  'answered', // the device answered; the ACD bridged it to the caller
  'caller-hangup', // the ACD reports the caller's leg ended
  'device-hangup', // the ACD reports the device's leg ended
  'device-release', // the CTI released the device's leg
  'caller-release', // the CTI released the caller's leg
  'dial-failed', // the device did not take the call
  'closed', // the number's or queue's schedule said closed on arrival
  'max-wait', // the caller waited the queue's maximum
  'queue-full', // the queue had its maximum of callers waiting on arrival: its overflow action
  'queue-empty', // nobody who could take the call was signed in (queues that overflow then): its overflow action
  'announcement', // the CTI asked the ACD to play a message, then release the caller (then: release) or give the music back (then: music: a waiting caller's place and wait)
  'overflow-queue', // the caller moved to another queue
  'overflow-number', // the CTI asked the ACD to forward the caller to an external number
  'no-answer', // ring-no-answer policy: the operator's misses in a row, Not ready or not, skipped until when
  'offer-cancelled', // ring-all: another operator answered first; this one's dial was cancelled
  'requeued', // nobody took the offer: the call is back at its place in the queue
  'moved', // several CTI nodes: the waiting caller was handed to another node, whose operator was free (from, to, operatorId); its arrival and place kept
  'device-lost', // the operator's device lost its connection mid-call and did not come back in time: the caller waits again, first in line
  'held', // the operator put the caller on hold (music)
  'resumed', // … and took them back
  'muted', // the operator muted their microphone (the caller hears silence)
  'unmuted',
  'dtmf-sent', // the operator sent keypad digits toward the caller (a remote menu)
  'transferred', // the operator handed the caller to another operator or queue
  'consult', // the operator rang a second operator, the caller on hold
  'consult-answered',
  'conference', // caller and both operators hear each other
  'consult-ended', // the second operator's part ended (cancelled, left, no answer)
  'outbound', // an operator dialled a number: the CTI asked the ACD to dial it through a trunk
  'number-answered', // the dialled number answered: the CTI rings the operator's device, bridged to it
  'callback-confirming', // a waiting caller pressed the queue's callback key: their number read back (or one asked for) on the keypad
  'callback-number-keyed', // … they keyed another number: checked (E.164, an allowed prefix)
  'callback-requested', // … the number confirmed: released, their place kept
  'callback-refused', // … no number that can be called back (a bad one twice, no answer): they keep waiting
  'callback-dial', // the callback reached an operator: reserved, the caller's number dialled through a trunk
  'callback-answered', // the caller answered the callback: the operator's device is rung, bridged to them
  'callback-failed', // the callback's tries are used up
  'press1-asked', // the operator's mobile or SIP phone answered and hears "Press 1 to take this call"; the caller keeps the music
  'press1-accepted', // … it pressed 1: the CTI bridges the caller to it
  'press1-refused', // … another key, no key in time, or it hung up: a missed offer (no-answer follows)
  'callback-expired', // the callback was not made within the queue's expiry
  'recovered', // the CTI restarted: it found the call again in the ACD (data.state, data.gapMs since its last event) or not (state: gone)
  'ended', // the call is over
]);
export type TimelineEvent = z.infer<typeof TimelineEvent>;
