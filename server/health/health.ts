import type { HealthCheckResult, HealthInfo, LivenessInfo } from '../contracts/web-api';
import type { Logger } from '../log';
import { LoopWatch } from './loop-watch';

/**
 * One readiness check: resolves null when the part is ready, the reason it is not in plain
 * words, or `{ degraded }` when it is ready but not whole (one ACD node of several down): ready,
 * with the words as the check's `detail`. Words are shown to anonymous probes: they never carry
 * an error's own message (a connection string, an address, a path), only words the check wrote.
 * Throwing is a failure too.
 */
export type CheckVerdict = string | null | { degraded: string };

export interface HealthCheck {
  readonly name: string;
  run(timeoutMs: number): Promise<CheckVerdict>;
}

export interface HealthOptions {
  /** a check that has not answered by then fails (default 1000 ms) */
  timeoutMs?: number;
  /** a verdict is reused for this long, and probes arriving meanwhile share one run (default 1000 ms) */
  cacheMs?: number;
  /** liveness fails when the event loop was blocked this long within `stallWindowMs` (default 5000 ms) */
  maxStallMs?: number;
  stallWindowMs?: number;
}

/**
 * Liveness and readiness (docs/operations.md). Readiness runs every check at once, each within
 * `timeoutMs`; probes are anonymous, so one run serves every probe of the next `cacheMs` — a
 * flood of probes costs one database round trip and one OPTIONS per transport a second, not
 * one each. A change of verdict is logged once (warn when a check fails, info when ready again).
 */
export class Health {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly maxStallMs: number;
  private readonly loop: LoopWatch;
  private readonly log: Logger;
  private last: { at: number; info: HealthInfo } | null = null;
  private running: Promise<HealthInfo> | null = null;
  /** the names failing at the last verdict (null: none given yet, so the first is logged too) */
  private failing: string | null = null;

  constructor(
    private readonly checks: readonly HealthCheck[],
    logger: Logger,
    opts: HealthOptions = {},
  ) {
    this.log = logger.child({ part: 'web', module: 'health' });
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.cacheMs = opts.cacheMs ?? 1000;
    this.maxStallMs = opts.maxStallMs ?? 5000;
    this.loop = new LoopWatch(opts.stallWindowMs ?? 10_000);
    this.loop.start();
  }

  live(): LivenessInfo {
    const worstStallMs = this.loop.worstStallMs();
    return { status: worstStallMs >= this.maxStallMs ? 'stalled' : 'ok', worstStallMs };
  }

  ready(): Promise<HealthInfo> {
    if (this.last && Date.now() - this.last.at < this.cacheMs) return Promise.resolve(this.last.info);
    this.running ??= this.runAll().finally(() => (this.running = null));
    return this.running;
  }

  stop(): void {
    this.loop.stop();
  }

  private async runAll(): Promise<HealthInfo> {
    const checks = await Promise.all(this.checks.map((c) => this.runOne(c)));
    const failed = checks.filter((c) => !c.ok);
    const db = checks.find((c) => c.name === 'database');
    const info: HealthInfo = { status: failed.length === 0 ? 'ok' : 'degraded', db: db && !db.ok ? 'down' : 'ok', checks };
    // a degraded check (ready, not whole) is logged as a change too, so an operator hears of it
    const failing = [...failed.map((c) => c.name), ...checks.filter((c) => c.ok && c.detail).map((c) => `${c.name}:degraded`)].join(',');
    if (failing !== this.failing) {
      if (failed.length) this.log.warn({ failed: failed.map((c) => ({ check: c.name, reason: c.reason })) }, 'not ready');
      else if (failing) this.log.warn({ degraded: checks.filter((c) => c.detail).map((c) => ({ check: c.name, detail: c.detail })) }, 'ready, degraded');
      else this.log.info('ready: every check passes');
      this.failing = failing;
    }
    this.last = { at: Date.now(), info };
    return info;
  }

  private async runOne(check: HealthCheck): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CheckVerdict>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${this.timeoutMs} ms`), this.timeoutMs)));
    try {
      const reason = await Promise.race([check.run(this.timeoutMs), late]);
      if (reason === null) return { name: check.name, ok: true };
      if (typeof reason === 'object') return { name: check.name, ok: true, detail: reason.degraded };
      return { name: check.name, ok: false, reason };
    } catch (err) {
      this.log.warn({ err, check: check.name }, 'health check threw');
      return { name: check.name, ok: false, reason: 'the check failed (see the log)' };
    } finally {
      clearTimeout(timer);
    }
  }
}
