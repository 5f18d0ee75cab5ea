import { z } from 'zod';
import { MobileNumber } from './phone';

/**
 * Live monitoring of a call by a supervisor (docs/cti.md, "Monitoring"): the supervisor's own
 * phone joins the call in one of three modes, switched during the call. Browser-safe: the
 * supervision page's buttons and the CTI's socket handlers share these schemas.
 */

/** listen: hears both sides, heard by nobody; whisper: heard by the operator only; barge: all three talk. */
export const MonitorMode = z.enum(['listen', 'whisper', 'barge']);
export type MonitorMode = z.infer<typeof MonitorMode>;

const CallId = z.string({ error: 'choose a call' }).trim().min(1, 'choose a call').max(64);
const OperatorId = z.string({ error: 'choose an operator' }).trim().min(1, 'choose an operator').max(64);

/**
 * supervisor: the phone that rings when they monitor — this page's browser phone (default), a desk
 * phone / softphone (the ack carries its settings), or their own mobile once verified with a call
 * (`monitor:mobile-verify`, the same check as an operator's; the ACD rings it through a trunk).
 */
export const MonitorDeviceRequest = z.discriminatedUnion('kind', [
  // no kind: the browser phone (the first clients sent `{}`)
  z.object({ kind: z.literal('browser').default('browser') }).strict(),
  z.object({ kind: z.literal('sip_phone') }).strict(),
  z.object({ kind: z.literal('mobile'), e164: MobileNumber }).strict(),
]);
export type MonitorDeviceKind = z.output<typeof MonitorDeviceRequest>['kind'];
/** supervisor: store my mobile number and ring it once to verify it (as an operator's) */
export const MonitorMobileVerifyRequest = z.object({ e164: MobileNumber }).strict();
export const MonitorMobileStatusRequest = z.object({}).strict();
/** supervisor: ring my phone and join this call in this mode */
export const MonitorStartRequest = z.object({ callId: CallId, mode: MonitorMode }).strict();
/** supervisor: switch my mode on the call I am monitoring */
export const MonitorModeRequest = z.object({ callId: CallId, mode: MonitorMode }).strict();
/** supervisor: leave the call (my leg only; the call goes on) */
export const MonitorStopRequest = z.object({ callId: CallId }).strict();
/** supervisor: act on an operator (force Not ready, sign out) */
export const SupervisorAgentRequest = z.object({ operatorId: OperatorId }).strict();

/** One supervisor's monitoring of one call, as their page shows it. */
export interface MonitorView {
  callId: string;
  /** ringing: the supervisor's phone rings; connected: in the call; ended: over (see `reason`) */
  state: 'ringing' | 'connected' | 'ended';
  mode: MonitorMode;
  operatorName: string | null;
  /** the phone that rings: the page's browser phone, a desk phone or the supervisor's mobile (the page's words for "ringing") */
  device: MonitorDeviceKind;
  /** why it ended, in plain words (null while it lasts, or when the supervisor left) */
  reason: string | null;
}

/** What each mode means, in the words the supervision page shows. */
export const MONITOR_MODE_WORDS: Record<MonitorMode, string> = {
  listen: 'Listening — nobody hears you',
  whisper: 'Whispering — only the operator hears you',
  barge: 'Barged in — everyone hears you',
};
