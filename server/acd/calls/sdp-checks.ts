import type { SipRequest } from '../sip/message';

/**
 * The two SDP questions signalling asks. Kept apart, by their old names, so the shared SDP
 * module (sdp-transform) can take them over in one place.
 */

/** True when a request carries an SDP body. */
export function isSdp(req: SipRequest): boolean {
  const ct = req.headers.get('Content-Type') ?? '';
  return req.body.length > 0 && ct.toLowerCase().startsWith('application/sdp');
}

/** True when an SDP re-offer differs from the previous one at most in its o= version (a refresh). */
export function sameSession(prev: string | null, next: string): boolean {
  if (prev === null) return false;
  const norm = (sdp: string) =>
    sdp
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => (l.startsWith('o=') ? l.split(/\s+/).filter((_, i) => i !== 2).join(' ') : l.trimEnd()))
      .join('\n');
  return norm(prev) === norm(next);
}
