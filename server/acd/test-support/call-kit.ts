import pino from 'pino';
import { bankCredentials, issueDeviceCredentials } from '../../shared/credentials';
import { controlSdp, H } from '../../shared/sip-control';
import { CONTROL_OP_CONTENT_TYPE, type ControlOp } from '../../shared/sip-control-ops';
import { dialForLeg, placeCall, takeRouteOffer } from '../../test-support/sip-peers';
import { Acd } from '../acd';
import type { SipResponse } from '../sip/message';
import { UdpRtpPeer } from '../media/test-udp-peer';
import { WeriftMediaEngine } from '../media/werift-media-engine';
import type { TrunkDirectory } from '../trunks/trunk-directory';
import { SipWsClient, type ClientDialog } from './sip-ws-client';
import { speak, TONE } from './tones';

export const DOMAIN = 'patchbay.local';
export const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A party with plain RTP media: its SIP client, its RTP socket, its leg and its control dialog at the bank. */
export interface Party {
  sip: SipWsClient;
  rtp: UdpRtpPeer;
  dialog: ClientDialog;
  leg: string;
  control: ClientDialog;
  /** Starts speaking its tone; stopped at teardown. */
  speak(hz: number): void;
}

/**
 * The real ACD (real media engine, SIP over WS for the bank and callers, UDP for phones) with
 * a bank client registered at the route point: callers and SIP-phone devices with plain RTP
 * media, dialled and bridged through the dialect, and the controller's in-call requests.
 */
export class CallKit {
  private readonly closers: Array<() => Promise<void> | void> = [];
  bank!: SipWsClient;
  private creds!: { user: string; password: string };

  private constructor(
    readonly acd: Acd,
    readonly engine: WeriftMediaEngine,
    private readonly secret: string,
  ) {}

  static async start(ports: { rtp: [number, number]; ice: [number, number] }, opts: { secret?: string; trunks?: TrunkDirectory; /** false: no raw bank client (a real UaBank registers instead) */ bank?: boolean; recordingsDir?: string; deviceGraceSec?: number } = {}): Promise<CallKit> {
    const secret = opts.secret ?? 'call-kit-secret-'.padEnd(40, 'x');
    const engine = new WeriftMediaEngine(log, { rtpPortRange: ports.rtp, portRange: ports.ice, rtpTimeoutSec: 10 });
    const acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret, ringTimeoutDefaultSec: 10, transports: { udpPort: 0, ...(opts.trunks ? { tcpPort: 0 } : {}) }, ...(opts.recordingsDir ? { recordingsDir: opts.recordingsDir } : {}), ...(opts.deviceGraceSec !== undefined ? { deviceGraceSec: opts.deviceGraceSec } : {}) },
      dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
      media: engine,
      logger: log,
      ...(opts.trunks ? { trunks: opts.trunks } : {}),
    });
    await acd.start();
    const kit = new CallKit(acd, engine, secret);
    if (opts.bank === false) return kit;
    kit.bank = await kit.client('bank');
    kit.creds = bankCredentials(secret, 1);
    const reg = await kit.bank.register('route', DOMAIN, kit.creds.user, kit.creds.password);
    if (reg.status !== 200) throw new Error(`bank REGISTER answered ${reg.status}`);
    return kit;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.acd.port}`;
  }

  async client(name: string): Promise<SipWsClient> {
    const c = await SipWsClient.connect(this.url, name);
    this.closers.push(() => c.close());
    return c;
  }

  private async rtpPeer(): Promise<UdpRtpPeer> {
    const p = await UdpRtpPeer.open();
    this.closers.push(() => p.close());
    return p;
  }

  private party(sip: SipWsClient, rtp: UdpRtpPeer, dialog: ClientDialog, leg: string, control: ClientDialog, pt: 0 | 8): Party {
    return {
      sip,
      rtp,
      dialog,
      leg,
      control,
      speak: (hz) => {
        const stop = speak(rtp, pt, hz);
        this.closers.push(stop);
      },
    };
  }

  /** A caller on the served number (plain RTP), answered, parked, offered to the bank. */
  async caller(opts: { pts?: string; pt?: 0 | 8 } = {}): Promise<Party> {
    const rtp = await this.rtpPeer();
    const sip = await this.client('caller');
    const { ok, dialog } = await placeCall(sip, `sip:${NUMBER}@${DOMAIN}`, rtp.sdp({ pts: opts.pts ?? '8 101' }), { from: '<sip:mobile@carrier.invalid>' });
    if (ok.status !== 200) throw new Error(`caller INVITE answered ${ok.status}`);
    rtp.aimAt(ok.body);
    const { callerLeg, route } = await takeRouteOffer(this.bank);
    await this.bank.request('ACK', (r) => r.headers.get('Call-ID') === route.callId);
    return this.party(sip, rtp, dialog, callerLeg, route, opts.pt ?? 8);
  }

  /** A caller on the served number (plain RTP) whose offer goes to whatever bank is registered (a real UaBank). */
  async plainCaller(pt: 0 | 8 = 8): Promise<{ sip: SipWsClient; rtp: UdpRtpPeer; dialog: ClientDialog; speak(hz: number): void }> {
    const rtp = await this.rtpPeer();
    const sip = await this.client('caller');
    const { ok, dialog } = await placeCall(sip, `sip:${NUMBER}@${DOMAIN}`, rtp.sdp({ pts: pt === 8 ? '8 101' : '0 101' }), { from: '<sip:+447700900111@carrier.invalid>' });
    if (ok.status !== 200) throw new Error(`caller INVITE answered ${ok.status}`);
    rtp.aimAt(ok.body);
    return { sip, rtp, dialog, speak: (hz) => void this.closers.push(speak(rtp, pt, hz)) };
  }

  /**
   * A SIP phone over UDP registered with credentials someone else issued (the CTI's grant), that
   * answers the next INVITE with plain RTP; resolves once answered and ACKed.
   */
  async phoneWith(cred: { sipUser: string; sipPassword: string }, name: string) {
    return registeredRtpPhone(this.acd.ports.UDP!, cred, name, this.closers);
  }

  /** A SIP phone registered over UDP with device credentials (the ACD offers it plain RTP). */
  async phone(name: string): Promise<{ sip: SipWsClient; rtp: UdpRtpPeer; user: string }> {
    const dev = issueDeviceCredentials(this.secret, 3600);
    const sip = await SipWsClient.udp('127.0.0.1', this.acd.ports.UDP!, name);
    this.closers.push(() => sip.close());
    const reg = await sip.register(dev.user, DOMAIN, dev.user, dev.password);
    if (reg.status !== 200) throw new Error(`phone REGISTER answered ${reg.status}`);
    return { sip, rtp: await this.rtpPeer(), user: dev.user };
  }

  /**
   * The bank dials a phone for `legId` (X-PB-Bridge, or other dial headers), the phone
   * answers with `pts`; resolves with the answered device party.
   */
  async dial(phone: { sip: SipWsClient; rtp: UdpRtpPeer; user: string }, headers: Array<[string, string]>, opts: { pts?: string; pt?: 0 | 8 } = {}): Promise<Party & { recording: string | null }> {
    const { dialog, leg, control, recording } = await this.dialDevice(phone, headers, (offer) => {
      phone.rtp.aimAt(offer);
      return Promise.resolve(phone.rtp.sdp({ pts: opts.pts ?? '0 101' }));
    });
    return { ...this.party(phone.sip, phone.rtp, dialog, leg, control, opts.pt ?? 0), recording };
  }

  /**
   * The bank dials a registered device (`headers`: X-PB-Bridge and the like); the device answers
   * the ACD's offer with what `answer` makes of it (plain RTP, or a WebRTC peer's answer).
   */
  async dialDevice(device: { sip: SipWsClient; user: string }, headers: Array<[string, string]>, answer: (offer: string) => Promise<string>): Promise<{ dialog: ClientDialog; leg: string; control: ClientDialog; recording: string | null }> {
    const bridge = headers.find(([n]) => n === H.bridge)?.[1];
    const rest = headers.filter(([n]) => n !== H.bridge);
    const target = `sip:${device.user}@${DOMAIN}`;
    const dial = bridge
      ? await dialForLeg(this.bank, target, bridge, this.creds, rest)
      : await this.bank.sendWithAuth(this.bank.makeRequest('INVITE', target, { headers: rest, body: controlSdp(2) }), this.creds.user, this.creds.password);
    const ring = await device.sip.request('INVITE', () => true, 5000);
    const dialog = device.sip.answer(ring, 200, { body: await answer(ring.body) });
    await device.sip.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
    const answered = await this.bank.response(dial.headers.get('Call-ID')!, 'INVITE', true, 10_000);
    if (answered.status !== 200) throw new Error(`dial answered ${answered.status}`);
    const control = this.bank.dialogFrom(dial, answered);
    this.bank.send(this.bank.inDialog('ACK', control));
    return { dialog, leg: answered.headers.get(H.leg)!, control, recording: answered.headers.get(H.recording) ?? null };
  }

  /** A browser-like device: registered over SIP WebSocket with device credentials (the ACD offers it WebRTC). */
  async wsDevice(name: string, dev = issueDeviceCredentials(this.secret, 3600)): Promise<{ sip: SipWsClient; user: string; dev: { user: string; password: string } }> {
    const sip = await this.client(name);
    const reg = await sip.register(dev.user, DOMAIN, dev.user, dev.password);
    if (reg.status !== 200) throw new Error(`device REGISTER answered ${reg.status}`);
    return { sip, user: dev.user, dev };
  }

  /** The bank's authenticated dial INVITE to any Request-URI (a number through a trunk); resolves with the INVITE sent. */
  dialUri(uri: string, headers: Array<[string, string]>) {
    return this.bank.sendWithAuth(this.bank.makeRequest('INVITE', uri, { headers, body: controlSdp(2) }), this.creds.user, this.creds.password);
  }

  /** Device credentials under this ACD's secret (for a real softphone such as baresip). */
  deviceCredentials(): { user: string; password: string } {
    return issueDeviceCredentials(this.secret, 3600);
  }

  /** Waits for the 200 to a dial sent with `dialUri`, ACKs it; the new leg and its control dialog. */
  async answered(dial: Awaited<ReturnType<CallKit['dialUri']>>, timeoutMs = 10_000): Promise<{ leg: string; control: ClientDialog }> {
    const ok = await this.bank.response(dial.headers.get('Call-ID')!, 'INVITE', true, timeoutMs);
    if (ok.status !== 200) throw new Error(`dial answered ${ok.status}`);
    const control = this.bank.dialogFrom(dial, ok);
    this.bank.send(this.bank.inDialog('ACK', control));
    return { leg: ok.headers.get(H.leg)!, control };
  }

  /** A dial the ACD should refuse before ringing anything: its final status and reason. */
  async dialRefused(user: string, headers: Array<[string, string]>): Promise<{ status: number; reason: string }> {
    const inv = await this.bank.sendWithAuth(this.bank.makeRequest('INVITE', `sip:${user}@${DOMAIN}`, { headers, body: controlSdp(2) }), this.creds.user, this.creds.password);
    const res = await this.bank.response(inv.headers.get('Call-ID')!, 'INVITE', true, 5000);
    if (res.status >= 300) this.bank.ackFailure(inv, res);
    return { status: res.status, reason: res.reason };
  }

  /** A caller speaking its tone bridged to an operator's phone speaking its own. */
  async bridgedCall(): Promise<{ caller: Party; operator: Party }> {
    const caller = await this.caller();
    caller.speak(TONE.caller);
    const operator = await this.dial(await this.phone('operator'), [[H.bridge, caller.leg]]);
    operator.speak(TONE.operator);
    return { caller, operator };
  }

  /** An in-call request on a control dialog; resolves with the ACD's answer. */
  async op(control: ClientDialog, body: ControlOp | Record<string, unknown>, via: SipWsClient = this.bank): Promise<SipResponse> {
    const info = via.inDialog('INFO', control, JSON.stringify(body));
    info.headers.set('Content-Type', CONTROL_OP_CONTENT_TYPE);
    via.send(info);
    return via.response(control.callId, 'INFO');
  }

  leg(id: string) {
    return this.acd.legs().find((l) => l.legId === id);
  }

  async stop(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c();
    await this.acd.stop();
    await this.engine.close();
  }
}

/**
 * A SIP phone over UDP registered at the ACD on `udpPort` with credentials someone else issued
 * (the CTI's grant), that answers the next INVITE with plain RTP; `answerNext` resolves once
 * answered and ACKed. What it opens is closed by `closers` (the owner's teardown list).
 */
export async function registeredRtpPhone(udpPort: number, cred: { sipUser: string; sipPassword: string }, name: string, closers: Array<() => Promise<void> | void>) {
  const sip = await SipWsClient.udp('127.0.0.1', udpPort, name);
  closers.push(() => sip.close());
  const reg = await sip.register(cred.sipUser, DOMAIN, cred.sipUser, cred.sipPassword);
  if (reg.status !== 200) throw new Error(`phone REGISTER answered ${reg.status}`);
  const rtp = await UdpRtpPeer.open();
  closers.push(() => rtp.close());
  const answerNext = async (timeoutMs = 8000) => {
    const ring = await sip.request('INVITE', () => true, timeoutMs);
    rtp.aimAt(ring.body);
    const dialog = sip.answer(ring, 200, { body: rtp.sdp({ pts: '0 101' }) });
    await sip.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
    return dialog;
  };
  /** the ACD's BYE (the CTI released this phone), answered 200 */
  const released = async (timeoutMs = 5000) => sip.respond(await sip.request('BYE', () => true, timeoutMs), 200);
  return { sip, rtp, answerNext, released, speak: (hz: number) => void closers.push(speak(rtp, 0, hz)) };
}
