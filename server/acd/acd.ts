import { randomBytes, randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Logger } from '../log';
import { expectedPassword, parseSipUser } from '../shared/credentials';
import { controlSdp, E164, H, LegId, RecordFlag, RingTimeout, ROUTE_USER, type LegEndCause } from '../shared/sip-control';
import { ClientTransactions, type ClientTx } from './client-transactions';
import { Dial, mapDeviceFailure } from './dial';
import type { DialPlan } from './dial-plan';
import { Dialog, dialogKey } from './dialog';
import { Leg, type LegSnapshot } from './leg';
import { LocalAddress } from './local-address';
import { mediaKindOfSdp, type MediaEndCause, type MediaEndpoint, type MediaEngine, type MediaKind } from './media/media-engine';
import { FailureLimiter } from '../shared/failure-limiter';
import { isSdpBody } from '../shared/sdp/sdp-document';
import { Registrar } from './registrar';
import { ServerTransactions, type ServerInvite } from './server-transactions';
import { makeResponse, randomToken } from './sip/builders';
import { DigestAuthenticator, parseDigest } from './sip/digest';
import { formatNameAddr, parseCSeq, parseNameAddr, parseUri, parseVia, tagOf, type NameAddr, type SipUri } from './sip/headers';
import { negotiateAsUas, parseSessionExpires, sameSession, SessionTimer, type UasNegotiation } from './session-timer';
import { SipHeaders, type SipRequest, type SipResponse } from './sip/message';
import type { ParseResult } from './sip/parser';
import { DEFAULT_TIMERS, type AcdTimers } from './timers';
import type { Flow, TransportProtocol } from './transport/flow';
import { TransportSet, type TransportsConfig } from './transport/transport-set';
import { e164Target } from './trunks/tel-target';
import type { TrunkDirectory } from './trunks/trunk-directory';
import { TrunkSide, type TrunkStatus } from './trunks/trunk-side';
import type { DigestClient } from './sip/client-digest';

export interface AcdConfig {
  /** Address the SIP WebSocket server binds to. */
  host: string;
  /** 0 picks a free port (see `acd.port`). */
  port: number;
  /** SIP domain of AORs (`sip:dev-…@<domain>`, `sip:route@<domain>`) and digest realm. */
  domain: string;
  /** Secret shared with the CTI (credentials.ts). */
  secret: string;
  ringTimeoutDefaultSec: number;
  /** Host named in Via/Contact; defaults to `host`. */
  publicHost?: string;
  timers?: Partial<AcdTimers>;
  /**
   * Transports besides SIP over WebSocket (which listens on `port`). A port left out is
   * not opened; TLS and WSS need `tls`.
   */
  transports?: Omit<TransportsConfig, 'host' | 'wsPort'>;
  /**
   * Directory for bridge recordings the controller asks for (`X-PB-Record: on`), created at
   * start. Without it such a dial is refused with 503.
   */
  recordingsDir?: string;
}

export interface AcdOptions {
  config: AcdConfig;
  dialPlan: DialPlan;
  media: MediaEngine;
  logger: Logger;
  /** Carrier trunks (docs/trunks.md); without them the ACD dials devices only. */
  trunks?: TrunkDirectory;
}

/** Where a dial's INVITE goes: a registered device, or a carrier through a trunk. */
interface DialTarget {
  flow: Flow;
  requestUri: string;
  toAddr: string;
  /** From without tag; null = the caller's identity */
  fromAddr: string | null;
  headers: Array<[string, string]>;
  auth: DigestClient | null;
  /** device AOR user or trunk name, for the logs */
  label: string;
  /** trunks carry plain RTP/AVP; devices here are browsers (WebRTC) */
  mediaKind: MediaKind;
}

/** What the device INVITE's responses need to know (a re-sent INVITE has the next CSeq). */
interface DeviceInviteCtx {
  localTag: string;
  fromAddr: string;
  toAddr: string;
  auth: DigestClient | null;
  seq: number;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, INFO';
/** Option tags the ACD supports (RFC 4028 session timers). */
const SUPPORTED = 'timer';

type DialogEntry = { leg: Leg; role: 'party' | 'control' };

/**
 * The switch: answers callers, parks them with music, offers them to the CTI's route
 * point, dials devices on the CTI's order and bridges them, and releases legs — one leg
 * at a time, never the other leg of a bridge by itself (docs/sip-control-dialect.md).
 */
export class Acd {
  private readonly cfg: AcdConfig;
  private readonly timers: AcdTimers;
  private readonly log: Logger;
  private readonly dialPlan: DialPlan;
  private readonly media: MediaEngine;
  private readonly transports: TransportSet;
  private readonly local: LocalAddress;
  private readonly digest: DigestAuthenticator;
  private readonly limiter: FailureLimiter;
  private readonly registrar: Registrar;
  private readonly clientTx: ClientTransactions;
  private readonly serverTx: ServerTransactions;
  private readonly legsById = new Map<string, Leg>();
  private readonly dialogs = new Map<string, DialogEntry>();
  private readonly dials = new Set<Dial>();
  private readonly trunks: TrunkSide | null;
  private running = false;
  private stopping: Promise<void> | null = null;

  constructor(opts: AcdOptions) {
    this.cfg = opts.config;
    this.timers = { ...DEFAULT_TIMERS, ...opts.config.timers };
    this.log = opts.logger.child({ part: 'acd' });
    this.dialPlan = opts.dialPlan;
    this.media = opts.media;
    this.transports = new TransportSet(
      { ...this.cfg.transports, host: this.cfg.host, wsPort: this.cfg.port },
      { onMessage: (r, f) => this.onMessage(r, f), onFlowClosed: (f) => this.onFlowClosed(f) },
      this.log,
    );
    this.local = new LocalAddress(() => this.cfg.publicHost ?? this.cfg.host);
    this.digest = new DigestAuthenticator(this.cfg.domain, this.timers.nonceTtlMs);
    this.limiter = new FailureLimiter({ kind: 'token-bucket', burst: this.timers.authFailBurst, refillPerSec: this.timers.authFailRefillPerSec });
    this.registrar = new Registrar({ domain: this.cfg.domain, secret: this.cfg.secret, digest: this.digest, limiter: this.limiter, logger: this.log.child({ module: 'registrar' }) });
    this.clientTx = new ClientTransactions(this.timers, this.log);
    this.serverTx = new ServerTransactions(this.timers);
    // trunk hook: inbound screening, outbound targets, registrations to carriers
    this.trunks = opts.trunks
      ? new TrunkSide({
          directory: opts.trunks,
          connect: (protocol, host, port) => this.transports.connect(protocol, host, port),
          local: this.local,
          digest: this.digest,
          limiter: this.limiter,
          clientTx: this.clientTx,
          logger: this.log,
        })
      : null;
  }

  /** Each trunk with its registration state (monitoring, tests). */
  trunkStatus(): TrunkStatus[] {
    return this.trunks?.status() ?? [];
  }

  /** The SIP-over-WebSocket port actually bound (useful when 0 was configured). */
  get port(): number {
    return this.transports.port('WS') ?? this.cfg.port;
  }

  /** The bound port of each listening transport. */
  get ports(): Partial<Record<TransportProtocol, number>> {
    const out: Partial<Record<TransportProtocol, number>> = {};
    for (const t of this.transports.all()) out[t.protocol] = t.port;
    return out;
  }

  /** The ACD's transports, for parts that originate requests (trunks). */
  get transportSet(): TransportSet {
    return this.transports;
  }

  async start(): Promise<void> {
    if (this.cfg.recordingsDir) await mkdir(this.cfg.recordingsDir, { recursive: true });
    await this.transports.start();
    this.running = true;
    this.trunks?.start();
    this.log.info({ host: this.cfg.host, ports: this.ports, domain: this.cfg.domain }, 'ACD listening');
  }

  /** Closes every leg's media, timers and connections. Safe to call twice. */
  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.running = false;
    for (const dial of this.dials) dial.finish();
    this.dials.clear();
    const closing: Array<Promise<void>> = [];
    for (const leg of this.legsById.values()) {
      leg.clearTimers();
      leg.session?.stop();
      if (leg.bridge) {
        leg.bridge.handle.unbridge();
        // a recording is finalised (RIFF sizes written) before stop() resolves
        closing.push(leg.bridge.handle.finished().catch(() => {}));
      }
      if (leg.endpoint) closing.push(leg.endpoint.close().catch(() => {}));
      leg.state = 'ended';
    }
    this.legsById.clear();
    this.dialogs.clear();
    this.clientTx.stop();
    this.serverTx.stop();
    this.registrar.clear();
    await Promise.all(closing);
    this.trunks?.stop();
    await this.transports.stop();
    this.log.info('ACD stopped');
  }

  /** A read-only picture of the legs the ACD holds (tests, monitoring). */
  /** Sizes of what the ACD holds: for monitoring, and for tests that check nothing leaks. */
  stats(): { legs: number; dialogs: number; dials: number; serverTransactions: number; clientTransactions: number } {
    return {
      legs: this.legsById.size,
      dialogs: this.dialogs.size,
      dials: this.dials.size,
      serverTransactions: this.serverTx.size,
      clientTransactions: this.clientTx.size,
    };
  }

  legs(): ReadonlyArray<Readonly<LegSnapshot>> {
    return [...this.legsById.values()].map((l) => l.snapshot());
  }

  // ───────────────────────────── dispatch ─────────────────────────────

  private onMessage(result: ParseResult, flow: Flow): void {
    if (!this.running) return;
    if (!result.ok) {
      if (result.request) {
        const status = result.status ?? 400;
        this.log.warn({ flowId: flow.id, reason: result.reason, method: result.request.method, status }, 'malformed request refused');
        flow.send(makeResponse(result.request, status, { reason: result.reason }));
      } else {
        this.log.warn({ flowId: flow.id, reason: result.reason }, 'unparseable message dropped');
      }
      return;
    }
    const msg = result.message;
    if (msg.kind === 'response') {
      if (!this.clientTx.handleResponse(msg)) this.log.debug({ status: msg.status, callId: msg.headers.get('Call-ID') }, 'stray response ignored');
      return;
    }
    this.onRequest(msg, flow);
  }

  private onRequest(req: SipRequest, flow: Flow): void {
    const method = req.method.toUpperCase();
    if (method === 'ACK') return this.onAck(req);
    if (method === 'INVITE') {
      const st = this.serverTx.begin(req, flow);
      if (!st) return; // a retransmission, answered by its transaction
      if (tooManyHops(req)) return st.respond(makeResponse(req, 483));
      const bad = unsupportedRequire(req);
      if (bad) return st.respond(bad);
      const toTag = tagOf(req.headers.get('To'));
      if (toTag) return this.onReInvite(req, flow, st, toTag);
      // 100 Trying is sent by the paths that take time (caller answer, dial), not before a quick 4xx
      this.onInvite(req, flow, st).catch((err: unknown) => this.log.error({ err, callId: req.headers.get('Call-ID') }, 'INVITE handling failed'));
      return;
    }
    const nt = this.serverTx.beginNonInvite(req, flow);
    if (!nt) return;
    const reply = (res: SipResponse) => nt.respond(res);
    if (tooManyHops(req)) return reply(makeResponse(req, 483));
    if (method === 'CANCEL') return this.onCancel(req, reply);
    const bad = unsupportedRequire(req);
    if (bad) return reply(bad);
    const toTag = tagOf(req.headers.get('To'));
    if (toTag) return this.onInDialog(req, flow, toTag, reply);
    switch (method) {
      case 'REGISTER':
        reply(this.registrar.handleRegister(req, flow, this.contactFlow(req, flow, parseNameAddr(req.headers.get('Contact') ?? '')?.uri ?? null)));
        return;
      case 'OPTIONS':
        // keep-alive and health check (§11): what the ACD can do
        reply(makeResponse(req, 200, { headers: [['Allow', ALLOW], ['Accept', 'application/sdp'], ['Supported', SUPPORTED]] }));
        return;
      case 'BYE':
        reply(makeResponse(req, 481));
        return;
      default:
        reply(makeResponse(req, 501, { headers: [['Allow', ALLOW]] }));
    }
  }

  /**
   * The flow requests towards a peer's URI (a registered contact, a dialog's remote target)
   * go on. Connection-oriented: the flow the peer used (RFC 5626-like reuse). UDP: the
   * URI's address, unless the peer asked for symmetric routing (`rport`, RFC 3581) or the
   * URI is not an IP address, then the address its request came from (NAT).
   */
  private contactFlow(req: SipRequest, flow: Flow, uri: string | null): Flow {
    if (flow.reliable || !uri) return flow;
    const via = parseVia(req.headers.get('Via') ?? '');
    if (via?.params.has('rport')) return flow;
    const u = parseUri(uri);
    const host = u?.host.replace(/^\[|\]$/g, '') ?? '';
    if (!u || !isIP(host)) return flow;
    const port = u.port ?? 5060;
    if (host === flow.remoteAddress && port === flow.remotePort) return flow;
    return this.transports.udpFlow(host, port) ?? flow;
  }

  private entryOf(req: SipRequest, toTag: string): DialogEntry | undefined {
    return this.dialogs.get(dialogKey(req.headers.get('Call-ID') ?? '', toTag, tagOf(req.headers.get('From')) ?? ''));
  }

  private onAck(req: SipRequest): void {
    // the ACK of a non-2xx answer ends its INVITE transaction (Timer I absorbs its resends)
    if (this.serverTx.absorbAck(req)) return;
    // the ACK of a 2xx is end-to-end: it stops the 2xx retransmissions
    this.serverTx.ack2xx(req);
    const toTag = tagOf(req.headers.get('To'));
    const entry = toTag ? this.entryOf(req, toTag) : undefined;
    if (!entry) {
      this.log.debug({ callId: req.headers.get('Call-ID') }, 'ACK for no dialog ignored');
      return;
    }
    if (entry.role === 'party' && entry.leg.kind === 'caller' && entry.leg.state === 'answering') this.callerConfirmed(entry.leg);
  }

  private onCancel(req: SipRequest, reply: (res: SipResponse) => void): void {
    const st = this.serverTx.match(req);
    if (!st) return reply(makeResponse(req, 481));
    reply(makeResponse(req, 200));
    if (!st.answered) st.onCancel?.();
  }

  private onInDialog(req: SipRequest, flow: Flow, toTag: string, reply: (res: SipResponse) => void): void {
    const entry = this.entryOf(req, toTag);
    if (!entry) return reply(makeResponse(req, 481));
    const { leg, role } = entry;
    switch (req.method.toUpperCase()) {
      case 'BYE':
        if (role === 'party') {
          reply(makeResponse(req, 200));
          leg.log.info('party hung up');
          this.endLeg(leg, 'remote-bye', { byeParty: false });
        } else {
          leg.log.info('controller released the leg');
          this.endLeg(leg, 'released', { byeParty: true });
          reply(makeResponse(req, 200));
        }
        return;
      case 'OPTIONS':
        reply(makeResponse(req, 200, { headers: [['Allow', ALLOW], ['Accept', 'application/sdp'], ['Supported', SUPPORTED]] }));
        return;
      case 'UPDATE':
        if (role === 'control') {
          reply(req.body ? this.controlAnswer(req, flow, null) : makeResponse(req, 200, { headers: [['Contact', this.local.contact(flow)]] }));
          return;
        }
        return this.onPartyRefresh(leg, req, flow, reply);
      case 'INFO':
        // SIP phones that send DTMF as INFO (application/dtmf-relay): relayed to the controller like RFC 4733 digits
        if (role === 'party') return reply(this.partyDtmfInfo(leg, req));
        reply(makeResponse(req, 501, { headers: [['Allow', ALLOW]] }));
        return;
      default:
        reply(makeResponse(req, 501, { headers: [['Allow', ALLOW]] }));
    }
  }

  private onReInvite(req: SipRequest, flow: Flow, st: ServerInvite, toTag: string): void {
    const entry = this.entryOf(req, toTag);
    if (!entry) return st.respond(makeResponse(req, 481));
    if (entry.role === 'control') {
      // a session refresh (JsSIP's session timers) or a re-offer: the control SDP never changes
      return st.respond(this.controlAnswer(req, flow, null));
    }
    this.onPartyRefresh(entry.leg, req, flow, (res) => st.respond(res));
  }

  /**
   * A party's re-INVITE or UPDATE. Without SDP, or with the same SDP (only the o= version
   * may change), it is a session refresh (RFC 4028) or a keep-alive: answered with the
   * current local SDP, media untouched. A real media change goes to `onPartyMediaChange`.
   */
  private onPartyRefresh(leg: Leg, req: SipRequest, flow: Flow, reply: (res: SipResponse) => void): void {
    const neg = negotiateAsUas(req, { minSec: this.timers.minSessionExpiresSec, maxSec: this.timers.sessionExpiresSec });
    if (neg.kind === 'too-small') return reply(makeResponse(req, 422, { reason: 'Session Interval Too Small', headers: [['Min-SE', String(neg.minSe)]] }));
    const isInvite = req.method.toUpperCase() === 'INVITE';
    if (req.body && !sameSession(leg.remoteSdp, req.body)) return this.onPartyMediaChange(leg, req, flow, reply);
    const contact = parseNameAddr(req.headers.get('Contact') ?? '');
    if (contact && leg.partyDialog) leg.partyDialog.remoteTarget = contact.uri; // target refresh (§12.2.2)
    if (leg.session || neg.kind === 'granted') this.startSessionTimer(leg, neg);
    const headers: Array<[string, string]> = [['Contact', this.local.contact(flow)], ['Allow', ALLOW], ['Supported', SUPPORTED]];
    if (neg.kind === 'granted') headers.push(...neg.headers);
    // an UPDATE without SDP is answered without SDP; a re-INVITE always carries our current SDP
    const withSdp = (isInvite || req.body) && leg.localSdp;
    if (withSdp) headers.push(['Content-Type', 'application/sdp']);
    leg.log.debug({ method: req.method, sessionSec: neg.kind === 'granted' ? neg.intervalSec : null }, 'session refreshed');
    reply(makeResponse(req, 200, { headers, body: withSdp ? (leg.localSdp ?? '') : '' }));
  }

  /**
   * A party's media change (hold/resume, new address, ICE re-offer): the leg's media answers
   * on the same ports. An offer it cannot take → 488, and the session stays as it was.
   */
  private onPartyMediaChange(leg: Leg, req: SipRequest, flow: Flow, reply: (res: SipResponse) => void): void {
    if (!isSdp(req) || !leg.endpoint) return reply(makeResponse(req, 488, { reason: 'Media Change Not Supported' }));
    this.answerPartyReoffer(leg, req, flow).then(reply, (err: unknown) => {
      leg.log.error({ err, method: req.method }, 'party re-offer handling failed');
      reply(makeResponse(req, 500));
    });
  }

  /** (Re)starts a party dialog's session timer after a negotiation or a refresh. */
  private startSessionTimer(leg: Leg, neg: UasNegotiation | { kind: 'uac'; intervalSec: number; localRefreshes: boolean }): void {
    if (neg.kind === 'too-small') return;
    if (neg.kind === 'none') {
      leg.session?.refreshed();
      return;
    }
    const intervalSec = neg.intervalSec;
    const local = neg.kind === 'uac' ? neg.localRefreshes : neg.refresher === 'uas';
    if (leg.session && leg.session.intervalSec === intervalSec && leg.session.local === local) return leg.session.refreshed();
    leg.session?.stop();
    leg.session = new SessionTimer(
      intervalSec,
      local,
      () => this.refreshSession(leg),
      () => {
        leg.log.warn({ intervalSec }, 'session not refreshed in time');
        this.endLeg(leg, 'session-expired', { byeParty: true });
      },
    );
  }

  /** The ACD is the refresher: a re-INVITE with the unchanged local SDP (or UPDATE when allowed). */
  private refreshSession(leg: Leg): void {
    const dialog = leg.partyDialog;
    const timer = leg.session;
    if (!dialog || !timer || leg.ended) return;
    const se: Array<[string, string]> = [['Session-Expires', `${timer.intervalSec};refresher=${leg.kind === 'caller' ? 'uas' : 'uac'}`], ['Supported', SUPPORTED]];
    const req = leg.peerAllowsUpdate ? dialog.request('UPDATE', se) : dialog.request('INVITE', se, leg.localSdp ?? '');
    this.clientTx.send(req, dialog.flow, (res, _local, tx) => {
      if (res.status < 200) return;
      if (res.status < 300) {
        if (req.method === 'INVITE') this.clientTx.ack2xx(tx, dialog.ack(parseCSeq(req.headers.get('CSeq') ?? '')?.seq ?? dialog.localSeq));
        leg.session?.refreshed();
        return;
      }
      if (res.status === 408 || res.status === 481) {
        leg.log.warn({ status: res.status }, 'session refresh failed');
        this.endLeg(leg, 'session-expired', { byeParty: res.status === 408 });
      } else {
        // any other failure leaves the session as it is (§10): try again at the next half interval
        leg.session?.refreshed();
      }
    });
  }

  private onFlowClosed(flow: Flow): void {
    if (!this.running) return;
    this.registrar.dropFlow(flow);
    for (const dial of [...this.dials]) if (dial.st.flow === flow) this.failDial(dial, 487, 'the controller connection closed');
    // pending requests on the flow fail now (device ringing → 480, route offer → retry)
    this.clientTx.flowClosed(flow);
    for (const leg of [...this.legsById.values()]) {
      if (leg.ended) continue;
      if (leg.partyFlow === flow) {
        leg.log.info('party connection lost');
        this.endLeg(leg, 'transport-lost', { byeParty: false });
      } else if (leg.controlDialog?.flow === flow) {
        // the CTI may come back; the leg stays as it is
        leg.log.warn('controller connection lost; leg kept');
      }
    }
  }

  // ───────────────────────────── INVITE: caller or dial ─────────────────────────────

  private async onInvite(req: SipRequest, flow: Flow, st: ServerInvite): Promise<void> {
    const uri = parseUri(req.uri);
    if (!uri) return st.respond(makeResponse(req, 400, { reason: 'Bad Request-URI' }));
    const contact = parseNameAddr(req.headers.get('Contact') ?? '');
    if (!contact || !parseUri(contact.uri)) return st.respond(makeResponse(req, 400, { reason: 'Missing Contact' }));
    const user = uri.user ?? '';
    // trunk hook: carriers' INVITEs and E.164 targets (docs/trunks.md, "Security")
    let trunkDid: string | null = null;
    if (this.trunks) {
      const v = this.trunks.screenInvite(req, flow, uri, (n) => this.dialPlan.lookup(n) !== null);
      if (v.kind === 'respond') return st.respond(v.response);
      if (v.kind === 'dial') return this.authorizeDial(req, flow, st, uri);
      if (v.kind === 'caller') {
        this.log.info({ callId: req.headers.get('Call-ID'), trunk: v.trunk, dialed: v.dialed }, 'INVITE from a trunk to its DID');
        trunkDid = v.dialed;
      }
    }
    if (!trunkDid && (user.startsWith('dev-') || req.headers.has(H.bridge))) return this.authorizeDial(req, flow, st, uri);

    // anything else is an inbound caller, accepted only for a number the ACD serves
    const number = E164.safeParse(trunkDid ?? user);
    const plan = number.success ? this.dialPlan.lookup(number.data) : null;
    if (!number.success || !plan) {
      this.log.info({ callId: req.headers.get('Call-ID'), to: req.uri }, 'INVITE to a number not served refused');
      return st.respond(makeResponse(req, 404, { reason: 'Number Not Served' }));
    }
    if (!isSdp(req)) return st.respond(makeResponse(req, 488, { reason: 'SDP Offer Required' }));
    const session = negotiateAsUas(req, { minSec: this.timers.minSessionExpiresSec, maxSec: this.timers.sessionExpiresSec });
    if (session.kind === 'too-small') {
      return st.respond(makeResponse(req, 422, { reason: 'Session Interval Too Small', headers: [['Min-SE', String(session.minSe)]] }));
    }
    await this.acceptCaller(req, flow, st, number.data, plan.holdAudio, contact, session);
  }

  private async acceptCaller(req: SipRequest, flow: Flow, st: ServerInvite, dialed: string, holdAudio: string, contact: NameAddr, session: UasNegotiation): Promise<void> {
    const legId = newLegId();
    const callId = req.headers.get('Call-ID') ?? '';
    const from = parseNameAddr(req.headers.get('From') ?? '')!;
    const leg = new Leg(legId, 'caller', callId, flow, from, this.log.child({ legId, callId }), { dialed, holdAudio });
    this.legsById.set(legId, leg);
    leg.log.info({ from: from.uri, dialed }, 'caller arrived');
    st.respond(makeResponse(req, 100));
    const localTag = randomToken();
    st.onCancel = () => {
      st.respond(makeResponse(req, 487, { toTag: localTag }));
      leg.log.info('caller cancelled before answer');
      this.endLeg(leg, 'cancel', { byeParty: false });
    };

    let answer: string;
    try {
      const ep = await this.media.createEndpoint({ legId, kind: mediaKindOfSdp(req.body) });
      if (leg.ended) return void (await ep.close());
      leg.endpoint = ep;
      this.watchMedia(leg, ep);
      answer = await ep.answer(req.body);
    } catch (err) {
      leg.log.warn({ err }, 'media refused the caller offer');
      st.respond(makeResponse(req, 488, { toTag: localTag }));
      this.endLeg(leg, 'error', { byeParty: false });
      return;
    }
    if (leg.ended) return;

    const routeSet = req.headers.getAll('Record-Route');
    const nextHop = routeSet.length ? (parseNameAddr(routeSet[0]!)?.uri ?? contact.uri) : contact.uri;
    const dialog = new Dialog(
      {
        callId,
        localTag,
        remoteTag: tagOf(req.headers.get('From')) ?? '',
        localAddr: stripTag(req.headers.get('To')),
        remoteAddr: stripTag(req.headers.get('From')),
        remoteTarget: contact.uri,
        flow: this.contactFlow(req, flow, nextHop),
        localSeq: randomInt(1, 10_000),
        routeSet,
      },
      this.local,
    );
    leg.partyDialog = dialog;
    leg.remoteSdp = req.body;
    leg.localSdp = answer;
    leg.peerAllowsUpdate = allows(req, 'UPDATE');
    this.dialogs.set(dialog.key, { leg, role: 'party' });
    const headers: Array<[string, string]> = [['Contact', this.local.contact(flow)], ['Allow', ALLOW], ['Supported', SUPPORTED]];
    // a proxy on the path stays on it (§12.1.1): the Record-Route goes back as received
    for (const rr of routeSet) headers.push(['Record-Route', rr]);
    if (session.kind === 'granted') {
      headers.push(...session.headers);
      this.startSessionTimer(leg, session);
    }
    headers.push(['Content-Type', 'application/sdp']);
    st.respond(makeResponse(req, 200, { toTag: localTag, headers, body: answer }));
    leg.after(this.timers.ackTimeoutMs, () => {
      if (leg.state !== 'answering') return;
      leg.log.warn('caller never ACKed the answer');
      this.endLeg(leg, 'error', { byeParty: true });
    });
  }

  private callerConfirmed(leg: Leg): void {
    leg.clearTimers();
    if (!leg.transition('parked')) return;
    leg.endpoint?.play(leg.extra.holdAudio ?? '');
    leg.log.info({ audio: leg.extra.holdAudio }, 'caller parked with hold audio');
    this.offerToRoute(leg);
  }

  // ───────────────────────────── route point ─────────────────────────────

  private offerToRoute(leg: Leg): void {
    if (leg.ended || !this.running) return;
    const binding = this.registrar.nextRoute();
    if (!binding) {
      leg.log.warn('no route point registered');
      return this.retryRoute(leg);
    }
    const localTag = randomToken();
    const callId = `${randomToken(12)}@${this.cfg.domain}`;
    const fromAddr = formatNameAddr({ display: leg.partyAddr.display, uri: leg.partyAddr.uri, params: new Map() });
    const toAddr = `<sip:${ROUTE_USER}@${this.cfg.domain}>`;
    const h = new SipHeaders()
      .append('Via', this.local.via(binding.flow))
      .append('Max-Forwards', '70')
      .append('From', `${fromAddr};tag=${localTag}`)
      .append('To', toAddr)
      .append('Call-ID', callId)
      .append('CSeq', '1 INVITE')
      .append('Contact', this.local.contact(binding.flow))
      .append('Allow', ALLOW)
      .append(H.leg, leg.id)
      .append(H.dialed, leg.extra.dialed ?? '')
      .append(H.audio, leg.extra.holdAudio ?? '')
      .append('Content-Type', 'application/sdp');
    const req: SipRequest = { kind: 'request', method: 'INVITE', uri: `sip:${ROUTE_USER}@${this.cfg.domain}`, headers: h, body: controlSdp(randomInt(1, 2 ** 31 - 1), this.cfg.publicHost ?? this.cfg.host) };
    leg.control = 'offering';
    leg.log.info({ controlCallId: callId, bankUser: binding.authUser }, 'offering leg to the route point');
    leg.routeTx = this.clientTx.send(req, binding.flow, (res, local, tx) => {
      if (res.status < 200) return;
      leg.routeTx = null;
      if (res.status >= 300) {
        leg.log.warn({ status: res.status, local }, 'route point did not take the leg');
        if (leg.ended) leg.control = 'ended';
        else {
          leg.control = 'none';
          this.retryRoute(leg);
        }
        return;
      }
      const dialog = new Dialog(
        { callId, localTag, remoteTag: tagOf(res.headers.get('To')) ?? '', localAddr: fromAddr, remoteAddr: toAddr, remoteTarget: parseNameAddr(res.headers.get('Contact') ?? '')?.uri ?? req.uri, flow: binding.flow, localSeq: 1 },
        this.local,
      );
      this.clientTx.ack2xx(tx, dialog.ack(1));
      if (leg.ended) {
        // the caller left while the offer was in flight: end the control dialog at once
        this.sendControlBye(leg, dialog, leg.endCause ?? 'error');
        leg.control = 'ended';
        return;
      }
      leg.controlDialog = dialog;
      leg.control = 'up';
      leg.routeAttempts = 0;
      this.dialogs.set(dialog.key, { leg, role: 'control' });
      leg.log.info({ controlCallId: callId }, 'leg connected to the CTI');
    });
  }

  private retryRoute(leg: Leg): void {
    leg.routeAttempts += 1;
    if (leg.routeAttempts >= this.timers.routeRetryLimit) {
      leg.log.warn({ attempts: leg.routeAttempts }, 'no controller took the leg');
      this.endLeg(leg, 'no-controller', { byeParty: true });
      return;
    }
    leg.after(this.timers.routeRetryMs, () => this.offerToRoute(leg));
  }

  // ───────────────────────────── dial ─────────────────────────────

  private async authorizeDial(req: SipRequest, flow: Flow, st: ServerInvite, uri: SipUri): Promise<void> {
    const source = flow.remoteAddress;
    const wait = this.limiter.check(source).retryAfterSec;
    if (wait > 0) return st.respond(makeResponse(req, 503, { reason: 'Too Many Failed Attempts', headers: [['Retry-After', String(wait)]] }));
    const header = req.headers.get('Proxy-Authorization');
    const creds = header ? parseDigest(header) : null;
    if (!creds) return st.respond(makeResponse(req, 407, { headers: [['Proxy-Authenticate', this.digest.challenge(false)]] }));
    const check = this.digest.verify(creds, 'INVITE', (u) => expectedPassword(this.cfg.secret, u), { singleUse: true });
    if (!check.ok) {
      if (check.reason === 'stale' || check.reason === 'bad-nonce' || check.reason === 'wrong-realm') {
        return st.respond(makeResponse(req, 407, { headers: [['Proxy-Authenticate', this.digest.challenge(check.reason === 'stale')]] }));
      }
      this.limiter.fail(source);
      this.log.warn({ source, user: creds.username, reason: check.reason }, 'dial INVITE authentication failed');
      return st.respond(makeResponse(req, 403, { reason: 'Bad Credentials' }));
    }
    if (parseSipUser(check.username)?.kind !== 'bank') {
      this.limiter.fail(source);
      this.log.warn({ source, user: check.username, to: req.uri }, 'dial INVITE from a non-bank user refused');
      return st.respond(makeResponse(req, 403, { reason: 'Only The Controller May Dial' }));
    }
    await this.dial(req, st, uri, check.username);
  }

  private async dial(req: SipRequest, st: ServerInvite, uri: SipUri, bankUser: string): Promise<void> {
    const bridgeRaw = req.headers.get(H.bridge);
    const bridge = bridgeRaw === undefined ? null : LegId.safeParse(bridgeRaw);
    if (bridge && !bridge.success) return st.respond(makeResponse(req, 400, { reason: `Bad ${H.bridge}` }));
    const rtRaw = req.headers.get(H.ringTimeout);
    const ring = rtRaw === undefined ? { success: true as const, data: this.cfg.ringTimeoutDefaultSec } : RingTimeout.safeParse(rtRaw);
    if (!ring.success) return st.respond(makeResponse(req, 400, { reason: `Bad ${H.ringTimeout}` }));
    const recRaw = req.headers.get(H.record);
    const rec = recRaw === undefined ? { success: true as const, data: 'off' as const } : RecordFlag.safeParse(recRaw.trim().toLowerCase());
    if (!rec.success) return st.respond(makeResponse(req, 400, { reason: `Bad ${H.record}` }));
    const record = rec.data === 'on';
    // a recording is of a bridge; a number check has none
    if (record && !bridge) return st.respond(makeResponse(req, 400, { reason: `${H.record} Needs ${H.bridge}` }));
    if (record && !this.cfg.recordingsDir) return st.respond(makeResponse(req, 503, { reason: 'Recording Not Available' }));
    // trunk hook: an E.164 Request-URI goes out through a trunk (docs/trunks.md)
    const viaTrunk = this.trunks !== null && e164Target(uri) !== null;
    if (!viaTrunk && (uri.scheme === 'tel' || !uri.user?.startsWith('dev-') || uri.host !== this.cfg.domain)) {
      return st.respond(makeResponse(req, 404, { reason: 'No Such Device' }));
    }
    // without X-PB-Bridge only a trunk dial is allowed: a number check (mobile verification) answered and left waiting
    if (!bridge && !viaTrunk) return st.respond(makeResponse(req, 400, { reason: `Missing ${H.bridge}` }));
    const callerOf = (): Leg | null | number => {
      if (!bridge) return null;
      const c = this.legsById.get(bridge.data);
      if (!c || c.kind !== 'caller' || c.ended) return 481;
      if (c.state !== 'parked' || [...this.dials].some((d) => d.caller === c)) return 486;
      return c;
    };
    let caller = callerOf();
    if (typeof caller === 'number') return st.respond(makeResponse(req, caller, { reason: caller === 481 ? 'Leg Gone' : 'Leg Busy' }));

    let target: DialTarget;
    if (viaTrunk) {
      st.respond(makeResponse(req, 100));
      let cancelled = false;
      st.onCancel = () => {
        cancelled = true;
      };
      const t = await this.trunks!.outboundTarget(req, uri, caller?.partyAddr ?? null);
      if (cancelled) return st.respond(makeResponse(req, 487));
      if (!t) return st.respond(makeResponse(req, 404, { reason: 'No Such Device' }));
      if ('status' in t) return st.respond(makeResponse(req, t.status, { reason: t.reason }));
      caller = callerOf(); // the caller may have left while the trunk connected
      if (typeof caller === 'number') return st.respond(makeResponse(req, caller, { reason: caller === 481 ? 'Leg Gone' : 'Leg Busy' }));
      target = { flow: t.flow, requestUri: t.requestUri, toAddr: t.toAddr, fromAddr: t.fromAddr, headers: t.headers, auth: t.auth, label: `trunk ${t.trunk}`, mediaKind: 'rtp' };
    } else {
      const binding = this.registrar.lookup(uri.user!)[0];
      if (!binding) return st.respond(makeResponse(req, 404, { reason: 'Device Not Registered' }));
      st.respond(makeResponse(req, 100));
      // a browser registers over WebSocket (WebRTC media); a SIP phone over UDP/TCP/TLS speaks plain RTP/AVP
      const mediaKind: MediaKind = binding.flow.transport === 'WS' || binding.flow.transport === 'WSS' ? 'webrtc' : 'rtp';
      target = { flow: binding.flow, requestUri: binding.contact, toAddr: `<sip:${uri.user}@${this.cfg.domain}>`, fromAddr: null, headers: [], auth: null, label: uri.user!, mediaKind };
    }

    const legId = newLegId();
    const callId = `${randomToken(12)}@${this.cfg.domain}`;
    const leg = new Leg(legId, 'device', callId, target.flow, parseNameAddr(target.toAddr)!, this.log.child({ legId, callId }));
    this.legsById.set(legId, leg);
    const dial = new Dial(leg, caller, st, randomToken(), ring.data);
    dial.record = record;
    this.dials.add(dial);
    st.onCancel = () => this.failDial(dial, 487, 'cancelled by the controller');
    leg.log.info({ bridgeTo: caller?.id ?? null, bankUser, device: target.label, controlCallId: req.headers.get('Call-ID'), ringSec: ring.data, record }, 'dialling device');

    let offer: string;
    try {
      // trunk legs speak plain RTP/AVP, browser devices WebRTC
      const ep = await this.media.createEndpoint({ legId, kind: target.mediaKind });
      if (dial.done) return void (await ep.close());
      leg.endpoint = ep;
      this.watchMedia(leg, ep);
      offer = await ep.offer();
    } catch (err) {
      leg.log.warn({ err }, 'media could not make an offer');
      return this.failDial(dial, 500, 'media error');
    }
    if (dial.done) return;

    const localTag = randomToken();
    const fromAddr = target.fromAddr ?? (caller ? formatNameAddr({ display: caller.partyAddr.display, uri: caller.partyAddr.uri, params: new Map() }) : '<sip:anonymous@anonymous.invalid>');
    const h = new SipHeaders()
      .append('Via', this.local.via(target.flow))
      .append('Max-Forwards', '70')
      .append('From', `${fromAddr};tag=${localTag}`)
      .append('To', target.toAddr)
      .append('Call-ID', callId)
      .append('CSeq', '1 INVITE')
      .append('Contact', this.local.contact(target.flow))
      .append('Allow', ALLOW)
      .append('Supported', SUPPORTED);
    for (const [n, v] of target.headers) h.append(n, v);
    h.append('Content-Type', 'application/sdp');
    const invite: SipRequest = { kind: 'request', method: 'INVITE', uri: target.requestUri, headers: h, body: offer };
    dial.ringTimer = setTimeout(() => this.failDial(dial, 408, 'ring timeout'), ring.data * 1000);
    this.sendDeviceInvite(dial, invite, { localTag, fromAddr, toAddr: target.toAddr, auth: target.auth, seq: 1 });
  }

  private sendDeviceInvite(dial: Dial, invite: SipRequest, a: DeviceInviteCtx): void {
    dial.deviceTx = this.clientTx.send(
      invite,
      dial.leg.partyFlow,
      (res, local, tx) => {
        this.onDeviceResponse(dial, invite, tx, a, res, local).catch((err: unknown) => dial.leg.log.error({ err }, 'device response handling failed'));
      },
      (dial.ringSec + 10) * 1000,
    );
  }

  private async onDeviceResponse(dial: Dial, invite: SipRequest, tx: ClientTx, a: DeviceInviteCtx, res: SipResponse, local: boolean): Promise<void> {
    const { leg, caller } = dial;
    const bankReq = dial.st.request;
    if (res.status < 200) {
      if (res.status > 100 && !dial.done) dial.st.respond(makeResponse(bankReq, 180, { toTag: dial.toTag }));
      return;
    }
    // a carrier's challenge is answered once per dial (client digest, docs/trunks.md)
    if ((res.status === 401 || res.status === 407) && !local && a.auth && a.seq === 1 && !dial.done) {
      const challenge = res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
      const answer = challenge ? a.auth.authorize(challenge, 'INVITE', invite.uri) : null;
      if (answer) {
        const h = invite.headers.clone();
        h.replaceFirst('Via', this.local.via(leg.partyFlow));
        h.set('CSeq', `${a.seq + 1} INVITE`);
        h.set(res.status === 401 ? 'Authorization' : 'Proxy-Authorization', answer);
        leg.log.info({ status: res.status }, 'carrier challenged the INVITE; answering with digest');
        return this.sendDeviceInvite(dial, { ...invite, headers: h }, { ...a, seq: a.seq + 1 });
      }
    }
    if (res.status >= 300) {
      if (!dial.done) this.failDial(dial, mapDeviceFailure(res.status, local), `device answered ${res.status}${local ? ' (local)' : ''}`);
      return;
    }
    const deviceDialog = new Dialog(
      {
        callId: leg.callId,
        localTag: a.localTag,
        remoteTag: tagOf(res.headers.get('To')) ?? '',
        localAddr: a.fromAddr,
        remoteAddr: a.toAddr,
        remoteTarget: parseNameAddr(res.headers.get('Contact') ?? '')?.uri ?? invite.uri,
        flow: leg.partyFlow,
        localSeq: a.seq,
        // the UAC's route set is the 2xx's Record-Route reversed (§12.1.2)
        routeSet: [...res.headers.getAll('Record-Route')].reverse(),
      },
      this.local,
    );
    this.clientTx.ack2xx(tx, deviceDialog.ack(a.seq));
    if (leg.ended) {
      // answered after the dial had already failed: release the device at once
      leg.log.info('device answered too late; releasing it');
      this.clientTx.send(deviceDialog.request('BYE'), leg.partyFlow);
      return;
    }
    leg.partyDialog = deviceDialog;
    leg.localSdp = invite.body;
    leg.remoteSdp = res.body;
    leg.peerAllowsUpdate = allows(res, 'UPDATE');
    const se = parseSessionExpires(res.headers.get('Session-Expires'));
    // the device chose the refresher (§7.2): uac means the ACD refreshes
    if (se) this.startSessionTimer(leg, { kind: 'uac', intervalSec: Math.max(se.deltaSec, this.timers.minSessionExpiresSec), localRefreshes: se.refresher === 'uac' });
    this.dialogs.set(deviceDialog.key, { leg, role: 'party' });
    if (dial.done) return;
    try {
      await leg.endpoint?.acceptAnswer(res.body);
    } catch (err) {
      leg.log.warn({ err }, 'media refused the device answer');
      return this.failDial(dial, 488, 'device answer not acceptable');
    }
    if (dial.done) return;
    if (caller && (caller.ended || caller.state !== 'parked' || !caller.endpoint || !leg.endpoint)) {
      return this.failDial(dial, caller.ended ? 481 : 486, 'caller no longer parked');
    }
    dial.finish();
    this.dials.delete(dial);
    const answerHeaders: Array<[string, string]> = [[H.leg, leg.id]];
    if (caller && caller.endpoint && leg.endpoint) {
      // recordings are named by leg ids only: left channel = caller, right = device
      const recording = dial.record && this.cfg.recordingsDir ? `${caller.id}-${leg.id}.wav` : null;
      const handle = this.media.bridge(caller.endpoint, leg.endpoint, recording ? { recordTo: path.join(this.cfg.recordingsDir!, recording) } : {});
      if (recording) {
        answerHeaders.push([H.recording, recording]);
        leg.log.info({ recording }, 'recording the bridge');
      }
      caller.bridge = { peer: leg, handle };
      leg.bridge = { peer: caller, handle };
      caller.transition('bridged');
      leg.transition('bridged');
      this.tellCaller(caller, 'bridged');
    } else {
      // a dial without a caller (number check): the answered leg waits for the controller
      leg.transition('waiting');
    }

    const control = new Dialog(
      {
        callId: bankReq.headers.get('Call-ID') ?? '',
        localTag: dial.toTag,
        remoteTag: tagOf(bankReq.headers.get('From')) ?? '',
        localAddr: stripTag(bankReq.headers.get('To')),
        remoteAddr: stripTag(bankReq.headers.get('From')),
        remoteTarget: parseNameAddr(bankReq.headers.get('Contact') ?? '')?.uri ?? '',
        flow: dial.st.flow,
        localSeq: randomInt(1, 10_000),
      },
      this.local,
    );
    leg.controlDialog = control;
    leg.control = 'up';
    this.dialogs.set(control.key, { leg, role: 'control' });
    dial.st.respond(this.controlAnswer(bankReq, dial.st.flow, dial.toTag, answerHeaders));
    leg.log.info({ bridgedTo: caller?.id ?? null }, caller ? 'device answered; bridged' : 'device answered; waiting (no caller to bridge)');
    caller?.log.info({ bridgedTo: leg.id }, 'bridged to device');
  }

  /** Ends a dial with one status to the bank; the caller is left as it is (parked, music on). */
  private failDial(dial: Dial, status: number, why: string): void {
    if (!dial.finish()) return;
    this.dials.delete(dial);
    if (dial.deviceTx && !dial.deviceTx.done) this.clientTx.cancel(dial.deviceTx);
    dial.st.respond(makeResponse(dial.st.request, status, { toTag: dial.toTag }));
    dial.leg.log.info({ status, why }, 'dial failed');
    this.endLeg(dial.leg, status === 487 ? 'cancel' : 'error', { byeParty: true });
  }

  // ───────────────────────────── media hooks ─────────────────────────────

  /**
   * What the media reports about a leg: a dead leg (no RTP, ICE failure) is released with
   * its cause told to the controller; DTMF goes to the controller as INFO.
   */
  private watchMedia(leg: Leg, ep: MediaEndpoint): void {
    ep.onEnded((cause: MediaEndCause) => {
      if (leg.ended || leg.endpoint !== ep) return;
      leg.log.warn({ cause }, 'media died');
      const dial = [...this.dials].find((d) => d.leg === leg);
      if (dial) return this.failDial(dial, 480, `media ${cause}`);
      this.endLeg(leg, cause === 'rtp-timeout' ? 'rtp-timeout' : 'error', { byeParty: true });
    });
    ep.onDtmf((digit, durationMs) => this.sendDtmfInfo(leg, digit, durationMs));
  }

  /**
   * A digit the party pressed (RFC 4733 event), told to the controller as an INFO on the
   * leg's control dialog in the common SIP INFO DTMF format (application/dtmf-relay).
   * Digits pressed while no control dialog is up are dropped (logged).
   */
  private sendDtmfInfo(leg: Leg, digit: string, durationMs: number): void {
    const dialog = leg.controlDialog;
    if (leg.ended || !dialog || leg.control !== 'up') {
      leg.log.info({ digit }, 'DTMF with no control dialog up: not relayed');
      return;
    }
    const body = `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
    this.clientTx.send(dialog.request('INFO', [], body, 'application/dtmf-relay'), dialog.flow, (res) => {
      if (res.status >= 300) leg.log.debug({ status: res.status, digit }, 'controller refused the DTMF INFO');
    });
  }

  /** An INFO from a party: `application/dtmf-relay` is relayed; other packages are refused (415). */
  private partyDtmfInfo(leg: Leg, req: SipRequest): SipResponse {
    const ct = (req.headers.get('Content-Type') ?? '').toLowerCase();
    if (!ct.startsWith('application/dtmf-relay')) return makeResponse(req, 415, { headers: [['Accept', 'application/dtmf-relay']] });
    const signal = /^Signal\s*=\s*([0-9*#A-D])\s*$/im.exec(req.body)?.[1];
    const duration = Number(/^Duration\s*=\s*(\d{1,5})\s*$/im.exec(req.body)?.[1] ?? 160);
    if (!signal) return makeResponse(req, 400, { reason: 'Bad dtmf-relay Body' });
    this.sendDtmfInfo(leg, signal.toUpperCase(), duration);
    return makeResponse(req, 200);
  }

  /** A party's re-INVITE/UPDATE with SDP: hold (sendonly/inactive), resume, or a new address. */
  private async answerPartyReoffer(leg: Leg, req: SipRequest, flow: Flow): Promise<SipResponse> {
    const ep = leg.endpoint;
    if (!ep) return makeResponse(req, 488, { reason: 'No Media' });
    try {
      const { sdp, remoteDirection } = await ep.answerReoffer(req.body);
      leg.log.info({ remoteDirection }, 'party re-offer answered');
      // the new offer/answer is the session now: a later refresh is compared with it
      leg.remoteSdp = req.body;
      leg.localSdp = sdp;
      return makeResponse(req, 200, { headers: [['Contact', this.local.contact(flow)], ['Allow', ALLOW], ['Supported', SUPPORTED], ['Content-Type', 'application/sdp']], body: sdp });
    } catch (err) {
      leg.log.warn({ err }, 'media refused the re-offer');
      return makeResponse(req, 488);
    }
  }

  // ───────────────────────────── release ─────────────────────────────

  /**
   * Ends one leg: BYE to its party when asked, media closed, bridge undone (the peer is
   * NOT released: a caller goes back to hold music, a device waits), BYE with the cause
   * on its control dialog unless the controller itself released it.
   */
  private endLeg(leg: Leg, cause: LegEndCause, opts: { byeParty: boolean }): void {
    if (leg.ended) return;
    leg.transition('ended');
    leg.endCause = cause;
    leg.clearTimers();
    leg.session?.stop();
    leg.session = null;
    leg.log.info({ cause }, 'leg ended');
    if (leg.partyDialog) {
      if (opts.byeParty) this.clientTx.send(leg.partyDialog.request('BYE'), leg.partyDialog.flow);
      this.dialogs.delete(leg.partyDialog.key);
    }
    if (leg.bridge) {
      const { peer, handle } = leg.bridge;
      handle.unbridge();
      leg.bridge = null;
      peer.bridge = null;
      this.survive(peer);
    }
    const ep = leg.endpoint;
    leg.endpoint = null;
    ep?.close().catch((err: unknown) => leg.log.warn({ err }, 'endpoint close failed'));
    if (leg.controlDialog) {
      if (cause !== 'released') this.sendControlBye(leg, leg.controlDialog, cause);
      this.dialogs.delete(leg.controlDialog.key);
      leg.control = 'ended';
    } else if (leg.routeTx && !leg.routeTx.done) {
      this.clientTx.cancel(leg.routeTx);
    }
    for (const dial of [...this.dials]) if (dial.caller === leg) this.failDial(dial, 481, 'the caller left');
    this.legsById.delete(leg.id);
  }

  /** The leg left behind when its bridge peer ended. */
  private survive(peer: Leg): void {
    if (peer.ended) return;
    if (peer.kind === 'caller') {
      if (peer.transition('parked')) peer.endpoint?.play(peer.extra.holdAudio ?? '');
      this.tellCaller(peer, 'parked');
      peer.log.info('bridge peer left; caller back on hold');
    } else {
      peer.transition('waiting');
      peer.log.info('bridge peer left; device waits for the controller');
    }
  }

  /**
   * Tells a caller's UA whether someone is connected (an INFO with X-PB-State). Only the
   * leg's own state: the caller learns nothing about who answered. A UA that refuses INFO
   * changes nothing.
   */
  private tellCaller(caller: Leg, state: 'bridged' | 'parked'): void {
    const dialog = caller.partyDialog;
    if (!dialog || caller.ended) return;
    this.clientTx.send(dialog.request('INFO', [[H.state, state]], '', ''), dialog.flow, (res) => {
      if (res.status >= 300) caller.log.debug({ status: res.status, state }, 'caller UA refused the state INFO');
    });
  }

  /** A 200 carrying the control SDP (`a=inactive`): dial answers and control re-INVITEs. */
  private controlAnswer(req: SipRequest, flow: Flow, toTag: string | null, extra: Array<[string, string]> = []): SipResponse {
    return makeResponse(req, 200, {
      ...(toTag ? { toTag } : {}),
      headers: [['Contact', this.local.contact(flow)], ['Allow', ALLOW], ...extra, ['Content-Type', 'application/sdp']],
      body: controlSdp(randomInt(1, 2 ** 31 - 1), this.cfg.publicHost ?? this.cfg.host),
    });
  }

  private sendControlBye(leg: Leg, dialog: Dialog, cause: LegEndCause): ClientTx {
    leg.log.info({ cause, controlCallId: dialog.callId }, 'BYE on the control dialog');
    return this.clientTx.send(dialog.request('BYE', [[H.cause, cause]]), dialog.flow, (res, local) => {
      if (res.status < 300) return;
      // the CTI will learn the leg's end when it rebuilds its picture (recovery); log for now
      if (local) leg.log.warn({ status: res.status }, 'BYE on the control dialog could not be delivered');
      else leg.log.warn({ status: res.status }, 'controller refused the BYE');
    });
  }
}

function newLegId(): string {
  return `leg-${randomBytes(8).toString('hex')}`;
}

/** Max-Forwards 0 on a request to forward or answer (§8.2.2.? / §16.3): 483. */
function tooManyHops(req: SipRequest): boolean {
  const mf = req.headers.get('Max-Forwards');
  return mf !== undefined && Number(mf) === 0;
}

/** §8.2.2.3: a request that Requires an extension the ACD lacks gets 420 naming it (CANCEL and ACK never do). */
function unsupportedRequire(req: SipRequest): SipResponse | null {
  const missing = req.headers
    .getAll('Require')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && t !== SUPPORTED);
  return missing.length ? makeResponse(req, 420, { reason: 'Bad Extension', headers: [['Unsupported', missing.join(', ')]] }) : null;
}

/** True when a message's Allow lists a method. */
function allows(msg: SipRequest | SipResponse, method: string): boolean {
  return msg.headers.getAll('Allow').some((m) => m.trim().toUpperCase() === method);
}

function isSdp(req: SipRequest): boolean {
  return isSdpBody(req.headers.get('Content-Type'), req.body);
}

/** A From/To without its tag (the dialog adds tags itself). */
function stripTag(raw: string | undefined): string {
  const na = parseNameAddr(raw ?? '');
  if (!na) return raw ?? '';
  na.params.delete('tag');
  return formatNameAddr(na);
}
