import { FailureLimiter, type RateLimitVerdict } from '../shared/failure-limiter';

/** A sign-in limit: failures allowed inside a sliding window. */
export interface RateLimitRule {
  /** failures allowed inside the window; the next attempt is refused */
  max: number;
  windowMs: number;
}

/** Sign-in throttling: one limiter per IP (looser, offices share an IP) and one per e-mail. */
export class LoginRateLimiter {
  readonly byIp: FailureLimiter;
  readonly byEmail: FailureLimiter;

  constructor(opts: { ip?: RateLimitRule; email?: RateLimitRule; now?: () => number } = {}) {
    const now = opts.now ?? Date.now;
    this.byIp = new FailureLimiter({ kind: 'sliding-window', ...(opts.ip ?? { max: 20, windowMs: 5 * 60_000 }) }, now);
    this.byEmail = new FailureLimiter({ kind: 'sliding-window', ...(opts.email ?? { max: 5, windowMs: 5 * 60_000 }) }, now);
  }

  check(ip: string, email: string): RateLimitVerdict {
    const a = this.byIp.check(ip);
    const b = this.byEmail.check(email);
    if (a.allowed && b.allowed) return { allowed: true, retryAfterSec: 0 };
    return { allowed: false, retryAfterSec: Math.max(a.retryAfterSec, b.retryAfterSec) };
  }

  fail(ip: string, email: string): void {
    this.byIp.fail(ip);
    this.byEmail.fail(email);
  }

  /** A successful sign-in clears that e-mail's failures; the IP's stay (one good account must not unlock guessing others). */
  succeed(email: string): void {
    this.byEmail.reset(email);
  }
}
