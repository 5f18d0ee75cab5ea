import { SipHeaders, splitCommas, type SipRequest } from './message';
import { canonicalName, isToken, parseCSeqExact, parseNameAddr, parseUri, parseVia } from './headers';
import { MessageFields, type FieldSeed, type IncomingMessage, type IncomingRequest } from './message-fields';

/**
 * The SIP parser (RFC 3261 §7, §25). It NEVER throws: every input yields either a message
 * or a parse error with a human reason. When the input was a request whose headers are
 * good enough to answer (Via, From, To, Call-ID, CSeq), the error carries that request and
 * the status to answer with (`400` unless said otherwise) so the caller can send
 * `<status> <reason>`; otherwise the input is to be dropped and logged.
 *
 * Everything here is a linear scan over a bounded input: no regex with nested or adjacent
 * unbounded quantifiers ever sees attacker data (see docs/sip-parser.md, "Limits").
 */
export type ParseResult =
  | { ok: true; message: IncomingMessage }
  | { ok: false; reason: string; request: SipRequest | null; status?: number };

/** Bounds on what one message may be; see docs/sip-parser.md. */
export const SIP_LIMITS = {
  /** A whole message (UDP datagram, WebSocket frame, or one framed stream message). */
  maxMessageBytes: 64 * 1024,
  /** The start line and the header section together. */
  maxHeaderBytes: 32 * 1024,
  /** One header field after unfolding (long Identity or Authorization headers fit). */
  maxHeaderLineBytes: 16 * 1024,
  /**
   * Header values, counting each element of a comma list (Via hops, Contacts…) as one and
   * Content-Length not at all — so what we accept, we can also write back and re-read.
   */
  maxHeaders: 256,
} as const;

export interface ParseOptions {
  /**
   * `true` (default) for UDP datagrams and WebSocket frames: the input is exactly one
   * message; a body shorter than Content-Length is an error (RFC 3261 §18.3), octets after
   * it are discarded. `false` for a message already framed from a stream (see frameStream).
   */
  datagram?: boolean;
}

/** Headers that may appear at most once (RFC 3261 §7.3.1: only list headers may repeat). */
const SINGLE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires'] as const;
/** Headers whose values are lists of name-addr (checked so the ACD never meets a broken one). */
const NAME_ADDR_LISTS = ['Contact', 'Route', 'Record-Route'] as const;

export function parseMessage(input: string | Buffer, opts: ParseOptions = {}): ParseResult {
  try {
    return parse(input, opts.datagram ?? true);
  } catch (err) {
    // belt and braces: the parse below is written not to throw, but a bug must not kill a flow
    return { ok: false, reason: `internal parser error: ${err instanceof Error ? err.message : String(err)}`, request: null };
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Where the header section ends: [index of the empty line, length of the separator]. */
function headerEnd(buf: Buffer, from: number): [number, number] {
  const a = buf.indexOf(CRLFCRLF, from);
  const b = buf.indexOf(LFLF, from);
  if (a >= 0 && (b < 0 || a <= b)) return [a, 4];
  if (b >= 0) return [b, 2];
  return [-1, 0];
}

function parse(input: string | Buffer, datagram: boolean): ParseResult {
  // a string never encodes to fewer octets than it has UTF-16 units: refuse before copying it
  if (typeof input === 'string' && input.length > SIP_LIMITS.maxMessageBytes) return fail('message too large');
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (buf.length > SIP_LIMITS.maxMessageBytes) return fail('message too large');
  // §7.5: CRLFs before the start line are ignored
  let start = 0;
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  if (start === buf.length) return fail('empty message');
  const [sep, sepLen] = headerEnd(buf, start);
  // a datagram without the empty line is read as headers only (tolerated: no body can follow)
  if (sep < 0 && !datagram) return fail('no end of headers');
  const headEnd = sep < 0 ? buf.length : sep;
  if (headEnd - start > SIP_LIMITS.maxHeaderBytes) return fail('header section too large');
  const headBytes = buf.subarray(start, headEnd);
  const bodyBytes = sep < 0 ? Buffer.alloc(0) : buf.subarray(sep + sepLen);
  const utf8Ok = isUtf8(headBytes);
  const head = headBytes.toString('utf8');

  // split into lines (CRLF or bare LF), unfold §7.3.1 continuation lines
  const lineStart = head.indexOf('\n');
  const startLine = stripCr(lineStart < 0 ? head : head.slice(0, lineStart));
  const raw: Array<[string, string]> = [];
  let lineError: string | null = utf8Ok ? null : 'invalid UTF-8 in header';
  let pos = lineStart < 0 ? head.length : lineStart + 1;
  while (pos < head.length) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = head.length;
    const line = stripCr(head.slice(pos, nl));
    pos = nl + 1;
    if (line.length > SIP_LIMITS.maxHeaderLineBytes) return failWith(startLine, raw, '', 'header line too long');
    if (line.includes('\r')) {
      lineError ??= 'bare CR in header';
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      const last = raw[raw.length - 1];
      if (!last) {
        lineError ??= 'continuation line without a header';
        continue;
      }
      last[1] = last[1] ? `${last[1]} ${line.trim()}` : line.trim();
      if (last[1].length > SIP_LIMITS.maxHeaderLineBytes) return failWith(startLine, raw, '', 'header line too long');
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (!isToken(name)) {
      lineError ??= 'malformed header line';
      continue;
    }
    if (raw.length >= 2 * SIP_LIMITS.maxHeaders) return failWith(startLine, raw, '', 'too many headers');
    raw.push([canonicalName(name), line.slice(colon + 1).trim()]);
  }
  const bodyText = bodyBytes.toString('utf8');
  if (lineError) return failWith(startLine, raw, bodyText, lineError);
  const headers = SipHeaders.from(raw);
  let values = 0;
  for (const [n] of headers.list()) if (n !== 'Content-Length') values++;
  if (values > SIP_LIMITS.maxHeaders) return failWith(startLine, raw.slice(0, SIP_LIMITS.maxHeaders), '', 'too many headers');

  // the start line: a response, or a request whose shape is checked element by element
  if (startLine.startsWith('SIP/')) return parseResponse(startLine, headers, bodyBytes, datagram);
  const req = splitRequestLine(startLine);
  if (typeof req === 'string') {
    // a mangled request line (<uri>, LWS in it, extra SP) is still answered when the rest allows
    const loose = looseRequestLine(startLine);
    if (!loose) return fail(req);
    return { ok: false, reason: req, request: answerable({ kind: 'request', method: loose.method, uri: loose.uri, headers, body: bodyText }) };
  }
  // the fields share the seed the header checks below fill: nothing they parse is parsed again
  const seed: FieldSeed = {};
  const request: IncomingRequest = { kind: 'request', method: req.method, uri: req.uri, headers, body: bodyText, fields: new MessageFields(headers, seed) };
  const refuse = (reason: string, status?: number): ParseResult => ({ ok: false, reason, request: answerable(request), ...(status ? { status } : {}) });
  if (req.version.toUpperCase() !== 'SIP/2.0') return refuse('Version Not Supported', 505);

  const framed = frameBody(headers, bodyBytes, datagram);
  if ('error' in framed) return refuse(framed.error);
  request.body = framed.body;

  const err = checkHeaders(headers, request.method, seed);
  if (err) return refuse(err);

  // Request-URI (§19.1): sip/sips/tel only, nothing else is routable here
  const scheme = request.uri.slice(0, Math.max(0, request.uri.indexOf(':'))).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    return /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme) ? refuse('Unsupported URI Scheme', 416) : refuse('Bad Request-URI');
  }
  const uri = parseUri(request.uri);
  if (!uri) return refuse('Bad Request-URI');
  if (uri.headers !== undefined) return refuse('Request-URI with headers');
  return { ok: true, message: request };
}

function parseResponse(startLine: string, headers: SipHeaders, bodyBytes: Buffer, datagram: boolean): ParseResult {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (an absent reason and its SP tolerated)
  const sp = startLine.indexOf(' ');
  if (sp < 0 || startLine.slice(0, sp).toUpperCase() !== 'SIP/2.0') return fail('bad status line');
  const code = startLine.slice(sp + 1, sp + 4);
  const after = startLine.slice(sp + 4);
  if (!/^[1-6][0-9][0-9]$/.test(code) || (after !== '' && after[0] !== ' ')) return fail('bad status line');
  const framed = frameBody(headers, bodyBytes, datagram);
  if ('error' in framed) return fail(framed.error);
  const seed: FieldSeed = {};
  const err = checkHeaders(headers, null, seed);
  if (err) return fail(err);
  return { ok: true, message: { kind: 'response', status: Number(code), reason: after.slice(1), headers, body: framed.body, fields: new MessageFields(headers, seed) } };
}

/** Request-Line = Method SP Request-URI SP SIP-Version CRLF — exactly one SP each (§25.1). */
function splitRequestLine(line: string): { method: string; uri: string; version: string } | string {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (a <= 0 || b < 0 || line.indexOf(' ', b + 1) >= 0) return 'bad request line';
  const method = line.slice(0, a);
  const uri = line.slice(a + 1, b);
  const version = line.slice(b + 1);
  if (!isToken(method) || !uri || !/^SIP\/[0-9]{1,3}\.[0-9]{1,3}$/i.test(version)) return 'bad request line';
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) <= 32 || uri.charCodeAt(i) === 127) return 'bad request line';
  if (uri.startsWith('<')) return 'bad request line';
  return { method, uri, version };
}

/** The body as Content-Length frames it (§18.3, §20.14), or an error reason. */
function frameBody(h: SipHeaders, bodyBytes: Buffer, datagram: boolean): { body: string } | { error: string } {
  const all = h.getAll('Content-Length');
  if (all.length > 1) return { error: 'duplicate Content-Length' };
  const cl = all[0];
  if (cl === undefined) {
    // a stream needs Content-Length to frame at all (frameStream refuses before we get here)
    return { body: bodyBytes.toString('utf8') };
  }
  if (!/^[0-9]{1,10}$/.test(cl)) return { error: 'bad Content-Length' };
  const want = Number(cl);
  if (want > SIP_LIMITS.maxMessageBytes) return { error: 'Content-Length too large' };
  if (bodyBytes.length < want) return { error: 'body shorter than Content-Length' };
  if (!datagram && bodyBytes.length > want) return { error: 'body longer than Content-Length' };
  return { body: bodyBytes.subarray(0, want).toString('utf8') };
}

/**
 * What every message must carry and how it must look (§8.1.1, §20). Max-Forwards may be
 * absent (RFC 2543 peers, RFC 4475 §3.3.11): the ACD then treats it as 70. What it parses
 * on the way (From, To, CSeq, top Via, first Contact) goes into `seed` for MessageFields.
 */
function checkHeaders(h: SipHeaders, method: string | null, seed: FieldSeed): string | null {
  for (const name of SINGLE) if (h.getAll(name).length > 1) return `duplicate ${name}`;
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const) if (!h.get(name)) return `missing ${name}`;
  for (const v of h.getAll('Via')) {
    const via = parseVia(v);
    if (!via) return 'malformed Via';
    const branch = via.params.get('branch');
    if (branch !== undefined && (branch === null || branch === '' || branch === 'z9hG4bK')) return 'malformed Via branch';
    seed.topVia ??= via;
  }
  const cseq = parseCSeqExact(h.get('CSeq')!);
  if (!cseq) return 'malformed CSeq';
  seed.cseq = cseq;
  if (method !== null && cseq.method !== method) return 'CSeq method does not match';
  // Call-ID = word [ "@" word ]: printable ASCII, no whitespace (§25.1)
  const callId = h.get('Call-ID')!;
  for (let i = 0; i < callId.length; i++) {
    const c = callId.charCodeAt(i);
    if (c <= 32 || c >= 127) return 'malformed Call-ID';
  }
  const from = parseNameAddr(h.get('From')!);
  if (!from) return 'malformed From';
  const to = parseNameAddr(h.get('To')!);
  if (!to) return 'malformed To';
  seed.from = from;
  seed.to = to;
  seed.contact = null;
  let firstContact = true;
  for (const name of NAME_ADDR_LISTS) {
    for (const v of h.getAll(name)) {
      if (name === 'Contact' && v === '*') {
        firstContact = false;
        continue;
      }
      const na = parseNameAddr(v);
      if (!na) return `malformed ${name}`;
      if (name === 'Contact' && firstContact) {
        seed.contact = na;
        firstContact = false;
      }
      const exp = na.params.get('expires');
      if (exp !== undefined && (exp === null || !/^[0-9]{1,10}$/.test(exp) || Number(exp) > 2 ** 32 - 1)) return `malformed ${name} expires`;
    }
  }
  const mf = h.get('Max-Forwards');
  if (mf !== undefined && (!/^[0-9]{1,10}$/.test(mf) || Number(mf) > 255)) return 'malformed Max-Forwards';
  const expires = h.get('Expires');
  if (expires !== undefined && (!/^[0-9]{1,10}$/.test(expires) || Number(expires) > 2 ** 32 - 1)) return 'malformed Expires';
  const date = h.get('Date');
  if (date !== undefined && !isRfc1123Date(date)) return 'malformed Date';
  return null;
}

/** rfc1123-date in GMT (§20.17), e.g. `Sat, 13 Nov 2010 23:29:00 GMT`. */
function isRfc1123Date(s: string): boolean {
  return /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/.test(s);
}

/**
 * A request is answerable when a response can be routed and matched back to it: a top Via
 * we can read (whatever SIP version it claims, so that `505` reaches a SIP/7.0 sender) and
 * From, To, Call-ID and CSeq to copy (the first of each when repeated).
 */
function answerable(r: SipRequest): SipRequest | null {
  const h = r.headers;
  const top = h.getAll('Via')[0];
  if (top === undefined || !parseVia(anyVersionVia(top))) return null;
  for (const name of ['From', 'To', 'Call-ID', 'CSeq'] as const) if (!h.get(name)) return null;
  if (r.method.toUpperCase() === 'ACK') return null; // never answer an ACK
  return r;
}

/** `SIP/x.y/` → `SIP/2.0/` at the start of a Via value, for answerability only. */
function anyVersionVia(v: string): string {
  const m = /^[ \t]*SIP[ \t]*\/[ \t]*[0-9]{1,3}\.[0-9]{1,3}[ \t]*\//i.exec(v);
  return m ? `SIP/2.0/${v.slice(m[0].length)}` : v;
}

/** Method, URI and version split on any run of whitespace: only to build an answer. */
function looseRequestLine(line: string): { method: string; uri: string } | null {
  const parts = line.trim().split(/[ \t]+/);
  if (parts.length < 3 || !isToken(parts[0]!) || !/^SIP\/[0-9]/i.test(parts[parts.length - 1]!)) return null;
  return { method: parts[0]!, uri: parts.slice(1, -1).join(' ') };
}

function failWith(startLine: string, raw: Array<[string, string]>, body: string, reason: string): ParseResult {
  const strict = splitRequestLine(startLine);
  const req = typeof strict === 'string' ? looseRequestLine(startLine) : strict;
  if (!req) return fail(reason);
  const request: SipRequest = { kind: 'request', method: req.method, uri: req.uri, headers: SipHeaders.from(raw), body };
  return { ok: false, reason, request: answerable(request) };
}

function fail(reason: string): ParseResult {
  return { ok: false, reason, request: null };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isUtf8(b: Buffer): boolean {
  try {
    UTF8.decode(b);
    return true;
  } catch {
    return false;
  }
}
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// ───────────────────────────── stream framing (TCP/TLS) ─────────────────────────────

export type StreamFrame =
  /** `length` octets at the front of the buffer are one message (parse with `{ datagram: false }`). */
  | { kind: 'message'; length: number }
  /** `length` octets of CRLF keep-alive (RFC 5626 §4.4.1) to consume; answer a double CRLF with one CRLF. */
  | { kind: 'keepalive'; length: number }
  /** Wait for more octets; nothing is wrong yet. */
  | { kind: 'need-more' }
  /** The stream can no longer be framed: answer if possible, then close the connection. */
  | { kind: 'error'; reason: string };

/**
 * Finds the first message in a stream buffer (RFC 3261 §18.3): headers up to the empty
 * line, then exactly Content-Length octets (mandatory on streams). Bounded: a header
 * section over SIP_LIMITS.maxHeaderBytes or a Content-Length that would make the message
 * larger than SIP_LIMITS.maxMessageBytes is an error, so a peer cannot make us buffer
 * without end. Never throws.
 */
export function frameStream(buf: Buffer): StreamFrame {
  let k = 0;
  while (k < buf.length && (buf[k] === 13 || buf[k] === 10)) k++;
  if (k > 0) return { kind: 'keepalive', length: k };
  if (buf.length === 0) return { kind: 'need-more' };
  const [sep, sepLen] = headerEnd(buf, 0);
  if (sep < 0) return buf.length > SIP_LIMITS.maxHeaderBytes ? { kind: 'error', reason: 'header section too large' } : { kind: 'need-more' };
  if (sep > SIP_LIMITS.maxHeaderBytes) return { kind: 'error', reason: 'header section too large' };
  const head = buf.subarray(0, sep).toString('latin1');
  let cl: string | null = null;
  let from = 0;
  while (from < head.length) {
    let nl = head.indexOf('\n', from);
    if (nl < 0) nl = head.length;
    const line = head.slice(from, nl);
    from = nl + 1;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    if (cl !== null) return { kind: 'error', reason: 'duplicate Content-Length' };
    cl = line.slice(colon + 1).trim();
  }
  if (cl === null) return { kind: 'error', reason: 'missing Content-Length' };
  if (!/^[0-9]{1,10}$/.test(cl)) return { kind: 'error', reason: 'bad Content-Length' };
  const total = sep + sepLen + Number(cl);
  if (total > SIP_LIMITS.maxMessageBytes) return { kind: 'error', reason: 'message too large' };
  if (buf.length < total) return { kind: 'need-more' };
  return { kind: 'message', length: total };
}

/** Splits a list header value on top-level commas (re-exported for transports and tests). */
export { splitCommas };
