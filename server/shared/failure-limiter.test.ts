import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('FailureLimiter, sliding window', () => {
  it('allows up to max failures in the window, then refuses with the time to wait', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'sliding-window', max: 3, windowMs: 60_000 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(l.check('k').allowed).toBe(true);
      l.fail('k');
      c.advance(1_000);
    }
    const v = l.check('k');
    expect(v.allowed).toBe(false);
    // the oldest failure was 3 s ago; it leaves the window in 57 s
    expect(v.retryAfterSec).toBe(57);
    expect(l.check('other').allowed).toBe(true);
  });

  it('forgets failures once they leave the window (sliding)', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'sliding-window', max: 2, windowMs: 10_000 }, c.now);
    l.fail('k');
    c.advance(6_000);
    l.fail('k');
    expect(l.check('k').allowed).toBe(false);
    c.advance(4_001); // the first failure is now older than the window
    expect(l.check('k').allowed).toBe(true);
    l.fail('k');
    // the older of the two live failures (6 s in) leaves the window 6 s from now
    expect(l.check('k')).toEqual({ allowed: false, retryAfterSec: 6 });
  });

  it('reset clears a key', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'sliding-window', max: 1, windowMs: 10_000 }, c.now);
    l.fail('k');
    expect(l.check('k').allowed).toBe(false);
    l.reset('k');
    expect(l.check('k').allowed).toBe(true);
  });

  it('keeps memory bounded: stale keys are swept and the key count is capped', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'sliding-window', max: 5, windowMs: 1_000 }, c.now, 10);
    for (let i = 0; i < 50; i++) l.fail(`k${i}`);
    expect(l.size).toBeLessThanOrEqual(10);
    c.advance(2_000);
    l.fail('fresh');
    expect(l.size).toBe(1);
  });
});

describe('FailureLimiter, token bucket', () => {
  it('allows a burst, then one failure per refill interval, with the time until a whole token is back', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'token-bucket', burst: 3, refillPerSec: 0.1 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(l.check('k')).toEqual({ allowed: true, retryAfterSec: 0 });
      l.fail('k');
    }
    expect(l.check('k')).toEqual({ allowed: false, retryAfterSec: 10 });
    c.advance(4_000); // 0.4 of a token back
    expect(l.check('k')).toEqual({ allowed: false, retryAfterSec: 6 });
    c.advance(6_000);
    expect(l.check('k').allowed).toBe(true);
    l.fail('k');
    expect(l.check('k').allowed).toBe(false);
    expect(l.check('other').allowed).toBe(true);
  });

  it('never waits less than a second and forgets a key once its bucket is full again', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'token-bucket', burst: 1, refillPerSec: 10 }, c.now);
    l.fail('k');
    expect(l.check('k')).toEqual({ allowed: false, retryAfterSec: 1 });
    expect(l.size).toBe(1);
    c.advance(100);
    expect(l.check('k').allowed).toBe(true);
    expect(l.size).toBe(0);
  });

  it('keeps memory bounded: full buckets are swept and the key count is capped', () => {
    const c = clock();
    const l = new FailureLimiter({ kind: 'token-bucket', burst: 2, refillPerSec: 1 }, c.now, 10);
    for (let i = 0; i < 50; i++) l.fail(`k${i}`);
    expect(l.size).toBeLessThanOrEqual(10);
    c.advance(2_000);
    l.fail('fresh');
    expect(l.size).toBe(1);
  });
});
