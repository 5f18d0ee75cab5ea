/**
 * Header helpers: compact forms, canonical names, name-addr / URI / Via / CSeq parsing.
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

export type Params = Map<string, string | null>;

/** Parses `;a=b;c` (leading `;` optional). Quoted values keep their quotes stripped. */
export function parseParams(s: string): Params {
  const out: Params = new Map();
  for (const raw of splitOutsideQuotes(s, ';')) {
    const p = raw.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p.toLowerCase(), null);
    else out.set(p.slice(0, eq).trim().toLowerCase(), unquote(p.slice(eq + 1).trim()));
  }
  return out;
}

export function formatParams(params: Params): string {
  let s = '';
  for (const [k, v] of params) s += v === null ? `;${k}` : `;${k}=${v}`;
  return s;
}

export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;
  host: string;
  port: number | null;
  params: Params;
}

/** Parses sip:, sips: and tel: URIs (URI headers after `?` are ignored). */
export function parseUri(raw: string): SipUri | null {
  const s = raw.trim();
  const m = /^(sips?|tel):(.+)$/i.exec(s);
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() as SipUri['scheme'];
  let rest = m[2]!;
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (scheme === 'tel') {
    const [num, ...ps] = rest.split(';');
    if (!num || !/^[+0-9*#().-]+$/.test(num)) return null;
    return { scheme, user: num.replace(/[().-]/g, ''), host: '', port: null, params: parseParams(ps.join(';')) };
  }
  const semi = rest.indexOf(';');
  const params = semi >= 0 ? parseParams(rest.slice(semi + 1)) : new Map<string, string | null>();
  const userHost = semi >= 0 ? rest.slice(0, semi) : rest;
  const at = userHost.lastIndexOf('@');
  let user: string | null = null;
  let hostPort = userHost;
  if (at >= 0) {
    user = userHost.slice(0, at).split(':')[0] ?? '';
    try {
      user = decodeURIComponent(user);
    } catch {
      return null;
    }
    hostPort = userHost.slice(at + 1);
  }
  const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!hp) return null;
  const port = hp[2] ? Number(hp[2]) : null;
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { scheme, user, host: hp[1]!.toLowerCase(), port, params };
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

/** Parses `"Display" <uri>;tag=x`, `Display <uri>` or a bare `uri;tag=x` (RFC 3261 §20.10). */
export function parseNameAddr(raw: string): NameAddr | null {
  const s = raw.trim();
  if (!s) return null;
  const lt = findOutsideQuotes(s, '<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) return null;
    const display = s.slice(0, lt).trim();
    const uri = s.slice(lt + 1, gt).trim();
    if (!uri) return null;
    if (display && display.startsWith('"') && !(display.endsWith('"') && display.length >= 2)) return null;
    return { display: display ? unquote(display) : null, uri, params: parseParams(s.slice(gt + 1)) };
  }
  // addr-spec form: parameters after the URI belong to the header, not the URI
  const semi = s.indexOf(';');
  const uri = semi >= 0 ? s.slice(0, semi) : s;
  if (/\s/.test(uri)) return null;
  return { display: null, uri, params: semi >= 0 ? parseParams(s.slice(semi + 1)) : new Map() };
}

export function formatNameAddr(na: NameAddr): string {
  const display = na.display ? `${quote(na.display)} ` : '';
  return `${display}<${na.uri}>${formatParams(na.params)}`;
}

function findOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

export interface Via {
  protocol: string; // e.g. SIP/2.0/WS
  transport: string; // WS, WSS, UDP…
  host: string;
  port: number | null;
  params: Params;
}

export function parseVia(raw: string): Via | null {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;\s]+)\s*(;.*)?$/.exec(raw);
  if (!m) return null;
  const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(m[2]!);
  if (!hp) return null;
  const transport = m[1]!.toUpperCase();
  return { protocol: `SIP/2.0/${transport}`, transport, host: hp[1]!, port: hp[2] ? Number(hp[2]) : null, params: parseParams(m[3] ?? '') };
}

export function formatVia(v: Via): string {
  return `${v.protocol} ${v.host}${v.port !== null ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(raw: string): CSeq | null {
  const m = /^\s*(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(raw);
  if (!m) return null;
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) return null;
  return { seq, method: m[2]!.toUpperCase() };
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
