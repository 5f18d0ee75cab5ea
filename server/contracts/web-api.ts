import { z } from 'zod';
import type { Role } from './agent';
import type { AuthUser } from './auth';
import type { CallOutcome, EndedBy, TimelineEvent } from './call';

/**
 * Bodies of the JSON API under /api (server/http/api-router.ts), shared with the pages in
 * app/. Every answer is a `Response<T>` from ./result.
 */

/** POST /api/auth/login */
export const LoginCredentials = z
  .object({
    email: z
      .string({ error: 'enter your e-mail address' })
      .trim()
      .toLowerCase()
      .max(254, 'this e-mail address is too long')
      .pipe(z.email('enter a valid e-mail address')),
    password: z.string({ error: 'enter your password' }).min(1, 'enter your password').max(256, 'this password is too long'),
  })
  .strict();
export type LoginCredentials = z.infer<typeof LoginCredentials>;

export interface LoginResult {
  user: AuthUser;
  /** where this role works: /console for operators, /admin for admins and supervisors */
  home: string;
}

export function homeFor(role: Role): string {
  return role === 'OPERATOR' ? '/console' : '/admin';
}

/** Pages behind sign-in and the roles that may open them (the page gate enforces it). */
export const PAGE_ROLES: ReadonlyArray<{ prefix: string; roles: readonly Role[] }> = [
  { prefix: '/console', roles: ['OPERATOR'] },
  { prefix: '/admin', roles: ['ADMIN', 'SUPERVISOR'] },
];

/** GET /api/public/call-config — what the public caller page needs to place a call. */
export interface CallConfig {
  wsUrl: string;
  domain: string;
  numbers: { e164: string; queue: string }[];
}

/** One stored call as the call page shows it; times are ms since epoch (the history's rows: admin/call-history.ts). */
export interface AdminCallRow {
  id: string;
  dialed: string;
  callerId: string;
  queue: string | null;
  operatorId: string | null;
  operatorName: string | null;
  arrivedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  endedBy: EndedBy | null;
  outcome: CallOutcome | null;
}

/** GET /api/admin/calls/:id — one stored call with its after-call work. */
export interface AdminCallDetail extends AdminCallRow {
  direction: 'inbound' | 'outbound';
  /** the name the caller's phone or the website gave, if any */
  callerName: string | null;
  /** arrival until answered (or, unanswered, until it ended); null while waiting */
  waitMs: number | null;
  /** answered until ended */
  talkMs: number | null;
  callerNumber: string | null;
  notes: string | null;
  disposition: { code: string; label: string } | null;
  wrapUpExtended: boolean;
  wrapUpEndedAt: number | null;
}

/** GET /api/admin/calls/:id/events — the stored timeline, ordered by seq. */
export interface CallEventRow {
  seq: number;
  at: number;
  type: TimelineEvent;
  /** what happened, in plain words with names (server/admin/call-story.ts) */
  words: string;
  data: unknown;
}

/** One readiness check's verdict (docs/operations.md): its name, and plain words when it failed. */
export interface HealthCheckResult {
  /** `database`, `sip_transports`, `rtpengine` (MEDIA_ENGINE=rtpengine), `cti_bank` */
  name: string;
  ok: boolean;
  /** why it failed, in plain words: never an error's own message, an address or a secret */
  reason?: string;
  /** passed, but not whole (several ACD nodes, one down): what is missing, in the same plain words */
  detail?: string;
}

/** GET /api/health/ready and GET /api/health (the same answer; 503 unless every check passed). */
export interface HealthInfo {
  status: 'ok' | 'degraded';
  /** the database check alone, as the first version of /api/health answered it */
  db: 'ok' | 'down';
  checks: HealthCheckResult[];
}

/** GET /api/health/live: the process answers and its event loop is not stuck (503 `stalled`). */
export interface LivenessInfo {
  status: 'ok' | 'stalled';
  /** the longest the event loop was blocked in the last window, ms */
  worstStallMs: number;
}

/** A `next` redirect target is only ever a path on this site (no open redirect). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}
