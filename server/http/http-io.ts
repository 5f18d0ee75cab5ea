import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, type ErrorCode, type Response } from '../contracts/result';

/** HTTP status of each error code: the one mapping of the HTTP edge. */
export const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  ILLEGAL_TRANSITION: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function sendJson<T>(res: ServerResponse, status: number, body: Response<T>, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Thrown when a body exceeds the cap; mapped to 413. */
export class PayloadTooLarge extends Error {
  override name = 'PayloadTooLarge';
}

/**
 * Reads a JSON body of at most `limit` bytes. Stops reading (and answers 413 upstream) as soon
 * as the limit is passed, so a huge body costs us no more than `limit` bytes of memory.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLarge();
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError('BAD_REQUEST', 'expected a JSON body (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not valid JSON');
  }
}

/**
 * CSRF defence for state-changing requests: a browser always sends Origin on cross-origin
 * POSTs, so an Origin that is present must name this very host. Requests without Origin
 * (curl, server-to-server) carry no victim's cookies by accident and are let through; the
 * SameSite=Lax cookie is the second line. `Sec-Fetch-Site: cross-site` is refused too.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false; // includes the literal "null" origin of sandboxed frames
  }
}

/** The peer's address; the edge is not behind a proxy in the embedded setup (see docs/web.md). */
export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
