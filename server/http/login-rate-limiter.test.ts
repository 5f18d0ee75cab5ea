import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './login-rate-limiter';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

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
