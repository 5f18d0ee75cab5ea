import { E164 } from '../../shared/sip-control';
import type { SipUri } from '../sip/headers';

/**
 * The E.164 number a Request-URI names, when it names one: `tel:+E164` or
 * `sip:+E164@host;user=phone` (RFC 3261 §19.1.6). `sip:+E164@host` without `user=phone` also
 * counts (the walking skeleton's caller page dials that form). Visual separators are not
 * accepted: a number is + and digits.
 */
export function e164Target(uri: SipUri): string | null {
  const raw = uri.scheme === 'tel' ? (uri.user ?? uri.host) : uri.user;
  if (!raw) return null;
  const r = E164.safeParse(raw);
  return r.success ? r.data : null;
}
