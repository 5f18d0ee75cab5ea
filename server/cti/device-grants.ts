import type { Logger } from '../log';
import type { DeviceKind } from '../contracts/agent';
import { maskE164 } from '../contracts/phone';
import { AppError } from '../contracts/result';
import type { BrowserGrant, MobileGrant, MobileStatus, SipPhoneGrant } from '../contracts/socket-events';
import { issueDeviceCredentials } from '../shared/credentials';
import type { Agent, AgentRoster } from './agent-roster';
import { MobileVerification, mobileUri } from './mobile-verification';
import type { BankPort, DtmfPressed } from './ports/bank-port';
import type { CtiStore, MobileStore } from './ports/cti-store';
import type { ViewPublisher } from './views';

export interface SipPhoneServer {
  host: string;
  port: number;
  transports: Array<'UDP' | 'TCP'>;
}

export interface DeviceGrantsDeps {
  roster: AgentRoster;
  bank: BankPort;
  store: CtiStore & Partial<MobileStore>;
  views: ViewPublisher;
  secret: string;
  sipDomain: string;
  /** the ACD's SIP WebSocket URL given to browser devices */
  deviceWsUrl: string;
  deviceCredTtlSec: number;
  /** where desk phones and softphones register (the ACD's plain SIP port); null: not offered */
  sipPhone: SipPhoneServer | null;
  now: () => number;
  log: Logger;
}

/**
 * Where an operator takes calls: short-lived SIP credentials for the console's browser phone,
 * or their own mobile once a verification call proved it theirs. Never during a call.
 */
export class DeviceGrants {
  /** the operators' own mobiles (null when the store cannot keep them) */
  private readonly mobile: MobileVerification | null;

  constructor(private readonly d: DeviceGrantsDeps) {
    const st = d.store;
    this.mobile =
      st.mobileOf && st.setMobile
        ? new MobileVerification({
            dial: (r) => d.bank.dial(r),
            release: (legId) => d.bank.release(legId),
            store: { mobileOf: (u) => st.mobileOf!(u), setMobile: (u, e, v) => st.setMobile!(u, e, v) },
            notify: (op, status) => d.views.mobileChanged(op, status),
            sipDomain: d.sipDomain,
            logger: d.log,
          })
        : null;
  }

  browser(operatorId: string, kind: Extract<DeviceKind, 'browser'>): BrowserGrant {
    const a = this.d.roster.require(operatorId);
    this.refuseDuringCall(a, 'cannot change device during a call');
    const cred = issueDeviceCredentials(this.d.secret, this.d.deviceCredTtlSec, this.d.now());
    const aor = `sip:${cred.user}@${this.d.sipDomain}`;
    a.log.info({ device: kind, sipUser: cred.user, expiresAt: cred.expiresAt }, 'device credentials issued');
    this.d.roster.grantDevice(a, kind, aor, cred.expiresAt * 1000);
    return { kind: 'browser', sipUser: cred.user, sipPassword: cred.password, aor, wsUrl: this.d.deviceWsUrl, expiresAt: cred.expiresAt };
  }

  /**
   * A desk phone or softphone: the same kind of credentials as the browser's (the ACD checks them
   * from the name alone), shown to the operator to type in; calls ring whatever registers with them.
   * The password is never logged.
   */
  sipPhone(operatorId: string): SipPhoneGrant {
    const a = this.d.roster.require(operatorId);
    this.refuseDuringCall(a, 'cannot change device during a call');
    const server = this.d.sipPhone;
    if (!server) throw new AppError('UNAVAILABLE', 'Desk phones are not set up on this server; choose This browser.');
    const cred = issueDeviceCredentials(this.d.secret, this.d.deviceCredTtlSec, this.d.now());
    const aor = `sip:${cred.user}@${this.d.sipDomain}`;
    a.log.info({ device: 'sip_phone', sipUser: cred.user, expiresAt: cred.expiresAt }, 'SIP phone credentials issued');
    this.d.roster.grantDevice(a, 'sip_phone', aor, cred.expiresAt * 1000);
    return { kind: 'sip_phone', sipUser: cred.user, sipPassword: cred.password, domain: this.d.sipDomain, server: server.host, port: server.port, transports: server.transports, expiresAt: cred.expiresAt };
  }

  /** The operator rings on their own verified mobile, through a trunk; routing treats it like a browser. */
  async chooseMobile(operatorId: string, e164: string): Promise<MobileGrant> {
    const a = this.d.roster.require(operatorId);
    this.refuseDuringCall(a, 'cannot change device during a call');
    const number = await this.requireMobile().verifiedNumber(operatorId, e164);
    a.log.info({ device: 'mobile', mobile: maskE164(number) }, 'device: the operator’s mobile');
    // a number does not expire like device credentials; it lasts the sign-in
    this.d.roster.grantDevice(a, 'mobile', mobileUri(number, this.d.sipDomain), Number.MAX_SAFE_INTEGER);
    return { kind: 'mobile', e164Masked: maskE164(number) };
  }

  mobileStatus(operatorId: string): Promise<MobileStatus> {
    this.d.roster.require(operatorId);
    return this.requireMobile().status(operatorId);
  }

  verifyMobile(operatorId: string, e164: string): Promise<MobileStatus> {
    const a = this.d.roster.require(operatorId);
    this.refuseDuringCall(a, 'cannot verify a number during a call');
    if (!this.d.bank.isReady()) throw new AppError('UNAVAILABLE', 'the switch is not reachable; try again shortly');
    return this.requireMobile().start(operatorId, e164);
  }

  /** Digits pressed on a leg (a verification call's code). */
  dtmf(e: DtmfPressed): void {
    this.mobile?.dtmf(e.legId, e.digit);
  }

  /** True when the ended leg was a verification call's (not a call the CTI routes). */
  legEnded(legId: string): boolean {
    return this.mobile?.legEnded(legId) ?? false;
  }

  stop(): void {
    this.mobile?.stop();
  }

  private refuseDuringCall(a: Agent, message: string): void {
    if (a.state === 'reserved' || a.state === 'talking') throw new AppError('CONFLICT', message);
  }

  private requireMobile(): MobileVerification {
    if (!this.mobile) throw new AppError('UNAVAILABLE', 'mobile numbers are not available');
    return this.mobile;
  }
}
