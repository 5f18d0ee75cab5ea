import { describe, expect, it } from 'vitest';
import { DigestAuthenticator, digestResponse, parseDigest } from './digest';

function credsFor(auth: DigestAuthenticator, user: string, password: string, nonce = extractNonce(auth.challenge())) {
  const response = digestResponse({ username: user, password, realm: auth.realm, method: 'REGISTER', uri: 'sip:d', nonce, qop: 'auth', nc: '00000001', cnonce: 'abc' });
  return parseDigest(`Digest username="${user}", realm="${auth.realm}", nonce="${nonce}", uri="sip:d", response="${response}", qop=auth, nc=00000001, cnonce="abc", algorithm=MD5`)!;
}

function extractNonce(challenge: string): string {
  return /nonce="([^"]+)"/.exec(challenge)![1]!;
}

describe('digest', () => {
  const pw = (u: string) => (u === 'bank-1' ? 'secret-pw' : null);

  it('matches the RFC 2617 example response', () => {
    // RFC 2617 §3.5 (HTTP, but the same computation)
    expect(
      digestResponse({ username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('accepts good credentials and refuses bad ones', () => {
    const auth = new DigestAuthenticator('patchbay.local', 60_000);
    expect(auth.verify(credsFor(auth, 'bank-1', 'secret-pw'), 'REGISTER', pw)).toEqual({ ok: true, username: 'bank-1' });
    expect(auth.verify(credsFor(auth, 'bank-1', 'wrong'), 'REGISTER', pw)).toEqual({ ok: false, reason: 'bad-response' });
    expect(auth.verify(credsFor(auth, 'bank-2', 'x'), 'REGISTER', pw)).toEqual({ ok: false, reason: 'unknown-user' });
    expect(auth.verify(credsFor(auth, 'bank-1', 'secret-pw', '123.forged'), 'REGISTER', pw)).toEqual({ ok: false, reason: 'bad-nonce' });
    // a method other than the one signed fails
    expect(auth.verify(credsFor(auth, 'bank-1', 'secret-pw'), 'INVITE', pw)).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('says stale for an expired nonce, and a new challenge carries stale=true', () => {
    let now = 1_000_000;
    const auth = new DigestAuthenticator('patchbay.local', 60_000, () => now);
    const c = credsFor(auth, 'bank-1', 'secret-pw');
    now += 61_000;
    expect(auth.verify(c, 'REGISTER', pw)).toEqual({ ok: false, reason: 'stale' });
    expect(auth.challenge(true)).toContain('stale=true');
    expect(auth.challenge()).toContain('qop="auth"');
  });

  it('refuses a spent nonce when asked for single use (dial INVITEs)', () => {
    const auth = new DigestAuthenticator('patchbay.local', 60_000);
    const c = credsFor(auth, 'bank-1', 'secret-pw');
    expect(auth.verify(c, 'REGISTER', pw, { singleUse: true }).ok).toBe(true);
    expect(auth.verify(c, 'REGISTER', pw, { singleUse: true })).toEqual({ ok: false, reason: 'stale' });
    // without single use (REGISTER refreshes) the nonce stays good until it expires
    const d = credsFor(auth, 'bank-1', 'secret-pw');
    expect(auth.verify(d, 'REGISTER', pw).ok).toBe(true);
    expect(auth.verify(d, 'REGISTER', pw).ok).toBe(true);
  });

  it('gives two challenges issued in the same millisecond different nonces, each good once for single use', () => {
    const auth = new DigestAuthenticator('patchbay.local', 60_000, () => 1_000_000);
    const a = credsFor(auth, 'bank-1', 'secret-pw');
    const b = credsFor(auth, 'bank-1', 'secret-pw');
    expect(a.nonce).not.toBe(b.nonce);
    expect(auth.verify(a, 'REGISTER', pw, { singleUse: true }).ok).toBe(true);
    expect(auth.verify(b, 'REGISTER', pw, { singleUse: true }).ok).toBe(true);
    // a forged salt or time under the right MAC is refused
    const [t, salt, mac] = a.nonce.split('.');
    expect(auth.verify(credsFor(auth, 'bank-1', 'secret-pw', `${t}.${salt!.replace(/^./, (c) => (c === '0' ? '1' : '0'))}.${mac}`), 'REGISTER', pw)).toEqual({ ok: false, reason: 'bad-nonce' });
    expect(auth.verify(credsFor(auth, 'bank-1', 'secret-pw', `${Number(t) + 1}.${salt}.${mac}`), 'REGISTER', pw)).toEqual({ ok: false, reason: 'bad-nonce' });
  });

  it('parses digest headers and rejects non-digest ones', () => {
    expect(parseDigest('Basic abc')).toBeNull();
    expect(parseDigest('Digest username="a"')).toBeNull();
    const d = parseDigest('Digest username="a\\"b", realm="r", nonce="n", uri="sip:x", response="0f", opaque=""');
    expect(d).toMatchObject({ username: 'a"b', realm: 'r', qop: null, opaque: '' });
  });
});
