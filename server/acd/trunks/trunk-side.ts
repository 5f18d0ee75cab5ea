import type { Logger } from 'pino';
import { H } from '../../shared/sip-control';
import type { ClientTransactions } from '../client-transactions';
import type { LocalAddress } from '../local-address';
import type { FailureLimiter } from '../../shared/failure-limiter';
import { makeResponse } from '../sip/builders';
import { DigestClient } from '../sip/client-digest';
import { parseDigest, type DigestAuthenticator } from '../sip/digest';
import { parseUri, type NameAddr, type SipUri } from '../sip/headers';
import { fieldsOf } from '../sip/message-fields';
import type { SipRequest, SipResponse } from '../sip/message';
import type { Flow, TransportProtocol } from '../transport/flow';
import { outboundIdentity } from './caller-id';
import { e164Target } from './tel-target';
import { sourceMatcher, type TrunkConfig } from './trunk-config';
import type { TrunkDirectory } from './trunk-directory';
import { TrunkRegistration, type RegistrationSession, type RegistrationStatus } from './trunk-registration';

/** Header a bank may add to a dial INVITE to name the trunk to use (docs/trunks.md). */
export const TRUNK_HEADER = 'X-PB-Trunk';

/** What the ACD should do with an out-of-dialog INVITE, as far as trunks are concerned. */
export type InviteVerdict =
  /** not a trunk matter: the ACD's own rules (device dial, served number) apply */
  | { kind: 'pass' }
  /** a caller from a trunk to one of its DIDs */
  | { kind: 'caller'; dialed: string; trunk: string }
  /** an E.164 the ACD does not serve: only an authenticated bank UA may have it dialled */
  | { kind: 'dial' }
  | { kind: 'respond'; response: SipResponse };

/** Where a dial towards an E.164 goes: everything the ACD's dial code needs beyond a device's. */
export interface OutboundTarget {
  trunk: string;
  e164: string;
  flow: Flow;
  requestUri: string;
  toAddr: string;
  /** From without tag (caller-ID rule applied) */
  fromAddr: string;
  headers: Array<[string, string]>;
  /** answers the carrier's 401/407 */
  auth: DigestClient | null;
}

export interface TrunkStatus {
  id: string;
  name: string;
  enabled: boolean;
  transport: TrunkConfig['transport'];
  outbound: boolean;
  dids: string[];
  registration: RegistrationStatus | null;
}

export interface TrunkSideDeps {
  directory: TrunkDirectory;
  /** a flow towards a carrier over the ACD's transports (rejects when that transport is not listening) */
  connect(protocol: TransportProtocol, host: string, port: number): Promise<Flow>;
  local: LocalAddress;
  digest: DigestAuthenticator;
  limiter: FailureLimiter;
  clientTx: ClientTransactions;
  logger: Logger;
}

/**
 * The ACD's trunk side (docs/trunks.md): recognises carriers' INVITEs (by source address and/or
 * digest), refuses anything that could make a call leave through a trunk without the bank
 * asking (toll fraud), resolves a bank's dial towards an E.164 into a trunk target, and keeps
 * registrations to carriers. It uses the ACD's transports (UDP, TCP, TLS) and never touches
 * legs: the ACD's own dial and caller code does that.
 */
export class TrunkSide {
  private readonly log: Logger;
  /** by trunk id, with the settings the registration was started with */
  private readonly registrations = new Map<string, { key: string; aor: string; reg: TrunkRegistration }>();
  private readonly digestClients = new Map<string, DigestClient>();
  private matchers = new Map<string, { key: string; match: (a: string) => boolean }>();
  private refresh: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly d: TrunkSideDeps) {
    this.log = d.logger.child({ module: 'trunks' });
  }

  /** Starts registrations (the ACD's transports are up). */
  start(): void {
    this.syncRegistrations();
    // a trunk saved in the portal: the directory reloads on the change notification and says so
    this.unsubscribe = this.d.directory.onChange?.(() => this.reconfigured()) ?? null;
    // trunks come and go with the directory's refreshes
    this.refresh = setInterval(() => this.syncRegistrations(), 30_000);
    this.refresh.unref();
    this.log.info({ trunks: this.d.directory.all().length }, 'trunk side started');
  }

  stop(): void {
    if (this.refresh) clearInterval(this.refresh);
    this.refresh = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const r of this.registrations.values()) r.reg.stop();
    this.registrations.clear();
  }

  /**
   * The directory's list changed. Digest clients are made again from the new credentials (a dial
   * in progress keeps the one it was given), and registrations follow the new settings. Legs are
   * not touched: a call in progress on a changed, disabled or removed trunk goes on.
   */
  private reconfigured(): void {
    this.digestClients.clear();
    this.syncRegistrations();
  }

  status(): TrunkStatus[] {
    return this.d.directory.all().map((t) => ({
      id: t.id,
      name: t.name,
      enabled: t.enabled,
      transport: t.transport,
      outbound: t.outbound,
      dids: [...t.dids],
      registration: this.registrations.get(t.id)?.reg.snapshot() ?? null,
    }));
  }

  // ───────────────────────────── inbound ─────────────────────────────

  private matcher(t: TrunkConfig): (a: string) => boolean {
    const key = t.inboundSources.join(',');
    let m = this.matchers.get(t.id);
    if (!m || m.key !== key) {
      m = { key, match: sourceMatcher(t.inboundSources) };
      this.matchers.set(t.id, m);
    }
    return m.match;
  }

  /** The enabled trunk an INVITE comes from: by source address (never over WebSocket) or by its digest user name. */
  private inboundTrunk(req: SipRequest, flow: Flow): TrunkConfig | null {
    const enabled = this.d.directory.all().filter((t) => t.enabled);
    if (flow.transport !== 'WS' && flow.transport !== 'WSS') {
      const bySource = enabled.find((t) => t.inboundSources.length > 0 && this.matcher(t)(flow.remoteAddress));
      if (bySource) return bySource;
    }
    const creds = parseDigest(req.headers.get('Proxy-Authorization') ?? '');
    if (!creds) return null;
    return enabled.find((t) => t.inboundDigest && t.username === creds.username) ?? null;
  }

  /** Classifies an out-of-dialog INVITE (docs/trunks.md, "Security"). */
  screenInvite(req: SipRequest, flow: Flow, uri: SipUri, served: (e164: string) => boolean): InviteVerdict {
    const source = flow.remoteAddress;
    const trunk = this.inboundTrunk(req, flow);
    const callId = fieldsOf(req).callId;
    if (trunk) {
      const wait = this.d.limiter.check(source).retryAfterSec;
      if (wait > 0) return respond(req, 503, 'Too Many Failed Attempts', [['Retry-After', String(wait)]]);
      if (trunk.inboundDigest) {
        const creds = parseDigest(req.headers.get('Proxy-Authorization') ?? '');
        if (!creds) return respond(req, 407, undefined, [['Proxy-Authenticate', this.d.digest.challenge(false)]]);
        const check = this.d.digest.verify(creds, 'INVITE', (u) => (u === trunk.username ? trunk.password : null), { singleUse: true });
        if (!check.ok) {
          if (check.reason === 'stale' || check.reason === 'bad-nonce' || check.reason === 'wrong-realm') {
            return respond(req, 407, undefined, [['Proxy-Authenticate', this.d.digest.challenge(check.reason === 'stale')]]);
          }
          this.d.limiter.fail(source);
          this.log.warn({ source, trunk: trunk.name, reason: check.reason, callId }, 'trunk INVITE authentication failed');
          return respond(req, 403, 'Bad Credentials');
        }
      }
      // a carrier never makes the ACD dial: no bridge orders, no device targets
      if (req.headers.has(H.bridge) || (uri.user ?? '').startsWith('dev-')) {
        this.d.limiter.fail(source);
        this.log.warn({ source, trunk: trunk.name, to: req.uri, callId }, 'dial order from a trunk refused');
        return respond(req, 403, 'Trunks May Not Dial');
      }
      const dialed = e164Target(uri) ?? (uri.user === trunk.username ? toE164(req) : null);
      if (dialed && trunk.dids.includes(dialed) && served(dialed)) return { kind: 'caller', dialed, trunk: trunk.name };
      this.log.warn({ source, trunk: trunk.name, to: req.uri, dialed, callId }, 'trunk INVITE to a number that is not its DID refused');
      return respond(req, 404, 'Number Not Served');
    }
    const e164 = e164Target(uri);
    if (e164 === null) return { kind: 'pass' };
    if (served(e164) && !req.headers.has(H.bridge)) return { kind: 'pass' };
    // an E.164 the ACD does not serve leaves through a trunk: only a bank UA may ask
    return { kind: 'dial' };
  }

  // ───────────────────────────── outbound ─────────────────────────────

  /**
   * The trunk target of a bank's dial towards an E.164, or a status to answer the bank with.
   * null when the Request-URI is not an E.164 (not a trunk dial).
   */
  async outboundTarget(req: SipRequest, uri: SipUri, caller: NameAddr | null): Promise<OutboundTarget | { status: number; reason: string } | null> {
    const e164 = e164Target(uri);
    if (e164 === null) return null;
    const named = req.headers.get(TRUNK_HEADER);
    const usable = this.d.directory.all().filter((t) => t.enabled && t.outbound);
    const trunk = named !== undefined ? usable.find((t) => t.name === named.trim()) : usable[0];
    if (!trunk) return { status: 404, reason: named !== undefined ? 'No Such Trunk' : 'No Route To Number' };
    let flow: Flow;
    try {
      flow = await this.d.connect(protocolOf(trunk), trunk.host, trunk.port);
    } catch (err) {
      this.log.warn({ err, trunk: trunk.name }, 'trunk unreachable');
      return { status: 503, reason: 'Trunk Unreachable' };
    }
    const id = outboundIdentity(trunk, caller);
    const hostPart = trunk.realm ?? trunk.host;
    return {
      trunk: trunk.name,
      e164,
      flow,
      requestUri: `sip:${e164}@${trunk.host}:${trunk.port};user=phone;transport=${trunk.transport}`,
      toAddr: `<sip:${e164}@${hostPart};user=phone>`,
      fromAddr: id.from,
      headers: id.headers,
      auth: this.digestFor(trunk),
    };
  }

  private digestFor(t: TrunkConfig): DigestClient | null {
    if (t.username === null || t.password === null) return null;
    let c = this.digestClients.get(t.id);
    if (!c) {
      c = new DigestClient({ username: t.username, password: t.password, realm: t.realm });
      this.digestClients.set(t.id, c);
    }
    return c;
  }

  // ───────────────────────────── registration ─────────────────────────────

  /**
   * Registrations follow the directory: a trunk no longer registering (removed, disabled,
   * registration off) unregisters; one whose registration settings changed registers again
   * with the new ones; an unchanged one keeps its registration and refresh timer.
   */
  private syncRegistrations(): void {
    const want = new Map(this.d.directory.all().filter((t) => t.enabled && t.register).map((t) => [t.id, t]));
    const continued = new Map<string, RegistrationSession>();
    for (const [id, r] of this.registrations) {
      const t = want.get(id);
      if (t && registrationKey(t) === r.key) continue;
      // an un-REGISTER of the same address-of-record could land after the new REGISTER and
      // remove the binding it just made: when the AOR stays, the new REGISTER (same Call-ID,
      // next CSeq) simply replaces it
      if (t && aorOf(t) === r.aor) {
        r.reg.stop();
        continued.set(id, r.reg.session());
      } else r.reg.stopAndUnregister();
      this.registrations.delete(id);
    }
    for (const [id, t] of want) {
      if (this.registrations.has(id)) continue;
      const r = new TrunkRegistration(
        t,
        {
          flow: () => this.d.connect(protocolOf(t), t.host, t.port),
          send: (req, flow, onFinal) => {
            this.d.clientTx.send(req, flow, (res, local) => {
              if (res.status >= 200) onFinal(res, local);
            });
          },
          local: this.d.local,
        },
        this.log,
        Date.now,
        continued.get(id) ?? null,
      );
      this.registrations.set(id, { key: registrationKey(t), aor: aorOf(t), reg: r });
      r.start();
    }
  }
}

/** The address-of-record a registration binds (the user at the realm, or at the host). */
function aorOf(t: TrunkConfig): string {
  return `${t.username ?? ''}@${t.realm ?? t.host}`;
}

/** What a registration depends on: a change to any of these registers again. */
function registrationKey(t: TrunkConfig): string {
  return JSON.stringify([t.name, t.host, t.port, t.transport, t.username, t.password, t.realm, t.registerExpirySec]);
}

function protocolOf(t: TrunkConfig): TransportProtocol {
  return t.transport === 'udp' ? 'UDP' : t.transport === 'tls' ? 'TLS' : 'TCP';
}

function respond(req: SipRequest, status: number, reason?: string, headers: Array<[string, string]> = []): InviteVerdict {
  return { kind: 'respond', response: makeResponse(req, status, { ...(reason ? { reason } : {}), headers }) };
}

/** The E.164 in the To header (carriers that INVITE our registered Contact put the DID there). */
function toE164(req: SipRequest): string | null {
  const to = fieldsOf(req).to;
  const uri = to ? parseUri(to.uri) : null;
  return uri ? e164Target(uri) : null;
}
