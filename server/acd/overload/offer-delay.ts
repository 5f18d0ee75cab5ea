/**
 * How long the controller (the CTI's bank) takes to take a caller offered to its route point:
 * the ACD's view of a CTI that falls behind, wherever the CTI runs. The bank answers a
 * route-point INVITE as soon as it reads it (server/cti/ua-bank/ua-bank.ts), so the time to its
 * final response is how long the CTI's own work queues in front of a new caller — the same
 * queue its dials and releases wait in. The ACD's event-loop lag cannot see that once the CTI
 * is its own process (docs/metrics.md, *Overload*).
 *
 * Each window (1 s) keeps the **median** of the delays settled in it and of the ages of the
 * offers still pending when it closes; the signal is the lower of the last two windows. The
 * median, not the worst: one stuck bank UA among eight, or one slow answer, is not a CTI behind.
 * Two windows: a burst at one instant (a restart's re-offers) is not an overload either.
 * Pure of IO; the clock is injected.
 */
export class OfferDelayMeter {
  /** offer id → when it was sent (a Map keeps insertion order: the first entry is the oldest) */
  private readonly pending = new Map<number, number>();
  private seq = 0;
  private windowStart: number;
  private settledNow: number[] = [];
  private readonly recent: number[] = [];

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs = 1000,
    private readonly windows = 2,
  ) {
    this.windowStart = now();
  }

  /** An offer sent; the id is handed back to `settled`. */
  sent(): number {
    this.roll();
    const id = ++this.seq;
    this.pending.set(id, this.now());
    return id;
  }

  /** The offer's final response (taken, refused, or failed locally). Unknown ids are ignored. */
  settled(id: number): void {
    const at = this.pending.get(id);
    if (at === undefined) return;
    this.roll();
    this.pending.delete(id);
    this.settledNow.push(this.now() - at);
  }

  /** The sustained delay (ms): the lower of the last windows' medians; 0 until enough windows closed. */
  delayMs(): number {
    this.roll();
    return this.recent.length < this.windows ? 0 : Math.min(...this.recent);
  }

  /** Offers sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart < this.windowMs) return;
    // a long quiet spell: only the last few windows matter
    const behind = Math.floor((now - this.windowStart) / this.windowMs);
    if (behind > this.windows + 1) this.windowStart += (behind - this.windows - 1) * this.windowMs;
    while (now - this.windowStart >= this.windowMs) {
      const end = this.windowStart + this.windowMs;
      const values = this.settledNow;
      for (const at of this.pending.values()) values.push(Math.max(0, end - at));
      this.recent.push(median(values));
      if (this.recent.length > this.windows) this.recent.shift();
      this.settledNow = [];
      this.windowStart = end;
    }
  }
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)]!;
}
