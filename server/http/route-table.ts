import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Role } from '../contracts/agent';
import type { AuthUser } from '../contracts/auth';
import { AppError, fieldErrors } from '../contracts/result';
import { readJsonBody, sendJson } from './http-io';

/**
 * The API's route table: each route is a method, a path with `:params`, who may call it, and
 * a handler that parses its input with zod and calls a service. The router (api-router.ts)
 * enforces access and the same-origin rule before any handler runs, and the authorisation
 * matrix test is generated from this table, so a route cannot be added without being checked.
 */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Who may call a route: anyone, any signed-in user, or the listed roles. */
export type Access = 'public' | 'signed-in' | readonly Role[];

export const STAFF: readonly Role[] = ['ADMIN', 'SUPERVISOR'];
export const ADMIN_ONLY: readonly Role[] = ['ADMIN'];

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  user: AuthUser | null;
}

export interface Route {
  method: Method;
  /** as written, e.g. /api/admin/people/:id */
  path: string;
  pattern: RegExp;
  keys: string[];
  access: Access;
  /**
   * A token that also opens the route without a session (`Authorization: Bearer <token>`): a
   * machine's access, such as Prometheus scraping /metrics. null or absent: sessions only.
   */
  bearer?: string | null;
  handle(ctx: Ctx): Promise<void>;
}

export function route(method: Method, path: string, access: Access, handle: Route['handle'], opts: { bearer?: string | null } = {}): Route {
  const keys: string[] = [];
  const src = path.replace(/:([a-zA-Z0-9]+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return { method, path, pattern: new RegExp(`^${src}$`), keys, access, handle, ...(opts.bearer ? { bearer: opts.bearer } : {}) };
}

/** Does the request's `Authorization: Bearer …` carry the route's token? Compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string | null | undefined): boolean {
  if (!token || !authorization?.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** May `role` (null: anonymous) call a route with this access? The router and the matrix test share it. */
export function allows(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  return access === 'signed-in' || access.includes(role);
}

export function ok<T>(res: ServerResponse, data: T, status = 200, headers: Record<string, string | string[]> = {}): void {
  sendJson(res, status, { ok: true, data }, headers);
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, message: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('BAD_REQUEST', message, fieldErrors(r.error));
  return r.data;
}

/** The JSON body, parsed by `schema`; field messages on failure. */
export async function body<S extends z.ZodType>(ctx: Ctx, schema: S, limit: number): Promise<z.infer<S>> {
  return parsed(schema, await readJsonBody(ctx.req, limit), 'check the highlighted fields');
}

export function query<S extends z.ZodType>(ctx: Ctx, schema: S): z.infer<S> {
  return parsed(schema, Object.fromEntries(ctx.url.searchParams), 'bad query');
}

export function param<S extends z.ZodType>(ctx: Ctx, name: string, schema: S): z.infer<S> {
  return parsed(schema, ctx.params[name], `not a valid ${name}`);
}

/** The signed-in user of a route whose access already guarantees one. */
export function actorOf(ctx: Ctx): { id: string; name: string } {
  if (!ctx.user) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return { id: ctx.user.id, name: ctx.user.name };
}
