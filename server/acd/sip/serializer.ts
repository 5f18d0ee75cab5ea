import type { SipMessage } from './message';

/**
 * Writes a message in wire form; Content-Length is always recomputed from the body.
 * CR and LF never reach the wire inside a start line or a header value, whatever a caller
 * put there (a reason phrase or header copied from elsewhere cannot inject headers).
 */
export function serialize(msg: SipMessage): string {
  const start = msg.kind === 'request' ? `${oneLine(msg.method)} ${oneLine(msg.uri)} SIP/2.0` : `SIP/2.0 ${msg.status} ${oneLine(msg.reason)}`;
  const lines = [start];
  for (const [name, value] of msg.headers.list()) {
    if (name.toLowerCase() === 'content-length') continue;
    lines.push(`${oneLine(name)}: ${oneLine(value)}`);
  }
  lines.push(`Content-Length: ${Buffer.byteLength(msg.body, 'utf8')}`);
  return lines.join('\r\n') + '\r\n\r\n' + msg.body;
}

function oneLine(s: string): string {
  return s.includes('\r') || s.includes('\n') ? s.replace(/[\r\n]+/g, ' ') : s;
}
