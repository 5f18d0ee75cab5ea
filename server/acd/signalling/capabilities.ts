import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';

/** Methods the ACD answers (Allow in its INVITEs, 2xx, OPTIONS and 501 answers). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, INFO';
/** Option tags the ACD supports (RFC 4028 session timers). */
export const SUPPORTED = 'timer';

/** The headers of an OPTIONS answer (§11): what the ACD can do. */
export const CAPABILITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['Allow', ALLOW],
  ['Accept', 'application/sdp'],
  ['Supported', SUPPORTED],
];

/** Max-Forwards 0 on a request to forward or answer (§16.3): 483. */
export function tooManyHops(req: SipRequest): boolean {
  const mf = req.headers.get('Max-Forwards');
  return mf !== undefined && Number(mf) === 0;
}

/** Option tags a request may Require: session timers, and Path on a REGISTER (RFC 3327, registrar.ts). */
const REQUIRABLE = new Set([SUPPORTED, 'path']);

/** §8.2.2.3: a request that Requires an extension the ACD lacks gets 420 naming it (CANCEL and ACK never do). */
export function unsupportedRequire(req: SipRequest): SipResponse | null {
  const missing = req.headers
    .getAll('Require')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && !(REQUIRABLE.has(t) && (t !== 'path' || req.method === 'REGISTER')));
  return missing.length ? makeResponse(req, 420, { reason: 'Bad Extension', headers: [['Unsupported', missing.join(', ')]] }) : null;
}

/** True when a message's Allow lists a method. */
export function allows(msg: SipRequest | SipResponse, method: string): boolean {
  return msg.headers.getAll('Allow').some((m) => m.trim().toUpperCase() === method);
}

/** 501 with what the ACD does allow. */
export function notImplemented(req: SipRequest): SipResponse {
  return makeResponse(req, 501, { headers: [['Allow', ALLOW]] });
}
