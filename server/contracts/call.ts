import { z } from 'zod';

/**
 * The words of a call, shared by the CTI (which decides them), the database rows it writes and
 * the pages that show them, so a view switches on a closed list instead of matching text.
 * Browser-safe: zod only. The call's state machine is in server/cti/domain/call-state.ts.
 */

/** Where a call is (`CallView.status`): queued ─offer▶ offering ─answer▶ connected, then ended. */
export const CallStatus = z.enum(['queued', 'offering', 'connected', 'ended']);
export type CallStatus = z.infer<typeof CallStatus>;

/** Who ended a call (`calls.ended_by`, `CallView.endedBy`). */
export const EndedBy = z.enum(['caller', 'operator', 'system']);
export type EndedBy = z.infer<typeof EndedBy>;

/** How a call ended (`calls.outcome`). */
export const CallOutcome = z.enum(['completed', 'abandoned', 'timeout', 'failed']);
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
  'ended', // the call is over
]);
export type TimelineEvent = z.infer<typeof TimelineEvent>;
