/**
 * A ring tone made with WebAudio (no file to fetch): 440 + 480 Hz, 1 s on, 2 s off.
 * The AudioContext is created on a click (browsers only let audio start after a gesture)
 * and reused for every ring.
 */
export class Ringer {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Call from a click handler, before any call can ring. */
  unlock(): void {
    if (!this.ctx && typeof AudioContext !== 'undefined') this.ctx = new AudioContext();
    void this.ctx?.resume().catch(() => undefined);
  }

  start(): void {
    if (this.timer || !this.ctx) return;
    this.burst();
    this.timer = setInterval(() => this.burst(), 3000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }

  private burst(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const gain = ctx.createGain();
    gain.gain.value = 0.08;
    gain.connect(ctx.destination);
    for (const f of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = f;
      osc.connect(gain);
      osc.start();
      osc.stop(ctx.currentTime + 1);
    }
  }
}
