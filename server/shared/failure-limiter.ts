/**
 * Counts failures per key (a source address, an IP, an e-mail) and says when the next
 * attempt may come. The one limiter of the servers: the ACD's digest challenges and the web
 * sign-in both use it, each with its rule. Pure and in-memory (the clock is injected, so
 * tests need no waiting); at scale the same interface would sit on Redis.
 *
 * Two rules, because the two callers were tuned with different shapes and their limits stay:
 * - `sliding-window`: at most `max` failures inside the last `windowMs`; the verdict waits
 *   until the oldest counted failure leaves the window (web sign-in: 5 per 5 min).
 * - `token-bucket`: a burst of `burst` failures, then one more every 1/`refillPerSec` s
 *   (SIP digest: 10, then one every 5 s). Refill is continuous, so the verdict is the time
 *   until one whole token is back.
 *
 * Memory follows live offenders only: keys whose state carries no information (an empty
 * window, a full bucket) are swept at most once per rule period, and the key count is capped
 * so a flood of distinct keys cannot exhaust memory (the oldest key is dropped).
 */
export type FailureRule =
  | { kind: 'sliding-window'; max: number; windowMs: number }
  | { kind: 'token-bucket'; burst: number; refillPerSec: number };

export interface RateLimitVerdict {
  allowed: boolean;
  /** seconds to wait before the next attempt (0 when allowed, else at least 1) */
  retryAfterSec: number;
}

/** What one key remembers: failure times (window) or tokens left at a time (bucket). */
type KeyState = { times: number[] } | { tokens: number; at: number };

export class FailureLimiter {
  private readonly keys = new Map<string, KeyState>();
  private lastSweep: number;

  constructor(
    private readonly rule: FailureRule,
    private readonly now: () => number = Date.now,
    /** bound on tracked keys so a flood of distinct keys cannot exhaust memory */
    private readonly maxKeys = 100_000,
  ) {
    this.lastSweep = rule.kind === 'sliding-window' ? 0 : now();
  }

  check(key: string): RateLimitVerdict {
    const now = this.now();
    const s = this.live(key, now);
    if (!s) return allowed();
    if ('times' in s) {
      if (s.times.length < this.windowRule().max) return allowed();
      const oldest = s.times[s.times.length - this.windowRule().max] ?? now;
      return refuse((oldest + this.windowRule().windowMs - now) / 1000);
    }
    const tokens = this.tokensAt(s, now);
    if (tokens >= 1) return allowed();
    return refuse((1 - tokens) / this.bucketRule().refillPerSec);
  }

  fail(key: string): void {
    const now = this.now();
    this.sweep(now);
    const s = this.live(key, now);
    let next: KeyState;
    if (this.rule.kind === 'sliding-window') {
      const times = s && 'times' in s ? s.times : [];
      times.push(now);
      // only the newest `max` failures matter for the verdict
      if (times.length > this.rule.max) times.splice(0, times.length - this.rule.max);
      next = { times };
    } else {
      const tokens = s && 'tokens' in s ? this.tokensAt(s, now) : this.rule.burst;
      next = { tokens: Math.max(0, tokens - 1), at: now };
    }
    if (!this.keys.has(key) && this.keys.size >= this.maxKeys) {
      const first = this.keys.keys().next();
      if (!first.done) this.keys.delete(first.value);
    }
    this.keys.set(key, next);
  }

  /** Forgets a key's failures (a successful sign-in clears its e-mail's). */
  reset(key: string): void {
    this.keys.delete(key);
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.keys.size;
  }

  /** The key's state without what has expired; undefined (and dropped) when nothing is left. */
  private live(key: string, now: number): KeyState | undefined {
    const s = this.keys.get(key);
    if (!s) return undefined;
    if ('times' in s) {
      const cutoff = now - this.windowRule().windowMs;
      const times = s.times.filter((t) => t > cutoff);
      if (times.length === 0) {
        this.keys.delete(key);
        return undefined;
      }
      s.times = times;
      return s;
    }
    if (this.tokensAt(s, now) >= this.bucketRule().burst) {
      this.keys.delete(key);
      return undefined;
    }
    return s;
  }

  /** Drops keys that carry no information, at most once per period (the window, or the time a bucket takes to fill). */
  private sweep(now: number): void {
    const period = this.rule.kind === 'sliding-window' ? this.rule.windowMs : (this.rule.burst / this.rule.refillPerSec) * 1000;
    if (now - this.lastSweep < period) return;
    this.lastSweep = now;
    for (const key of [...this.keys.keys()]) this.live(key, now);
  }

  private tokensAt(s: { tokens: number; at: number }, now: number): number {
    const r = this.bucketRule();
    return Math.min(r.burst, s.tokens + ((now - s.at) / 1000) * r.refillPerSec);
  }

  private windowRule(): Extract<FailureRule, { kind: 'sliding-window' }> {
    if (this.rule.kind !== 'sliding-window') throw new Error('not a sliding-window limiter');
    return this.rule;
  }

  private bucketRule(): Extract<FailureRule, { kind: 'token-bucket' }> {
    if (this.rule.kind !== 'token-bucket') throw new Error('not a token-bucket limiter');
    return this.rule;
  }
}

function allowed(): RateLimitVerdict {
  return { allowed: true, retryAfterSec: 0 };
}

function refuse(waitSec: number): RateLimitVerdict {
  return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitSec)) };
}
