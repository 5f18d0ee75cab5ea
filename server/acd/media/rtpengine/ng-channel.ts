import { Client } from 'rtpengine-client';
import { z } from 'zod';
import type { Logger } from '../../../log';
import { MediaNegotiationError, MediaStateError } from '../media-errors';

/** rtpengine said no, or did not answer in time: the media for that leg cannot be anchored. */
export class RtpengineError extends MediaStateError {
  override name = 'RtpengineError';
}

export type NgCommand = 'ping' | 'offer' | 'answer' | 'delete' | 'query' | 'statistics' | 'playMedia' | 'stopMedia' | 'playDTMF';

const Reply = z
  .object({
    result: z.string(),
    'error-reason': z.string().optional(),
    warning: z.string().optional(),
    sdp: z.string().optional(),
  })
  .passthrough();
export type NgReply = z.infer<typeof Reply>;

/** `host:port` of an rtpengine NG control socket (UDP). */
export function parseNgAddress(s: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(s);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new RangeError(`not host:port: ${s}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * The only place that talks NG to rtpengine (as mediasoup's Channel is the only door to its
 * worker): every command goes out here with a timeout and every reply is checked with zod.
 * `result: error` becomes an exception: for offer/answer a MediaNegotiationError (the SDP was
 * refused → 488), otherwise an RtpengineError.
 */
export class NgChannel {
  private readonly client: Client;
  private closed = false;

  constructor(
    private readonly dest: { host: string; port: number },
    private readonly log: Logger,
    timeoutMs = 3000,
  ) {
    this.client = new Client({ timeout: timeoutMs });
    // a malformed datagram on the client's socket must not throw out of its callback
    this.client.on('error', (err: unknown) => this.log.warn({ err }, 'rtpengine NG socket error'));
  }

  async command(name: NgCommand, body: Record<string, unknown>): Promise<NgReply> {
    if (this.closed) throw new RtpengineError('NG channel closed');
    let raw: unknown;
    try {
      raw = await this.client[name](this.dest, body);
    } catch (err) {
      throw new RtpengineError(`rtpengine ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const reply = Reply.parse(raw);
    if (reply.result === 'error') {
      const reason = reply['error-reason'] ?? 'no reason given';
      if (name === 'offer' || name === 'answer') throw new MediaNegotiationError(`rtpengine ${name}: ${reason}`);
      throw new RtpengineError(`rtpengine ${name}: ${reason}`);
    }
    if (reply.warning) this.log.warn({ command: name, warning: reply.warning }, 'rtpengine warning');
    return reply;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }
}
