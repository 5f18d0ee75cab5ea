import { FRAME_MS } from './audio-clip';

/**
 * Calls `onFrame(n)` every 20 ms for n = 0, 1, 2... against the monotonic clock, not
 * against the previous timer firing, so timer lateness does not accumulate into drift.
 * When the event loop was blocked it catches up by a few frames at once; beyond
 * `maxCatchUp` it skips frames instead of bursting (the receiver would drop them anyway).
 */
export class FramePacer {
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  private startMs = 0;
  private next = 0;

  constructor(
    private readonly onFrame: (n: number) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly maxCatchUp = 5,
  ) {}

  get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    if (this.timer) clearTimeout(this.timer); // restarted from inside onFrame after a stop
    this.timer = null;
    this.active = true;
    this.startMs = this.now();
    this.next = 0;
    this.tick();
  }

  stop(): void {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    this.timer = null;
    const due = Math.floor((this.now() - this.startMs) / FRAME_MS);
    if (due - this.next > this.maxCatchUp) this.next = due - this.maxCatchUp;
    while (this.next <= due) {
      this.onFrame(this.next++);
      if (!this.active) return; // stopped from inside onFrame
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.startMs + this.next * FRAME_MS - this.now()));
  };
}
