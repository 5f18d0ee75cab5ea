import type { Logger } from '../../log';
import { OfferDelayMeter } from './offer-delay';
import { decide, reasonOver, type OverloadLimits, type OverloadReason, type OverloadStatus } from './overload-state';

export interface OverloadConfig extends OverloadLimits {
  /** Seconds a refused caller is told to wait before trying again (Retry-After of the 503). */
  retryAfterSec: number;
}

/**
 * An Acd built without `overload` refuses nobody (tests, embedders); the platform's ceilings come
 * from its config (OVERLOAD_* in server/config.ts: 1000 callers, 1000 ms of lag, 2000 ms of offer delay).
 */
export const DEFAULT_OVERLOAD: OverloadConfig = { maxWaiting: 0, maxLagMs: 0, maxOfferMs: 0, resumeFraction: 0.8, retryAfterSec: 30 };

/** The event loop's recent lag, in ms; `start`/`stop` own whatever timer or monitor it needs. */
export interface LagMeter {
  start(onSample: () => void): void;
  stop(): void;
  lagMs(): number;
}

/**
 * Sustained event-loop lag, measured as the drift of a timer that ticks every `tickMs`: how late
 * it fires is how long anything queued behind the loop waits (the measure of toobusy-style
 * guards; perf_hooks' delay histogram loses the sample of a long block when read beside it).
 * Each window of `windowMs` keeps its worst drift, and the lag is the lower of the last
 * `windows` windows — so one blocked second (the platform's boot, which loads Next.js after the
 * ACD listens, blocks it ~1.5 s; a long GC) is not an overload, a loop that stays behind is.
 */
export function eventLoopLagMeter(windowMs = 1000, windows = 2, tickMs = 50): LagMeter {
  let timer: NodeJS.Timeout | null = null;
  const recent: number[] = [];
  return {
    start(onSample) {
      let last = performance.now();
      let windowStart = last;
      let worst = 0;
      timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last - tickMs);
        last = now;
        if (now - windowStart < windowMs) return;
        recent.push(Math.max(0, worst));
        if (recent.length > windows) recent.shift();
        windowStart = now;
        worst = 0;
        onSample();
      }, tickMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    lagMs: () => (recent.length < windows ? 0 : Math.min(...recent)),
  };
}

/**
 * Decides, from the ACD's memory only, whether a new caller is admitted: callers waiting to be
 * bridged (the leg table's census), the event loop's lag and the controller's offer delay
 * (offer-delay.ts: a CTI falling behind, in its own process or machine), against the configured ceilings,
 * with the hysteresis of overload-state.ts. A refused caller gets a 503 with Retry-After
 * (inbound-callers.ts) before any media is set up, so refusing costs less than admitting;
 * callers already admitted and calls in progress are never touched.
 *
 * Logged once per episode: when it starts (with the signal that tripped it) and when it ends
 * (with how many callers were refused meanwhile). Counted for /metrics: refusals by reason,
 * episodes, and the current status.
 */
export class OverloadGuard {
  private state: OverloadStatus = 'normal';
  private episode: { since: number; reason: OverloadReason; refused: number } | null = null;
  private lastReason: OverloadReason = 'waiting';
  /** Callers refused, by the reason of their episode. */
  readonly refused: Record<OverloadReason, number> = { waiting: 0, lag: 0, controller: 0 };
  episodes = 0;
  /** Refused callers who heard their queue's busy message instead of a 503. */
  toldByMessage = 0;

  constructor(
    private readonly cfg: OverloadConfig,
    private readonly waiting: () => number,
    private readonly log: Logger,
    private readonly lag: LagMeter = eventLoopLagMeter(),
    private readonly now: () => number = Date.now,
    /** route-point offers report to it (route-offer.ts) */
    readonly offers: OfferDelayMeter = new OfferDelayMeter(),
  ) {}

  get status(): OverloadStatus {
    return this.state;
  }

  /** The sustained lag the guard last read (ms). */
  get lagMs(): number {
    return this.lag.lagMs();
  }

  /** Why new callers are refused now (null while admitting). */
  get reason(): OverloadReason | null {
    return this.state === 'overloaded' ? (this.episode?.reason ?? this.lastReason) : null;
  }

  /** The sustained route-point offer delay the guard last read (ms). */
  get offerMs(): number {
    return this.offers.delayMs();
  }

  get retryAfterSec(): number {
    return this.cfg.retryAfterSec;
  }

  start(): void {
    // the lag is re-read every window: an episode can also end while no caller arrives
    if (this.cfg.maxLagMs > 0 || this.cfg.maxWaiting > 0 || this.cfg.maxOfferMs > 0) this.lag.start(() => this.evaluate());
  }

  stop(): void {
    this.lag.stop();
  }

  /** May a new caller be admitted now? A refusal is counted (and starts an episode when it is the first). */
  admit(): boolean {
    this.evaluate();
    if (this.state === 'normal') return true;
    this.refused[this.episode?.reason ?? this.lastReason] += 1;
    if (this.episode) this.episode.refused += 1;
    return false;
  }

  private evaluate(): void {
    const sample = { waiting: this.waiting(), lagMs: this.lag.lagMs(), offerMs: this.cfg.maxOfferMs > 0 ? this.offers.delayMs() : 0 };
    const next = decide(this.state, sample, this.cfg);
    if (next === this.state) return;
    this.state = next;
    if (next === 'overloaded') {
      const reason = reasonOver(sample, this.cfg) ?? this.lastReason;
      this.lastReason = reason;
      this.episode = { since: this.now(), reason, refused: 0 };
      this.episodes += 1;
      this.log.warn({ reason, waiting: sample.waiting, lagMs: Math.round(sample.lagMs), offerMs: Math.round(sample.offerMs), maxWaiting: this.cfg.maxWaiting, maxLagMs: this.cfg.maxLagMs, maxOfferMs: this.cfg.maxOfferMs, retryAfterSec: this.cfg.retryAfterSec }, 'overloaded: new callers are refused until the load falls');
    } else {
      const e = this.episode;
      this.episode = null;
      this.log.warn({ reason: e?.reason, refused: e?.refused ?? 0, ms: e ? this.now() - e.since : 0, waiting: sample.waiting, lagMs: Math.round(sample.lagMs), offerMs: Math.round(sample.offerMs) }, 'overload over: new callers are admitted again');
    }
  }
}
