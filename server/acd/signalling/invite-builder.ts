import type { LocalAddress } from '../local-address';
import { SipHeaders, type SipRequest } from '../sip/message';
import type { Flow } from '../transport/flow';
import { ALLOW } from './capabilities';

export interface InviteSpec {
  flow: Flow;
  requestUri: string;
  /** From without tag (name-addr); the tag is `localTag`. */
  fromAddr: string;
  localTag: string;
  toAddr: string;
  callId: string;
  /** After Allow, in order (Supported, X-PB-*, a trunk's own headers). */
  headers: ReadonlyArray<readonly [string, string]>;
  sdp: string;
}

/**
 * The ACD's dialog-creating INVITE (CSeq 1), to the route point or to a device/trunk:
 * one header order for both (§8.1.1), Content-Type last.
 */
export function buildInvite(local: LocalAddress, s: InviteSpec): SipRequest {
  const h = new SipHeaders()
    .append('Via', local.via(s.flow))
    .append('Max-Forwards', '70')
    .append('From', `${s.fromAddr};tag=${s.localTag}`)
    .append('To', s.toAddr)
    .append('Call-ID', s.callId)
    .append('CSeq', '1 INVITE')
    .append('Contact', local.contact(s.flow))
    .append('Allow', ALLOW);
  for (const [n, v] of s.headers) h.append(n, v);
  h.append('Content-Type', 'application/sdp');
  return { kind: 'request', method: 'INVITE', uri: s.requestUri, headers: h, body: s.sdp };
}
