/**
 * Cuts a byte stream (TCP, TLS) into SIP messages (RFC 3261 §18.3): a message is its
 * header block up to the first empty line plus exactly Content-Length bytes of body.
 * Buffers are bounded: a header block or a body larger than the limits is a framing
 * error and the connection is to be closed (nothing after it can be trusted).
 */
export type FrameEvent =
  | { kind: 'message'; data: Buffer }
  /** A double CRLF between messages: an RFC 5626 keep-alive ping, answered with one CRLF. */
  | { kind: 'ping' }
  | { kind: 'error'; reason: string };

export interface FramerLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 64 * 1024 };

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private readonly limits: FramerLimits = DEFAULT_FRAMER_LIMITS) {}

  /** Feeds bytes; returns the complete events they finish, in order. */
  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: FrameEvent[] = [];
    for (;;) {
      // leading CRLFs between messages: keep-alives (a double CRLF is a ping)
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip > 0) {
        if (skip === this.buf.length && skip < 4) break; // maybe half a ping: wait for more
        const lead = this.buf.subarray(0, skip).toString('latin1');
        for (let i = 0; i < Math.floor(lead.split('\r\n\r\n').length - 1); i++) out.push({ kind: 'ping' });
        this.buf = this.buf.subarray(skip);
      }
      if (!this.buf.length) break;
      const end = this.buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.buf.length > this.limits.maxHeaderBytes) return this.fail(out, 'header block too large');
        break;
      }
      if (end > this.limits.maxHeaderBytes) return this.fail(out, 'header block too large');
      const head = this.buf.subarray(0, end).toString('latin1');
      const cl = contentLength(head);
      if (cl === 'missing') return this.fail(out, 'missing Content-Length on a stream');
      if (cl === 'bad') return this.fail(out, 'bad Content-Length');
      if (cl > this.limits.maxBodyBytes) return this.fail(out, 'body too large');
      const total = end + 4 + cl;
      if (this.buf.length < total) break;
      out.push({ kind: 'message', data: Buffer.from(this.buf.subarray(0, total)) });
      this.buf = this.buf.subarray(total);
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

/** Content-Length (or its compact form `l`) of a header block, with folding ignored. */
function contentLength(head: string): number | 'missing' | 'bad' {
  const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
  if (!m) return 'missing';
  const v = m[1]!.trim();
  return /^\d{1,9}$/.test(v) ? Number(v) : 'bad';
}
