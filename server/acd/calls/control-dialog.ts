import { randomInt } from 'node:crypto';
import { controlSdp, H, type LegEndCause } from '../../shared/sip-control';
import type { ClientTx } from '../client-transactions';
import type { Dialog } from '../dialog';
import { ALLOW } from '../signalling/capabilities';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { Flow } from '../transport/flow';
import { publicHost, type CallContext } from './call-context';
import type { Leg } from './leg';

/** The control SDP (`a=inactive`, never carries media) with a fresh session id. */
export function freshControlSdp(ctx: CallContext): string {
  return controlSdp(randomInt(1, 2 ** 31 - 1), publicHost(ctx.cfg));
}

/** A 200 carrying the control SDP: dial answers and control re-INVITEs/UPDATEs. */
export function controlAnswer(ctx: CallContext, req: SipRequest, flow: Flow, toTag: string | null, extra: Array<[string, string]> = []): SipResponse {
  return makeResponse(req, 200, {
    ...(toTag ? { toTag } : {}),
    headers: [['Contact', ctx.local.contact(flow)], ['Allow', ALLOW], ...extra, ['Content-Type', 'application/sdp']],
    body: freshControlSdp(ctx),
  });
}

/** BYE on a leg's control dialog, telling the controller why the leg ended. */
export function sendControlBye(ctx: CallContext, leg: Leg, dialog: Dialog, cause: LegEndCause): ClientTx {
  leg.log.debug({ cause, controlCallId: dialog.callId }, 'BYE on the control dialog');
  return ctx.clientTx.send(dialog.request('BYE', [[H.cause, cause]]), dialog.flow, (res, local) => {
    if (res.status < 300) return;
    // the CTI will learn the leg's end when it rebuilds its picture (recovery); log for now
    if (local) leg.log.warn({ status: res.status }, 'BYE on the control dialog could not be delivered');
    else leg.log.warn({ status: res.status }, 'controller refused the BYE');
  });
}
