import { createSocket, type Socket } from 'node:dgram';
import type { SipResponse } from '../sip/message';
import { parseMessage } from '../sip/parser';

/**
 * Test helper for media interop with real SIP softphones/tools (baresip, SIPp) while the ACD
 * speaks SIP over WebSocket only: the three requests of one call (INVITE, ACK, BYE) over UDP,
 * with the engine's own SDP. Responses are parsed with the ACD's parser.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Just enough of a SIP UAC over UDP to set up and tear down one call. */
export class MiniUac {
  private readonly responses: SipResponse[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on('message', (m) => {
      const r = parseMessage(m);
      if (r.ok && r.message.kind === 'response') this.responses.push(r.message);
    });
  }

  static async open(): Promise<MiniUac> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return new MiniUac(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text), port, '127.0.0.1');
  }

  async final(method: string, timeoutMs = 5000): Promise<SipResponse> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = this.responses.find((x) => x.status >= 200 && x.headers.get('CSeq')?.endsWith(method));
      if (r) return r;
      if (Date.now() > end) throw new Error(`no final response to ${method}`);
      await sleep(20);
    }
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** One request of the call; `to` is the dialog's To URI (default: the Request-URI, right for the INVITE). */
export function sipRequest(method: string, uri: string, o: { port: number; seq: number; to?: string; toTag?: string; body?: string; callId?: string }): string {
  const body = o.body ?? '';
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.port};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    'From: <sip:acd@127.0.0.1>;tag=acdtag1',
    `To: <${o.to ?? uri}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'media-interop-1'}@127.0.0.1`,
    `CSeq: ${o.seq} ${method}`,
    `Contact: <sip:acd@127.0.0.1:${o.port}>`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

