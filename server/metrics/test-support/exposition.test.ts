import { describe, expect, it } from 'vitest';
import { parseExposition, value } from './exposition';

describe('the test reader of the Prometheus text format', () => {
  it('reads NaN and Inf in the spellings Prometheus accepts, including prom-client\'s "Nan"', () => {
    const s = parseExposition(
      [
        '# HELP nodejs_eventloop_lag_mean_seconds Mean of the recorded event loop delays.',
        'nodejs_eventloop_lag_mean_seconds Nan',
        'a NaN',
        'b{le="+Inf"} +Inf',
        'c -Inf',
        'd{queue="Sales \\"EU\\""} 3 1700000000000',
      ].join('\n'),
    );
    expect(value(s, 'nodejs_eventloop_lag_mean_seconds')).toBeNaN();
    expect(value(s, 'a')).toBeNaN();
    expect(value(s, 'b', { le: '+Inf' })).toBe(Infinity);
    expect(value(s, 'c')).toBe(-Infinity);
    expect(value(s, 'd', { queue: 'Sales "EU"' })).toBe(3);
  });

  it('refuses a value that is not a number', () => {
    expect(() => parseExposition('x seven')).toThrow(/not a sample value/);
  });
});
