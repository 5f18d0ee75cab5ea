/**
 * Minimal cookie reading and writing (RFC 6265). Only what the session cookie needs:
 * no dependency, and values are never decoded beyond the raw token we issued ourselves.
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export interface CookieOptions {
  maxAgeSec: number;
  secure: boolean;
}

/** httpOnly (no script can read it), SameSite=Lax (not sent on cross-site POSTs), Path=/. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSec))}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
