import { z } from 'zod';
import type { CallOutcome, EndedBy } from './call';

/**
 * The operator's words around a call: after-call work (notes, disposition), why they are not
 * ready, who the caller is (their number, their previous calls) and the screen-pop address.
 * Browser-safe (zod only): the CTI, the console and the admin pages share it.
 */

/** An admin-list code as the socket carries it (`codes.code`, see server/contracts/admin/codes.ts). */
export const CodeSlug = z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'not a code from the list');

/** One entry of the admin's not-ready or disposition list, as the console shows it. */
export interface CodeOption {
  code: string;
  label: string;
}

/** The active lists the console offers (`agent:codes`). */
export interface ConsoleCodes {
  notReady: CodeOption[];
  disposition: CodeOption[];
}

/**
 * Why an operator is not ready (`AgentView.notReady`): `operator` (they chose it, with a reason
 * from the admin's list), `missed` (an offer rang out unanswered), `device` (their phone could not
 * be reached), `signed_in` (a fresh sign-in starts Not ready), `supervisor` (a supervisor set it).
 */
export const NotReadyCause = z.enum(['operator', 'missed', 'device', 'signed_in', 'supervisor']);
export type NotReadyCause = z.infer<typeof NotReadyCause>;
export interface NotReadyReason {
  cause: NotReadyCause;
  /** the admin's code when the operator chose one */
  code: string | null;
  /** in plain words, for the operator's screen */
  label: string;
}

/** The wrap-up in progress (`AgentView.wrapUp`): which call, until when, and whether it was extended. */
export interface WrapUpView {
  callId: string;
  /** ms since epoch */
  endsAt: number;
  /** a wrap-up may be extended once, by the queue's wrap-up time */
  extended: boolean;
  extendSec: number;
}

export const NOTES_MAX = 2000;
/** `call:notes`: the operator's notes and disposition for a call they handled (during or after it). */
export const CallNotesRequest = z
  .object({
    callId: z.string().regex(/^call-[0-9a-f]{16}$/, 'not a call id'),
    notes: z.string().max(NOTES_MAX, `at most ${NOTES_MAX} characters`),
    disposition: CodeSlug.nullable(),
  })
  .strict();
export type CallNotesRequest = z.infer<typeof CallNotesRequest>;
export interface CallWork {
  callId: string;
  notes: string;
  disposition: CodeOption | null;
}

/** `call:history`: the offered caller's previous calls. */
export const CallHistoryRequest = z.object({ callId: z.string().regex(/^call-[0-9a-f]{16}$/, 'not a call id') }).strict();
export interface PastCall {
  callId: string;
  /** ms since epoch */
  arrivedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  outcome: CallOutcome | null;
  endedBy: EndedBy | null;
  queue: string | null;
  operatorName: string | null;
  disposition: CodeOption | null;
  notes: string | null;
}
export interface CallerHistory {
  /** the caller's number (E.164 or the digits their address carried), null for a web caller */
  number: string | null;
  /** newest first, at most HISTORY_LIMIT, without the current call */
  calls: PastCall[];
}
export const HISTORY_LIMIT = 10;

/**
 * The caller's number when their SIP address carries one (`sip:+15550100@…`, `tel:+1…`);
 * null for a web caller, whose address is a throw-away name, not a number.
 */
export function numberFromUri(uri: string | null | undefined): string | null {
  const user = /^(?:sips?|tel):([^@;>]+)/.exec(uri ?? '')?.[1];
  if (!user) return null;
  const digits = user.replace(/[-.()\s]/g, '');
  return /^\+?\d{3,15}$/.test(digits) ? digits : null;
}

/**
 * Screen pop: an admin-set address template (per queue) opened in a new tab when the operator
 * answers. `{number}` and `{callId}` are replaced (URL-encoded); only http(s) addresses.
 */
const SAMPLE = { number: '+15550100', callId: 'call-0123456789abcdef' };
export function expandScreenPop(template: string, v: { number: string | null; callId: string }): string {
  return template.replaceAll('{number}', encodeURIComponent(v.number ?? '')).replaceAll('{callId}', encodeURIComponent(v.callId));
}
export const ScreenPopUrl = z
  .string()
  .trim()
  .max(500, 'at most 500 characters')
  .refine((t) => {
    try {
      const u = new URL(expandScreenPop(t, SAMPLE));
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'an address starting with https:// (or http://), e.g. https://crm.example.com/find?phone={number}');
