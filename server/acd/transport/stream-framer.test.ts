import { describe, expect, it } from 'vitest';
import { StreamFramer } from './stream-framer';

const msg = (body = '') => `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nl: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('StreamFramer', () => {
  it('cuts messages by Content-Length (compact form too), across and within chunks', () => {
    const f = new StreamFramer();
    const two = msg('hello') + msg('');
    const evs = [...f.push(Buffer.from(two.slice(0, 10))), ...f.push(Buffer.from(two.slice(10, 70))), ...f.push(Buffer.from(two.slice(70)))];
    expect(evs.map((e) => (e.kind === 'message' ? e.data.toString() : e.kind))).toEqual([msg('hello'), msg('')]);
    expect(f.buffered).toBe(0);
  });

  it('reports a double-CRLF keep-alive as a ping and ignores stray CRLFs', () => {
    const f = new StreamFramer();
    expect(f.push(Buffer.from('\r\n\r\n'))).toEqual([{ kind: 'ping' }]);
    expect(f.push(Buffer.from('\r\n' + msg()))).toHaveLength(1);
  });

  it('fails on a missing or bad Content-Length and on oversized headers or bodies, then stays failed', () => {
    expect(new StreamFramer().push(Buffer.from('OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n'))).toEqual([{ kind: 'error', reason: 'missing Content-Length on a stream' }]);
    expect(new StreamFramer().push(Buffer.from('OPTIONS sip:a SIP/2.0\r\nContent-Length: -1\r\n\r\n'))[0]).toMatchObject({ kind: 'error' });
    const small = new StreamFramer({ maxHeaderBytes: 64, maxBodyBytes: 4 });
    expect(small.push(Buffer.from('X'.repeat(100)))).toEqual([{ kind: 'error', reason: 'header block too large' }]);
    expect(small.push(Buffer.from(msg()))).toEqual([]);
    expect(new StreamFramer({ maxHeaderBytes: 1024, maxBodyBytes: 4 }).push(Buffer.from(msg('too long')))).toEqual([{ kind: 'error', reason: 'body too large' }]);
  });
});
