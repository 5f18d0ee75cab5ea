import { H } from '../../../shared/sip-control';
import type { ClientTx } from '../../client-transactions';
import type { MediaKind } from '../../media/media-engine';
import type { ServerInvite } from '../../server-transactions';
import { SUPPORTED } from '../../signalling/capabilities';
import { buildInvite } from '../../signalling/invite-builder';
import type { DigestClient } from '../../sip/client-digest';
import { makeResponse, randomToken } from '../../sip/builders';
import { formatNameAddr, parseNameAddr, type SipUri } from '../../sip/headers';
import type { SipResponse } from '../../sip/message';
import type { IncomingRequest } from '../../sip/message-fields';
import type { Flow } from '../../transport/flow';
import { e164Target } from '../../trunks/tel-target';
import { newLegId, type CallContext } from '../call-context';
import { Leg, type LegCloseHooks } from '../leg';
import { available } from '../leg-moves';
import type { MediaWatch } from '../media-watch';
import { sipFailureOf } from '../sip-status';
import { Dial, mapDeviceFailure, type DeviceInvite } from './dial';
import type { CallerNotices } from '../caller-notice';
import type { DialAnswer } from './dial-answer';
import { failDial } from './dial-failure';
import { parseDialRequest } from './dial-request';

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
  /** a registered device's AOR user (absent for trunks): who may re-anchor the leg (device-grace.ts) */
  device?: string;
}

/**
 * The controller's dial: a bank UA's INVITE (already authorised) to a device AOR or, with
 * trunks, an E.164 number. The ACD makes a device leg, INVITEs the device with its media
 * offer, relays ringing, and on the answer hands over to DialAnswer. Failures end the dial
 * with one status to the bank (dial-failure.ts).
 */
export class Dialer {
  constructor(
    private readonly ctx: CallContext,
    private readonly hooks: LegCloseHooks,
    private readonly mediaWatch: MediaWatch,
    private readonly answer: DialAnswer,
    private readonly notices: CallerNotices,
  ) {}

  async dial(req: IncomingRequest, st: ServerInvite, uri: SipUri, bankUser: string): Promise<void> {
    const { ctx } = this;
    const asked = parseDialRequest(req, { ringTimeoutSec: ctx.cfg.ringTimeoutDefaultSec, canRecord: !!ctx.cfg.recordingsDir });
    if ('status' in asked) return st.respond(makeResponse(req, asked.status, asked.reason ? { reason: asked.reason } : {}));
    const { bridgeTo, ringSec, record, notice, join, parallel, callbackFor, confirm } = asked;
    // trunk hook: an E.164 Request-URI goes out through a trunk (docs/trunks.md)
    const viaTrunk = ctx.trunks !== null && e164Target(uri) !== null;
    if (callbackFor) {
      // the ACD's own rule for a callback: only that caller's number, or one they keyed, within the window — decided before a byte goes to a carrier
      const allowed = viaTrunk ? ctx.callbacks.check(callbackFor, e164Target(uri)) : { ok: false as const, status: 400, reason: `${H.callbackFor} Needs A Number` };
      if (!allowed.ok) {
        ctx.log.warn({ bankUser, callbackFor, status: allowed.status, reason: allowed.reason }, 'callback dial refused');
        return st.respond(makeResponse(req, allowed.status, { reason: allowed.reason }));
      }
    }
    if (!viaTrunk && (uri.scheme === 'tel' || !uri.user?.startsWith('dev-') || uri.host !== ctx.cfg.domain)) {
      return st.respond(makeResponse(req, 404, { reason: 'No Such Device' }));
    }
    // without X-PB-Bridge only a trunk dial is allowed: a number check (mobile verification) answered and left waiting
    if (!bridgeTo && !join && !viaTrunk) return st.respond(makeResponse(req, 400, { reason: `Missing ${H.bridge}` }));
    // a join names a live leg in any state but ringing: it is the call's mix that is joined (mixing.ts decides on answer)
    const joined = join ? ctx.table.leg(join.legId) : undefined;
    if (join && (!joined || joined.ended)) return st.respond(makeResponse(req, 481, { reason: 'Leg Gone' }));
    const callerOf = (): Leg | null | number => {
      if (!bridgeTo) return null;
      // any leg left alone or held: a parked caller, a held one (transfer), a waiting device (consultation)
      const c = ctx.table.leg(bridgeTo);
      if (!c || c.ended) return 481;
      // ring-all dials (X-PB-Parallel: on) may ring together; DialAnswer bridges the first answer and fails the later ones 486
      if (!available(ctx, c, parallel)) return 486;
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
      const t = await ctx.trunks!.outboundTarget(req, uri, caller?.partyAddr ?? null);
      if (cancelled) return st.respond(makeResponse(req, 487));
      if (!t) return st.respond(makeResponse(req, 404, { reason: 'No Such Device' }));
      if ('status' in t) return st.respond(makeResponse(req, t.status, { reason: t.reason }));
      caller = callerOf(); // the caller may have left while the trunk connected
      if (typeof caller === 'number') return st.respond(makeResponse(req, caller, { reason: caller === 481 ? 'Leg Gone' : 'Leg Busy' }));
      target = { flow: t.flow, requestUri: t.requestUri, toAddr: t.toAddr, fromAddr: t.fromAddr, headers: t.headers, auth: t.auth, label: `trunk ${t.trunk}`, mediaKind: 'rtp' };
    } else {
      const binding = ctx.registrar.lookup(uri.user!)[0];
      if (!binding) return st.respond(makeResponse(req, 404, { reason: 'Device Not Registered' }));
      st.respond(makeResponse(req, 100));
      // a browser registers over WebSocket (WebRTC media); a SIP phone over UDP/TCP/TLS speaks plain RTP/AVP
      const mediaKind: MediaKind = binding.flow.transport === 'WS' || binding.flow.transport === 'WSS' ? 'webrtc' : 'rtp';
      // a Path (RFC 3327) is the INVITE's preloaded Route, to its first hop on the binding's flow
      const route: Array<[string, string]> = binding.path.map((p) => ['Route', p]);
      target = { flow: binding.flow, requestUri: binding.contact, toAddr: `<sip:${uri.user}@${ctx.cfg.domain}>`, fromAddr: null, headers: route, auth: null, label: uri.user!, mediaKind, device: uri.user! };
    }

    const legId = newLegId();
    const callId = `${randomToken(12)}@${ctx.cfg.domain}`;
    const leg = new Leg(legId, 'device', callId, target.flow, parseNameAddr(target.toAddr)!, ctx.log.child({ legId, callId }), this.hooks, target.device ? { device: target.device } : {});
    ctx.table.addLeg(leg);
    const dial = new Dial(leg, caller, st, randomToken(), ringSec, record, join, notice, confirm);
    ctx.table.addDial(dial);
    st.onCancel = () => failDial(ctx, dial, 487, 'cancelled by the controller');
    leg.log.debug({ bridgeTo: caller?.id ?? null, join: join?.legId ?? null, mode: join?.role.mode, bankUser, device: target.label, controlCallId: req.fields.callId, ringSec, record, confirm }, 'dialling device');

    let offer: string;
    try {
      // trunk legs speak plain RTP/AVP, browser devices WebRTC
      const ep = await ctx.media.createEndpoint({ legId, kind: target.mediaKind });
      if (dial.done) return void (await ep.close());
      leg.endpoint = ep;
      this.mediaWatch.watch(leg, ep);
      offer = await ep.offer();
    } catch (err) {
      leg.log.warn({ err }, 'media could not make an offer');
      const f = sipFailureOf(err, { status: 500 });
      return failDial(ctx, dial, f.status, 'media error', f.reason);
    }
    if (dial.done) return;

    const localTag = randomToken();
    const fromAddr = target.fromAddr ?? (caller ? formatNameAddr({ display: caller.partyAddr.display, uri: caller.partyAddr.uri, params: new Map() }) : '<sip:anonymous@anonymous.invalid>');
    const request = buildInvite(ctx.local, {
      flow: target.flow,
      requestUri: target.requestUri,
      fromAddr,
      localTag,
      toAddr: target.toAddr,
      callId,
      headers: [['Supported', SUPPORTED], ...target.headers],
      sdp: offer,
    });
    dial.ringTimer = setTimeout(() => failDial(ctx, dial, 408, 'ring timeout'), ringSec * 1000);
    dial.transition('invite');
    // the recording notice plays while the device rings (the answer waits for its end)
    if (notice && caller) dial.told = this.notices.beforeBridge(caller, notice);
    this.send(dial, { request, localTag, fromAddr, toAddr: target.toAddr, auth: target.auth, seq: 1 });
  }

  private send(dial: Dial, invite: DeviceInvite): void {
    dial.deviceTx = this.ctx.clientTx.send(
      invite.request,
      dial.leg.partyFlow,
      (res, local, tx) => {
        this.onResponse(dial, invite, tx, res, local).catch((err: unknown) => dial.leg.log.error({ err }, 'device response handling failed'));
      },
      (dial.ringSec + 10) * 1000,
    );
  }

  private async onResponse(dial: Dial, invite: DeviceInvite, tx: ClientTx, res: SipResponse, local: boolean): Promise<void> {
    const { leg } = dial;
    if (res.status < 200) {
      if (res.status > 100 && !dial.done) {
        dial.transition('provisional');
        dial.st.respond(makeResponse(dial.st.request, 180, { toTag: dial.toTag }));
      }
      return;
    }
    // a carrier's challenge is answered once per dial (client digest, docs/trunks.md)
    if ((res.status === 401 || res.status === 407) && !local && invite.auth && invite.seq === 1 && !dial.done) {
      const challenge = res.headers.get(res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
      const answer = challenge ? invite.auth.authorize(challenge, 'INVITE', invite.request.uri) : null;
      if (answer) {
        const h = invite.request.headers.clone();
        h.replaceFirst('Via', this.ctx.local.via(leg.partyFlow));
        h.set('CSeq', `${invite.seq + 1} INVITE`);
        h.set(res.status === 401 ? 'Authorization' : 'Proxy-Authorization', answer);
        leg.log.info({ status: res.status }, 'carrier challenged the INVITE; answering with digest');
        dial.transition('challenge');
        return this.send(dial, { ...invite, request: { ...invite.request, headers: h }, seq: invite.seq + 1 });
      }
    }
    if (res.status >= 300) {
      if (!dial.done) failDial(this.ctx, dial, mapDeviceFailure(res.status, local), `device answered ${res.status}${local ? ' (local)' : ''}`);
      return;
    }
    await this.answer.answered(dial, invite, tx, res);
  }
}
