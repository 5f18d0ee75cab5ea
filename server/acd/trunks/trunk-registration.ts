import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { newBranch, randomToken } from '../sip/builders';
import { DigestClient } from '../sip/client-digest';
import { SipHeaders, type SipRequest, type SipResponse } from '../sip/message';
import type { LocalAddress } from '../local-address';
import type { Flow } from '../transport/flow';
import type { TrunkConfig } from './trunk-config';

/**
 * Registration of the ACD to a carrier (RFC 3261 §10.2), for trunks with `register` set:
 * REGISTER with digest, refreshed before the granted expiry (at 80 %, at least 5 s before),
 * and on failure retried with exponential back-off (5 s doubling to 5 min). Its state is what
 * `acd.trunkStatus()` reports; every change is logged.
 *
 * ```
 * off ──start──▶ registering ──2xx──▶ registered ──refresh──▶ registering
 *                    │  ▲                                    
 *                 failure└── back-off ── failed
 * ```
 */
export type RegistrationState = 'off' | 'registering' | 'registered' | 'failed';

export interface RegistrationStatus {
  state: RegistrationState;
  /** last final status seen (or a local 408/503) */
  lastStatus: number | null;
  /** ms since epoch, while registered */
  expiresAt: number | null;
  /** ms since epoch of the next REGISTER */
  nextAttemptAt: number | null;
  failures: number;
}

export interface RegistrationSession {
  callId: string;
  fromTag: string;
  cseq: number;
}

export interface RegistrationIo {
  flow(): Promise<Flow>;
  send(req: SipRequest, flow: Flow, onFinal: (res: SipResponse, local: boolean) => void): void;
  local: LocalAddress;
}

const BACKOFF_MIN_MS = 5000;
const BACKOFF_MAX_MS = 300_000;

export class TrunkRegistration {
  private readonly status: RegistrationStatus = { state: 'off', lastStatus: null, expiresAt: null, nextAttemptAt: null, failures: 0 };
  private readonly callId: string;
  private readonly fromTag: string;
  private cseq: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly digest: DigestClient;
  private stopped = false;

  constructor(
    private readonly trunk: TrunkConfig,
    private readonly io: RegistrationIo,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** the Call-ID, From tag and CSeq of an earlier registration of the same address-of-record */
    continued: RegistrationSession | null = null,
  ) {
    // one Call-ID for all registrations of an AOR to a registrar, CSeq rising (RFC 3261 §10.2.4)
    this.callId = continued?.callId ?? `${randomToken(12)}@patchbay`;
    this.fromTag = continued?.fromTag ?? randomToken();
    this.cseq = continued?.cseq ?? randomInt(1, 10_000);
    this.digest = new DigestClient({ username: trunk.username ?? '', password: trunk.password ?? '', realm: trunk.realm });
  }

  /** What a registration replacing this one (same AOR, new settings) carries on. */
  session(): RegistrationSession {
    return { callId: this.callId, fromTag: this.fromTag, cseq: this.cseq };
  }

  snapshot(): Readonly<RegistrationStatus> {
    return { ...this.status };
  }

  start(): void {
    this.stopped = false;
    this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.status.state = 'off';
    this.status.nextAttemptAt = null;
  }

  /**
   * Stops, and when registered asks the carrier to drop our binding (REGISTER with Expires: 0,
   * answering one challenge): best effort, the carrier's binding expires anyway.
   */
  stopAndUnregister(): void {
    const wasRegistered = this.status.state === 'registered';
    this.stop();
    if (!wasRegistered) return;
    this.io.flow().then(
      (flow) => this.sendUnregister(flow, null, 0),
      (err: unknown) => this.log.warn({ err, trunk: this.trunk.name }, 'trunk unreachable for un-REGISTER'),
    );
  }

  private sendUnregister(flow: Flow, auth: [string, string] | null, authTries: number): void {
    const req = this.build(flow, auth, 0);
    this.io.send(req, flow, (res, local) => {
      const answer = !local && authTries < 1 ? this.challengeAnswer(res, req) : null;
      if (answer) return this.sendUnregister(flow, answer, authTries + 1);
      this.log.info({ trunk: this.trunk.name, status: res.status }, 'trunk unregistered');
    });
  }

  private challengeAnswer(res: SipResponse, req: SipRequest): [string, string] | null {
    if (res.status !== 401 && res.status !== 407) return null;
    const ch = res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
    const answer = ch ? this.digest.authorize(ch, 'REGISTER', req.uri) : null;
    return answer ? [res.status === 401 ? 'Authorization' : 'Proxy-Authorization', answer] : null;
  }

  private set(state: RegistrationState, extra: Partial<RegistrationStatus> = {}): void {
    const changed = state !== this.status.state;
    Object.assign(this.status, extra, { state });
    if (!changed) return;
    const line = { trunk: this.trunk.name, state, lastStatus: this.status.lastStatus, failures: this.status.failures };
    if (state === 'failed') this.log.warn(line, 'trunk registration failed');
    else this.log.info(line, 'trunk registration state');
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.status.nextAttemptAt = this.now() + ms;
    this.timer = setTimeout(() => this.attempt(), ms);
    this.timer.unref();
  }

  private fail(status: number): void {
    this.status.failures += 1;
    this.set('failed', { lastStatus: status, expiresAt: null });
    this.schedule(Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.status.failures - 1)));
  }

  private attempt(): void {
    if (this.stopped) return;
    this.set('registering');
    this.io.flow().then(
      (flow) => this.send(flow, null, 0),
      (err: unknown) => {
        this.log.warn({ err, trunk: this.trunk.name }, 'trunk unreachable for REGISTER');
        this.fail(503);
      },
    );
  }

  private build(flow: Flow, auth: [string, string] | null, expires = this.trunk.registerExpirySec): SipRequest {
    const t = this.trunk;
    const domain = t.realm ?? t.host;
    const aor = `<sip:${t.username}@${domain}>`;
    this.cseq += 1;
    const h = new SipHeaders()
      .append('Via', this.io.local.via(flow, newBranch()))
      .append('Max-Forwards', '70')
      .append('From', `${aor};tag=${this.fromTag}`)
      .append('To', aor)
      .append('Call-ID', this.callId)
      .append('CSeq', `${this.cseq} REGISTER`)
      .append('Contact', this.io.local.contact(flow).replace('sip:acd@', `sip:${t.username}@`))
      .append('Expires', String(expires));
    if (auth) h.append(auth[0], auth[1]);
    return { kind: 'request', method: 'REGISTER', uri: `sip:${domain}${t.realm ? '' : `:${t.port}`};transport=${t.transport}`, headers: h, body: '' };
  }

  private send(flow: Flow, auth: [string, string] | null, authTries: number): void {
    if (this.stopped) return;
    const req = this.build(flow, auth);
    this.io.send(req, flow, (res, local) => {
      if (this.stopped) return;
      const answer = !local && authTries < 2 ? this.challengeAnswer(res, req) : null;
      if (answer) return this.send(flow, answer, authTries + 1);
      if (res.status >= 200 && res.status < 300) {
        const granted = grantedExpiry(res, this.trunk.registerExpirySec);
        this.status.failures = 0;
        this.set('registered', { lastStatus: res.status, expiresAt: this.now() + granted * 1000 });
        this.schedule(Math.max(1000, Math.min(granted * 800, (granted - 5) * 1000)));
        return;
      }
      this.fail(res.status);
    });
  }
}

function grantedExpiry(res: SipResponse, asked: number): number {
  for (const c of res.headers.getAll('Contact')) {
    const m = /;\s*expires=(\d+)/i.exec(c);
    if (m) return Number(m[1]);
  }
  const e = res.headers.get('Expires');
  return e && /^\d+$/.test(e) ? Number(e) : asked;
}
