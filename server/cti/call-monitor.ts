import type { Logger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { MonitorMode, MonitorView } from '../contracts/monitor';
import { AppError } from '../contracts/result';
import type { BrowserGrant, SipPhoneGrant } from '../contracts/socket-events';
import { issueDeviceCredentials } from '../shared/credentials';
import type { CallBook, LiveCall } from './call-book';
import type { SipPhoneServer } from './device-grants';
import type { BankPort, DialHandle } from './ports/bank-port';
import type { MixRoleRequest } from './ports/leg-control-port';

export interface CallMonitorDeps {
  bank: BankPort;
  book: CallBook;
  secret: string;
  sipDomain: string;
  deviceWsUrl: string;
  deviceCredTtlSec: number;
  /** where desk phones register (null: supervisors monitor on the page's browser phone only) */
  sipPhone: SipPhoneServer | null;
  /** the supervisor's monitoring changed (to that supervisor's sockets) */
  notify: (supervisorId: string, view: MonitorView) => void;
  operatorName: (operatorId: string) => string | null;
  now: () => number;
  log: Logger;
}

/** How long the supervisor's own phone rings before the monitoring is given up. */
const RING_SEC = 30;

interface Monitor {
  supervisorId: string;
  callId: string;
  mode: MonitorMode;
  state: 'ringing' | 'connected';
  dial: DialHandle | null;
  /** the supervisor's leg once their phone answered */
  legId: string | null;
  log: Logger;
}

/**
 * Supervisors monitoring live calls: the CTI rings the supervisor's own phone with a dial that
 * joins the operator's call in the ACD's mixing bridge (X-PB-Join), then switches its mode with
 * in-call requests. Listen → the ACD's `listen`, whisper → `whisper` to the operator's leg,
 * barge → `talk`. The ACD knows legs only; which supervisor watches which call is known here.
 *
 * One call at a time per supervisor (their phone takes one call). The supervisor's leg ends when
 * they leave, when their phone hangs up, or when the call ends — never the call itself.
 */
export class CallMonitor {
  /** the supervisors' browser phones: address and expiry (ms) */
  private readonly devices = new Map<string, { aor: string; expiresAt: number }>();
  private readonly monitors = new Map<string, Monitor>();

  constructor(private readonly d: CallMonitorDeps) {}

  /**
   * Credentials for the phone that rings when the supervisor monitors: the supervision page's
   * browser phone, or a desk phone / softphone they type the settings into (like an operator's;
   * the ACD checks them from the name alone). The newest one is the one rung. Never logged.
   */
  device(user: AuthUser, kind: 'browser' | 'sip_phone' = 'browser'): BrowserGrant | SipPhoneGrant {
    const server = this.d.sipPhone;
    if (kind === 'sip_phone' && !server) throw new AppError('UNAVAILABLE', 'Desk phones are not set up on this server; use the phone on this page.');
    if (this.monitors.has(user.id)) throw new AppError('CONFLICT', 'Leave the call you are on first.');
    const cred = issueDeviceCredentials(this.d.secret, this.d.deviceCredTtlSec, this.d.now());
    const aor = `sip:${cred.user}@${this.d.sipDomain}`;
    this.devices.set(user.id, { aor, expiresAt: cred.expiresAt * 1000 });
    this.d.log.info({ userId: user.id, device: kind, sipUser: cred.user, expiresAt: cred.expiresAt }, 'supervisor device credentials issued');
    if (kind === 'sip_phone' && server) return { kind: 'sip_phone', sipUser: cred.user, sipPassword: cred.password, domain: this.d.sipDomain, server: server.host, port: server.port, transports: server.transports, expiresAt: cred.expiresAt };
    return { kind: 'browser', sipUser: cred.user, sipPassword: cred.password, aor, wsUrl: this.d.deviceWsUrl, expiresAt: cred.expiresAt };
  }

  start(user: AuthUser, callId: string, mode: MonitorMode): MonitorView {
    const current = this.monitors.get(user.id);
    if (current?.callId === callId) throw new AppError('CONFLICT', 'You are already on this call.');
    if (current) throw new AppError('CONFLICT', 'Leave the call you are on first.');
    const device = this.devices.get(user.id);
    if (!device || device.expiresAt <= this.d.now()) throw new AppError('CONFLICT', 'Your phone on this page is not ready yet; wait a moment and try again.');
    const call = this.liveCall(callId);
    if (!this.d.bank.isReady()) throw new AppError('UNAVAILABLE', 'The phone system is not reachable; try again shortly.');
    const operatorLeg = call.deviceLegId!;
    const log = call.log.child({ supervisorId: user.id, module: 'monitor' });
    const m: Monitor = { supervisorId: user.id, callId, mode, state: 'ringing', dial: null, legId: null, log };
    this.monitors.set(user.id, m);
    m.dial = this.d.bank.dial({ deviceUri: device.aor, bridgeTo: null, ringTimeoutSec: RING_SEC, join: { legId: operatorLeg, ...mixRole(mode, operatorLeg) } });
    log.info({ mode }, 'monitoring: ringing the supervisor');
    void m.dial.outcome.then((o) => {
      m.dial = null;
      if (this.monitors.get(user.id) !== m) {
        // left (or the call ended) while their phone rang: the late answer is released at once
        if (o.kind === 'answered') this.d.bank.release(o.legId);
        return;
      }
      if (o.kind === 'failed') {
        this.monitors.delete(user.id);
        log.info({ status: o.status, cause: o.cause }, 'monitoring: the supervisor’s phone was not joined');
        this.publish(m, 'ended', o.status === 487 || o.status === 408 || o.status === 480 ? 'Your phone did not answer.' : 'The call could not be joined; it may have ended.');
        return;
      }
      m.legId = o.legId;
      m.state = 'connected';
      log.info({ legId: o.legId, mode: m.mode }, 'monitoring: the supervisor is in the call');
      this.publish(m, 'connected', null);
    });
    return this.view(m, 'ringing', null);
  }

  async mode(user: AuthUser, callId: string, mode: MonitorMode): Promise<MonitorView> {
    const m = this.mine(user, callId);
    if (m.state !== 'connected' || !m.legId) throw new AppError('CONFLICT', 'Answer your phone first.');
    const call = this.liveCall(callId);
    const r = await this.d.bank.controls.setMixMode(m.legId, mixRole(mode, call.deviceLegId!));
    if (!r.ok) {
      m.log.warn({ status: r.status, reason: r.reason, mode }, 'monitoring: mode refused by the switch');
      throw new AppError('CONFLICT', 'The mode could not be changed; the call may have ended.');
    }
    m.mode = mode;
    m.log.info({ mode }, 'monitoring: mode switched');
    this.publish(m, 'connected', null);
    return this.view(m, 'connected', null);
  }

  /** The supervisor leaves: their leg only (or their ringing phone) — the call goes on. */
  stop(user: AuthUser, callId: string): MonitorView {
    const m = this.mine(user, callId);
    this.end(m, null);
    return this.view(m, 'ended', null);
  }

  /** True when the ended leg was a supervisor's (their phone hung up): that monitoring ends, nothing else. */
  legEnded(legId: string): boolean {
    for (const m of this.monitors.values()) {
      if (m.legId !== legId) continue;
      this.monitors.delete(m.supervisorId);
      m.log.info('monitoring: the supervisor hung up');
      this.publish(m, 'ended', null);
      return true;
    }
    return false;
  }

  /** After any call change: monitors of calls no longer connected are ended (their legs released). */
  sweep(): void {
    for (const m of [...this.monitors.values()]) {
      const c = this.d.book.find(m.callId);
      if (!c || c.status !== 'connected' || !c.deviceLegId) this.end(m, 'The call has ended.');
    }
  }

  /** The call a supervisor is on (tests, views). */
  monitorOf(supervisorId: string): MonitorView | null {
    const m = this.monitors.get(supervisorId);
    return m ? this.view(m, m.state, null) : null;
  }

  stopAll(): void {
    for (const m of [...this.monitors.values()]) this.end(m, 'The service is stopping.');
  }

  private end(m: Monitor, reason: string | null): void {
    this.monitors.delete(m.supervisorId);
    m.dial?.cancel();
    if (m.legId) this.d.bank.release(m.legId);
    m.log.info({ reason }, 'monitoring ended');
    this.publish(m, 'ended', reason);
  }

  private mine(user: AuthUser, callId: string): Monitor {
    const m = this.monitors.get(user.id);
    if (!m || m.callId !== callId) throw new AppError('CONFLICT', 'You are not on this call.');
    return m;
  }

  private liveCall(callId: string): LiveCall {
    const call = this.d.book.find(callId);
    if (!call) throw new AppError('NOT_FOUND', 'That call is not in the live view any more.');
    if (call.status === 'ended') throw new AppError('CONFLICT', 'That call has ended.');
    if (call.status !== 'connected' || !call.deviceLegId) throw new AppError('CONFLICT', 'That call is not connected to an operator yet.');
    return call;
  }

  private view(m: Monitor, state: MonitorView['state'], reason: string | null): MonitorView {
    const c = this.d.book.find(m.callId);
    return { callId: m.callId, state, mode: m.mode, operatorName: c?.operatorId ? this.d.operatorName(c.operatorId) : null, reason };
  }

  private publish(m: Monitor, state: MonitorView['state'], reason: string | null): void {
    try {
      this.d.notify(m.supervisorId, this.view(m, state, reason));
    } catch (err) {
      m.log.error({ err }, 'monitor notifier threw');
    }
  }
}

/** The ACD's mixing role for a supervisor's mode (whisper: heard by the operator's leg only). */
export function mixRole(mode: MonitorMode, operatorLeg: string): MixRoleRequest {
  if (mode === 'whisper') return { mode: 'whisper', whisperTo: operatorLeg };
  return { mode: mode === 'barge' ? 'talk' : 'listen' };
}
