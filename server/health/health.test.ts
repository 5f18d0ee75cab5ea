import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../test-support/until';
import { bankCheck } from './checks';
import { Health, type HealthCheck } from './health';

/**
 * The readiness runner and the liveness watch on the real event loop and timers. The checks here
 * are small functions (what they check is covered over the real parts in
 * health.integration.test.ts); the loop is blocked for real with a busy wait.
 */
const lines: Array<{ msg: string; level: number }> = [];
const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string; level: number }) });
const made: Health[] = [];
const health = (checks: HealthCheck[], opts: ConstructorParameters<typeof Health>[2] = {}) => {
  const h = new Health(checks, logger, opts);
  made.push(h);
  return h;
};
afterEach(() => {
  for (const h of made.splice(0)) h.stop();
  lines.length = 0;
});

describe('readiness', () => {
  it('a check that hangs fails at the timeout; one that throws fails with words of ours, not its message', async () => {
    const h = health(
      [
        { name: 'hangs', run: () => new Promise<never>(() => undefined) },
        {
          name: 'throws',
          run: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:5432 user=patchbay password=hunter2')),
        },
        { name: 'fine', run: () => Promise.resolve(null) },
      ],
      { timeoutMs: 200, cacheMs: 0 },
    );
    const t0 = Date.now();
    const info = await h.ready();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(info).toEqual({
      status: 'degraded',
      db: 'ok',
      checks: [
        { name: 'hangs', ok: false, reason: 'no answer within 200 ms' },
        { name: 'throws', ok: false, reason: 'the check failed (see the log)' },
        { name: 'fine', ok: true },
      ],
    });
    expect(JSON.stringify(info)).not.toMatch(/hunter2|10\.0\.0\.5/);
  });

  it('probes arriving together share one run, and a verdict is reused within cacheMs', async () => {
    let runs = 0;
    const h = health([{ name: 'counted', run: () =>
          new Promise((r) =>
            setTimeout(() => {
              runs++;
              r(null);
            }, 50),
          ), }], { cacheMs: 300 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.ready()));
    expect(runs).toBe(1);
    expect(answers.every((a) => a.status === 'ok')).toBe(true);
    await h.ready();
    expect(runs).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    await h.ready();
    expect(runs).toBe(2);
  });

  it('logs a change of verdict once, not once per probe', async () => {
    let up = true;
    const h = health([{ name: 'flaky', run: () => Promise.resolve(up ? null : 'down for the test') }], { cacheMs: 0 });
    await h.ready();
    up = false;
    for (let i = 0; i < 5; i++) await h.ready();
    up = true;
    for (let i = 0; i < 5; i++) await h.ready();
    expect(lines.map((l) => l.msg)).toEqual(['ready: every check passes', 'not ready', 'ready: every check passes']);
  });
});

describe('liveness', () => {
  it('reports a blocked event loop as stalled for the window after it, then ok again', async () => {
    const h = health([], { maxStallMs: 300, stallWindowMs: 1000 });
    await new Promise((r) => setTimeout(r, 250));
    expect(h.live()).toMatchObject({ status: 'ok' });
    const end = Date.now() + 600;
    while (Date.now() < end) {
      // a synchronous stretch of work: nothing else runs
    }
    // the watch's tick runs first (timers before I/O), and sees how late it is
    await new Promise((r) => setTimeout(r, 150));
    const stalled = h.live();
    expect(stalled.status).toBe('stalled');
    expect(stalled.worstStallMs).toBeGreaterThanOrEqual(450);
    await until(() => h.live().status === 'ok', 3000, 'the stall out of the window');
    expect(h.live().worstStallMs).toBeLessThan(300);
  });
});

describe('cti_bank with several ACD nodes (bankCheck)', () => {
  const bank = (nodes: Array<[number, number]>) => ({
    figures: () => ({ registered: nodes.flatMap(([up, size]) => Array.from({ length: size }, (_, i) => i < up)) }),
    nodeRegistrations: () => nodes.map(([registered, size]) => ({ registered, size })),
  });
  const verdict = async (b: ReturnType<typeof bank>) => (await health([bankCheck(b)], { cacheMs: 0 }).ready()).checks[0];

  it('ready and whole; ready but degraded naming the node down; not ready only when no node is registered', async () => {
    expect(await verdict(bank([[2, 2], [2, 2]]))).toEqual({ name: 'cti_bank', ok: true });
    expect(await verdict(bank([[2, 2], [0, 2]]))).toEqual({ name: 'cti_bank', ok: true, detail: 'ACD node 2 of 2 is down (none of its 2 bank user agents is registered)' });
    expect(await verdict(bank([[1, 2], [2, 2], [0, 2]]))).toEqual({
      name: 'cti_bank',
      ok: true,
      detail: 'ACD node 1 of 3: 1 of 2 bank user agents are not registered; ACD node 3 of 3 is down (none of its 2 bank user agents is registered)',
    });
    const none = await health([bankCheck(bank([[0, 2], [0, 2]]))], { cacheMs: 0 }).ready();
    expect(none.status).toBe('degraded');
    expect(none.checks[0]).toEqual({ name: 'cti_bank', ok: false, reason: expect.stringMatching(/^no ACD node has a registered bank: ACD node 1 of 2 is down/) });
    // one node: every UA counts, as before
    expect(await verdict(bank([[1, 2]]))).toEqual({ name: 'cti_bank', ok: false, reason: '1 of 2 bank user agents are not registered with the ACD' });
  });

  it('a degraded verdict answers ready (200 status ok) and is logged once', async () => {
    const h = health([bankCheck(bank([[2, 2], [0, 2]]))], { cacheMs: 0 });
    expect((await h.ready()).status).toBe('ok');
    await h.ready();
    expect(lines.filter((l) => l.msg === 'ready, degraded')).toHaveLength(1);
  });
});
