import { frameStream } from '../sip/parser';

/**
 * Cuts a byte stream (TCP, TLS) into SIP messages (RFC 3261 §18.3). Where one message ends is
 * decided by the parser's `frameStream` (one set of limits, one Content-Length scanner for
 * every transport); this class keeps the per-connection buffer and the RFC 5626 keep-alives.
 * A framing error is final: nothing after it can be trusted, the connection is to be closed.
 */
export type FrameEvent =
  | { kind: 'message'; data: Buffer }
  /** A double CRLF between messages: an RFC 5626 keep-alive ping, answered with one CRLF. */
  | { kind: 'ping' }
  | { kind: 'error'; reason: string };

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  /** Feeds bytes; returns the complete events they finish, in order. */
  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: FrameEvent[] = [];
    for (;;) {
      if (!this.buf.length) break;
      const f = frameStream(this.buf);
      if (f.kind === 'need-more') break;
      if (f.kind === 'error') return this.fail(out, f.reason);
      if (f.kind === 'keepalive') {
        // all CRLFs so far: wait for more unless it is a whole ping (a double CRLF)
        if (f.length === this.buf.length && f.length < 4) break;
        const lead = this.buf.subarray(0, f.length).toString('latin1');
        for (let i = 0; i < lead.split('\r\n\r\n').length - 1; i++) out.push({ kind: 'ping' });
        this.buf = this.buf.subarray(f.length);
        continue;
      }
      out.push({ kind: 'message', data: Buffer.from(this.buf.subarray(0, f.length)) });
      this.buf = this.buf.subarray(f.length);
    }
    return out;
  }

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.buf.length;
  }

  private fail(out: FrameEvent[], reason: string): FrameEvent[] {
    this.failed = true;
    this.buf = Buffer.alloc(0);
    out.push({ kind: 'error', reason });
    return out;
  }
}
