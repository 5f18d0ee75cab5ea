import type { ClientDialog, SipWsClient } from '../acd/test-support/sip-ws-client';
import type { SipRequest, SipResponse } from '../acd/sip/message';
import { controlSdp } from '../shared/sdp/control-sdp';
import { H } from '../shared/sip-control';

/**
 * The SIP peer kit: the three steps of the bank ↔ ACD dialect that the ACD, CTI and
 * cross-cutting tests (test/) each spelled out — a caller's call answered and ACKed, the
 * bank taking the route point's offer, the bank dialling a target for a parked leg. They
 * assert nothing themselves: each test keeps its own expectations on what they return.
 */

/** A caller INVITEs `uri` with `body` and, once answered 2xx, ACKs. */
export async function placeCall(
  caller: SipWsClient,
  uri: string,
  body: string,
  opts: { from?: string; timeoutMs?: number } = {},
): Promise<{ inv: SipRequest; ok: SipResponse; dialog: ClientDialog }> {
  const inv = caller.makeRequest('INVITE', uri, { body, ...(opts.from ? { from: opts.from } : {}) });
  caller.send(inv);
  const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE', true, opts.timeoutMs);
  const dialog = caller.dialogFrom(inv, ok);
  if (ok.status >= 200 && ok.status < 300) caller.send(caller.inDialog('ACK', dialog));
  return { inv, ok, dialog };
}

/** The bank answers the route point's next offer with the control SDP: the parked leg and its control dialog. */
export async function takeRouteOffer(bank: SipWsClient, timeoutMs?: number): Promise<{ offer: SipRequest; callerLeg: string; route: ClientDialog }> {
  const offer = await bank.request('INVITE', () => true, timeoutMs);
  const route = bank.answer(offer, 200, { body: controlSdp(1) });
  return { offer, callerLeg: offer.headers.get(H.leg)!, route };
}

/** The bank dials `target` to bridge it to `legId`, answering the ACD's 407 challenge; resolves with the authenticated INVITE. */
export function dialForLeg(
  bank: SipWsClient,
  target: string,
  legId: string,
  creds: { user: string; password: string },
  headers: Array<[string, string]> = [],
): Promise<SipRequest> {
  const first = bank.makeRequest('INVITE', target, { headers: [[H.bridge, legId], ...headers], body: controlSdp(2) });
  return bank.sendWithAuth(first, creds.user, creds.password);
}
