import { SipHeaders, type SipMessage, type SipRequest } from './message';
import { canonicalName, parseCSeq, parseNameAddr, parseVia } from './headers';

/**
 * The SIP parser. It NEVER throws: every input yields either a message or a parse error
 * with a human reason. When the input was a request whose headers are good enough to
 * answer (Via, From, To, Call-ID, CSeq), the error carries that request so the caller can
 * send `400 <reason>`; otherwise the input is to be dropped and logged.
 */
export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; reason: string; request: SipRequest | null };

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_MESSAGE = 64 * 1024;
const REQUIRED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;

export function parseMessage(input: string | Buffer): ParseResult {
  try {
    return parse(input);
  } catch (err) {
    // belt and braces: the parse below is written not to throw, but a bug must not kill a flow
    return { ok: false, reason: `internal parser error: ${err instanceof Error ? err.message : String(err)}`, request: null };
  }
}

function parse(input: string | Buffer): ParseResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (buf.length > MAX_MESSAGE) return fail('message too large');
  const text = buf.toString('utf8');
  let sep = text.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (sep < 0) {
    sep = text.indexOf('\n\n');
    sepLen = 2;
  }
  const head = sep < 0 ? text : text.slice(0, sep);
  const rawBody = sep < 0 ? '' : text.slice(sep + sepLen);
  const lines = head.replace(/^(\r?\n)+/, '').split(/\r?\n/);
  const startLine = lines.shift() ?? '';

  // header lines, with RFC 3261 §7.3.1 line folding
  const raw: Array<[string, string]> = [];
  // a bad line is remembered, and the rest still read, so the error can be answered with a 400
  let lineError: string | null = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && raw.length > 0) {
      raw[raw.length - 1]![1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (colon <= 0 || !TOKEN.test(name)) {
      lineError ??= 'malformed header line';
      continue;
    }
    raw.push([canonicalName(name), line.slice(colon + 1).trim()]);
  }
  if (lineError) return failWith(startLine, raw, rawBody, lineError);
  const headers = SipHeaders.from(raw);

  // body framed by Content-Length when present (over WS one frame is one message)
  let body = rawBody;
  const cl = headers.get('Content-Length');
  if (cl !== undefined) {
    if (!/^\d{1,6}$/.test(cl)) return failWith(startLine, raw, rawBody, 'bad Content-Length');
    const want = Number(cl);
    const have = Buffer.from(rawBody, 'utf8');
    if (have.length < want) return failWith(startLine, raw, rawBody, 'body shorter than Content-Length');
    body = have.subarray(0, want).toString('utf8');
  }

  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine);
  if (resp) {
    const status = Number(resp[1]);
    if (status < 100 || status > 699) return fail('bad status code');
    const err = checkHeaders(headers, null);
    if (err) return fail(err);
    return { ok: true, message: { kind: 'response', status, reason: resp[2] ?? '', headers, body } };
  }
  const req = /^([A-Za-z0-9.!%*_+`'~-]+) (\S+) SIP\/2\.0$/.exec(startLine);
  if (!req) return fail(startLine.startsWith('SIP/') ? 'bad status line' : 'bad request line');
  const method = req[1]!;
  const request: SipRequest = { kind: 'request', method, uri: req[2]!, headers, body };
  if (!/^(sips?|tel):/i.test(request.uri)) return { ok: false, reason: 'unsupported Request-URI scheme', request: answerable(request) };
  const err = checkHeaders(headers, method);
  if (err) return { ok: false, reason: err, request: answerable(request) };
  return { ok: true, message: request };
}

/** Checks the headers every message needs (RFC 3261 §8.1.1); null when fine. */
function checkHeaders(h: SipHeaders, method: string | null): string | null {
  for (const name of REQUIRED) if (!h.get(name)) return `missing ${name}`;
  if (!parseVia(h.get('Via')!)) return 'malformed Via';
  const cseq = parseCSeq(h.get('CSeq')!);
  if (!cseq) return 'malformed CSeq';
  if (method !== null && cseq.method !== method.toUpperCase()) return 'CSeq method does not match';
  if (!parseNameAddr(h.get('From')!)) return 'malformed From';
  if (!parseNameAddr(h.get('To')!)) return 'malformed To';
  const mf = h.get('Max-Forwards');
  if (mf !== undefined && !/^\d{1,3}$/.test(mf)) return 'malformed Max-Forwards';
  return null;
}

/** A request is answerable when a response can be routed and matched back to it. */
function answerable(r: SipRequest): SipRequest | null {
  const h = r.headers;
  if (!h.get('Via') || !parseVia(h.get('Via')!)) return null;
  if (!h.get('From') || !h.get('To') || !h.get('Call-ID') || !h.get('CSeq')) return null;
  if (r.method.toUpperCase() === 'ACK') return null; // never answer an ACK
  return r;
}

function failWith(startLine: string, raw: Array<[string, string]>, body: string, reason: string): ParseResult {
  const req = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(startLine);
  if (!req) return fail(reason);
  const request: SipRequest = { kind: 'request', method: req[1]!, uri: req[2]!, headers: SipHeaders.from(raw), body };
  return { ok: false, reason, request: answerable(request) };
}

function fail(reason: string): ParseResult {
  return { ok: false, reason, request: null };
}
