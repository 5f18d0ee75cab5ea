import { z } from 'zod';
import type { Role } from './agent';
import type { AuthUser } from './auth';

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

/** GET /api/admin/calls — one stored call; times are ms since epoch. */
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
  endedBy: string | null;
  outcome: string | null;
}

/** GET /api/admin/calls/:id/events — the stored timeline, ordered by seq. */
export interface CallEventRow {
  seq: number;
  at: number;
  type: string;
  data: unknown;
}

/** GET /api/health */
export interface HealthInfo {
  status: 'ok' | 'degraded';
  db: 'ok' | 'down';
}

/** A `next` redirect target is only ever a path on this site (no open redirect). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}
