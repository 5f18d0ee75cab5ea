/**
 * The SIP message model (RFC 3261 §7). Plain data: parsing, serializing and building
 * live in their own files. Header names are kept in their canonical long form; compact
 * forms are expanded by the parser (see headers.ts).
 */
export type SipMethod = string;

export interface SipRequest {
  readonly kind: 'request';
  method: SipMethod;
  uri: string;
  headers: SipHeaders;
  body: string;
}

export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Headers whose values may be comma-joined on one line (RFC 3261 §7.3.1). */
const MULTI = new Set(
  ['via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require', 'unsupported', 'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'allow-events', 'path'],
);

/** Splits a header value on commas that are outside quotes and angle brackets. */
export function splitCommas(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < value.length) {
        cur += c + value[++i];
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Ordered, case-insensitive header list. Multi-valued headers are stored one value per
 * entry so that `getAll('Via')` is the Via stack, however the sender wrote it.
 */
export class SipHeaders {
  private readonly entries: Array<[string, string]> = [];

  static from(list: Array<[string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [n, v] of list) h.append(n, v);
    return h;
  }

  /** Appends a header; multi-valued headers are split on top-level commas. */
  append(name: string, value: string): this {
    if (MULTI.has(name.toLowerCase()) && value.trim() !== '*') {
      for (const v of splitCommas(value)) this.entries.push([name, v]);
    } else {
      this.entries.push([name, value.trim()]);
    }
    return this;
  }

  /** Inserts before every existing value of that header (used to push a Via). */
  prepend(name: string, value: string): this {
    const idx = this.entries.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    this.entries.splice(idx < 0 ? 0 : idx, 0, [name, value]);
    return this;
  }

  set(name: string, value: string): this {
    this.delete(name);
    return this.append(name, value);
  }

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.entries.find(([n]) => n.toLowerCase() === lower)?.[1];
  }

  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.entries.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  delete(name: string): this {
    const lower = name.toLowerCase();
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]![0].toLowerCase() === lower) this.entries.splice(i, 1);
    return this;
  }

  /** Replaces the first value of a header (e.g. the top Via after adding received/rport). */
  replaceFirst(name: string, value: string): this {
    const lower = name.toLowerCase();
    const e = this.entries.find(([n]) => n.toLowerCase() === lower);
    if (e) e[1] = value;
    return this;
  }

  list(): ReadonlyArray<readonly [string, string]> {
    return this.entries;
  }

  clone(): SipHeaders {
    return SipHeaders.from(this.entries.map(([n, v]) => [n, v]));
  }
}
