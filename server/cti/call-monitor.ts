import type { Logger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { MonitorDeviceKind, MonitorMode, MonitorView } from '../contracts/monitor';
import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { BrowserGrant, MobileGrant, MobileStatus, SipPhoneGrant } from '../contracts/socket-events';
import { issueDeviceCredentials } from '../shared/credentials';
import { MONITOR_PRESS1 } from '../shared/press-one-prompt';
import type { CallBook, LiveCall } from './call-book';
import type { SipPhoneServer } from './device-grants';
import { monitorTransition, type MonitorPhase, type MonitorPhaseEvent } from './domain/monitor-state';
import { MobileVerification, mobileUri } from './mobile-verification';
import type { BankPort, DialHandle, DtmfPressed } from './ports/bank-port';
import type { MobileStore } from './ports/cti-store';
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
  /** where people's mobiles are kept (null: supervisors cannot monitor on a mobile) */
  mobiles: MobileStore | null;
  /** the supervisor's mobile verification changed (to them only) */
  notifyMobile: (supervisorId: string, status: MobileStatus) => void;
  /** how long an answered mobile waits for the 1 (default 30 s) */
  pressOneMs?: number;
  operatorName: (operatorId: string) => string | null;
  now: () => number;
  log: Logger;
}

/** How long the supervisor's own phone rings before the monitoring is given up. */
const RING_SEC = 30;
/** How long an answered mobile waits for the 1 before it is hung up (a voicemail never presses it). */
const PRESS_ONE_MS = 30_000;

interface Monitor {
  supervisorId: string;
  callId: string;
  mode: MonitorMode;
  device: MonitorDeviceKind;
  state: MonitorPhase;
  dial: DialHandle | null;
  /** the supervisor's leg once their phone answered */
  legId: string | null;
  /** a mobile's wait for the 1 */
  timer: NodeJS.Timeout | null;
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
  /** the supervisors' phones: kind, address and expiry (ms) */
  private readonly devices = new Map<string, { kind: MonitorDeviceKind; aor: string; expiresAt: number }>();
  private readonly monitors = new Map<string, Monitor>();
  /** the supervisors' own mobiles: verified with a call exactly like an operator's */
  private readonly mobile: MobileVerification | null;

  constructor(private readonly d: CallMonitorDeps) {
    this.mobile = d.mobiles
      ? new MobileVerification({
          dial: (r) => d.bank.dial(r),
          release: (legId) => d.bank.release(legId),
          store: d.mobiles,
          notify: (id, status) => d.notifyMobile(id, status),
          sipDomain: d.sipDomain,
          logger: d.log.child({ module: 'monitor' }),
        })
      : null;
  }

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
    this.devices.set(user.id, { kind, aor, expiresAt: cred.expiresAt * 1000 });
    this.d.log.info({ userId: user.id, device: kind, sipUser: cred.user, expiresAt: cred.expiresAt }, 'supervisor device credentials issued');
    if (kind === 'sip_phone' && server) return { kind: 'sip_phone', sipUser: cred.user, sipPassword: cred.password, domain: this.d.sipDomain, server: server.host, port: server.port, transports: server.transports, expiresAt: cred.expiresAt };
    return { kind: 'browser', sipUser: cred.user, sipPassword: cred.password, aor, wsUrl: this.d.deviceWsUrl, expiresAt: cred.expiresAt };
  }

  /**
   * The supervisor's own mobile rings instead, through a trunk: only the stored number verified
   * with a call (`verifyMobile`), the check an operator's mobile passes. It lasts until another
   * phone is chosen; a mobile that answers joins the call only when 1 is pressed on it.
   */
  async chooseMobile(user: AuthUser, e164: string): Promise<MobileGrant> {
    const mobile = this.requireMobile();
    if (this.monitors.has(user.id)) throw new AppError('CONFLICT', 'Leave the call you are on first.');
    const number = await mobile.verifiedNumber(user.id, e164);
    this.devices.set(user.id, { kind: 'mobile', aor: mobileUri(number, this.d.sipDomain), expiresAt: Number.MAX_SAFE_INTEGER });
    this.d.log.info({ userId: user.id, device: 'mobile', mobile: maskE164(number) }, 'supervisor device: their mobile');
    return { kind: 'mobile', e164Masked: maskE164(number) };
  }

  mobileStatus(user: AuthUser): Promise<MobileStatus> {
    return this.requireMobile().status(user.id);
  }

  /** Stores the number and rings it once with a code to type on its keypad. Not while monitoring. */
  verifyMobile(user: AuthUser, e164: string): Promise<MobileStatus> {
    const mobile = this.requireMobile();
    if (this.monitors.has(user.id)) throw new AppError('CONFLICT', 'Leave the call you are on first.');
    if (!this.d.bank.isReady()) throw new AppError('UNAVAILABLE', 'The phone system is not reachable; try again shortly.');
    return mobile.start(user.id, e164);
  }

  /** A digit on a leg: a verification code's, or the 1 of a supervisor's answered mobile. True when it was one of these. */
  dtmf(e: DtmfPressed): boolean {
    if (this.mobile?.dtmf(e.legId, e.digit)) return true;
    for (const m of this.monitors.values()) {
      if (m.legId !== e.legId || m.state !== 'confirming') continue;
      if (e.digit === '1') void this.joinAnswered(m);
      return true;
    }
    return false;
  }

  start(user: AuthUser, callId: string, mode: MonitorMode): MonitorView {
    const current = this.monitors.get(user.id);
    if (current?.callId === callId) throw new AppError('CONFLICT', 'You are already on this call.');
    if (current) throw new AppError('CONFLICT', 'Leave the call you are on first.');
    const device = this.devices.get(user.id);
    if (!device || device.expiresAt <= this.d.now()) throw new AppError('CONFLICT', 'Your phone on this page is not ready yet; wait a moment and try again.');
    const call = this.liveCall(callId);
    noWhisperOutside(call, mode);
    if (!this.d.bank.isReady()) throw new AppError('UNAVAILABLE', 'The phone system is not reachable; try again shortly.');
    const operatorLeg = call.deviceLegId!;
    const log = call.log.child({ supervisorId: user.id, module: 'monitor' });
    const m: Monitor = { supervisorId: user.id, callId, mode, device: device.kind, state: 'ringing', dial: null, legId: null, timer: null, log };
    this.monitors.set(user.id, m);
    // a mobile is a number check (answered, bridged to nothing) until its 1: its voicemail must never
    // hear the call. Meanwhile the ACD plays it the question, looped (X-PB-Confirm), until the join stops it
    const join = device.kind === 'mobile' ? { confirm: MONITOR_PRESS1 } : { join: { legId: operatorLeg, ...mixRole(mode, operatorLeg) } };
    m.dial = this.d.bank.dial({ deviceUri: device.aor, bridgeTo: null, ringTimeoutSec: RING_SEC, ...join });
    log.info({ mode, device: device.kind }, 'monitoring: ringing the supervisor');
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
      if (m.device === 'mobile') {
        this.move(m, 'answered');
        m.timer = setTimeout(() => this.end(m, 'Your mobile answered, but 1 was not pressed.'), this.d.pressOneMs ?? PRESS_ONE_MS);
        log.info({ legId: o.legId }, 'monitoring: the supervisor’s mobile answered; waiting for 1');
        return;
      }
      this.move(m, 'joined');
      log.info({ legId: o.legId, mode: m.mode }, 'monitoring: the supervisor is in the call');
      this.publish(m, 'connected', null);
    });
    return this.view(m, 'ringing', null);
  }

  /** The 1 on an answered mobile: its leg joins the call's mix in the mode chosen (or switched to) meanwhile. */
  private async joinAnswered(m: Monitor): Promise<void> {
    if (m.timer) clearTimeout(m.timer);
    m.timer = null;
    const call = this.d.book.find(m.callId);
    if (!call?.deviceLegId || !m.legId) return this.end(m, 'The call has ended.');
    const r = await this.d.bank.controls.join(m.legId, call.deviceLegId, mixRole(m.mode, call.deviceLegId));
    if (this.monitors.get(m.supervisorId) !== m) return; // left meanwhile: end() released the leg
    if (!r.ok) {
      m.log.warn({ status: r.status, reason: r.reason }, 'monitoring: the mobile could not join the call');
      return this.end(m, 'The call could not be joined; it may have ended.');
    }
    this.move(m, 'joined');
    m.log.info({ legId: m.legId, mode: m.mode }, 'monitoring: the supervisor pressed 1 and is in the call');
    this.publish(m, 'connected', null);
  }

  private move(m: Monitor, event: MonitorPhaseEvent): void {
    const r = monitorTransition(m.state, event);
    if (r.ok) m.state = r.next;
    else m.log.error({ state: m.state, event }, r.error.message);
  }

  async mode(user: AuthUser, callId: string, mode: MonitorMode): Promise<MonitorView> {
    const m = this.mine(user, callId);
    if (m.state === 'confirming') {
      noWhisperOutside(this.liveCall(callId), mode);
      // not in the mix yet: the 1 joins it in this mode
      m.mode = mode;
      return this.view(m, 'ringing', null);
    }
    if (m.state !== 'connected' || !m.legId) throw new AppError('CONFLICT', 'Answer your phone first.');
    const call = this.liveCall(callId);
    noWhisperOutside(call, mode);
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

  /** True when the ended leg was a supervisor's (their phone hung up, or their verification call): that monitoring ends, nothing else. */
  legEnded(legId: string): boolean {
    if (this.mobile?.legEnded(legId)) return true;
    for (const m of this.monitors.values()) {
      if (m.legId !== legId) continue;
      this.monitors.delete(m.supervisorId);
      if (m.timer) clearTimeout(m.timer);
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
    return m ? this.view(m, m.state === 'connected' ? 'connected' : 'ringing', null) : null;
  }

  stopAll(): void {
    for (const m of [...this.monitors.values()]) this.end(m, 'The service is stopping.');
    this.mobile?.stop();
  }

  private requireMobile(): MobileVerification {
    if (!this.mobile) throw new AppError('UNAVAILABLE', 'Mobile numbers are not available on this server.');
    return this.mobile;
  }

  private end(m: Monitor, reason: string | null): void {
    if (this.monitors.get(m.supervisorId) !== m) return;
    this.monitors.delete(m.supervisorId);
    if (m.timer) clearTimeout(m.timer);
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
    return { callId: m.callId, state, mode: m.mode, device: m.device, operatorName: c?.operatorId ? this.d.operatorName(c.operatorId) : null, reason };
  }

  private publish(m: Monitor, state: MonitorView['state'], reason: string | null): void {
    try {
      this.d.notify(m.supervisorId, this.view(m, state, reason));
    } catch (err) {
      m.log.error({ err }, 'monitor notifier threw');
    }
  }
}

/**
 * A call handed to an outside number has no operator to coach: whispering would reach the outside
 * party alone. Listen and barge work as on any call (the ACD mixes the caller's and the number's legs).
 */
function noWhisperOutside(call: LiveCall, mode: MonitorMode): void {
  if (mode === 'whisper' && call.forwardedTo && !call.operatorId) throw new AppError('CONFLICT', 'This call is with an outside number, so there is no operator to whisper to: listen or barge instead.');
}

/** The ACD's mixing role for a supervisor's mode (whisper: heard by the operator's leg only). */
export function mixRole(mode: MonitorMode, operatorLeg: string): MixRoleRequest {
  if (mode === 'whisper') return { mode: 'whisper', whisperTo: operatorLeg };
  return { mode: mode === 'barge' ? 'talk' : 'listen' };
}
