import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log';
import { AppError, toErrorResponse } from '../contracts/result';
import { isSameOrigin, PayloadTooLarge, sendJson, STATUS } from './http-io';
import { allows, bearerMatches, type Route } from './route-table';
import type { SessionService } from './session-service';

/** Answers a request when one of its routes matches; false when the path is not its own (the next handler's). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Serves a route table: finds the route, enforces the same-origin rule for writes and the
 * route's access (a session's role, or the route's bearer token), then runs it. Every failure
 * is an AppError mapped to a status in one place (http-io.ts); anything else is logged and
 * answered as a bare 500. The web's whole API and a role's probe port (ops-routes.ts) share it,
 * so both enforce access the same way.
 */
export function createRouteHandler(routes: readonly Route[], deps: { sessions: Pick<SessionService, 'resolve'>; logger: Logger; bodyLimit: number }): RouteHandler {
  const log = deps.logger.child({ part: 'web', module: 'http-api' });
  const { sessions, bodyLimit } = deps;

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://internal');
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/') && url.pathname !== '/metrics') return false;
    try {
      const candidates = routes.filter((r) => r.pattern.test(url.pathname));
      if (candidates.length === 0) throw new AppError('NOT_FOUND', 'no such API route');
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const r = candidates.find((c) => c.method === method);
      if (!r) {
        sendJson(res, 405, { ok: false, error: { code: 'BAD_REQUEST', message: 'method not allowed' } }, { allow: candidates.map((c) => c.method).join(', ') });
        return true;
      }
      if (r.method !== 'GET' && !isSameOrigin(req)) throw new AppError('FORBIDDEN', 'cross-origin request refused');
      // A machine's token opens its route without a session (a scraper); a wrong one opens nothing.
      const byToken = bearerMatches(req.headers.authorization, r.bearer);
      // Public GETs need no user: skip the session lookup (one query less per health check).
      const user = byToken || (r.access === 'public' && r.method === 'GET') ? null : await sessions.resolve(req.headers.cookie);
      if (!byToken && !allows(r.access, user?.role ?? null)) {
        throw user ? new AppError('FORBIDDEN', 'your role may not do this') : new AppError('UNAUTHENTICATED', 'sign in first');
      }
      const m = r.pattern.exec(url.pathname);
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        try {
          params[k] = decodeURIComponent(m?.[i + 1] ?? '');
        } catch {
          throw new AppError('BAD_REQUEST', 'malformed path');
        }
      });
      await r.handle({ req, res, url, params, user });
    } catch (err) {
      if (res.headersSent) {
        log.error({ err, path: url.pathname }, 'API error after the answer started');
        res.destroy();
        return true;
      }
      if (err instanceof PayloadTooLarge) {
        sendJson(res, 413, { ok: false, error: { code: 'BAD_REQUEST', message: `the body is larger than ${bodyLimit} bytes` } }, { connection: 'close' });
        return true;
      }
      if (!(err instanceof AppError)) log.error({ err, method: req.method, path: url.pathname }, 'API request failed');
      const body = toErrorResponse(err);
      const status = body.ok ? 500 : STATUS[body.error.code];
      sendJson(res, status, body);
    }
    return true;
  };
}
