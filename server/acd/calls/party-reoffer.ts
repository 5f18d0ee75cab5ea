import { ALLOW, SUPPORTED } from '../signalling/capabilities';
import { makeResponse } from '../sip/builders';
import type { SipRequest, SipResponse } from '../sip/message';
import type { Flow } from '../transport/flow';
import type { Leg } from './leg';
import type { LocalAddress } from '../local-address';
import { isSdp } from './sdp-checks';
import { sipFailureOf } from './sip-status';

/**
 * A party's media change by re-INVITE or UPDATE with new SDP (hold with sendonly/inactive,
 * resume, a new address, an ICE re-offer): the leg's media answers on the same ports. An
 * offer it cannot take → 488, and the session stays as it was.
 */
export class PartyReoffer {
  constructor(private readonly local: LocalAddress) {}

  handle(leg: Leg, req: SipRequest, flow: Flow, reply: (res: SipResponse) => void): void {
    if (!isSdp(req) || !leg.endpoint) return reply(makeResponse(req, 488, { reason: 'Media Change Not Supported' }));
    this.answer(leg, req, flow).then(reply, (err: unknown) => {
      leg.log.error({ err, method: req.method }, 'party re-offer handling failed');
      reply(makeResponse(req, 500));
    });
  }

  private async answer(leg: Leg, req: SipRequest, flow: Flow): Promise<SipResponse> {
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
      const f = sipFailureOf(err, { status: 488 });
      return makeResponse(req, f.status, f.reason ? { reason: f.reason } : {});
    }
  }
}
