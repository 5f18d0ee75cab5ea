import type { SipMessage } from './message';

/** Writes a message in wire form; Content-Length is always recomputed from the body. */
export function serialize(msg: SipMessage): string {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [name, value] of msg.headers.list()) {
    if (name.toLowerCase() === 'content-length') continue;
    lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${Buffer.byteLength(msg.body, 'utf8')}`);
  return lines.join('\r\n') + '\r\n\r\n' + msg.body;
}
