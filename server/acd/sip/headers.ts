import {
  allIn,
  escapesValid,
  formatParams,
  HEADER_CHARS,
  HOST_CHARS,
  isToken,
  isValidHost,
  isWs,
  PASSWORD_CHARS,
  parseParamsStrict,
  parsePort,
  quote,
  quotedEnd,
  TOKEN_CHARS,
  unescapeUri,
  unquote,
  USER_CHARS,
  type Params,
} from './grammar';

// the grammar's public pieces, for the modules that have always found them here
export { formatParams, isToken, isValidHost, parseParams, parseParamsStrict, quote, unescapeUri, unquote, type Params } from './grammar';

/**
 * Header helpers: compact forms, canonical names, name-addr / URI / Via / CSeq parsing, on the
 * grammar's pieces in grammar.ts.
 * Parsers here return null on malformed input; they never throw.
 */

/** Compact form → canonical name (RFC 3261 §7.3.3 and the common extensions). */
const COMPACT: Record<string, string> = {
  v: 'Via',
  f: 'From',
  t: 'To',
  i: 'Call-ID',
  m: 'Contact',
  l: 'Content-Length',
  c: 'Content-Type',
  e: 'Content-Encoding',
  k: 'Supported',
  s: 'Subject',
  o: 'Event',
  u: 'Allow-Events',
  r: 'Refer-To',
  b: 'Referred-By',
  x: 'Session-Expires',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'max-forwards': 'Max-Forwards',
  'record-route': 'Record-Route',
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  'proxy-authenticate': 'Proxy-Authenticate',
  'proxy-authorization': 'Proxy-Authorization',
  'user-agent': 'User-Agent',
  'min-expires': 'Min-Expires',
  'retry-after': 'Retry-After',
};

/** Canonical spelling of a header name (expands compact forms). */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  const compact = COMPACT[lower];
  if (compact) return compact;
  const canon = CANONICAL[lower];
  if (canon) return canon;
  if (lower.startsWith('x-')) return name; // keep extension headers as written
  return lower.replace(/(^|-)([a-z])/g, (_m, d: string, ch: string) => d + ch.toUpperCase());
}



export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;
  host: string;
  port: number | null;
  params: Params;
  /** Raw `?headers` part of a SIP URI (escaped), when present. */
  headers?: string;
}

/**
 * Parses sip:, sips: and tel: URIs (RFC 3261 §19.1, RFC 3966) with a linear scanner.
 * The user part is unescaped (`%40` → `@`); it may carry `;` and `?` (§19.1.1
 * user-unreserved), so the `@` — which nothing else in a SIP URI may contain unescaped —
 * is found first.
 */
export function parseUri(raw: string): SipUri | null {
  const s = raw.trim();
  const colon = s.indexOf(':');
  if (colon <= 0) return null;
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return null;
  const rest = s.slice(colon + 1);
  if (!rest) return null;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 60 || c === 62) return null; // no LWS, CTL, quotes or <>
  }
  if (!escapesValid(rest)) return null;
  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const num = semi >= 0 ? rest.slice(0, semi) : rest;
    if (!num || !/^[+0-9*#().A-Fa-f-]+$/.test(num)) return null;
    const params = semi >= 0 ? parseParamsStrict(rest.slice(semi)) : new Map<string, string | null>();
    if (!params) return null;
    return { scheme, user: num.replace(/[().-]/g, ''), host: '', port: null, params };
  }
  const at = rest.indexOf('@');
  if (at >= 0 && rest.indexOf('@', at + 1) >= 0) return null;
  let user: string | null = null;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    const u = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    if (!allIn(u, USER_CHARS)) return null;
    if (pc >= 0 && pc + 1 < userinfo.length && !allIn(userinfo.slice(pc + 1), PASSWORD_CHARS)) return null;
    user = unescapeUri(u);
  }
  const after = at >= 0 ? rest.slice(at + 1) : rest;
  let end = 0;
  if (after.startsWith('[')) end = after.indexOf(']') + 1;
  if (end < 0) return null;
  while (end < after.length && after[end] !== ';' && after[end] !== '?') end++;
  const hostPort = after.slice(0, end);
  const pcolon = hostPort.startsWith('[') ? hostPort.indexOf(':', hostPort.indexOf(']')) : hostPort.indexOf(':');
  const host = pcolon >= 0 ? hostPort.slice(0, pcolon) : hostPort;
  if (!isValidHost(host)) return null;
  const port = pcolon >= 0 ? parsePort(hostPort.slice(pcolon + 1)) : null;
  if (pcolon >= 0 && port === null) return null;
  const q = after.indexOf('?', end);
  const paramStr = after[end] === ';' ? after.slice(end, q >= 0 ? q : after.length) : '';
  const params = parseParamsStrict(paramStr);
  if (!params) return null;
  const uri: SipUri = { scheme, user, host: host.toLowerCase(), port, params };
  if (q >= 0) {
    const headers = after.slice(q + 1);
    for (const hv of headers.split('&')) {
      const eq = hv.indexOf('=');
      if (eq <= 0 || !allIn(hv.slice(0, eq), HEADER_CHARS) || (eq + 1 < hv.length && !allIn(hv.slice(eq + 1), HEADER_CHARS))) return null;
    }
    uri.headers = headers;
  }
  return uri;
}

export function formatUri(u: SipUri): string {
  if (u.scheme === 'tel') return `tel:${u.user ?? ''}${formatParams(u.params)}`;
  const user = u.user !== null ? `${u.user}@` : '';
  const port = u.port !== null ? `:${u.port}` : '';
  return `${u.scheme}:${user}${u.host}${port}${formatParams(u.params)}`;
}

export interface NameAddr {
  display: string | null;
  uri: string;
  params: Params;
}

/**
 * Parses `"Display" <uri>;tag=x`, `Display <uri>` or a bare `uri;tag=x` (RFC 3261 §20.10):
 * in the addr-spec form everything after the first `;` is a header parameter, and a URI
 * holding `,`, `?` or `;` must be written in `<>` — so an addr-spec with `?` or `,` is
 * refused. Unquoted display names are tokens separated by LWS (UTF-8 letters tolerated).
 * The URI itself is not validated here (any scheme may appear in From/To): see parseUri.
 */
export function parseNameAddr(raw: string): NameAddr | null {
  const s = raw.trim();
  if (!s) return null;
  let display: string | null = null;
  let lt: number;
  if (s.startsWith('"')) {
    const qe = quotedEnd(s, 0);
    if (qe < 0) return null;
    display = unquote(s.slice(0, qe));
    lt = qe;
    while (isWs(s[lt])) lt++;
    if (s[lt] !== '<') return null;
  } else {
    lt = s.indexOf('<');
    if (lt >= 0) {
      const d = s.slice(0, lt).trim();
      if (d) {
        for (const word of d.split(/[ \t\r\n]+/)) if (!isDisplayToken(word)) return null;
        display = d;
      }
    }
  }
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) return null;
    const uri = s.slice(lt + 1, gt);
    if (!uri || !uriLike(uri)) return null;
    const tail = s.slice(gt + 1).trim();
    if (tail && !tail.startsWith(';')) return null;
    const params = parseParamsStrict(tail);
    if (!params) return null;
    return { display, uri, params };
  }
  const semi = s.indexOf(';');
  const uri = (semi >= 0 ? s.slice(0, semi) : s).trim();
  if (!uriLike(uri) || uri.includes('?') || uri.includes(',')) return null;
  const params = semi >= 0 ? parseParamsStrict(s.slice(semi)) : new Map<string, string | null>();
  if (!params) return null;
  return { display: null, uri, params };
}

/** An absolute URI: `scheme:` then no whitespace, quotes or angle brackets. */
function uriLike(u: string): boolean {
  const colon = u.indexOf(':');
  if (colon <= 0) return false;
  const c0 = u.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return false;
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 34 || c === 60 || c === 62) return false;
  }
  return true;
}

function isDisplayToken(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 128 && TOKEN_CHARS[c] !== 1) return false;
  }
  return w.length > 0;
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display ? `${quote(na.display)} ` : '';
  return `${display}<${na.uri}>${formatParams(na.params)}`;
}

/** A From/To without its tag (a dialog adds tags itself); the raw value when it did not parse. */
export function nameAddrWithoutTag(na: NameAddr | null, raw: string | undefined): string {
  if (!na) return raw ?? '';
  const params = new Map(na.params);
  params.delete('tag');
  return formatNameAddr({ display: na.display, uri: na.uri, params });
}

export interface Via {
  protocol: string; // e.g. SIP/2.0/WS
  transport: string; // WS, WSS, UDP…
  host: string;
  port: number | null;
  params: Params;
}

/**
 * Parses one Via value (RFC 3261 §20.42): `SIP / 2.0 / transport sent-by *(;param)`,
 * LWS allowed around `/`, `:` and `;`. Linear scan; null on anything malformed.
 */
export function parseVia(raw: string): Via | null {
  const s = raw;
  let i = 0;
  const skip = (): void => {
    while (isWs(s[i])) i++;
  };
  const token = (): string => {
    const b = i;
    while (i < s.length && s.charCodeAt(i) < 128 && TOKEN_CHARS[s.charCodeAt(i)] === 1) i++;
    return s.slice(b, i);
  };
  skip();
  const name = token();
  skip();
  if (name.toUpperCase() !== 'SIP' || s[i++] !== '/') return null;
  skip();
  const version = token();
  skip();
  if (version !== '2.0' || s[i++] !== '/') return null;
  skip();
  const transport = token().toUpperCase();
  if (!transport || !isWs(s[i])) return null;
  skip();
  let host: string;
  if (s[i] === '[') {
    const close = s.indexOf(']', i);
    if (close < 0) return null;
    host = s.slice(i, close + 1);
    i = close + 1;
  } else {
    const b = i;
    while (i < s.length && s.charCodeAt(i) < 128 && HOST_CHARS[s.charCodeAt(i)] === 1) i++;
    host = s.slice(b, i);
  }
  if (!isValidHost(host)) return null;
  skip();
  let port: number | null = null;
  if (s[i] === ':') {
    i++;
    skip();
    const b = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    port = parsePort(s.slice(b, i));
    if (port === null) return null;
    skip();
  }
  if (i < s.length && s[i] !== ';') return null;
  const params = parseParamsStrict(s.slice(i));
  if (!params) return null;
  return { protocol: `SIP/2.0/${transport}`, transport, host, port, params };
}

export function formatVia(v: Via): string {
  return `${v.protocol} ${v.host}${v.port !== null ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** CSeq with the method exactly as written (RFC 3261 §20.16: methods are case-sensitive). */
export function parseCSeqExact(raw: string): CSeq | null {
  const s = raw.trim();
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === 0 || i > 10 || !isWs(s[i])) return null;
  const seq = Number(s.slice(0, i));
  // §8.1.1.5: less than 2**31
  if (seq > 2 ** 31 - 1) return null;
  while (isWs(s[i])) i++;
  const method = s.slice(i);
  if (!isToken(method)) return null;
  return { seq, method };
}

/** CSeq with the method upper-cased (what the rest of the ACD compares against). */
export function parseCSeq(raw: string): CSeq | null {
  const c = parseCSeqExact(raw);
  return c ? { seq: c.seq, method: c.method.toUpperCase() } : null;
}

/** The tag parameter of a From or To header, or null. */
export function tagOf(raw: string | undefined): string | null {
  if (!raw) return null;
  const na = parseNameAddr(raw);
  const tag = na?.params.get('tag');
  return tag ?? null;
}

/** The user part of a From/To/Contact/Request-URI, or null. */
export function userOf(raw: string | undefined): string | null {
  if (!raw) return null;
  const uri = raw.includes('<') || raw.includes(';tag') ? parseNameAddr(raw)?.uri : raw;
  return uri ? (parseUri(uri)?.user ?? null) : null;
}
