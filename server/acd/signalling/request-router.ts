import type { Logger } from '../../log';
import { H, ROUTE_USER } from '../../shared/sip-control';
import type { CallContext } from '../calls/call-context';
import { controlAnswer } from '../calls/control-dialog';
import { isControlOp, type ControlOps } from '../calls/control-ops';
import { failDial } from '../calls/dials/dial-failure';
import { Announcements } from '../calls/announcement';
import type { DialAuthorizer } from '../calls/dials/dial-authorizer';
import type { Dialer } from '../calls/dials/dialer';
import type { DeviceGrace } from '../calls/device-grace';
import type { LegRecovery } from '../calls/leg-recovery';
import type { DtmfRelay } from '../calls/dtmf-relay';
import type { RecordControl } from '../calls/record-control';
import type { InboundCallers } from '../calls/inbound-callers';
import type { SessionRefresh } from '../calls/session-refresh';
import type { DialPlan } from '../dial-plan';
import type { ServerInvite, ServerTransactions } from '../server-transactions';
import { makeResponse } from '../sip/builders';
import { parseUri, type SipUri } from '../sip/headers';
import type { SipResponse } from '../sip/message';
import type { IncomingRequest } from '../sip/message-fields';
import type { ParseResult } from '../sip/parser';
import type { Flow } from '../transport/flow';
import { CAPABILITY_HEADERS, notImplemented, tooManyHops, unsupportedRequire } from './capabilities';
import { contactFlow } from './contact-flow';

/** The call modules the router hands requests to. */
export interface RouterTargets {
  callers: InboundCallers;
  authorizer: DialAuthorizer;
  dialer: Dialer;
  sessions: SessionRefresh;
  dtmf: DtmfRelay;
  control: ControlOps;
  announcements: Announcements;
  recording: RecordControl;
  grace: DeviceGrace;
  /** re-offers of legs whose controller went (leg-recovery.ts) */
  recovery?: Pick<LegRecovery, 'controllerLost'>;
}

/**
 * Where every received message goes. Responses to their client transaction; requests
 * through their server transaction (retransmissions absorbed there), checked for
 * Max-Forwards (483) and Require (420), then by method and dialog: an initial INVITE to a
 * caller or a dial, in-dialog requests to the leg whose dialog they name.
 */
export class RequestRouter {
  private readonly log: Logger;

  constructor(
    private readonly ctx: CallContext,
    private readonly serverTx: ServerTransactions,
    private readonly dialPlan: DialPlan,
    private readonly to: RouterTargets,
  ) {
    this.log = ctx.log;
  }

  onMessage(result: ParseResult, flow: Flow): void {
    if (!this.ctx.running()) return;
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
      if (!this.ctx.clientTx.handleResponse(msg)) this.log.debug({ status: msg.status, callId: msg.fields.callId }, 'stray response ignored');
      return;
    }
    this.onRequest(msg, flow);
  }

  /** A connection closed: its registrations, dials and pending requests go; a party's leg ends with it. */
  onFlowClosed(flow: Flow): void {
    const { ctx } = this;
    if (!ctx.running()) return;
    ctx.registrar.dropFlow(flow);
    for (const dial of ctx.table.dials()) if (dial.st.flow === flow) failDial(ctx, dial, 487, 'the controller connection closed');
    // pending requests on the flow fail now (device ringing → 480, route offer → retry)
    ctx.clientTx.flowClosed(flow);
    let controllerLost = false;
    for (const leg of [...ctx.table.legs()]) {
      if (leg.ended) continue;
      if (leg.partyFlow === flow) {
        // a device mid-call may come back on a new connection (calls/device-grace.ts)
        if (this.to.grace.keep(leg)) continue;
        leg.log.info('party connection lost');
        leg.close('transport-lost', { byeParty: false });
      } else if (leg.controlDialog?.flow === flow) {
        // the CTI may come back; the leg stays as it is
        leg.log.warn('controller connection lost; leg kept');
        controllerLost = true;
      }
    }
    // another CTI node (or bank UA) still registered takes them now (docs/sip-control-dialect.md, "Recovery")
    if (controllerLost) this.to.recovery?.controllerLost();
  }

  private onRequest(req: IncomingRequest, flow: Flow): void {
    const method = req.method.toUpperCase();
    if (method === 'ACK') return this.onAck(req);
    if (method === 'INVITE') {
      const st = this.serverTx.begin(req, flow);
      if (!st) return; // a retransmission, answered by its transaction
      if (tooManyHops(req)) return st.respond(makeResponse(req, 483));
      const bad = unsupportedRequire(req);
      if (bad) return st.respond(bad);
      if (req.fields.toTag) return this.onReInvite(req, flow, st);
      // 100 Trying is sent by the paths that take time (caller answer, dial), not before a quick 4xx
      this.onInitialInvite(req, flow, st).catch((err: unknown) => this.log.error({ err, callId: req.fields.callId }, 'INVITE handling failed'));
      return;
    }
    const nt = this.serverTx.beginNonInvite(req, flow);
    if (!nt) return;
    const reply = (res: SipResponse) => nt.respond(res);
    if (tooManyHops(req)) return reply(makeResponse(req, 483));
    if (method === 'CANCEL') return this.onCancel(req, reply);
    const bad = unsupportedRequire(req);
    if (bad) return reply(bad);
    if (req.fields.toTag) return this.onInDialog(req, flow, reply);
    switch (method) {
      case 'REGISTER':
        // with a Path (RFC 3327) requests to the contact go back through its first hop: the flow the REGISTER came on
        reply(this.ctx.registrar.handleRegister(req, flow, req.headers.get('Path') ? flow : contactFlow(this.ctx.transports, req, flow, req.fields.contact?.uri ?? null)));
        return;
      case 'OPTIONS':
        // keep-alive and health check (§11): what the ACD can do. Addressed to the route point
        // (`sip:route@…`, Kamailio's probe of "can this node serve callers", deploy/kamailio):
        // 480 while no bank UA holds it, so the front prefers nodes whose CTI bank is registered.
        if (parseUri(req.uri)?.user === ROUTE_USER && this.ctx.registrar.lookup(ROUTE_USER).length === 0) {
          reply(makeResponse(req, 480, { reason: 'No Controller Registered', headers: [...CAPABILITY_HEADERS] }));
          return;
        }
        reply(makeResponse(req, 200, { headers: [...CAPABILITY_HEADERS] }));
        return;
      case 'BYE':
        reply(makeResponse(req, 481));
        return;
      default:
        reply(notImplemented(req));
    }
  }

  /** A new INVITE: a dial from the controller (device AOR, X-PB-Bridge, a trunk's E.164) or a caller. */
  private async onInitialInvite(req: IncomingRequest, flow: Flow, st: ServerInvite): Promise<void> {
    const uri = parseUri(req.uri);
    if (!uri) return st.respond(makeResponse(req, 400, { reason: 'Bad Request-URI' }));
    const contact = req.fields.contact;
    if (!contact || !parseUri(contact.uri)) return st.respond(makeResponse(req, 400, { reason: 'Missing Contact' }));
    const user = uri.user ?? '';
    // trunk hook: carriers' INVITEs and E.164 targets (docs/trunks.md, "Security")
    let trunkDid: string | null = null;
    const trunks = this.ctx.trunks;
    if (trunks) {
      const v = trunks.screenInvite(req, flow, uri, (n) => this.dialPlan.lookup(n) !== null);
      if (v.kind === 'respond') return st.respond(v.response);
      if (v.kind === 'dial') return this.dial(req, flow, st, uri);
      if (v.kind === 'caller') {
        this.log.info({ callId: req.fields.callId, trunk: v.trunk, dialed: v.dialed }, 'INVITE from a trunk to its DID');
        trunkDid = v.dialed;
      }
    }
    if (!trunkDid && (user.startsWith('dev-') || req.headers.has(H.bridge))) return this.dial(req, flow, st, uri);
    // anything else is an inbound caller, accepted only for a number the ACD serves
    await this.to.callers.admit(req, flow, st, trunkDid ?? user, contact);
  }

  private async dial(req: IncomingRequest, flow: Flow, st: ServerInvite, uri: SipUri): Promise<void> {
    const bankUser = this.to.authorizer.authorize(req, flow, st);
    if (bankUser !== null) await this.to.dialer.dial(req, st, uri, bankUser);
  }

  private onAck(req: IncomingRequest): void {
    // the ACK of a non-2xx answer ends its INVITE transaction (Timer I absorbs its resends)
    if (this.serverTx.absorbAck(req)) return;
    // the ACK of a 2xx is end-to-end: it stops the 2xx retransmissions
    this.serverTx.ack2xx(req);
    const entry = this.ctx.table.dialogOf(req.fields);
    if (!entry) {
      this.log.debug({ callId: req.fields.callId }, 'ACK for no dialog ignored');
      return;
    }
    if (entry.role === 'party' && entry.leg.kind === 'caller' && entry.leg.state === 'answering') this.to.callers.confirmed(entry.leg);
  }

  private onCancel(req: IncomingRequest, reply: (res: SipResponse) => void): void {
    const st = this.serverTx.match(req);
    if (!st) return reply(makeResponse(req, 481));
    reply(makeResponse(req, 200));
    if (!st.answered) st.onCancel?.();
  }

  private onInDialog(req: IncomingRequest, flow: Flow, reply: (res: SipResponse) => void): void {
    const entry = this.ctx.table.dialogOf(req.fields);
    if (!entry) return reply(makeResponse(req, 481));
    const { leg, role } = entry;
    if (role === 'party' && !this.to.grace.reanchor(leg, req, flow)) return reply(makeResponse(req, 403, { reason: 'Not From This Device' }));
    switch (req.method.toUpperCase()) {
      case 'BYE':
        if (role === 'party') {
          reply(makeResponse(req, 200));
          leg.log.info('party hung up');
          leg.close('remote-bye', { byeParty: false });
        } else {
          leg.log.debug('controller released the leg');
          leg.close('released', { byeParty: true });
          reply(makeResponse(req, 200));
        }
        return;
      case 'OPTIONS':
        reply(makeResponse(req, 200, { headers: [...CAPABILITY_HEADERS] }));
        return;
      case 'UPDATE':
        if (role === 'party' && isControlOp(req)) return answerWith(this.to.control.handle(leg, role, req, flow), reply, leg);
        if (role === 'control') {
          reply(req.body ? controlAnswer(this.ctx, req, flow, null) : makeResponse(req, 200, { headers: [['Contact', this.ctx.local.contact(flow)]] }));
          return;
        }
        return this.to.sessions.onPartyRefresh(leg, req, flow, (res) => {
          if (res.status === 200 && req.body) this.to.grace.resumed(leg);
          reply(res);
        });
      case 'INFO':
        // the controller's announcement (X-PB-Play): a clip to the parked caller, then release
        if (role === 'control' && Announcements.asks(req)) return reply(this.to.control.notFromController(leg, role, req, flow) ?? this.to.announcements.controlInfo(leg, req));
        // the controller starts or stops recording a bridge (calls/record-control.ts)
        if (role === 'control' && this.to.recording.handles(req)) {
          const refused = this.to.control.notFromController(leg, role, req, flow);
          if (refused) return reply(refused);
          void this.to.recording.onControlInfo(leg, req).then(reply, (err: unknown) => {
            leg.log.error({ err }, 'recording control failed');
            reply(makeResponse(req, 500));
          });
          return;
        }
        // the controller's in-call requests (hold, mute, DTMF, re-bridge, mix); refused 403 on a party's dialog
        if (role === 'control' || isControlOp(req)) return answerWith(this.to.control.handle(leg, role, req, flow), reply, leg);
        // SIP phones that send DTMF as INFO (application/dtmf-relay): relayed to the controller like RFC 4733 digits
        return reply(this.to.dtmf.partyInfo(leg, req));
      default:
        reply(notImplemented(req));
    }
  }

  private onReInvite(req: IncomingRequest, flow: Flow, st: ServerInvite): void {
    const entry = this.ctx.table.dialogOf(req.fields);
    if (!entry) return st.respond(makeResponse(req, 481));
    // a party cannot smuggle a controller's request into a re-INVITE
    if (entry.role === 'party' && isControlOp(req)) return answerWith(this.to.control.handle(entry.leg, entry.role, req, flow), (r) => st.respond(r), entry.leg);
    if (entry.role === 'control') {
      // a session refresh (JsSIP's session timers) or a re-offer: the control SDP never changes
      return st.respond(controlAnswer(this.ctx, req, flow, null));
    }
    const { leg } = entry;
    if (!this.to.grace.reanchor(leg, req, flow)) return st.respond(makeResponse(req, 403, { reason: 'Not From This Device' }));
    this.to.sessions.onPartyRefresh(leg, req, flow, (res) => {
      // the returning device's re-offer (ICE restart) answered: its media resumed the bridge
      if (res.status === 200 && req.body) this.to.grace.resumed(leg);
      st.respond(res);
    });
  }
}

/** A control request's answer, now or once it is known (a handoff waits for the other node). */
function answerWith(r: SipResponse | Promise<SipResponse>, reply: (res: SipResponse) => void, leg: { log: { error(o: object, m: string): void } }): void {
  if (!(r instanceof Promise)) return reply(r);
  r.then(reply, (err: unknown) => leg.log.error({ err }, 'control request failed'));
}
