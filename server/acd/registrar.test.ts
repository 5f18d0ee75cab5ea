import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { until } from '../test-support/until';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { Registrar } from './registrar';
import { FailureLimiter } from '../shared/failure-limiter';
import { newBranch, randomToken } from './sip/builders';
import { DigestAuthenticator, digestResponse } from './sip/digest';
import { SipHeaders, type SipMessage, type SipRequest, type SipResponse } from './sip/message';
import type { Flow } from './transport/flow';

const SECRET = 'x'.repeat(40);
const DOMAIN = 'patchbay.local';

class FakeFlow implements Flow {
  closed = false;
  readonly transport = 'WS' as const;
  readonly reliable = true;
  readonly localPort = 5062;
  readonly remotePort = 40000;
  readonly sent: SipMessage[] = [];
  constructor(
    readonly id: string,
    readonly remoteAddress = '127.0.0.1',
  ) {}
  send(m: SipMessage): boolean {
    this.sent.push(m);
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

function setup(now = () => Date.now()) {
  const digest = new DigestAuthenticator(DOMAIN, 60_000, now);
  const limiter = new FailureLimiter({ kind: 'token-bucket', burst: 3, refillPerSec: 0.1 }, now);
  const reach: Array<[string, boolean]> = [];
  const registrar = new Registrar({ domain: DOMAIN, secret: SECRET, digest, limiter, logger: pino({ level: 'silent' }), now, onDeviceReach: (aor, r) => void reach.push([aor, r]) });
  return { registrar, digest, reach };
}

function register(aorUser: string, opts: { contact?: string; expires?: number; auth?: { user: string; password: string; challenge: SipResponse } } = {}): SipRequest {
  const aor = `<sip:${aorUser}@${DOMAIN}>`;
  const h = new SipHeaders()
    .append('Via', `SIP/2.0/WS h.invalid;branch=${newBranch()}`)
    .append('From', `${aor};tag=${randomToken()}`)
    .append('To', aor)
    .append('Call-ID', 'reg-1')
    .append('CSeq', '1 REGISTER')
    .append('Contact', opts.contact ?? '<sip:abc@h.invalid;transport=ws>')
    .append('Expires', String(opts.expires ?? 600));
  if (opts.auth) {
    const nonce = /nonce="([^"]+)"/.exec(opts.auth.challenge.headers.get('WWW-Authenticate')!)![1]!;
    const uri = `sip:${DOMAIN}`;
    const response = digestResponse({ username: opts.auth.user, password: opts.auth.password, realm: DOMAIN, method: 'REGISTER', uri, nonce, qop: 'auth', nc: '00000001', cnonce: 'cn' });
    h.append('Authorization', `Digest username="${opts.auth.user}", realm="${DOMAIN}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="cn", algorithm=MD5`);
  }
  return { kind: 'request', method: 'REGISTER', uri: `sip:${DOMAIN}`, headers: h, body: '' };
}

function authed(r: Registrar, flow: Flow, aorUser: string, user: string, password: string, extra: { contact?: string; expires?: number } = {}): SipResponse {
  const challenge = r.handleRegister(register(aorUser, extra), flow);
  expect(challenge.status).toBe(401);
  return r.handleRegister(register(aorUser, { ...extra, auth: { user, password, challenge } }), flow);
}

describe('Registrar', () => {
  it('challenges, then binds a device to its own AOR', () => {
    const { registrar } = setup();
    const flow = new FakeFlow('f1');
    const dev = issueDeviceCredentials(SECRET, 3600);
    const ok = authed(registrar, flow, dev.user, dev.user, dev.password);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Contact')).toMatch(/^<sip:abc@h\.invalid;transport=ws>;expires=600$/);
    expect(registrar.lookup(dev.user)).toHaveLength(1);
    expect(registrar.lookup(dev.user)[0]!.flow).toBe(flow);
  });

  it('refuses a device registering another AOR, or the route point', () => {
    const { registrar } = setup();
    const flow = new FakeFlow('f1');
    const dev = issueDeviceCredentials(SECRET, 3600);
    const other = issueDeviceCredentials(SECRET, 3600);
    expect(authed(registrar, flow, other.user, dev.user, dev.password).status).toBe(403);
    expect(authed(registrar, flow, 'route', dev.user, dev.password).status).toBe(403);
    expect(registrar.nextRoute()).toBeNull();
  });

  it('lets bank users register the route point and round-robins over them', () => {
    const { registrar } = setup();
    const b1 = bankCredentials(SECRET, 1);
    const b2 = bankCredentials(SECRET, 2);
    const f1 = new FakeFlow('f1');
    const f2 = new FakeFlow('f2');
    expect(authed(registrar, f1, 'route', b1.user, b1.password, { contact: '<sip:b1@x.invalid>' }).status).toBe(200);
    expect(authed(registrar, f2, 'route', b2.user, b2.password, { contact: '<sip:b2@x.invalid>' }).status).toBe(200);
    const picks = [registrar.nextRoute(), registrar.nextRoute(), registrar.nextRoute()].map((b) => b?.authUser);
    expect(new Set(picks.slice(0, 2))).toEqual(new Set(['bank-1', 'bank-2']));
    expect(picks[2]).toBe(picks[0]);
    // bindings die with their connection
    f1.closed = true;
    registrar.dropFlow(f1);
    expect(registrar.nextRoute()?.authUser).toBe('bank-2');
  });

  it('unregisters with Expires: 0 and expires bindings by time', () => {
    let now = 1_700_000_000_000;
    const { registrar } = setup(() => now);
    const flow = new FakeFlow('f1');
    const dev = issueDeviceCredentials(SECRET, 3600, now);
    expect(authed(registrar, flow, dev.user, dev.user, dev.password, { expires: 60 }).status).toBe(200);
    now += 61_000;
    expect(registrar.lookup(dev.user)).toHaveLength(0);
    expect(authed(registrar, flow, dev.user, dev.user, dev.password, { expires: 60 }).status).toBe(200);
    expect(registrar.lookup(dev.user)).toHaveLength(1);
    const gone = authed(registrar, flow, dev.user, dev.user, dev.password, { expires: 0 });
    expect(gone.status).toBe(200);
    expect(gone.headers.get('Contact')).toBeUndefined();
    expect(registrar.lookup(dev.user)).toHaveLength(0);
  });

  it('refuses expired device credentials and rate-limits failures per source', () => {
    const { registrar } = setup();
    const flow = new FakeFlow('f1', '10.0.0.9');
    const expired = issueDeviceCredentials(SECRET, 60, Date.now() - 120_000);
    expect(authed(registrar, flow, expired.user, expired.user, expired.password).status).toBe(403);
    const dev = issueDeviceCredentials(SECRET, 3600);
    expect(authed(registrar, flow, dev.user, dev.user, 'wrong').status).toBe(403);
    expect(authed(registrar, flow, dev.user, dev.user, 'wrong').status).toBe(403);
    const limited = registrar.handleRegister(register(dev.user), flow);
    expect(limited.status).toBe(503);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // another source is not affected
    expect(registrar.handleRegister(register(dev.user), new FakeFlow('f2', '10.0.0.10')).status).toBe(401);
  });

  it('refuses a foreign domain', () => {
    const { registrar } = setup();
    const req = register('dev-x');
    req.headers.set('To', '<sip:dev-x@elsewhere.example>');
    expect(registrar.handleRegister(req, new FakeFlow('f')).status).toBe(404);
  });

  describe('device reach (reach-notices.ts tells the bank)', () => {
    it('reports a device reachable at its first binding, not at a refresh or a second contact, and unreachable when its last goes', () => {
      const { registrar, reach } = setup();
      const flow = new FakeFlow('f1');
      const dev = issueDeviceCredentials(SECRET, 3600);
      expect(authed(registrar, flow, dev.user, dev.user, dev.password).status).toBe(200);
      expect(reach).toEqual([[dev.user, true]]);
      expect(authed(registrar, flow, dev.user, dev.user, dev.password).status).toBe(200);
      expect(authed(registrar, flow, dev.user, dev.user, dev.password, { contact: '<sip:two@h.invalid;transport=ws>' }).status).toBe(200);
      expect(reach).toHaveLength(1);
      expect(registrar.reachableDevices()).toEqual([dev.user]);
      expect(authed(registrar, flow, dev.user, dev.user, dev.password, { expires: 0 }).status).toBe(200);
      expect(reach).toHaveLength(1);
      expect(authed(registrar, flow, dev.user, dev.user, dev.password, { contact: '<sip:two@h.invalid;transport=ws>', expires: 0 }).status).toBe(200);
      expect(reach).toEqual([[dev.user, true], [dev.user, false]]);
      expect(registrar.reachableDevices()).toEqual([]);
    });

    it('reports a device whose connection closed, and one whose binding expired, when it happens', async () => {
      const { registrar, reach } = setup();
      const f1 = new FakeFlow('f1');
      const [a, b] = [issueDeviceCredentials(SECRET, 3600), issueDeviceCredentials(SECRET, 3600)];
      authed(registrar, f1, a.user, a.user, a.password);
      authed(registrar, new FakeFlow('f2'), b.user, b.user, b.password, { expires: 1 });
      registrar.dropFlow(f1);
      expect(reach).toEqual([[a.user, true], [b.user, true], [a.user, false]]);
      const t0 = Date.now();
      await until(() => reach.length === 4, 3000, 'the expiry reported');
      expect(reach[3]).toEqual([b.user, false]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      registrar.clear();
    });

    it('never reports the route point', () => {
      const { registrar, reach } = setup();
      const bank = bankCredentials(SECRET, 1);
      expect(authed(registrar, new FakeFlow('f1'), 'route', bank.user, bank.password).status).toBe(200);
      expect(reach).toEqual([]);
      expect(registrar.reachableDevices()).toEqual([]);
    });
  });

  it('keeps the Path a front added (RFC 3327), returns it to a UA that supports it, refuses a malformed one', () => {
    const { registrar } = setup();
    const flow = new FakeFlow('front');
    const dev = issueDeviceCredentials(SECRET, 3600);
    const withPath = (extra: Array<[string, string]>) => {
      const challenge = registrar.handleRegister(register(dev.user), flow);
      const req = register(dev.user, { auth: { user: dev.user, password: dev.password, challenge } });
      for (const [n, v] of extra) req.headers.append(n, v);
      return registrar.handleRegister(req, flow);
    };
    const path = '<sip:10.0.0.5:5060;lr;received=sip:192.0.2.7:5070>';
    const ok = withPath([['Path', path], ['Supported', 'path']]);
    expect(ok.status).toBe(200);
    expect(ok.headers.getAll('Path')).toEqual([path]);
    expect(registrar.lookup(dev.user)[0]!.path).toEqual([path]);
    // no Supported: path → stored, not echoed
    expect(withPath([['Path', path]]).headers.getAll('Path')).toEqual([]);
    expect(withPath([['Path', 'not a uri <']]).status).toBe(400);
  });
});
