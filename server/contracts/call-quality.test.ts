import { describe, expect, it } from 'vitest';
import { callRating, LegQuality, rateLeg } from './call-quality';

describe('call quality in words', () => {
  it('good under 1 % loss and 30 ms jitter, poor from 5 % or 60 ms, fair between', () => {
    expect(rateLeg({ lossPct: 0, jitterMs: 2, packets: 250 })).toBe('good');
    expect(rateLeg({ lossPct: 0.9, jitterMs: 29.9, packets: 250 })).toBe('good');
    expect(rateLeg({ lossPct: 1, jitterMs: 0, packets: 250 })).toBe('fair');
    expect(rateLeg({ lossPct: 0, jitterMs: 30, packets: 250 })).toBe('fair');
    expect(rateLeg({ lossPct: 5, jitterMs: 0, packets: 250 })).toBe('poor');
    expect(rateLeg({ lossPct: 0, jitterMs: 61, packets: 250 })).toBe('poor');
  });

  it('a call is as good as its worse direction; unmeasured directions do not count', () => {
    const at = 0;
    expect(callRating({ caller: { lossPct: 0, jitterMs: 1, packets: 1, at }, operator: { lossPct: 2, jitterMs: 1, packets: 1, at } })).toBe('fair');
    expect(callRating({ caller: null, operator: { lossPct: 7, jitterMs: 1, packets: 1, at } })).toBe('poor');
    expect(callRating({ caller: null, operator: null })).toBe('good');
  });

  it('the ACD\'s report is checked at the CTI\'s edge', () => {
    expect(LegQuality.safeParse({ lossPct: 1.5, jitterMs: 3.2, packets: 250 }).success).toBe(true);
    expect(LegQuality.safeParse({ lossPct: 150, jitterMs: 3, packets: 1 }).success).toBe(false);
    expect(LegQuality.safeParse({ lossPct: 1, jitterMs: 3, packets: 1, extra: 1 }).success).toBe(false);
  });
});
