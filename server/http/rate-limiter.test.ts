import { describe, expect, it } from 'vitest';
import { FailureRateLimiter, LoginRateLimiter } from './rate-limiter';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('FailureRateLimiter', () => {
  it('allows up to max failures in the window, then refuses with the time to wait', () => {
    const c = clock();
    const l = new FailureRateLimiter({ max: 3, windowMs: 60_000 }, c.now);
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
    const l = new FailureRateLimiter({ max: 2, windowMs: 10_000 }, c.now);
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
    const l = new FailureRateLimiter({ max: 1, windowMs: 10_000 }, c.now);
    l.fail('k');
    expect(l.check('k').allowed).toBe(false);
    l.reset('k');
    expect(l.check('k').allowed).toBe(true);
  });

  it('keeps memory bounded: stale keys are swept and the key count is capped', () => {
    const c = clock();
    const l = new FailureRateLimiter({ max: 5, windowMs: 1_000 }, c.now, 10);
    for (let i = 0; i < 50; i++) l.fail(`k${i}`);
    expect(l.size).toBeLessThanOrEqual(10);
    c.advance(2_000);
    l.fail('fresh');
    expect(l.size).toBe(1);
  });
});

describe('LoginRateLimiter', () => {
  it('limits per e-mail and per IP independently; success clears only the e-mail', () => {
    const c = clock();
    const l = new LoginRateLimiter({ ip: { max: 4, windowMs: 60_000 }, email: { max: 2, windowMs: 60_000 }, now: c.now });
    l.fail('1.1.1.1', 'a@x.io');
    l.fail('1.1.1.1', 'a@x.io');
    expect(l.check('1.1.1.1', 'a@x.io').allowed).toBe(false);
    expect(l.check('2.2.2.2', 'a@x.io').allowed).toBe(false); // another IP, same target
    expect(l.check('1.1.1.1', 'b@x.io').allowed).toBe(true); // same IP, other target: under the IP limit
    l.fail('1.1.1.1', 'b@x.io');
    l.fail('1.1.1.1', 'c@x.io');
    expect(l.check('1.1.1.1', 'd@x.io').allowed).toBe(false); // IP limit reached
    l.succeed('a@x.io');
    expect(l.check('2.2.2.2', 'a@x.io').allowed).toBe(true);
    expect(l.check('1.1.1.1', 'a@x.io').allowed).toBe(false); // the IP's failures stay
  });
});
