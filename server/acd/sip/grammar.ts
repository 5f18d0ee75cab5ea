import { isIPv6 } from 'node:net';

/**
 * The SIP grammar's small pieces (RFC 3261 §25.1): character classes as lookup tables (linear,
 * no regex backtracking), tokens, escapes, hosts, ports, quoted strings and parameter lists.
 * The header parsers in headers.ts are built on them. Nothing here throws.
 */

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
  // a value that is not a plain token/host (e.g. a quoted one that carried spaces) goes back in quotes
  for (const [k, v] of params) s += v === null ? `;${k}` : `;${k}=${v === '' || allIn(v, PARAM_VALUE_CHARS) ? v : quote(v)}`;
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
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

// ───────────── character classes (RFC 3261 §25.1), as lookup tables: linear, no regex backtracking ─────────────

function charSet(chars: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) for (let c = 0; c < 128; c++) if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) t[c] = 1;
  for (const ch of chars) t[ch.charCodeAt(0)] = 1;
  return t;
}
export const TOKEN_CHARS = charSet("-.!%*_+`'~");
const MARK = "-_.!~*'()";
/** user chars of §25.1, plus `#` which phones and carriers put unescaped in dialled strings (`*67#`). */
export const USER_CHARS = charSet(`${MARK}%&=+$,;?/#`);
export const PASSWORD_CHARS = charSet(`${MARK}%&=+$,`);
export const HOST_CHARS = charSet('-._');
/** paramchar plus what a Via/URI param value may carry unquoted (IPv6 references). */
const PARAM_VALUE_CHARS = charSet("-.!%*_+`'~()[]/:&$");
export const HEADER_CHARS = charSet(`${MARK}%[]/?:+$=`);

export function allIn(s: string, table: Uint8Array): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || table[c] !== 1) return false;
  }
  return true;
}

/** True for an RFC 3261 `token` (method names, header names, parameter names). */
export function isToken(s: string): boolean {
  return allIn(s, TOKEN_CHARS);
}

export function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Every `%` is followed by two hex digits (RFC 3261 `escaped`). */
export function escapesValid(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Decodes `%XX` escapes to octets, then reads them as UTF-8 (`%00` stays a NUL character). */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** host = hostname / IPv4address / IPv6reference; returns false on anything else. */
export function isValidHost(host: string): boolean {
  if (host.startsWith('[')) return host.endsWith(']') && isIPv6(host.slice(1, -1));
  return allIn(host, HOST_CHARS) && !host.startsWith('.') && !host.startsWith('-');
}

export function parsePort(p: string): number | null {
  if (p.length === 0 || p.length > 5) return null;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * Strict parameter list for validation: every parameter has a token name and, after `=`,
 * a token, a host-like value or a quoted string. Empty parameters (`;;`) are refused.
 */
export function parseParamsStrict(s: string): Params | null {
  const out: Params = new Map();
  const body = s.trim();
  if (!body) return out;
  const pieces = splitOutsideQuotes(body.startsWith(';') ? body.slice(1) : body, ';');
  for (const raw of pieces) {
    const p = raw.trim();
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    if (!isToken(name)) return null;
    if (eq < 0) {
      out.set(name.toLowerCase(), null);
      continue;
    }
    const value = p.slice(eq + 1).trim();
    if (value.startsWith('"')) {
      if (quotedEnd(value, 0) !== value.length) return null;
    } else if (!allIn(value, PARAM_VALUE_CHARS)) return null;
    out.set(name.toLowerCase(), unquote(value));
  }
  return out;
}

/** Index just past the quoted string starting at `start` (a `"`), or -1 when it never closes. */
export function quotedEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return -1;
}
