import { isSdpBody } from '../../shared/sdp/sdp-document';
import type { SipRequest } from '../sip/message';

/** The SDP question signalling asks of a request; the answer is the shared SDP module's. */
export function isSdp(req: SipRequest): boolean {
  return isSdpBody(req.headers.get('Content-Type'), req.body);
}

export { sameSession } from '../../shared/sdp/sdp-document';
