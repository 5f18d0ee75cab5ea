import { digestAuthorization } from '../../shared/digest-response';
import type { UA } from 'jssip';
import type { RTCSession, EndEvent } from 'jssip/lib/RTCSession';
import type { IncomingRTCSessionEvent, RTCSessionEvent } from 'jssip/lib/UA';
import NodeWebSocket from 'jssip-node-websocket';
import type { Logger } from '../../log';
import { TypedEmitter } from '../../shared/typed-emitter';
import { bankCredentials } from '../../shared/credentials';
import { maskNumbersInUri } from '../../contracts/phone';
import { announceHeaders, type ThenAction } from '../../shared/sip-announce';
import { H, ROUTE_USER, type LegEndCause } from '../../shared/sip-control';
import { CONTROL_OP_CONTENT_TYPE } from '../../shared/sip-control-ops';
import { dialHeaders, parseCause, parseDtmfRelay, parseQualityInfo, parseLegHeader, parseNoticeHeader, parseRecoveredOffer, parseRecordingHeader, parseRoutePointInvite, recordHeaders } from './control-headers';
import { LegControls } from './leg-controls';
import { sendInfo } from './send-info';
import { loadJsSip, type JsSIP } from './load-jssip';
import type { BankEvents, BankPort, DialHandle, DialRequest, RecordAnswer } from '../ports/bank-port';
import { DIAL_FAILURE_CAUSES } from './dial-failures';
import { DialHandleImpl, safeTerminate } from './dial-handle';
import { parseReachNotice, REACH_EVENT } from '../../shared/sip-reach';

/**
 * The CTI's bank of JsSIP user agents: its only door to the ACD (docs/cti.md, "The bank").
 * Each UA registers the route point `sip:route@<domain>` as `bank-<n>`; the ACD offers every
 * caller's leg to the route point and the bank answers with an inactive control dialog. To
 * connect an operator the bank INVITEs the ACD with the device as Request-URI and the caller's
 * leg in X-PB-Bridge. The bank knows legs and dialogs, never operators.
 *
 * Contract (beyond BankPort's, ports/bank-port.ts):
 * - Registration loss is reported, never hidden: `registrationLost` fires and an error is
 *   logged each time a registered UA loses its registration or transport; JsSIP reconnects
 *   and re-registers on its own and `registered` fires again.
 * - Listener errors are caught and logged (one bad listener cannot break the SIP stack).
 * - `stop()` is safe twice; afterwards no UA, timer or listener of the bank remains.
 */

export interface UaBankOptions {
  /** the ACD's SIP WebSocket, ws://127.0.0.1:5062 */
  wsUrl: string;
  domain: string;
  secret: string;
  size: number;
  logger: Logger;
  /** seconds; JsSIP's reconnect back-off bounds */
  reconnectMinSec?: number;
  reconnectMaxSec?: number;
  /** this CTI node's name, sent on every REGISTER (X-PB-Node): another node can hand callers to it. Only with several CTI nodes. */
  nodeId?: string;
}

interface BankUa {
  name: string;
  password: string;
  ua: UA;
  registered: boolean;
}

interface ControlLeg {
  legId: string;
  kind: 'caller' | 'device';
  session: RTCSession;
  /** the ACD's nonce for the first dial bridging this caller (X-PB-Nonce), spent by that dial */
  dialNonce?: string;
  /** the bank UA whose connection holds this control dialog (a device leg's: the UA that dialled it) */
  ua?: string;
}

/** What JsSIP's UA emits for a NOTIFY outside any dialog (UA.js receiveRequest; not in its typings). */
interface SipEventNotify {
  event?: { event?: string };
  request: { body?: string; getHeader(name: string): string | undefined };
}

const NO_MEDIA = { audio: false, video: false } as const;
// No STUN/TURN ever: control dialogs carry no media and must not reach outside the machine.
const PC_CONFIG = { iceServers: [] };

export class UaBank implements BankPort {
  private readonly emitter: TypedEmitter<BankEvents>;
  private readonly uas: BankUa[] = [];
  private readonly legs = new Map<string, ControlLeg>();
  private readonly dials = new Set<DialHandleImpl>();
  /** legs whose control the ACD said moved to another node (BYE `moved`), for a handoff whose 200 comes after */
  private readonly moved = new Set<string>();
  /** failed dials by DIAL_FAILURE_CAUSES index, counted as each settles (no allocation per dial) */
  private readonly dialFailures = DIAL_FAILURE_CAUSES.map(() => 0);
  private readonly log: Logger;
  private next = 0;
  private state: 'idle' | 'started' | 'stopped' = 'idle';
  private jssip: JsSIP | null = null;
  /** In-call requests (hold, mute, DTMF, re-bridge, mixing) on the legs' control dialogs. */
  readonly controls: LegControls;

  constructor(private readonly opts: UaBankOptions) {
    this.log = opts.logger.child({ part: 'cti', module: 'ua-bank' });
    this.emitter = new TypedEmitter<BankEvents>((err, event) => this.log.error({ err, event }, 'ua-bank listener threw'));
    this.controls = new LegControls((legId) => this.legs.get(legId)?.session ?? null, this.log);
  }

  on<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }

  /** Each UA's registration (in bank order) and the control dialogs held: read by /metrics on scrape. */
  figures(): { registered: boolean[]; controlLegs: number; dials: number; dialFailures: readonly number[] } {
    return { registered: this.uas.map((u) => u.registered), controlLegs: this.legs.size, dials: this.dials.size, dialFailures: this.dialFailures };
  }

  /** True while at least one UA holds a registration of the route point. */
  isReady(): boolean {
    return this.uas.some((u) => u.registered);
  }

  /** Connects and registers every UA; resolves when one has registered (or rejects after timeoutMs). */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.state !== 'idle') throw new Error(`UaBank.start(): already ${this.state}`);
    this.state = 'started';
    const { mod, scoped } = loadJsSip();
    this.jssip = mod;
    if (!scoped) this.log.warn('JsSIP was loaded before the bank: browser globals installed on globalThis');
    for (let n = 1; n <= this.opts.size; n++) this.uas.push(this.createUa(n));
    for (const u of this.uas) u.ua.start();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        offReg();
        reject(new Error(`UaBank: no UA registered with ${this.opts.wsUrl} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReg = () => {
        clearTimeout(timer);
        offReg();
        resolve();
      };
      const offReg = this.on('registered', onReg);
      if (this.isReady()) onReg();
    });
  }

  /** Unregisters and closes every UA; ends control dialogs; safe to call twice. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const d of this.dials) d.cancel();
    this.dials.clear();
    this.legs.clear();
    const closing = this.uas.map(
      (u) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, 2_000);
          function done() {
            clearTimeout(timer);
            u.ua.removeAllListeners();
            resolve();
          }
          u.ua.removeAllListeners();
          u.ua.on('disconnected', done);
          try {
            u.ua.stop();
          } catch {
            done();
          }
          if (!u.ua.isConnected()) done();
        }),
    );
    await Promise.all(closing);
    this.uas.length = 0;
    this.emitter.clear();
  }

  /** Asks the ACD to dial a device and bridge it to a parked leg. */
  dial(req: DialRequest): DialHandle {
    // on the caller's own connection: the dial's answer and the caller's hang-up then reach the CTI
    // in the order the ACD sent them (two UAs' connections would not keep it when the CTI lags)
    const held = req.bridgeTo ? this.legs.get(req.bridgeTo) : undefined;
    const ua = this.uaNamed(held?.ua) ?? this.pickUa();
    const log = this.log.child({ legId: req.bridgeTo, device: maskNumbersInUri(req.deviceUri) });
    const handle = new DialHandleImpl(log, this.dialFailures);
    if (!ua || this.state !== 'started') {
      handle.settle({ kind: 'failed', status: 503, cause: 'bank not registered' });
      return handle;
    }
    let extraHeaders: string[];
    try {
      extraHeaders = dialHeaders(req);
    } catch {
      handle.settle({ kind: 'failed', status: 400, cause: 'bad bridge leg id' });
      return handle;
    }
    // the first dial for a caller answers the nonce its offer brought: no 407, no ACK, no second INVITE
    if (held?.dialNonce) {
      const nonce = held.dialNonce;
      delete held.dialNonce;
      extraHeaders.push(`Proxy-Authorization: ${digestAuthorization({ username: ua.name, password: ua.password, realm: this.opts.domain, method: 'INVITE', uri: req.deviceUri, nonce })}`);
    }
    this.dials.add(handle);
    handle.outcome.then(() => this.dials.delete(handle), () => this.dials.delete(handle));
    let session: RTCSession;
    try {
      session = ua.ua.call(req.deviceUri, {
        mediaConstraints: NO_MEDIA,
        pcConfig: PC_CONFIG,
        extraHeaders,
        sessionTimersExpires: 0,
      });
    } catch (err) {
      log.error({ err }, 'dial: JsSIP refused the call');
      handle.settle({ kind: 'failed', status: 500, cause: (err as Error).message });
      return handle;
    }
    handle.attach(session);
    log.debug({ ua: ua.name }, 'dial: INVITE sent to the ACD');
    session.on('progress', (e: unknown) => {
      const status = (e as { response?: { status_code?: number } }).response?.status_code;
      if (status === 180 || status === 183) handle.ringing();
    });
    session.on('accepted', (e: unknown) => {
      const response = (e as { response?: { getHeader(n: string): string } }).response;
      const legId = response ? parseLegHeader((n) => response.getHeader(n)) : null;
      if (!legId) {
        // Without the device leg id the call could never be released: refuse it loudly.
        log.error('dial: 200 without a valid X-PB-Leg; releasing it');
        handle.settle({ kind: 'failed', status: 502, cause: 'answer without X-PB-Leg' });
        safeTerminate(session, log);
        return;
      }
      this.legs.set(legId, { legId, kind: 'device', session, ua: ua.name });
      this.watchEnd(session, legId, log.child({ deviceLegId: legId }));
      const recording = req.record ? parseRecordingHeader((n) => response?.getHeader(n)) : null;
      if (req.record && !recording) log.warn({ deviceLegId: legId }, 'dial: recording asked for, but the answer names no recording file');
      const told = req.notice !== undefined && parseNoticeHeader((n) => response?.getHeader(n)) === req.notice;
      handle.settle({ kind: 'answered', legId, ...(recording ? { recording } : {}), ...(told ? { told } : {}) });
    });
    session.on('failed', (e: EndEvent) => {
      const status = (e.message as { status_code?: number } | undefined)?.status_code ?? (e.cause === this.jssip?.C.causes.CANCELED ? 487 : 0);
      handle.settle({ kind: 'failed', status, cause: e.cause });
    });
    return handle;
  }

  /** Sends BYE on the control dialog of a leg (caller or device). False when the leg is unknown. */
  release(legId: string): boolean {
    const leg = this.legs.get(legId);
    if (!leg) return false;
    this.legs.delete(legId);
    this.log.debug({ legId, kind: leg.kind }, 'release: BYE on the control dialog');
    safeTerminate(leg.session, this.log);
    return true;
  }

  /** The announcement primitive: INFO with X-PB-Play (the clips, in turn) and X-PB-Then on the caller's control dialog. */
  announce(legId: string, clips: string[], then: ThenAction = 'release'): Promise<number> {
    const leg = this.legs.get(legId);
    if (!leg || leg.kind !== 'caller') return Promise.resolve(481);
    let extraHeaders: string[];
    try {
      extraHeaders = announceHeaders({ clips, then });
    } catch {
      return Promise.resolve(400);
    }
    const log = this.log.child({ legId });
    log.info({ clips, then }, `announcement asked: play, then ${then}`);
    return sendInfo(leg.session, 'text/plain', '', extraHeaders).then((a) => {
      if (a.status === 0) log.warn({ reason: a.reason }, 'announcement INFO could not be sent');
      return a.status || 500;
    });
  }

  /** INFO with X-PB-Record on the leg's control dialog (docs/sip-control-dialect.md, "Recording on demand"). */
  record(legId: string, on: boolean, notice?: string): Promise<RecordAnswer> {
    const leg = this.legs.get(legId);
    if (!leg) return Promise.resolve({ ok: false, status: 481, reason: 'no control dialog for this leg' });
    const log = this.log.child({ legId });
    log.info({ on, notice }, 'record: INFO sent to the ACD');
    return sendInfo(leg.session, 'application/x-patchbay-control', '', recordHeaders(on, notice)).then((a): RecordAnswer => {
      if (a.status >= 200 && a.status < 300) return { ok: true, recording: parseRecordingHeader(a.header), told: notice !== undefined && parseNoticeHeader(a.header) === notice };
      if (a.status === 0) log.warn({ reason: a.reason }, 'record: the control dialog cannot send INFO now');
      return { ok: false, status: a.status, reason: a.reason };
    });
  }

  /**
   * Hands a parked caller's control to a bank UA of another CTI node (INFO `{"op":"handoff"}`,
   * docs/sip-control-dialect.md). 200: the other node holds it now; this bank forgets the leg and
   * no `legEnded` follows (the ACD's BYE on the old dialog says `moved`). Anything else: nothing moved.
   */
  handoff(legId: string, node: string): Promise<number> {
    const leg = this.legs.get(legId);
    if (!leg || leg.kind !== 'caller') return Promise.resolve(481);
    return sendInfo(leg.session, CONTROL_OP_CONTENT_TYPE, JSON.stringify({ op: 'handoff', node })).then((a) => {
      // the ACD's BYE `moved` seen first (it follows the 200): moved all the same
      if (a.status === 481 && this.moved.delete(legId)) return 200;
      if (a.status === 200 && this.legs.get(legId) === leg) this.legs.delete(legId);
      if (a.status !== 200) this.log.warn({ legId, node, status: a.status, reason: a.reason }, 'handoff refused; the caller stays here');
      return a.status || 500;
    });
  }

  /** True when the bank holds this leg's control dialog (bank-set.ts: which node owns a leg). */
  holds(legId: string): boolean {
    return this.legs.has(legId);
  }

  /** Leg ids whose control dialogs the bank holds (for tests and diagnostics). */
  heldLegs(): string[] {
    return [...this.legs.keys()];
  }

  /** A registered UA by name (the one holding a leg), or null. */
  private uaNamed(name: string | undefined): BankUa | null {
    if (!name) return null;
    return this.uas.find((u) => u.name === name && u.registered) ?? null;
  }

  private pickUa(): BankUa | null {
    const ready = this.uas.filter((u) => u.registered);
    if (ready.length === 0) return null;
    return ready[this.next++ % ready.length] ?? null;
  }

  private createUa(n: number): BankUa {
    const cred = bankCredentials(this.opts.secret, n);
    const ua = new this.jssip!.UA({
      sockets: [new NodeWebSocket(this.opts.wsUrl)],
      uri: `sip:${ROUTE_USER}@${this.opts.domain}`,
      authorization_user: cred.user,
      password: cred.password,
      register: true,
      register_expires: 300,
      session_timers: false,
      user_agent: 'patchbay-cti-bank',
      connection_recovery_min_interval: this.opts.reconnectMinSec ?? 2,
      connection_recovery_max_interval: this.opts.reconnectMaxSec ?? 30,
    });
    // several CTI nodes: the ACD learns which node this UA is, so another node can hand it callers
    if (this.opts.nodeId) ua.registrator().setExtraHeaders([`${H.node}: ${this.opts.nodeId}`]);
    const entry: BankUa = { name: cred.user, password: cred.password, ua, registered: false };
    const log = this.log.child({ ua: cred.user });
    const lost = (reason: string) => {
      if (!entry.registered) return;
      entry.registered = false;
      log.error({ reason, bankReady: this.isReady() }, 'bank UA lost its registration of the route point');
      this.emitter.emit('registrationLost', { ua: entry.name, reason });
    };
    ua.on('registered', () => {
      if (entry.registered) return;
      entry.registered = true;
      log.info('bank UA registered the route point');
      this.emitter.emit('registered', { ua: entry.name });
    });
    ua.on('unregistered', () => lost('unregistered'));
    ua.on('registrationFailed', (e: { cause?: string }) => {
      if (entry.registered) lost(`registration failed: ${e.cause ?? 'unknown'}`);
      else log.error({ cause: e.cause }, 'bank UA registration failed');
    });
    ua.on('disconnected', () => lost('transport disconnected'));
    ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator === 'remote') this.onIncoming(e as IncomingRTCSessionEvent, entry.name);
    });
    // an out-of-dialog NOTIFY: JsSIP has answered it 200 already; the ACD's device reach (sip-reach.ts)
    (ua as unknown as { on(ev: 'sipEvent', l: (e: SipEventNotify) => void): void }).on('sipEvent', (e) => this.onNotify(e, log));
    return entry;
  }

  private onNotify(e: SipEventNotify, log: Logger): void {
    if (e.event?.event?.toLowerCase() !== REACH_EVENT) return;
    const r = parseReachNotice(e.request.getHeader('Content-Type'), e.request.body ?? '');
    if (!r.ok) {
      log.error({ reason: r.message }, 'device reach NOTIFY with a bad body: ignored');
      return;
    }
    log.debug({ version: r.value.version, state: r.value.state, devices: r.value.devices.length }, 'device reach told by the ACD');
    this.emitter.emit('devices', r.value);
  }

  private onIncoming(e: IncomingRTCSessionEvent, uaName: string): void {
    const { session, request } = e;
    const get = (n: string) => (request.hasHeader(n) ? request.getHeader(n) : undefined);
    // a re-offer after the bank came back (X-PB-Recovered) or a first offer
    const recovered = parseRecoveredOffer(get);
    const parsed = recovered ?? parseRoutePointInvite(get);
    if (!parsed.ok) {
      this.log.error({ ua: uaName, fields: parsed.fields, sipCallId: request.getHeader('Call-ID') }, 'route point INVITE with bad control headers: 400');
      safeTerminate(session, this.log, { status_code: 400, reason_phrase: 'Bad Control Header' });
      return;
    }
    const { legId, dialed, audio } = parsed.value;
    const dialNonce = 'nonce' in parsed.value ? parsed.value.nonce : null;
    const kind = recovered?.ok ? recovered.value.kind : 'caller';
    const log = this.log.child({ legId });
    // a leg offered again replaces its stale control dialog (the old one died with the connection)
    if (this.legs.has(legId)) log.warn('route point INVITE for a leg already held: replacing its control dialog');
    const party = { callerName: request.from.display_name ?? '', callerUri: request.from.uri.toString() };
    let announced = false;
    session.on('accepted', () => {
      this.legs.set(legId, { legId, kind, session, ua: uaName, ...(dialNonce ? { dialNonce } : {}) });
      announced = true;
      log.debug({ ua: uaName, dialed, recovered: recovered?.ok ? recovered.value.state : undefined }, 'leg offered to the route point: answered');
      if (recovered?.ok) this.emitter.emit('legRecovered', { ...recovered.value, ...party });
      else this.emitter.emit('legOffered', { legId, dialed: dialed ?? '', audio, ...party, controlSessionId: session.id });
    });
    session.on('failed', (f: EndEvent) => {
      if (!announced) {
        log.warn({ cause: f.cause }, 'route point INVITE failed before it was answered');
        return;
      }
      if (this.legs.get(legId)?.session !== session) return;
      this.legs.delete(legId);
      this.emitter.emit('legEnded', { legId, cause: f.cause === this.jssip?.C.causes.CANCELED ? 'cancel' : 'error' });
    });
    this.watchEnd(session, legId, log);
    try {
      session.answer({ mediaConstraints: NO_MEDIA, pcConfig: PC_CONFIG });
    } catch (err) {
      log.error({ err }, 'could not answer the route point INVITE');
    }
  }

  /** A control dialog ended by the ACD (BYE) or by failure → legEnded. Local releases are not echoed. */
  private watchEnd(session: RTCSession, legId: string, log: Logger): void {
    // JsSIP answers an INFO application/dtmf-relay itself (200) and reports it as newDTMF;
    // the body is read here with our own parser, not JsSIP's line-position one
    session.on('newDTMF', (e: unknown) => {
      const ev = e as { originator?: string; request?: { body?: string; getHeader(n: string): string | undefined } };
      if (ev.originator !== 'remote' || !ev.request) return;
      const digit = parseDtmfRelay(ev.request.getHeader('Content-Type'), ev.request.body ?? '');
      if (digit === null) return;
      log.debug({ digit }, 'DTMF on a control dialog');
      this.emitter.emit('dtmf', { legId, digit });
    });
    // the ACD's call quality of this leg (JsSIP has answered the INFO 200 already)
    session.on('newInfo', (e: unknown) => {
      const ev = e as { originator?: string; request?: { body?: string; getHeader(n: string): string | undefined } };
      if (ev.originator !== 'remote' || !ev.request) return;
      const quality = parseQualityInfo(ev.request.getHeader('Content-Type'), ev.request.body ?? '');
      if (quality) this.emitter.emit('quality', { legId, quality });
    });
    session.on('ended', (e: EndEvent) => {
      if (this.legs.get(legId)?.session !== session) return; // released by us, or replaced
      this.legs.delete(legId);
      const cause: LegEndCause =
        e.originator === 'remote' ? parseCause((n) => (e.message && 'getHeader' in e.message ? e.message.getHeader(n) : undefined)) : 'error';
      log.debug({ cause, originator: e.originator }, 'control dialog ended');
      // the leg lives on, controlled by another node (a handoff): not an end
      if (cause === 'moved') {
        this.moved.add(legId);
        setTimeout(() => this.moved.delete(legId), 5_000).unref();
        return;
      }
      this.emitter.emit('legEnded', { legId, cause });
    });
  }
}
