import { describe, expect, it } from 'vitest';
import { frameStream, parseMessage, SIP_LIMITS } from './parser';
import { parseNameAddr, parseUri, parseVia } from './headers';
import { serialize } from './serializer';
import { makeResponse } from './builders';

const INVITE = [
  'INVITE sip:+15550100@patchbay.local SIP/2.0',
  'v: SIP/2.0/WS abc.invalid;branch=z9hG4bK776asdhds;rport',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKb',
  'Max-Forwards: 70',
  'f: "Alice, A." <sip:alice@example.com>;tag=1928301774',
  't: <sip:+15550100@patchbay.local>',
  'i: a84b4c76e66710@pc33',
  'CSeq: 314159 INVITE',
  'm: <sip:alice@abc.invalid;transport=ws>',
  'X-PB-Bridge: leg-0123456789abcdef',
  'Subject: folded',
  '  line',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\r\n',
].join('\r\n');

describe('parseMessage', () => {
  it('parses a request with compact headers, multi-valued Via and folding', () => {
    const r = parseMessage(INVITE);
    expect(r.ok).toBe(true);
    if (!r.ok || r.message.kind !== 'request') throw new Error('expected a request');
    const m = r.message;
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:+15550100@patchbay.local');
    expect(m.headers.getAll('Via')).toHaveLength(3);
    expect(m.headers.get('From')).toBe('"Alice, A." <sip:alice@example.com>;tag=1928301774');
    expect(m.headers.get('Call-ID')).toBe('a84b4c76e66710@pc33');
    expect(m.headers.get('contact')).toContain('transport=ws');
    expect(m.headers.get('X-PB-Bridge')).toBe('leg-0123456789abcdef');
    expect(m.headers.get('Subject')).toBe('folded line');
    // Content-Length frames the body
    expect(m.body).toBe('v=0\r');
  });

  it('parses a response', () => {
    const r = parseMessage('SIP/2.0 180 Ringing\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n');
    expect(r.ok && r.message.kind === 'response' && r.message.status === 180 && r.message.reason === 'Ringing').toBe(true);
  });

  it('round-trips through the serializer', () => {
    const r = parseMessage(INVITE);
    if (!r.ok) throw new Error(r.reason);
    const again = parseMessage(serialize(r.message));
    if (!again.ok) throw new Error(again.reason);
    expect(serialize(again.message)).toBe(serialize(r.message));
    expect(serialize(r.message)).toContain('Content-Length: 4\r\n\r\nv=0\r');
  });

  it('counts Content-Length in bytes, not characters', () => {
    const body = 'é';
    const msg = `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nContent-Length: 2\r\n\r\n${body}`;
    const r = parseMessage(msg);
    expect(r.ok && r.message.body).toBe('é');
  });

  const base = (over: Record<string, string | null>, start = 'OPTIONS sip:a@b SIP/2.0'): string => {
    const h: Record<string, string | null> = { Via: 'SIP/2.0/WS h.invalid;branch=z9hG4bK1', From: '<sip:a@b>;tag=1', To: '<sip:a@b>', 'Call-ID': 'c1', CSeq: '1 OPTIONS', ...over };
    return [start, ...Object.entries(h).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  };

  it.each([
    ['missing Call-ID', base({ 'Call-ID': null }), 'missing Call-ID', false],
    ['CSeq method mismatch', base({ CSeq: '1 INVITE' }), 'CSeq method does not match', true],
    ['malformed CSeq', base({ CSeq: 'one OPTIONS' }), 'malformed CSeq', true],
    ['malformed From', base({ From: '<sip:a@b;tag=1' }), 'malformed From', true],
    ['bad Max-Forwards', base({ 'Max-Forwards': 'many' }), 'malformed Max-Forwards', true],
    ['short body', base({ 'Content-Length': '10' }), 'body shorter than Content-Length', true],
    ['bad Content-Length', base({ 'Content-Length': '-1' }), 'bad Content-Length', true],
    ['malformed Via', base({ Via: 'HTTP/1.1 nowhere' }), 'malformed Via', false],
    ['header line without colon', base({}).replace('To: <sip:a@b>', 'To: <sip:a@b>\r\nno colon here'), 'malformed header line', true],
    ['bad URI scheme', base({}, 'OPTIONS http://x SIP/2.0'), 'Unsupported URI Scheme', true],
  ])('%s → error, answerable when a response can be routed', (_name, text, reason, answerable) => {
    const r = parseMessage(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    expect(r.request !== null).toBe(answerable);
  });

  it.each([['garbage', 'hello world'], ['empty', ''], ['binary', Buffer.from([0, 1, 2, 255, 254])], ['bad status', 'SIP/2.0 99 X\r\n\r\n'], ['huge', 'x'.repeat(70_000)]])(
    'never throws on %s',
    (_n, input) => {
      const r = parseMessage(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.request).toBeNull();
    },
  );

  it('makes a 400 from an answerable bad request', () => {
    const r = parseMessage(base({ CSeq: '1 INVITE' }));
    if (r.ok || !r.request) throw new Error('expected an answerable error');
    const res = makeResponse(r.request, 400, { reason: r.reason });
    expect(serialize(res).startsWith('SIP/2.0 400 CSeq method does not match\r\n')).toBe(true);
    expect(res.headers.get('Call-ID')).toBe('c1');
  });
});

describe('parser limits and RFC 3261 details', () => {
  const msg = (lines: string[], body = ''): string => [...lines, '', body].join('\r\n');
  const ok = ['Via: SIP/2.0/WS h.invalid;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:a@b>', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];

  it('reads IPv6 references in Via and URIs', () => {
    const r = parseMessage(msg(['OPTIONS sip:alice@[2001:db8::10]:5070;transport=tcp SIP/2.0', 'Via: SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bK9;received=[2001:db8::9]', ...ok.slice(1)]));
    if (!r.ok || r.message.kind !== 'request') throw new Error(r.ok ? 'not a request' : r.reason);
    expect(parseVia(r.message.headers.get('Via')!)).toMatchObject({ host: '[2001:db8::9]', port: 5060 });
    expect(parseUri(r.message.uri)).toMatchObject({ host: '[2001:db8::10]', port: 5070 });
    expect(parseMessage(msg(['OPTIONS sip:a@[2001:db8::zz] SIP/2.0', ...ok])).ok).toBe(false);
  });

  it('tolerates an absent Max-Forwards and an RFC 2543 Via without branch, refuses a bare magic cookie', () => {
    expect(parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h', ...ok.slice(1)])).ok).toBe(true);
    const r = parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK', ...ok.slice(1)]));
    expect(!r.ok && r.reason).toBe('malformed Via branch');
  });

  it('accepts UTF-8 display names, quoted or not, and refuses invalid UTF-8', () => {
    const r = parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ok[0]!, 'From: Zoë Ünïcödé <sip:z@b>;tag=1', 'To: "Jürgen \\"J\\"" <sip:a@b>', ...ok.slice(3)]));
    if (!r.ok) throw new Error(r.reason);
    expect(parseNameAddr(r.message.headers.get('From')!)!.display).toBe('Zoë Ünïcödé');
    expect(parseNameAddr(r.message.headers.get('To')!)!.display).toBe('Jürgen "J"');
    const bad = Buffer.concat([Buffer.from(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'Subject: x']).replace(/\r\n\r\n$/, '')), Buffer.from([0xc0, 0xaf]), Buffer.from('\r\n\r\n')]);
    const rb = parseMessage(bad);
    expect(!rb.ok && rb.reason).toBe('invalid UTF-8 in header');
    expect(!rb.ok && rb.request !== null).toBe(true);
  });

  it('accepts bare LF line ends and leading CRLFs; refuses a continuation line first and a bare CR', () => {
    expect(parseMessage('\r\n\r\n' + msg(['OPTIONS sip:a@b SIP/2.0', ...ok]).replace(/\r\n/g, '\n')).ok).toBe(true);
    const r1 = parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ' folded', ...ok]));
    expect(!r1.ok && r1.reason).toBe('continuation line without a header');
    const r2 = parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'Subject: a\rb']));
    expect(!r2.ok && r2.reason).toBe('bare CR in header');
  });

  it('enforces its limits', () => {
    expect(parseMessage(Buffer.alloc(SIP_LIMITS.maxMessageBytes + 1, 65))).toMatchObject({ ok: false, reason: 'message too large' });
    const many = Array.from({ length: SIP_LIMITS.maxHeaders }, (_, k) => `X-N: ${k}`);
    expect(parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, ...many]))).toMatchObject({ ok: false, reason: 'too many headers' });
    expect(parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, `Subject: ${'x'.repeat(SIP_LIMITS.maxHeaderLineBytes)}`]))).toMatchObject({ ok: false, reason: 'header line too long' });
    expect(parseMessage(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'Content-Length: 70000'], 'x'))).toMatchObject({ ok: false, reason: 'Content-Length too large' });
  });

  it('discards octets after Content-Length in a datagram, refuses them in a framed stream message', () => {
    const text = msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'Content-Length: 2'], 'hiEXTRA');
    const r = parseMessage(text);
    expect(r.ok && r.message.body).toBe('hi');
    expect(parseMessage(text, { datagram: false })).toMatchObject({ ok: false, reason: 'body longer than Content-Length' });
  });

  it('frames stream messages, bounded', () => {
    const one = msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'l: 2'], 'hi');
    const two = Buffer.from(one + one);
    expect(frameStream(two)).toEqual({ kind: 'message', length: Buffer.byteLength(one) });
    expect(frameStream(two.subarray(0, 20))).toEqual({ kind: 'need-more' });
    expect(frameStream(Buffer.from(one).subarray(0, one.length - 1))).toEqual({ kind: 'need-more' });
    expect(frameStream(Buffer.from('\r\n\r\nOPTIONS'))).toEqual({ kind: 'keepalive', length: 4 });
    expect(frameStream(Buffer.from(msg(['OPTIONS sip:a@b SIP/2.0', ...ok])))).toEqual({ kind: 'error', reason: 'missing Content-Length' });
    expect(frameStream(Buffer.from(msg(['OPTIONS sip:a@b SIP/2.0', ...ok, 'Content-Length: 99999'])))).toEqual({ kind: 'error', reason: 'message too large' });
    expect(frameStream(Buffer.alloc(SIP_LIMITS.maxHeaderBytes + 1, 65))).toEqual({ kind: 'error', reason: 'header section too large' });
    const framed = frameStream(two);
    if (framed.kind !== 'message') throw new Error('expected a message');
    expect(parseMessage(two.subarray(0, framed.length), { datagram: false }).ok).toBe(true);
  });
});

describe('serializer', () => {
  it('never lets CR or LF from a value reach the wire', () => {
    const r = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n');
    if (!r.ok || r.message.kind !== 'request') throw new Error('expected a request');
    const res = makeResponse(r.message, 400, { reason: 'bad\r\nX-Injected: 1', headers: [['Subject', 'a\r\nX-Injected: 2']] });
    const wire = serialize(res);
    expect(wire).not.toMatch(/\r\nX-Injected/);
    const back = parseMessage(wire);
    expect(back.ok && back.message.headers.has('X-Injected')).toBe(false);
  });
});
