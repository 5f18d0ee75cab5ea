import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log';
import { countTransitions } from '../../shared/state-machine';
import { eventLoopLagMeter, OverloadGuard, type LagMeter } from './overload-guard';
import { classify, decide, OVERLOAD_TRANSITIONS, OverloadEvent, OverloadStatus, reasonOver, transition, type OverloadLimits } from './overload-state';

const LIMITS: OverloadLimits = { maxWaiting: 10, maxLagMs: 500, maxOfferMs: 2000, resumeFraction: 0.8 };

describe('overload decision (pure)', () => {
  it('has a next state for every (state, event) pair, and only the resume mark leaves overload', () => {
    const expected: Record<OverloadStatus, Record<OverloadEvent, OverloadStatus>> = {
      normal: { over_ceiling: 'overloaded', between_marks: 'normal', under_resume: 'normal' },
      overloaded: { over_ceiling: 'overloaded', between_marks: 'overloaded', under_resume: 'normal' },
    };
    for (const s of OverloadStatus) for (const e of OverloadEvent) expect(transition(s, e), `${s} × ${e}`).toBe(expected[s][e]);
    expect(Object.keys(OVERLOAD_TRANSITIONS).sort()).toEqual([...OverloadStatus].sort());
    expect(countTransitions(OVERLOAD_TRANSITIONS)).toBe(OverloadStatus.length * OverloadEvent.length);
  });

  it('classifies a sample against the ceilings and the resume marks', () => {
    expect(classify({ waiting: 9, lagMs: 0, offerMs: 0 }, LIMITS)).toBe('between_marks');
    expect(classify({ waiting: 10, lagMs: 0, offerMs: 0 }, LIMITS)).toBe('over_ceiling');
    expect(classify({ waiting: 8, lagMs: 0, offerMs: 0 }, LIMITS)).toBe('under_resume');
    expect(classify({ waiting: 0, lagMs: 500, offerMs: 0 }, LIMITS)).toBe('over_ceiling');
    expect(classify({ waiting: 0, lagMs: 401, offerMs: 0 }, LIMITS)).toBe('between_marks');
    expect(classify({ waiting: 0, lagMs: 400, offerMs: 0 }, LIMITS)).toBe('under_resume');
    // both signals must be under their marks to resume
    expect(classify({ waiting: 8, lagMs: 450, offerMs: 0 }, LIMITS)).toBe('between_marks');
    expect(reasonOver({ waiting: 10, lagMs: 900, offerMs: 0 }, LIMITS)).toBe('waiting');
    expect(reasonOver({ waiting: 3, lagMs: 900, offerMs: 0 }, LIMITS)).toBe('lag');
    expect(reasonOver({ waiting: 3, lagMs: 10, offerMs: 0 }, LIMITS)).toBeNull();
    // the controller's offer delay: a CTI behind, which the ACD's own lag does not show
    expect(classify({ waiting: 0, lagMs: 0, offerMs: 2000 }, LIMITS)).toBe('over_ceiling');
    expect(reasonOver({ waiting: 0, lagMs: 0, offerMs: 2500 }, LIMITS)).toBe('controller');
    expect(classify({ waiting: 0, lagMs: 0, offerMs: 1601 }, LIMITS)).toBe('between_marks');
    expect(classify({ waiting: 0, lagMs: 0, offerMs: 1600 }, LIMITS)).toBe('under_resume');
    expect(reasonOver({ waiting: 0, lagMs: 600, offerMs: 2500 }, LIMITS)).toBe('lag');
  });

  it('a ceiling of 0 is no ceiling', () => {
    const off: OverloadLimits = { maxWaiting: 0, maxLagMs: 0, maxOfferMs: 0, resumeFraction: 0.8 };
    expect(classify({ waiting: 1e6, lagMs: 1e6, offerMs: 1e6 }, off)).toBe('under_resume');
  });

  it('hysteresis: hovering at the ceiling does not flap', () => {
    // waiting goes 9, 10 (trip), 9, 10, 9 (still over the resume mark), 8 (resume), 9 (stays normal)
    const seq = [9, 10, 9, 10, 9, 8, 9];
    let s: OverloadStatus = 'normal';
    const states = seq.map((waiting) => (s = decide(s, { waiting, lagMs: 0, offerMs: 0 }, LIMITS)));
    expect(states).toEqual(['normal', 'overloaded', 'overloaded', 'overloaded', 'overloaded', 'normal', 'normal']);
  });
});

describe('overload guard', () => {
  function guard(waiting: { n: number }, lag: { ms: number }) {
    const lines: Array<{ msg: string; obj: Record<string, unknown> }> = [];
    const log = createLogger('silent');
    const spy = Object.assign(Object.create(log) as typeof log, {
      warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ msg, obj }),
    });
    let tick: () => void = () => {};
    const meter: LagMeter = { start: (on) => void (tick = on), stop: () => {}, lagMs: () => lag.ms };
    const g = new OverloadGuard({ ...LIMITS, retryAfterSec: 7 }, () => waiting.n, spy, meter, () => 1000);
    g.start();
    return { g, lines, tick: () => tick() };
  }

  it('refuses past the ceiling, counts each refusal, and logs once per episode', () => {
    const waiting = { n: 0 };
    const { g, lines } = guard(waiting, { ms: 0 });
    const admitted: boolean[] = [];
    for (let i = 0; i < 15; i++) {
      const ok = g.admit();
      admitted.push(ok);
      if (ok) waiting.n += 1;
    }
    expect(admitted.filter(Boolean)).toHaveLength(10);
    expect(g.refused).toEqual({ waiting: 5, lag: 0, controller: 0 });
    expect(g.episodes).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['overloaded: new callers are refused until the load falls']);
    waiting.n = 9;
    expect(g.admit()).toBe(false);
    waiting.n = 8;
    expect(g.admit()).toBe(true);
    expect(lines.map((l) => l.msg)).toHaveLength(2);
    expect(lines[1]).toMatchObject({ msg: 'overload over: new callers are admitted again', obj: { reason: 'waiting', refused: 6 } });
    expect(g.retryAfterSec).toBe(7);
  });

  it('an episode tripped by lag ends on the meter tick, with no caller arriving', () => {
    const lag = { ms: 800 };
    const { g, lines, tick } = guard({ n: 0 }, lag);
    expect(g.admit()).toBe(false);
    expect(g.refused.lag).toBe(1);
    lag.ms = 100;
    tick();
    expect(g.status).toBe('normal');
    expect(lines.map((l) => l.obj.reason)).toEqual(['lag', 'lag']);
  });
});

describe('event-loop lag meter', () => {
  const block = (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // the loop is blocked
    }
  };

  it('reports the lag sustained over two windows: one blocked window alone is not an overload, two are', async () => {
    for (const blocked of [1, 2]) {
      const meter = eventLoopLagMeter(100, 2, 10);
      const seen: number[] = [];
      let toBlock = blocked;
      // after the first (quiet) window, block the loop 250 ms in each of the next `blocked` windows
      meter.start(() => {
        seen.push(meter.lagMs());
        if (seen.length >= 1 && toBlock-- > 0) setImmediate(() => block(250));
      });
      try {
        while (seen.length < 4) await new Promise((r) => setTimeout(r, 5));
      } finally {
        meter.stop();
      }
      // seen[k]: the lag once k + 1 windows were measured (none until two are)
      expect(seen[0]).toBe(0);
      if (blocked === 1) expect(Math.max(...seen)).toBeLessThan(100);
      else {
        expect(seen[1]).toBeLessThan(100);
        expect(seen[2]).toBeGreaterThanOrEqual(150);
        expect(seen[3]).toBeLessThan(100);
      }
    }
  });
});
