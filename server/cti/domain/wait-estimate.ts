/**
 * The estimated wait told to a waiting caller (docs/cti.md, "Position and wait announcements").
 * Pure: no clock, no IO.
 *
 *   EWT(p) = p × AHT / N
 *
 * p is the caller's position (1 = next to be served), N the queue's operators who are serving it
 * now (signed in and not Not ready: ready, ringing, talking or in wrap-up) and AHT the queue's
 * recent average handle time (talk time plus wrap-up, over its last HANDLE_WINDOW answered
 * calls; DEFAULT_AHT_SEC until it has one). Why: N operators each finishing a call every AHT on
 * average free one every AHT / N, and the caller needs p of them. No operator serving: no
 * estimate (the announcement says the position only). Checked against a simulated queue in
 * wait-estimate.test.ts.
 */
export const HANDLE_WINDOW = 20;
export const DEFAULT_AHT_SEC = 180;

export function estimatedWaitSec(position: number, servingOperators: number, ahtSec: number): number | null {
  if (servingOperators <= 0 || position < 1) return null;
  return (position * ahtSec) / servingOperators;
}

/** The last HANDLE_WINDOW handle times of one queue, and their mean. */
export class HandleTimes {
  private readonly secs: number[] = [];
  private sum = 0;

  add(sec: number): void {
    if (!Number.isFinite(sec) || sec < 0) return;
    this.secs.push(sec);
    this.sum += sec;
    if (this.secs.length > HANDLE_WINDOW) this.sum -= this.secs.shift()!;
  }

  /** the mean, or DEFAULT_AHT_SEC before the first answered call */
  average(): number {
    return this.secs.length === 0 ? DEFAULT_AHT_SEC : this.sum / this.secs.length;
  }

  get count(): number {
    return this.secs.length;
  }
}
