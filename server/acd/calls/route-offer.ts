import { H, ROUTE_USER } from '../../shared/sip-control';
import type { ClientTx } from '../client-transactions';
import { Dialog } from '../dialog';
import type { Binding } from '../registrar';
import { buildInvite } from '../signalling/invite-builder';
import { randomToken } from '../sip/builders';
import { formatNameAddr } from '../sip/headers';
import { fieldsOf } from '../sip/message-fields';
import type { CallContext } from './call-context';
import { freshControlSdp } from './control-dialog';
import type { Leg } from './leg';

/** How an INVITE to the route point ended: taken (the new control dialog, ACKed) or not. */
export type RouteOfferResult = { taken: true; dialog: Dialog } | { taken: false; status: number; local: boolean };

/**
 * Sends an INVITE to `sip:route@…` on a route binding for a leg — the first offer (route-point.ts)
 * and a recovery re-offer (leg-recovery.ts) — with the leg's headers (`X-PB-Leg`, and a caller's
 * `X-PB-Dialed`/`X-PB-Audio`) plus `extra`; a 2xx is ACKed and its dialog handed over.
 */
export function sendRouteOffer(ctx: CallContext, leg: Leg, binding: Binding, extra: Array<[string, string]>, done: (r: RouteOfferResult) => void): ClientTx {
  const domain = ctx.cfg.domain;
  const localTag = randomToken();
  const callId = `${randomToken(12)}@${domain}`;
  const fromAddr = formatNameAddr({ display: leg.partyAddr.display, uri: leg.partyAddr.uri, params: new Map() });
  const toAddr = `<sip:${ROUTE_USER}@${domain}>`;
  const headers: Array<[string, string]> = [[H.leg, leg.id], [H.nonce, ctx.dialNonce()]];
  if (leg.kind === 'caller') headers.push([H.dialed, leg.extra.dialed ?? ''], [H.audio, leg.extra.holdAudio ?? '']);
  const req = buildInvite(ctx.local, {
    flow: binding.flow,
    requestUri: `sip:${ROUTE_USER}@${domain}`,
    fromAddr,
    localTag,
    toAddr,
    callId,
    headers: [...headers, ...extra],
    sdp: freshControlSdp(ctx),
  });
  leg.log.debug({ controlCallId: callId, bankUser: binding.authUser }, 'offering leg to the route point');
  const offer = ctx.offerDelay.sent();
  return ctx.clientTx.send(req, binding.flow, (res, local, tx) => {
    if (res.status < 200) return;
    ctx.offerDelay.settled(offer);
    if (res.status >= 300) return done({ taken: false, status: res.status, local });
    const f = fieldsOf(res);
    const dialog = new Dialog(
      { callId, localTag, remoteTag: f.toTag ?? '', localAddr: fromAddr, remoteAddr: toAddr, remoteTarget: f.contact?.uri ?? req.uri, flow: binding.flow, localSeq: 1 },
      ctx.local,
    );
    ctx.clientTx.ack2xx(tx, dialog.ack(1));
    done({ taken: true, dialog });
  });
}
