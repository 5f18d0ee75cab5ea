import { isIP } from 'node:net';
import { parseUri } from '../sip/headers';
import type { IncomingRequest } from '../sip/message-fields';
import type { Flow } from '../transport/flow';
import type { TransportSet } from '../transport/transport-set';

/**
 * The flow requests towards a peer's URI (a registered contact, a dialog's remote target)
 * go on. Connection-oriented: the flow the peer used (RFC 5626-like reuse). UDP: the
 * URI's address, unless the peer asked for symmetric routing (`rport`, RFC 3581) or the
 * URI is not an IP address, then the address its request came from (NAT).
 */
export function contactFlow(transports: TransportSet, req: IncomingRequest, flow: Flow, uri: string | null): Flow {
  if (flow.reliable || !uri) return flow;
  if (req.fields.topVia?.params.has('rport')) return flow;
  const u = parseUri(uri);
  const host = u?.host.replace(/^\[|\]$/g, '') ?? '';
  if (!u || !isIP(host)) return flow;
  const port = u.port ?? 5060;
  if (host === flow.remoteAddress && port === flow.remotePort) return flow;
  return transports.udpFlow(host, port) ?? flow;
}
