import { createHmac, randomBytes } from 'node:crypto';
import { digestResponse } from '../../shared/digest-response';
import { safeEqual } from '../../shared/credentials';
import { quote, unquote } from './headers';

/**
 * Server side of HTTP digest for SIP (RFC 2617 / RFC 3261 §22, MD5, qop=auth).
 *
 * Nonces are stateless: `<issued ms>.<salt>.<hmac>` under a key made at start; the random
 * salt keeps two challenges issued in the same millisecond apart (single-use checks would
 * otherwise refuse the second dial as a replay). A nonce whose MAC
 * is good but whose age passed `nonceTtlMs` yields `stale`, so the client retries with the
 * same password and a fresh nonce (`stale=true` in the new challenge). Checks made with
 * `singleUse` (dial INVITEs) also refuse a nonce seen before, so every dial is challenged
 * afresh and a captured INVITE cannot be replayed.
 */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop: string | null;
  nc: string | null;
  cnonce: string | null;
  algorithm: string | null;
  opaque: string | null;
}

export type DigestCheck =
  | { ok: true; username: string }
  | { ok: false; reason: 'stale' | 'bad-nonce' | 'unknown-user' | 'bad-response' | 'wrong-realm' | 'unsupported' };

export { md5, digestResponse } from '../../shared/digest-response';

/**
 * The `k=v, k="v"…` parameters of a `Digest …` header (Authorization, WWW-Authenticate and their
 * proxy forms), names lower-cased and values unquoted; null when it is not a digest header.
 */
export function parseDigestParams(header: string): Map<string, string> | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const fields = new Map<string, string>();
  const re = /([A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(m[1]!)) !== null) {
    if (match[0] === '') break;
    fields.set(match[1]!.toLowerCase(), unquote(match[2]!));
  }
  return fields;
}

/** Parses the credentials of an Authorization / Proxy-Authorization header; null when not digest. */
export function parseDigest(header: string): DigestCredentials | null {
  const fields = parseDigestParams(header);
  if (!fields) return null;
  const get = (k: string): string | null => fields.get(k) ?? null;
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  if (username === null || realm === null || nonce === null || uri === null || response === null) return null;
  return { username, realm, nonce, uri, response, qop: get('qop'), nc: get('nc'), cnonce: get('cnonce'), algorithm: get('algorithm'), opaque: get('opaque') };
}


export class DigestAuthenticator {
  private readonly key = randomBytes(32);
  /** Nonces already spent by single-use checks, with when they may be forgotten. */
  private readonly spent = new Map<string, number>();

  constructor(
    readonly realm: string,
    private readonly nonceTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  nonce(): string {
    const body = `${this.now()}.${randomBytes(6).toString('hex')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The value of a WWW-Authenticate / Proxy-Authenticate header. */
  challenge(stale = false): string {
    return `Digest realm=${quote(this.realm)}, nonce=${quote(this.nonce())}, algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /**
   * Verifies credentials for a request. `passwordOf` returns the clear password or null
   * for an unknown or expired user.
   */
  verify(creds: DigestCredentials, method: string, passwordOf: (user: string) => string | null, opts: { singleUse?: boolean } = {}): DigestCheck {
    if (creds.algorithm !== null && creds.algorithm.toUpperCase() !== 'MD5') return { ok: false, reason: 'unsupported' };
    if (creds.qop !== null && creds.qop !== 'auth') return { ok: false, reason: 'unsupported' };
    if (creds.realm !== this.realm) return { ok: false, reason: 'wrong-realm' };
    const m = /^(\d+)\.[0-9a-f]{12}$/.exec(creds.nonce.slice(0, Math.max(0, creds.nonce.lastIndexOf('.'))));
    const issued = m?.[1];
    if (!m || !issued || !safeEqual(creds.nonce.slice(m[0].length + 1), this.mac(m[0]))) return { ok: false, reason: 'bad-nonce' };
    const password = passwordOf(creds.username);
    if (password === null) return { ok: false, reason: 'unknown-user' };
    const expected = digestResponse({ ...creds, password, method });
    if (!safeEqual(expected, creds.response.toLowerCase())) return { ok: false, reason: 'bad-response' };
    // checked after the response so that `stale` is only said to someone who knows the password
    if (this.now() - Number(issued) > this.nonceTtlMs) return { ok: false, reason: 'stale' };
    if (opts.singleUse) {
      // a replayed request (same nonce) is sent back for a fresh challenge
      this.forgetOld();
      if (this.spent.has(creds.nonce)) return { ok: false, reason: 'stale' };
      this.spent.set(creds.nonce, Number(issued) + this.nonceTtlMs);
    }
    return { ok: true, username: creds.username };
  }

  /**
   * Spent nonces enter the map in (about) the order they were issued, so the expired ones
   * are at its front: stop at the first live one. Scanning the whole map on every dial made
   * each dial cost O(dials in the last nonceTtlMs) — 90,000 entries at 300 calls/s.
   */
  private forgetOld(): void {
    const now = this.now();
    for (const [nonce, until] of this.spent) {
      if (until >= now) break;
      this.spent.delete(nonce);
    }
  }

  private mac(s: string): string {
    return createHmac('sha256', this.key).update(s).digest('base64url').slice(0, 22);
  }
}
