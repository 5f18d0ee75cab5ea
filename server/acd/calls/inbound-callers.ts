import { randomInt } from 'node:crypto';
import { E164 } from '../../shared/sip-control';
import type { DialPlan } from '../dial-plan';
import { Dialog } from '../dialog';
import { mediaKindOfSdp } from '../media/media-engine';
import type { ServerInvite } from '../server-transactions';
import { ALLOW, SUPPORTED, allows } from '../signalling/capabilities';
import { contactFlow } from '../signalling/contact-flow';
import { makeResponse, randomToken } from '../sip/builders';
import { nameAddrWithoutTag, parseNameAddr, type NameAddr } from '../sip/headers';
import type { IncomingRequest } from '../sip/message-fields';
import type { Flow } from '../transport/flow';
import { newLegId, type CallContext } from './call-context';
import { Leg, type LegCloseHooks } from './leg';
import type { MediaWatch } from './media-watch';
import type { OverloadGuard } from '../overload/overload-guard';
import type { RoutePoint } from './route-point';
import { isSdp } from './sdp-checks';
import { tooSmall, type SessionRefresh, type UasNegotiation } from './session-refresh';
import { sipFailureOf } from './sip-status';

/** The longest a busy message may hold a caller (a clip that never reports its end). */
const BUSY_MESSAGE_MAX_MS = 60_000;

/**
 * Inbound callers: an INVITE to a number the dial plan serves is answered (SDP answer from
 * the leg's media), and on its ACK the caller is parked with the number's hold audio and
 * offered to the route point. A caller who never ACKs is released after `ackTimeoutMs`.
 * While the ACD is past its capacity (overload-guard.ts) a new caller is answered 503 with
 * Retry-After instead, and nothing is set up for them — or, when the number's queue has a busy
 * message, answered, told that message once and released (cause `overloaded`), never offered to
 * the CTI. Not when the ACD's own event loop is what is behind (reason `lag`): a message costs
 * media, a 503 costs nothing.
 */
export class InboundCallers {
  constructor(
    private readonly ctx: CallContext,
    private readonly dialPlan: DialPlan,
    private readonly hooks: LegCloseHooks,
    private readonly sessions: SessionRefresh,
    private readonly mediaWatch: MediaWatch,
    private readonly routePoint: RoutePoint,
    private readonly overload: OverloadGuard,
  ) {}

  /** An initial INVITE that is no dial: accepted only for a number the ACD serves. */
  async admit(req: IncomingRequest, flow: Flow, st: ServerInvite, dialedRaw: string, contact: NameAddr): Promise<void> {
    const number = E164.safeParse(dialedRaw);
    const plan = number.success ? this.dialPlan.lookup(number.data) : null;
    if (!number.success || !plan) {
      this.ctx.log.info({ callId: req.fields.callId, to: req.uri }, 'INVITE to a number not served refused');
      return st.respond(makeResponse(req, 404, { reason: 'Number Not Served' }));
    }
    // past capacity: a deliberate answer (logged once per episode by the guard)
    let busyAudio: string | undefined;
    if (!this.overload.admit()) {
      if (!plan.busyAudio || this.overload.reason === 'lag' || !isSdp(req)) {
        return st.respond(makeResponse(req, 503, { reason: 'Service Unavailable', toTag: randomToken(), headers: [['Retry-After', String(this.overload.retryAfterSec)]] }));
      }
      busyAudio = plan.busyAudio;
      this.overload.toldByMessage += 1;
    }
    if (!isSdp(req)) return st.respond(makeResponse(req, 488, { reason: 'SDP Offer Required' }));
    const session = this.sessions.negotiate(req);
    if (session.kind === 'too-small') return st.respond(tooSmall(req, session.minSe));
    await this.accept(req, flow, st, number.data, plan.holdAudio, contact, session, busyAudio);
  }

  /** The caller's ACK: parked with music, then offered to the route point. */
  confirmed(leg: Leg): void {
    leg.clearTimers();
    if (!leg.transition('confirm')) return;
    if (leg.extra.busyAudio) return this.tellBusy(leg, leg.extra.busyAudio);
    leg.endpoint?.play(leg.extra.holdAudio ?? '');
    leg.log.debug({ audio: leg.extra.holdAudio }, 'caller parked with hold audio');
    this.routePoint.offer(leg);
  }

  /** A caller past capacity: its queue's busy message once, then BYE; bounded in case the clip never ends. */
  private tellBusy(leg: Leg, clip: string): void {
    const ep = leg.endpoint;
    if (!ep) return void leg.close('overloaded', { byeParty: true });
    ep.onPlayDone((done) => {
      if (done !== clip || leg.ended) return;
      leg.log.debug({ clip }, 'busy message played; releasing the caller');
      leg.close('overloaded', { byeParty: true });
    });
    ep.play(clip, { loop: false });
    leg.after(BUSY_MESSAGE_MAX_MS, () => leg.close('overloaded', { byeParty: true }));
  }

  private async accept(req: IncomingRequest, flow: Flow, st: ServerInvite, dialed: string, holdAudio: string, contact: NameAddr, session: UasNegotiation, busyAudio?: string): Promise<void> {
    const { ctx } = this;
    const legId = newLegId();
    const { callId, from } = req.fields;
    const leg = new Leg(legId, 'caller', callId, flow, from!, ctx.log.child({ legId, callId }), this.hooks, { dialed, holdAudio, ...(busyAudio ? { busyAudio } : {}) });
    ctx.table.addLeg(leg);
    if (busyAudio) leg.log.debug({ from: from!.uri, dialed, busyAudio }, 'caller arrived past capacity: told the busy message');
    else leg.log.info({ from: from!.uri, dialed }, 'caller arrived');
    st.respond(makeResponse(req, 100));
    const localTag = randomToken();
    st.onCancel = () => {
      st.respond(makeResponse(req, 487, { toTag: localTag }));
      leg.log.info('caller cancelled before answer');
      leg.close('cancel', { byeParty: false });
    };

    let answer: string;
    try {
      const ep = await ctx.media.createEndpoint({ legId, kind: mediaKindOfSdp(req.body) });
      if (leg.ended) return void (await ep.close());
      leg.endpoint = ep;
      this.mediaWatch.watch(leg, ep);
      answer = await ep.answer(req.body);
    } catch (err) {
      leg.log.warn({ err }, 'media refused the caller offer');
      const f = sipFailureOf(err, { status: 488 });
      st.respond(makeResponse(req, f.status, { toTag: localTag, ...(f.reason ? { reason: f.reason } : {}) }));
      leg.close('error', { byeParty: false });
      return;
    }
    if (leg.ended) return;

    const routeSet = req.headers.getAll('Record-Route');
    const nextHop = routeSet.length ? (parseNameAddr(routeSet[0]!)?.uri ?? contact.uri) : contact.uri;
    const dialog = new Dialog(
      {
        callId,
        localTag,
        remoteTag: req.fields.fromTag ?? '',
        localAddr: nameAddrWithoutTag(req.fields.to, req.headers.get('To')),
        remoteAddr: nameAddrWithoutTag(from, req.headers.get('From')),
        remoteTarget: contact.uri,
        flow: contactFlow(ctx.transports, req, flow, nextHop),
        localSeq: randomInt(1, 10_000),
        routeSet,
      },
      ctx.local,
    );
    leg.partyDialog = dialog;
    leg.remoteSdp = req.body;
    leg.localSdp = answer;
    leg.peerAllowsUpdate = allows(req, 'UPDATE');
    ctx.table.addDialog(dialog, leg, 'party');
    const headers: Array<[string, string]> = [['Contact', ctx.local.contact(flow)], ['Allow', ALLOW], ['Supported', SUPPORTED]];
    // a proxy on the path stays on it (§12.1.1): the Record-Route goes back as received
    for (const rr of routeSet) headers.push(['Record-Route', rr]);
    if (session.kind === 'granted') {
      headers.push(...session.headers);
      this.sessions.start(leg, session);
    }
    headers.push(['Content-Type', 'application/sdp']);
    st.respond(makeResponse(req, 200, { toTag: localTag, headers, body: answer }));
    leg.after(ctx.timers.ackTimeoutMs, () => {
      if (leg.state !== 'answering') return;
      leg.log.warn('caller never ACKed the answer');
      leg.close('error', { byeParty: true });
    });
  }
}
