/**
 * Counts failures per key (an IP, an e-mail) in a sliding window. Pure and in-memory: one
 * process is enough for sign-in throttling here; at scale the same interface would sit on
 * Redis. The clock is injected so tests need no waiting.
 */
export interface RateLimitRule {
  /** failures allowed inside the window; the next attempt is refused */
  max: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** seconds until the oldest counted failure leaves the window (0 when allowed) */
  retryAfterSec: number;
}

export class FailureRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly rule: RateLimitRule,
    private readonly now: () => number = Date.now,
    /** bound on tracked keys so a flood of distinct keys cannot exhaust memory */
    private readonly maxKeys = 100_000,
  ) {}

  check(key: string): RateLimitVerdict {
    const list = this.live(key);
    if (list.length < this.rule.max) return { allowed: true, retryAfterSec: 0 };
    const oldest = list[list.length - this.rule.max] ?? this.now();
    const waitMs = oldest + this.rule.windowMs - this.now();
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  fail(key: string): void {
    this.sweep();
    const list = this.live(key);
    list.push(this.now());
    // Only the newest `max` failures matter for the verdict.
    if (list.length > this.rule.max) list.splice(0, list.length - this.rule.max);
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) {
      const first = this.failures.keys().next();
      if (!first.done) this.failures.delete(first.value);
    }
    this.failures.set(key, list);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private live(key: string): number[] {
    const cutoff = this.now() - this.rule.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Drops stale keys at most once per window, so memory follows live attackers only. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < this.rule.windowMs) return;
    this.lastSweep = now;
    const cutoff = now - this.rule.windowMs;
    for (const [key, list] of this.failures) {
      if ((list[list.length - 1] ?? 0) <= cutoff) this.failures.delete(key);
    }
  }
}

/** Sign-in throttling: one limiter per IP (looser, offices share an IP) and one per e-mail. */
export class LoginRateLimiter {
  readonly byIp: FailureRateLimiter;
  readonly byEmail: FailureRateLimiter;

  constructor(opts: { ip?: RateLimitRule; email?: RateLimitRule; now?: () => number } = {}) {
    const now = opts.now ?? Date.now;
    this.byIp = new FailureRateLimiter(opts.ip ?? { max: 20, windowMs: 5 * 60_000 }, now);
    this.byEmail = new FailureRateLimiter(opts.email ?? { max: 5, windowMs: 5 * 60_000 }, now);
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
