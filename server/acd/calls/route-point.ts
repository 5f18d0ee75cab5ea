import { H, ROUTE_USER } from '../../shared/sip-control';
import { Dialog } from '../dialog';
import { buildInvite } from '../signalling/invite-builder';
import { randomToken } from '../sip/builders';
import { formatNameAddr } from '../sip/headers';
import { fieldsOf } from '../sip/message-fields';
import type { CallContext } from './call-context';
import { freshControlSdp, sendControlBye } from './control-dialog';
import type { Leg } from './leg';

/**
 * The CTI's route point: a parked caller is offered to it (an INVITE to `sip:route@…`,
 * which the bank's UAs register) until one takes the leg, which makes the leg's control
 * dialog. No binding, or a refusal: tried again every `routeRetryMs`, up to
 * `routeRetryLimit` times, then the caller is released with `no-controller`.
 */
export class RoutePoint {
  constructor(private readonly ctx: CallContext) {}

  offer(leg: Leg): void {
    const { ctx } = this;
    if (leg.ended || !ctx.running()) return;
    const binding = ctx.registrar.nextRoute();
    if (!binding) {
      leg.log.warn('no route point registered');
      return this.retry(leg);
    }
    const domain = ctx.cfg.domain;
    const localTag = randomToken();
    const callId = `${randomToken(12)}@${domain}`;
    const fromAddr = formatNameAddr({ display: leg.partyAddr.display, uri: leg.partyAddr.uri, params: new Map() });
    const toAddr = `<sip:${ROUTE_USER}@${domain}>`;
    const req = buildInvite(ctx.local, {
      flow: binding.flow,
      requestUri: `sip:${ROUTE_USER}@${domain}`,
      fromAddr,
      localTag,
      toAddr,
      callId,
      headers: [
        [H.leg, leg.id],
        [H.dialed, leg.extra.dialed ?? ''],
        [H.audio, leg.extra.holdAudio ?? ''],
      ],
      sdp: freshControlSdp(ctx),
    });
    leg.transition('offer');
    leg.log.debug({ controlCallId: callId, bankUser: binding.authUser }, 'offering leg to the route point');
    leg.routeTx = ctx.clientTx.send(req, binding.flow, (res, local, tx) => {
      if (res.status < 200) return;
      leg.routeTx = null;
      if (res.status >= 300) {
        leg.log.warn({ status: res.status, local }, 'route point did not take the leg');
        // an ended leg's control sub-state already ended with it
        if (!leg.ended) {
          leg.transition('offer_failed');
          this.retry(leg);
        }
        return;
      }
      const f = fieldsOf(res);
      const dialog = new Dialog(
        { callId, localTag, remoteTag: f.toTag ?? '', localAddr: fromAddr, remoteAddr: toAddr, remoteTarget: f.contact?.uri ?? req.uri, flow: binding.flow, localSeq: 1 },
        ctx.local,
      );
      ctx.clientTx.ack2xx(tx, dialog.ack(1));
      if (leg.ended) {
        // the caller left while the offer was in flight: end the control dialog at once
        sendControlBye(ctx, leg, dialog, leg.endCause ?? 'error');
        return;
      }
      leg.controlDialog = dialog;
      leg.transition('connect');
      leg.routeAttempts = 0;
      ctx.table.addDialog(dialog, leg, 'control');
      leg.log.debug({ controlCallId: callId }, 'leg connected to the CTI');
    });
  }

  private retry(leg: Leg): void {
    leg.routeAttempts += 1;
    if (leg.routeAttempts >= this.ctx.timers.routeRetryLimit) {
      leg.log.warn({ attempts: leg.routeAttempts }, 'no controller took the leg');
      leg.close('no-controller', { byeParty: true });
      return;
    }
    leg.after(this.ctx.timers.routeRetryMs, () => this.offer(leg));
  }
}
