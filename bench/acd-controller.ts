import { bankCredentials } from '../server/shared/credentials';
import { controlSdp, H } from '../server/shared/sip-control';
import { parseCSeq, tagOf } from '../server/acd/sip/headers';
import type { SipMessage, SipRequest, SipResponse } from '../server/acd/sip/message';
import { SipWsClient, type ClientDialog } from '../server/acd/test-support/sip-ws-client';

/** One parked caller the controller took, and the device dial it made for it. */
interface Call {
  legId: string;
  callerControl: ClientDialog;
  dialInvite: SipRequest | null;
  challenged: boolean;
  deviceControl: ClientDialog | null;
  /** The caller left before the device answered: release the device as soon as it does. */
  releaseOnAnswer: boolean;
}

export interface ControllerCounters {
  offers: number;
  dialsOk: number;
  dialsFailed: number;
  releases: number;
  /** Final statuses of failed dials, e.g. { 486: 3 }. */
  failures: Record<number, number>;
}

/**
 * The benchmark's controller (the CTI's part, minus operators): registers `route` as a bank
 * user over WS, answers every route-point INVITE, dials the one device with `X-PB-Bridge`
 * at once (answering the 407), and releases the device leg when the caller hangs up
 * (docs/sip-control-dialect.md). Built on the raw SIP test client, which is lighter than
 * a JsSIP UA: one WebSocket, no retransmission timers (WS is reliable), no media.
 */
export class BenchController {
  readonly counters: ControllerCounters = { offers: 0, dialsOk: 0, dialsFailed: 0, releases: 0, failures: {} };
  private readonly byCallerControl = new Map<string, Call>();
  private readonly byDial = new Map<string, Call>();
  private readonly byDeviceControl = new Map<string, Call>();
  private closed = false;
  private sdpSeq = 1;

  private constructor(
    private readonly ua: SipWsClient,
    private readonly creds: { user: string; password: string },
    private readonly domain: string,
    private readonly deviceUser: string,
  ) {}

  static async start(wsUrl: string, secret: string, domain: string, deviceUser: string): Promise<BenchController> {
    const ua = await SipWsClient.connect(wsUrl, 'bank');
    const creds = bankCredentials(secret, 1);
    const reg = await ua.register('route', domain, creds.user, creds.password, 3600);
    if (reg.status !== 200) throw new Error(`controller REGISTER got ${reg.status}`);
    const c = new BenchController(ua, creds, domain, deviceUser);
    void c.loop();
    return c;
  }

  /** Calls the controller still holds (0 when every call was released). */
  get live(): number {
    return this.byCallerControl.size;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      let m: SipMessage;
      try {
        m = await this.ua.next(() => true, 3_600_000);
      } catch {
        return;
      }
      // the test client keeps every message it got; the controller needs none of them
      this.ua.received.length = 0;
      try {
        if (m.kind === 'request') this.onRequest(m);
        else this.onResponse(m);
      } catch (err) {
        process.stderr.write(`controller: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  }

  private onRequest(req: SipRequest): void {
    const callId = req.headers.get('Call-ID') ?? '';
    switch (req.method) {
      case 'ACK':
        return;
      case 'INVITE': {
        const leg = req.headers.get(H.leg);
        if (tagOf(req.headers.get('To')) || !leg) {
          this.ua.answer(req, 200, { body: controlSdp(this.sdpSeq++) }); // a refresh
          return;
        }
        this.counters.offers++;
        const callerControl = this.ua.answer(req, 200, { body: controlSdp(this.sdpSeq++) });
        const call: Call = { legId: leg, callerControl, dialInvite: null, challenged: false, deviceControl: null, releaseOnAnswer: false };
        this.byCallerControl.set(callId, call);
        this.dial(call);
        return;
      }
      case 'BYE': {
        this.ua.respond(req, 200);
        const asCaller = this.byCallerControl.get(callId);
        if (asCaller) {
          // caller gone: release the device leg (the ACD never does it by itself)
          this.byCallerControl.delete(callId);
          if (asCaller.deviceControl) {
            this.byDeviceControl.delete(asCaller.deviceControl.callId);
            this.release(asCaller.deviceControl);
          }
          else asCaller.releaseOnAnswer = true;
          return;
        }
        const asDevice = this.byDeviceControl.get(callId);
        if (asDevice) {
          // the device hung up first: release the caller too
          this.byDeviceControl.delete(callId);
          if (this.byCallerControl.delete(asDevice.callerControl.callId)) this.release(asDevice.callerControl);
        }
        return;
      }
      default:
        this.ua.respond(req, 200); // INFO (DTMF), UPDATE refreshes, OPTIONS
    }
  }

  private dial(call: Call): void {
    const inv = this.ua.makeRequest('INVITE', `sip:${this.deviceUser}@${this.domain}`, { headers: [[H.bridge, call.legId]], body: controlSdp(this.sdpSeq++) });
    call.dialInvite = inv;
    this.byDial.set(inv.headers.get('Call-ID')!, call);
    this.ua.send(inv);
  }

  private release(d: ClientDialog): void {
    this.counters.releases++;
    this.ua.send(this.ua.inDialog('BYE', d));
  }

  private onResponse(res: SipResponse): void {
    const callId = res.headers.get('Call-ID') ?? '';
    if (parseCSeq(res.headers.get('CSeq') ?? '')?.method !== 'INVITE') return; // 200s to BYEs
    const call = this.byDial.get(callId);
    if (!call || !call.dialInvite || res.status < 200) return;
    const inv = call.dialInvite;
    if (res.status === 407 && !call.challenged) {
      call.challenged = true;
      this.ua.ackFailure(inv, res);
      const again = this.ua.withAuth(inv, res, this.creds.user, this.creds.password);
      call.dialInvite = again;
      this.ua.send(again);
      return;
    }
    this.byDial.delete(callId);
    if (res.status >= 300) {
      this.ua.ackFailure(inv, res);
      this.counters.dialsFailed++;
      this.counters.failures[res.status] = (this.counters.failures[res.status] ?? 0) + 1;
      if (process.env.BENCH_DEBUG) process.stderr.write(`dial failed: ${res.status} ${res.reason}\n`);
      return;
    }
    const d = this.ua.dialogFrom(inv, res);
    this.ua.send(this.ua.inDialog('ACK', d));
    this.counters.dialsOk++;
    if (call.releaseOnAnswer) return this.release(d);
    call.deviceControl = d;
    this.byDeviceControl.set(callId, call);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ua.close();
  }
}
