/**
 * How long the event loop was blocked lately: a timer every `tickMs` notes how late it fired.
 * Liveness reads the worst stall of the last `windowMs`. A loop stuck for good answers no probe
 * at all (the probe's own timeout is that signal); this catches the loop that comes back now
 * and then, blocked for seconds each time (a runaway computation, a synchronous read).
 */
export class LoopWatch {
  /** [at, stallMs] of each late tick within the window, oldest first */
  private readonly stalls: Array<[number, number]> = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;

  constructor(
    private readonly windowMs: number,
    private readonly tickMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    // the watch never keeps a process alive on its own
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The longest the loop was blocked within the window, ms (0: never late by more than a tick). */
  worstStallMs(): number {
    // a tick due now and not yet run counts too: the loop may be blocked by this very caller
    const at = this.now();
    this.prune(at);
    let worst = Math.max(0, at - this.last - this.tickMs);
    for (const [, ms] of this.stalls) worst = Math.max(worst, ms);
    return Math.round(worst);
  }

  private tick(): void {
    const at = this.now();
    const late = at - this.last - this.tickMs;
    this.last = at;
    if (late > this.tickMs) this.stalls.push([at, late]);
    this.prune(at);
  }

  private prune(at: number): void {
    while (this.stalls.length > 0 && at - this.stalls[0]![0] > this.windowMs) this.stalls.shift();
  }
}
