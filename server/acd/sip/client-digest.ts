import { randomBytes } from 'node:crypto';
import { digestResponse, parseDigestParams } from './digest';
import { quote } from './headers';

/**
 * Client side of SIP digest (RFC 3261 §22.2, RFC 2617 MD5 with qop=auth): how the ACD answers a
 * carrier's 401/407. One `DigestClient` per trunk keeps the nonce count per nonce so a reused
 * nonce gets nc=00000002, 00000003… as RFC 2617 §3.2.2 requires.
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: string | null;
  /** the qop options offered, lower-cased */
  qop: string[];
  stale: boolean;
}

/** Parses a WWW-Authenticate / Proxy-Authenticate value; null when it is not a usable digest challenge. */
export function parseChallenge(header: string): DigestChallenge | null {
  const fields = parseDigestParams(header);
  if (!fields) return null;
  const realm = fields.get('realm');
  const nonce = fields.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const algorithm = fields.get('algorithm') ?? null;
  if (algorithm !== null && algorithm.toUpperCase() !== 'MD5') return null;
  const qop = (fields.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean);
  if (qop.length > 0 && !qop.includes('auth')) return null;
  return { realm, nonce, opaque: fields.get('opaque') ?? null, algorithm, qop, stale: (fields.get('stale') ?? '').toLowerCase() === 'true' };
}

export interface DigestCredentialsIn {
  username: string;
  password: string;
  /** when set, a challenge for another realm is not answered (a carrier is known by its realm) */
  realm?: string | null;
}

export class DigestClient {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly creds: DigestCredentialsIn,
    private readonly cnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /**
   * The Authorization / Proxy-Authorization value answering `challenge` for a request, or
   * null when this challenge must not be answered (realm not ours, unsupported algorithm).
   */
  authorize(challengeHeader: string, method: string, uri: string): string | null {
    const ch = parseChallenge(challengeHeader);
    if (!ch) return null;
    if (this.creds.realm && this.creds.realm !== ch.realm) return null;
    const useQop = ch.qop.includes('auth');
    const nc = useQop ? this.nextCount(ch.nonce) : null;
    const cnonce = useQop ? this.cnonce() : null;
    const response = digestResponse({ username: this.creds.username, password: this.creds.password, realm: ch.realm, method, uri, nonce: ch.nonce, qop: useQop ? 'auth' : null, nc, cnonce });
    const parts = [
      `username=${quote(this.creds.username)}`,
      `realm=${quote(ch.realm)}`,
      `nonce=${quote(ch.nonce)}`,
      `uri=${quote(uri)}`,
      `response=${quote(response)}`,
      'algorithm=MD5',
    ];
    if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce=${quote(cnonce!)}`);
    if (ch.opaque !== null) parts.push(`opaque=${quote(ch.opaque)}`);
    return `Digest ${parts.join(', ')}`;
  }

  private nextCount(nonce: string): string {
    const n = (this.counts.get(nonce) ?? 0) + 1;
    this.counts.set(nonce, n);
    if (this.counts.size > 64) this.counts.delete(this.counts.keys().next().value!);
    return n.toString(16).padStart(8, '0');
  }
}
