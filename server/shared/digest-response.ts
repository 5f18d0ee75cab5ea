import { createHash, randomBytes } from 'node:crypto';

/**
 * The client's half of SIP digest (RFC 2617 MD5, qop=auth) that both sides share: the ACD checks
 * a response with it (server/acd/sip/digest.ts) and the CTI's bank answers a nonce the ACD handed
 * it in advance (`X-PB-Nonce`, docs/sip-control-dialect.md) without waiting for a 407.
 */
export function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** The expected `response` value for given credentials. */
export function digestResponse(p: { username: string; password: string; realm: string; method: string; uri: string; nonce: string; qop?: string | null; nc?: string | null; cnonce?: string | null }): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  if (p.qop === 'auth') return md5(`${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:auth:${ha2}`);
  return md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** A `Proxy-Authorization` / `Authorization` value answering `nonce` once (nc=00000001, a fresh cnonce). */
export function digestAuthorization(p: { username: string; password: string; realm: string; method: string; uri: string; nonce: string }): string {
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = digestResponse({ ...p, qop: 'auth', nc, cnonce });
  return `Digest username="${p.username}", realm="${p.realm}", nonce="${p.nonce}", uri="${p.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}
