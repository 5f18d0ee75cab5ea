import { createHash, randomBytes } from 'node:crypto';
import type { AuthUser, SessionResolver } from '../contracts/auth';
import { SESSION_COOKIE } from '../contracts/auth';
import type { PrismaClient } from '../db/database';
import { readCookie, serializeCookie } from './cookies';

/**
 * Server-side sessions. The browser holds a random 32-byte token in the httpOnly cookie
 * `pb_session`; the database holds only sha256(token), so a leaked table cannot be replayed
 * as cookies. Expired rows are ignored on read and deleted lazily.
 */
export interface SessionServiceOptions {
  prisma: PrismaClient;
  ttlSec: number;
  /** Add `Secure` to the cookie (set when the site is served over HTTPS). */
  secureCookie: boolean;
  now?: () => number;
}

export interface ResolvedSession {
  user: AuthUser;
  mustChangePassword: boolean;
}

/** What the page gate needs: the session and the forced-password-change flag. */
export interface PageSessionResolver {
  resolveSession(cookieHeader: string | undefined): Promise<ResolvedSession | null>;
}

export interface CreatedSession {
  /** The Set-Cookie header value to send. */
  setCookie: string;
  expiresAt: Date;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class SessionService implements SessionResolver, PageSessionResolver {
  private readonly now: () => number;

  constructor(private readonly opts: SessionServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  async create(userId: string): Promise<CreatedSession> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now() + this.opts.ttlSec * 1000);
    await this.opts.prisma.session.create({ data: { id: digest(token), userId, expiresAt } });
    return {
      setCookie: serializeCookie(SESSION_COOKIE, token, { maxAgeSec: this.opts.ttlSec, secure: this.opts.secureCookie }),
      expiresAt,
    };
  }

  async resolve(cookieHeader: string | undefined): Promise<AuthUser | null> {
    return (await this.resolveSession(cookieHeader))?.user ?? null;
  }

  /** The user and whether they must change their password before using any page (the page gate asks). */
  async resolveSession(cookieHeader: string | undefined): Promise<ResolvedSession | null> {
    const token = readCookie(cookieHeader, SESSION_COOKIE);
    if (!token || !TOKEN_RE.test(token)) return null;
    const id = digest(token);
    const row = await this.opts.prisma.session.findUnique({
      where: { id },
      select: { expiresAt: true, user: { select: { id: true, email: true, name: true, role: true, active: true, mustChangePassword: true } } },
    });
    if (!row) return null;
    if (row.expiresAt.getTime() <= this.now() || !row.user.active) {
      await this.opts.prisma.session.deleteMany({ where: { id } });
      return null;
    }
    return { user: { id: row.user.id, email: row.user.email, name: row.user.name, role: row.user.role }, mustChangePassword: row.user.mustChangePassword };
  }

  /** Deletes the session named by the cookie (if any) and returns the Set-Cookie that clears it. */
  async destroy(cookieHeader: string | undefined): Promise<string> {
    const token = readCookie(cookieHeader, SESSION_COOKIE);
    if (token && TOKEN_RE.test(token)) {
      await this.opts.prisma.session.deleteMany({ where: { id: digest(token) } });
    }
    return this.clearCookie();
  }

  clearCookie(): string {
    return serializeCookie(SESSION_COOKIE, '', { maxAgeSec: 0, secure: this.opts.secureCookie });
  }

  /** Removes expired rows; the owner may call it from a timer. */
  async purgeExpired(): Promise<number> {
    const r = await this.opts.prisma.session.deleteMany({ where: { expiresAt: { lte: new Date(this.now()) } } });
    return r.count;
  }
}
