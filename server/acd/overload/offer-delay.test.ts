import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log';
import { OfferDelayMeter } from './offer-delay';
import { OverloadGuard, type LagMeter } from './overload-guard';

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

describe('route-point offer delay meter', () => {
  it('is the lower of the last two windows’ medians, 0 until two windows closed', () => {
    const c = clock();
    const m = new OfferDelayMeter(c.now, 1000, 2);
    // window 0: three offers answered after 10, 20 and 900 ms → median 20
    for (const d of [10, 20, 900]) {
      const id = m.sent();
      c.t += d;
      m.settled(id);
      c.t -= d;
    }
    c.t = 1000;
    expect(m.delayMs()).toBe(0);
    // window 1: answered after 3000 ms (sent in window 0 … no: sent now, answered in window 4)
    const slow = [m.sent(), m.sent(), m.sent()];
    c.t = 2000;
    // window 1 closed with three offers pending, each 1000 ms old at its end → median 1000; lower of (20, 1000)
    expect(m.delayMs()).toBe(20);
    c.t = 3000;
    // window 2 closed with the same three pending, 2000 ms old → lower of (1000, 2000)
    expect(m.delayMs()).toBe(1000);
    c.t = 3500;
    for (const id of slow) m.settled(id);
    expect(m.inFlight).toBe(0);
    c.t = 4000;
    // window 3: the three settled after 2500 ms → median 2500; lower of (2000, 2500)
    expect(m.delayMs()).toBe(2000);
    c.t = 6000;
    // two quiet windows: nothing slow
    expect(m.delayMs()).toBe(0);
  });

  it('one stuck offer among many fast ones is not a controller behind (the median)', () => {
    const c = clock();
    const m = new OfferDelayMeter(c.now, 1000, 2);
    m.sent(); // never answered: a bank UA whose connection hangs
    for (c.t = 0; c.t < 5000; c.t += 50) {
      const id = m.sent();
      c.t += 5;
      m.settled(id);
      c.t -= 5;
    }
    expect(m.delayMs()).toBe(5);
    expect(m.inFlight).toBe(1);
  });

  it('a long quiet spell rolls in constant time and forgets what was slow', () => {
    const c = clock();
    const m = new OfferDelayMeter(c.now, 1000, 2);
    const id = m.sent();
    c.t = 2500;
    m.settled(id);
    c.t = 3000;
    expect(m.delayMs()).toBeGreaterThan(0);
    c.t = 3_600_000;
    expect(m.delayMs()).toBe(0);
    m.settled(12345); // unknown: ignored
    expect(m.inFlight).toBe(0);
  });
});

describe('overload guard: a controller slow to take callers', () => {
  it('refuses new callers for reason `controller` while offers wait, and admits again once they are taken', () => {
    const c = clock();
    const offers = new OfferDelayMeter(c.now, 1000, 2);
    const lines: string[] = [];
    const log = createLogger('silent');
    const spy = Object.assign(Object.create(log) as typeof log, { warn: (_o: unknown, msg: string) => void lines.push(msg) });
    let tick: () => void = () => {};
    const lag: LagMeter = { start: (on) => void (tick = on), stop: () => {}, lagMs: () => 0 };
    const g = new OverloadGuard({ maxWaiting: 0, maxLagMs: 0, maxOfferMs: 2000, resumeFraction: 0.8, retryAfterSec: 30 }, () => 0, spy, lag, c.now, offers);
    g.start();
    expect(g.admit()).toBe(true);
    // the CTI stops answering: ten offers pending for three seconds
    const pending = Array.from({ length: 10 }, () => offers.sent());
    c.t = 3000;
    expect(g.offerMs).toBe(2000);
    expect(g.admit()).toBe(false);
    expect(g.refused).toEqual({ waiting: 0, lag: 0, controller: 1 });
    // the CTI catches up: the offers are taken, fresh ones answer in 5 ms
    for (const id of pending) offers.settled(id);
    for (c.t = 3000; c.t < 6000; c.t += 100) {
      const id = offers.sent();
      c.t += 5;
      offers.settled(id);
      c.t -= 5;
    }
    tick();
    expect(g.status).toBe('normal');
    expect(g.admit()).toBe(true);
    expect(lines).toEqual(['overloaded: new callers are refused until the load falls', 'overload over: new callers are admitted again']);
  });
});
