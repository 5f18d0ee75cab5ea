import type { Logger } from 'pino';
import { expectedPassword, parseSipUser } from '../shared/credentials';
import { H, NodeId, ROUTE_USER } from '../shared/sip-control';
import { makeResponse, randomToken } from './sip/builders';
import { DigestAuthenticator, parseDigest } from './sip/digest';
import { formatNameAddr, parseNameAddr, parseUri } from './sip/headers';
import { fieldsOf } from './sip/message-fields';
import type { SipRequest, SipResponse } from './sip/message';
import type { Flow } from './transport/flow';
import type { FailureLimiter } from '../shared/failure-limiter';

/** One registered contact of an AOR, alive as long as its flow and its expiry. */
export interface Binding {
  /** AOR user part: `dev-…` or `route`. */
  readonly aor: string;
  /** The Contact URI as the UA sent it (used as Request-URI towards it). */
  readonly contact: string;
  readonly flow: Flow;
  readonly authUser: string;
  readonly expiresAt: number;
  readonly callId: string;
  readonly registeredAt: number;
  /** a route binding's CTI node (X-PB-Node on its REGISTER), the target of a handoff; null when the bank names none */
  readonly node: string | null;
  /**
   * RFC 3327: the Path the REGISTER collected (a front such as Kamailio, deploy/kamailio), first
   * hop first; requests to the contact carry it as their Route and go to its first hop (the flow
   * the REGISTER came on). Empty: straight to the contact.
   */
  readonly path: readonly string[];
}

export interface RegistrarOptions {
  domain: string;
  secret: string;
  digest: DigestAuthenticator;
  limiter: FailureLimiter;
  logger: Logger;
  maxExpiresSec?: number;
  now?: () => number;
  /** A route binding was registered or refreshed; called after the 200 is on its way (recovery re-offers, leg-recovery.ts). */
  onRouteRegistered?: (binding: Binding) => void;
  /**
   * A device AOR became reachable (its first live binding) or unreachable (its last one expired,
   * was removed or lost its connection): reach-notices.ts tells the bank (several ACD nodes).
   */
  onDeviceReach?: (aor: string, reachable: boolean) => void;
}

const DEFAULT_EXPIRES = 600;

/**
 * In-memory registrar (RFC 3261 §10.3). Devices may register only their own AOR; the
 * route point only bank users. Authentication failures are rate-limited per source.
 */
export class Registrar {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly now: () => number;
  private readonly maxExpires: number;
  private rr = 0;
  /** device AORs last reported reachable, with the timer that notices their expiry */
  private readonly reported = new Map<string, NodeJS.Timeout | null>();

  constructor(private readonly o: RegistrarOptions) {
    this.now = o.now ?? Date.now;
    this.maxExpires = o.maxExpiresSec ?? 3600;
  }

  /**
   * Handles a REGISTER and returns the response to send on the flow it came from.
   * `bindingFlow` is where requests to the contact will go (over UDP it may be the
   * contact's address rather than the source); rate limits use the source.
   */
  handleRegister(req: SipRequest, flow: Flow, bindingFlow: Flow = flow): SipResponse {
    const source = flow.remoteAddress;
    const wait = this.o.limiter.check(source).retryAfterSec;
    if (wait > 0) {
      this.o.logger.warn({ source }, 'REGISTER refused: too many failures from this source');
      return makeResponse(req, 503, { reason: 'Too Many Failed Attempts', headers: [['Retry-After', String(wait)]] });
    }
    const to = fieldsOf(req).to;
    const aorUri = to ? parseUri(to.uri) : null;
    if (!aorUri || aorUri.scheme === 'tel' || !aorUri.user) return makeResponse(req, 400, { reason: 'Bad To' });
    if (aorUri.host !== this.o.domain) return makeResponse(req, 404, { reason: 'Domain Not Served' });
    const aor = aorUri.user;

    const authHeader = req.headers.get('Authorization');
    const creds = authHeader ? parseDigest(authHeader) : null;
    if (!creds) return this.challenge(req, false);
    const check = this.o.digest.verify(creds, req.method, (u) => expectedPassword(this.o.secret, u, this.now()));
    if (!check.ok) {
      if (check.reason === 'stale') return this.challenge(req, true);
      this.o.limiter.fail(source);
      this.o.logger.warn({ source, user: creds.username, reason: check.reason }, 'REGISTER authentication failed');
      return check.reason === 'bad-nonce' || check.reason === 'wrong-realm' ? this.challenge(req, false) : makeResponse(req, 403, { reason: 'Bad Credentials' });
    }
    const authUser = check.username;
    const id = parseSipUser(authUser);
    const allowed = aor === ROUTE_USER ? id?.kind === 'bank' : aor === authUser;
    if (!allowed) {
      this.o.limiter.fail(source);
      this.o.logger.warn({ source, user: authUser, aor }, 'REGISTER for a foreign AOR refused');
      return makeResponse(req, 403, { reason: 'Not Your AOR' });
    }
    // a bank UA names its CTI node (several nodes: another node may hand a caller to it); checked like every control header
    const nodeHeader = req.headers.get(H.node);
    let node: string | null = null;
    if (nodeHeader !== undefined && nodeHeader !== null) {
      const parsed = aor === ROUTE_USER ? NodeId.safeParse(nodeHeader.trim()) : null;
      if (!parsed?.success) return makeResponse(req, 400, { reason: 'Bad Node Header' });
      node = parsed.data;
    }
    return this.update(req, bindingFlow, aor, authUser, node);
  }

  private challenge(req: SipRequest, stale: boolean): SipResponse {
    return makeResponse(req, 401, { headers: [['WWW-Authenticate', this.o.digest.challenge(stale)]] });
  }

  private update(req: SipRequest, flow: Flow, aor: string, authUser: string, node: string | null): SipResponse {
    const now = this.now();
    const contacts = req.headers.getAll('Contact');
    const headerExpires = parseExpires(req.headers.get('Expires'));
    const callId = req.headers.get('Call-ID') ?? '';
    const path = req.headers.getAll('Path').map((p) => p.trim()).filter(Boolean);
    if (path.some((p) => !parseNameAddr(p))) return makeResponse(req, 400, { reason: 'Bad Path' });
    let list = this.live(aor);
    if (contacts.length === 1 && contacts[0] === '*') {
      if (headerExpires !== 0) return makeResponse(req, 400, { reason: 'Wildcard Needs Expires 0' });
      list = [];
    }
    for (const c of contacts) {
      if (c === '*') continue;
      const na = parseNameAddr(c);
      if (!na || !parseUri(na.uri)) return makeResponse(req, 400, { reason: 'Bad Contact' });
      const pExp = parseExpires(na.params.get('expires') ?? undefined);
      const expires = Math.min(pExp ?? headerExpires ?? DEFAULT_EXPIRES, this.maxExpires);
      list = list.filter((b) => !sameUri(b.contact, na.uri));
      if (expires > 0) {
        const b: Binding = { aor, contact: na.uri, flow, authUser, expiresAt: now + expires * 1000, callId, registeredAt: now, path, node };
        list.push(b);
        const hook = this.o.onRouteRegistered;
        if (aor === ROUTE_USER && hook) setImmediate(() => hook(b));
      }
    }
    if (list.length) this.bindings.set(aor, list);
    else this.bindings.delete(aor);
    this.o.logger.info({ aor, user: authUser, flowId: flow.id, bindings: list.length }, contacts.length ? 'registration updated' : 'registration queried');
    if (aor !== ROUTE_USER) this.settle(aor);
    const headers: Array<[string, string]> = list.map((b) => [
      'Contact',
      formatNameAddr({ display: null, uri: b.contact, params: new Map([['expires', String(Math.max(0, Math.round((b.expiresAt - now) / 1000)))]]) }),
    ]);
    // §5.3: the Path stored is returned to a UA that supports it
    if (path.length && /(^|,)\s*path\s*(,|$)/i.test(req.headers.getAll('Supported').join(','))) for (const p of path) headers.push(['Path', p]);
    return makeResponse(req, 200, { toTag: randomToken(), headers });
  }

  /** Live bindings of an AOR user, newest first. */
  lookup(aor: string): Binding[] {
    return [...this.live(aor)].sort((a, b) => b.registeredAt - a.registeredAt);
  }

  /** The next route-point binding, round-robin over the bank's registrations. */
  nextRoute(): Binding | null {
    const list = this.live(ROUTE_USER);
    if (!list.length) return null;
    const b = list[this.rr % list.length]!;
    this.rr = (this.rr + 1) % 1_000_000;
    return b;
  }

  /** Every live route-point binding (the bank UAs of every CTI node), in registration order. */
  routeBindings(): Binding[] {
    return [...this.live(ROUTE_USER)];
  }

  /** The next route binding of one CTI node (a handoff's target), round-robin like `nextRoute`. */
  nextRouteOf(node: string): Binding | null {
    const list = this.live(ROUTE_USER).filter((b) => b.node === node);
    if (!list.length) return null;
    const b = list[this.rr % list.length]!;
    this.rr = (this.rr + 1) % 1_000_000;
    return b;
  }

  /** The CTI node of the route binding on a connection (who asks a handoff), or null. */
  nodeOnFlow(flow: Flow): string | null {
    return this.live(ROUTE_USER).find((b) => b.flow === flow)?.node ?? null;
  }

  /** Drops every binding on a closed flow. */
  dropFlow(flow: Flow): void {
    for (const [aor, list] of this.bindings) {
      const kept = list.filter((b) => b.flow !== flow);
      if (kept.length !== list.length) this.o.logger.info({ aor, flowId: flow.id }, 'bindings dropped with their connection');
      if (kept.length) this.bindings.set(aor, kept);
      else this.bindings.delete(aor);
      if (kept.length !== list.length && aor !== ROUTE_USER) this.settle(aor);
    }
  }

  /** Device AORs with a live binding now, as last reported through onDeviceReach. */
  reachableDevices(): string[] {
    for (const aor of [...this.reported.keys()]) this.settle(aor);
    return [...this.reported.keys()];
  }

  clear(): void {
    this.bindings.clear();
    for (const t of this.reported.values()) if (t) clearTimeout(t);
    this.reported.clear();
  }

  /**
   * Reports a device AOR's change of reachability, and keeps one timer at its latest expiry:
   * bindings expire lazily (live()), and the bank must hear of an expiry when it happens.
   */
  private settle(aor: string): void {
    const list = this.live(aor);
    const was = this.reported.has(aor);
    const old = this.reported.get(aor);
    if (old) clearTimeout(old);
    if (list.length === 0) {
      this.reported.delete(aor);
      if (was) this.o.onDeviceReach?.(aor, false);
      return;
    }
    const last = Math.max(...list.map((b) => b.expiresAt));
    // a few ms after: live() counts a binding expired only once `now` has passed its expiry
    const timer = setTimeout(() => this.settle(aor), Math.max(0, last - this.now()) + 20);
    timer.unref();
    this.reported.set(aor, timer);
    if (!was) this.o.onDeviceReach?.(aor, true);
  }

  private live(aor: string): Binding[] {
    const now = this.now();
    const list = (this.bindings.get(aor) ?? []).filter((b) => b.expiresAt > now && !b.flow.closed);
    if (list.length) this.bindings.set(aor, list);
    else this.bindings.delete(aor);
    return list;
  }
}

function parseExpires(v: string | undefined | null): number | null {
  if (v === undefined || v === null || !/^\d{1,10}$/.test(v.trim())) return null;
  return Number(v.trim());
}

function sameUri(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
