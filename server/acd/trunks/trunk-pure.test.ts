import { describe, expect, it } from 'vitest';
import { DigestClient, parseChallenge } from '../sip/client-digest';
import { DigestAuthenticator, parseDigest } from '../sip/digest';
import { parseNameAddr, parseUri } from '../sip/headers';
import { outboundIdentity } from './caller-id';
import { e164Target } from './tel-target';
import { sourceMatcher, TrunkConfig } from './trunk-config';
import { decryptTrunkPassword, encryptTrunkPassword } from './trunk-secret';

const base: TrunkConfig = {
  id: 't', name: 'c1', host: 'sip.carrier.test', port: 5060, transport: 'tcp', username: 'u', password: 'p', realm: null,
  register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
  callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
};

describe('client digest', () => {
  it('answers our own server’s challenge (MD5, qop=auth) and counts nc per nonce', () => {
    const server = new DigestAuthenticator('carrier.test', 60_000);
    const client = new DigestClient({ username: 'acct', password: 'pw' });
    const ch = server.challenge();
    const a1 = parseDigest(client.authorize(ch, 'INVITE', 'sip:+447700900123@carrier.test')!)!;
    expect(a1.nc).toBe('00000001');
    expect(server.verify(a1, 'INVITE', (u) => (u === 'acct' ? 'pw' : null))).toEqual({ ok: true, username: 'acct' });
    const a2 = parseDigest(client.authorize(ch, 'INVITE', 'sip:x@carrier.test')!)!;
    expect(a2.nc).toBe('00000002');
    expect(a2.cnonce).not.toBe(a1.cnonce);
    // wrong password fails on the server
    const bad = parseDigest(new DigestClient({ username: 'acct', password: 'nope' }).authorize(ch, 'INVITE', 'sip:x@carrier.test')!)!;
    expect(server.verify(bad, 'INVITE', () => 'pw')).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('refuses other realms, other algorithms and qop it cannot do; answers a qop-less challenge RFC 2069 style', () => {
    const c = new DigestClient({ username: 'a', password: 'b', realm: 'mine' });
    expect(c.authorize('Digest realm="other", nonce="n", qop="auth"', 'INVITE', 'sip:x')).toBeNull();
    expect(parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-256')).toBeNull();
    expect(parseChallenge('Digest realm="r", nonce="n", qop="auth-int"')).toBeNull();
    expect(parseChallenge('Basic realm="r"')).toBeNull();
    const plain = new DigestClient({ username: 'a', password: 'b' }).authorize('Digest realm="r", nonce="n", opaque="o"', 'REGISTER', 'sip:r')!;
    expect(plain).not.toContain('qop=');
    expect(plain).toContain('opaque="o"');
  });
});

describe('trunk config', () => {
  it('matches sources by address and CIDR, IPv4-mapped IPv6 included', () => {
    const m = sourceMatcher(['192.0.2.0/24', '2001:db8::1', '127.0.0.1']);
    expect(m('192.0.2.77')).toBe(true);
    expect(m('::ffff:192.0.2.5')).toBe(true);
    expect(m('192.0.3.1')).toBe(false);
    expect(m('2001:db8::1')).toBe(true);
    expect(m('2001:db8::2')).toBe(false);
    expect(m('not-an-ip')).toBe(false);
  });

  it('refuses bad rows: fixed caller-ID without a number, registration without credentials, bad CIDR', () => {
    expect(TrunkConfig.safeParse(base).success).toBe(true);
    expect(TrunkConfig.safeParse({ ...base, callerIdE164: null }).success).toBe(false);
    expect(TrunkConfig.safeParse({ ...base, register: true, password: null }).success).toBe(false);
    expect(TrunkConfig.safeParse({ ...base, inboundSources: ['10.0.0.0/33'] }).success).toBe(false);
    expect(TrunkConfig.safeParse({ ...base, dids: ['5550100'] }).success).toBe(false);
  });

  it('reads E.164 from tel:, sip:…;user=phone and nothing else', () => {
    expect(e164Target(parseUri('tel:+447700900123')!)).toBe('+447700900123');
    expect(e164Target(parseUri('sip:+447700900123@x.test;user=phone')!)).toBe('+447700900123');
    expect(e164Target(parseUri('sip:dev-0123456789abcdef-1999999999@x')!)).toBeNull();
    expect(e164Target(parseUri('sip:00447700900123@x')!)).toBeNull();
    expect(e164Target(parseUri('sip:route@x')!)).toBeNull();
  });
});

describe('caller-ID rules', () => {
  const alice = parseNameAddr('"Alice" <sip:+15551234567@callers.test>')!;
  it('fixed presents the trunk number, asserted', () => {
    const id = outboundIdentity(base, alice);
    expect(id.from).toBe('<sip:+15550199@sip.carrier.test;user=phone>');
    expect(id.headers).toEqual([['P-Asserted-Identity', '<sip:+15550199@sip.carrier.test;user=phone>']]);
  });
  it('pass presents the caller’s own E.164, or the fixed number when the caller has none', () => {
    const pass = { ...base, callerIdMode: 'pass' as const };
    expect(outboundIdentity(pass, alice).presented).toBe('+15551234567');
    expect(outboundIdentity(pass, alice).from).toContain('"Alice"');
    expect(outboundIdentity(pass, parseNameAddr('<sip:anon@web.invalid>')!).presented).toBe('+15550199');
  });
  it('privacy: anonymous From, Privacy: id, identity only asserted', () => {
    const id = outboundIdentity({ ...base, privacy: true }, alice);
    expect(id.from).toContain('anonymous.invalid');
    expect(id.headers).toContainEqual(['Privacy', 'id']);
    expect(id.headers).toContainEqual(['P-Asserted-Identity', '<sip:+15550199@sip.carrier.test;user=phone>']);
  });
});

describe('trunk password at rest', () => {
  it('round-trips under the same secret, fails under another, passes clear values through', () => {
    const enc = encryptTrunkPassword('s'.repeat(32), 'hunter2');
    expect(enc).toMatch(/^enc:v1:/);
    expect(enc).not.toContain('hunter2');
    expect(decryptTrunkPassword('s'.repeat(32), enc)).toBe('hunter2');
    expect(() => decryptTrunkPassword('t'.repeat(32), enc)).toThrow();
    expect(decryptTrunkPassword('x', 'clear')).toBe('clear');
  });
});
