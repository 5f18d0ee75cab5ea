import { randomBytes, randomFillSync } from 'node:crypto';
import { SipHeaders, type SipRequest, type SipResponse } from './message';
import { formatNameAddr } from './headers';
import { fieldsOf } from './message-fields';

/** Standard reason phrases for the statuses the ACD sends. */
export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  603: 'Decline',
};

export const BRANCH_MAGIC = 'z9hG4bK';

/**
 * Crypto randomness drawn from a pool filled 4 KiB at a time: a call costs several tokens
 * (branches, tags, Call-IDs) and one `randomBytes` per token was ~8% of the ACD's busy CPU
 * at 300 calls/s (bench/acd-sipp.ts). Every byte is still used once.
 */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

export function randomToken(bytes = 8): string {
  if (bytes > pool.length) return randomBytes(bytes).toString('hex');
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const token = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return token;
}

export function newBranch(): string {
  return BRANCH_MAGIC + randomToken(10);
}

/**
 * Builds a response to a request (RFC 3261 §8.2.6): copies Via, From, To, Call-ID, CSeq;
 * adds a To tag when given and the To has none.
 */
export function makeResponse(
  req: SipRequest,
  status: number,
  opts: { reason?: string; toTag?: string; headers?: Array<[string, string]>; body?: string } = {},
): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.getAll('Via')) h.append('Via', v);
  h.append('From', req.headers.get('From') ?? '');
  let to = req.headers.get('To') ?? '';
  if (opts.toTag && status > 100) {
    // the request's parsed To (fields are shared: copy before adding the tag)
    const na = fieldsOf(req).to;
    if (na && !na.params.has('tag')) to = formatNameAddr({ display: na.display, uri: na.uri, params: new Map(na.params).set('tag', opts.toTag) });
  }
  h.append('To', to);
  h.append('Call-ID', req.headers.get('Call-ID') ?? '');
  h.append('CSeq', req.headers.get('CSeq') ?? '');
  for (const [n, v] of opts.headers ?? []) h.append(n, v);
  return { kind: 'response', status, reason: opts.reason ?? REASONS[status] ?? 'Unknown', headers: h, body: opts.body ?? '' };
}
