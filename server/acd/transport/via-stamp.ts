import { formatVia, parseVia, type Via } from '../sip/headers';
import type { SipHeaders, SipMessage } from '../sip/message';
import type { ParseResult } from '../sip/parser';

/**
 * RFC 3261 §18.2.1 + RFC 3581: record on the top Via where a request really came from
 * (`received` when the address differs from sent-by, `rport` filled in when asked for).
 */
export function stampVia(headers: SipHeaders, remoteAddress: string, remotePort: number, parsed?: Via | null): void {
  const top = parsed === undefined ? headers.get('Via') : undefined;
  const via = parsed !== undefined ? parsed : top ? parseVia(top) : null;
  if (!via) return;
  if (via.host !== remoteAddress) via.params.set('received', remoteAddress);
  if (via.params.has('rport')) via.params.set('rport', String(remotePort));
  headers.replaceFirst('Via', formatVia(via));
}

/** Stamps the Via of a parsed request (or of the answerable request of a parse error). */
export function stampResult(result: ParseResult, remoteAddress: string, remotePort: number): void {
  // the parsed top Via is stamped in place, so the message's fields stay true without a re-parse
  if (result.ok && result.message.kind === 'request') stampVia(result.message.headers, remoteAddress, remotePort, result.message.fields.topVia);
  if (!result.ok && result.request) stampVia(result.request.headers, remoteAddress, remotePort);
}

/**
 * Where a response goes over UDP (RFC 3261 §18.2.2, RFC 3581 §4): to `received` (or the
 * sent-by host) at the `rport` value when the client asked for it, else at the sent-by
 * port (5060 when absent). `maddr` (multicast) is not supported and ignored.
 */
export function responseTarget(msg: SipMessage): { host: string; port: number } | null {
  if (msg.kind !== 'response') return null;
  const via = parseVia(msg.headers.get('Via') ?? '');
  if (!via) return null;
  const host = via.params.get('received') ?? via.host;
  const rport = via.params.get('rport');
  const port = rport && /^\d{1,5}$/.test(rport) ? Number(rport) : (via.port ?? 5060);
  return { host: host.replace(/^\[|\]$/g, ''), port };
}
