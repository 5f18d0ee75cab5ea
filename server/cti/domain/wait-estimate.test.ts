import { describe, expect, it } from 'vitest';
import { DEFAULT_AHT_SEC, HANDLE_WINDOW, HandleTimes, estimatedWaitSec } from './wait-estimate';

/** mulberry32: a seeded source, so the simulated queue is the same on every run */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const exponential = (rnd: () => number, mean: number) => -Math.log(1 - rnd()) * mean;

interface SimResult {
  told: number;
  meanWait: number;
  meanAbsError: number;
  bias: number;
}

/**
 * A queue of `agents` operators, FIFO, Poisson arrivals at `load` × capacity, exponential handle
 * times of mean `ahtSec`. Every caller who has to wait is told EWT at arrival (position, the
 * agents, the mean of the last HANDLE_WINDOW handle times: what the CTI knows), and the estimate
 * is compared with the wait that caller then had.
 */
function simulate(agents: number, ahtSec: number, load: number, calls: number, seed: number): SimResult {
  const rnd = seeded(seed);
  const freeAt = new Array<number>(agents).fill(0);
  const recent = new HandleTimes();
  const done: Array<{ endsAt: number; handle: number }> = [];
  const starts: number[] = []; // each earlier caller's service start (FIFO: non-decreasing)
  let t = 0;
  let told = 0;
  let waitSum = 0;
  let absSum = 0;
  let errSum = 0;
  for (let i = 0; i < calls; i++) {
    t += exponential(rnd, ahtSec / (agents * load));
    // the handle times the CTI has seen by now: calls that ended before t
    done.sort((a, b) => a.endsAt - b.endsAt);
    while (done.length && done[0]!.endsAt <= t) recent.add(done.shift()!.handle);
    const k = freeAt.indexOf(Math.min(...freeAt));
    const start = Math.max(t, freeAt[k]!);
    const handle = exponential(rnd, ahtSec);
    freeAt[k] = start + handle;
    done.push({ endsAt: start + handle, handle });
    if (start > t) {
      // position: the callers still waiting at t (started after t), this one included
      const ahead = starts.filter((s) => s > t).length;
      const ewt = estimatedWaitSec(ahead + 1, agents, recent.average())!;
      const wait = start - t;
      told++;
      waitSum += wait;
      absSum += Math.abs(ewt - wait);
      errSum += ewt - wait;
    }
    starts.push(start);
  }
  return { told, meanWait: waitSum / told, meanAbsError: absSum / told, bias: errSum / told };
}

describe('estimated wait', () => {
  it('is position × AHT / serving operators, and none without an operator', () => {
    expect(estimatedWaitSec(1, 1, 120)).toBe(120);
    expect(estimatedWaitSec(3, 2, 120)).toBe(180);
    expect(estimatedWaitSec(10, 5, 200)).toBe(400);
    expect(estimatedWaitSec(4, 0, 120)).toBeNull();
    expect(estimatedWaitSec(0, 3, 120)).toBeNull();
  });

  it('averages the last handle times of the queue, the default before the first', () => {
    const h = new HandleTimes();
    expect(h.average()).toBe(DEFAULT_AHT_SEC);
    h.add(100);
    h.add(200);
    expect(h.average()).toBe(150);
    h.add(-5); // a clock step backwards is not a handle time
    h.add(Number.NaN);
    expect(h.count).toBe(2);
    for (let i = 0; i < HANDLE_WINDOW; i++) h.add(60);
    expect(h.count).toBe(HANDLE_WINDOW);
    expect(h.average()).toBe(60); // the 100 and 200 have left the window
  });

  it.each([
    [5, 180, 0.9],
    [10, 240, 0.95],
    [20, 180, 0.97],
  ])('against a simulated queue of %i operators, AHT %i s, load %f: biased by under a tenth of the wait, mean error under 40 % of it', (agents, aht, load) => {
    const r = simulate(agents, aht, load, 20_000, 42 + agents);
    // figures for docs/cti.md
    process.stdout.write(`EWT sim ${agents} ops AHT ${aht}s load ${load}: ${r.told} callers told, mean wait ${r.meanWait.toFixed(0)} s, mean |error| ${r.meanAbsError.toFixed(0)} s (${((100 * r.meanAbsError) / r.meanWait).toFixed(0)} %), bias ${r.bias.toFixed(0)} s\n`);
    expect(r.told).toBeGreaterThan(1000);
    expect(Math.abs(r.bias)).toBeLessThan(0.1 * r.meanWait + 10);
    expect(r.meanAbsError).toBeLessThan(0.4 * r.meanWait);
  });
});
