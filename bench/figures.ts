/** Small number helpers the benches print with. */

/** The p-th percentile (nearest rank); NaN for no samples. */
export function pct(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
export const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
export const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
export const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

export interface WaitTrend {
  firstP50: number;
  lastP50: number;
  /** the wait of the last third is clearly above the first third's: the step is not sustained */
  grows: boolean;
}

/**
 * Compares the waits of calls placed in the first and the last third of a step (by the time
 * each call was placed). A queue that builds up shows as a last third well above the first.
 */
export function waitTrend(placedAt: readonly number[], wait: readonly number[]): WaitTrend {
  if (placedAt.length < 6) return { firstP50: NaN, lastP50: NaN, grows: false };
  const t0 = Math.min(...placedAt);
  const span = Math.max(...placedAt) - t0 || 1;
  const first: number[] = [];
  const last: number[] = [];
  placedAt.forEach((t, i) => {
    if (t - t0 < span / 3) first.push(wait[i]!);
    else if (t - t0 >= (2 * span) / 3) last.push(wait[i]!);
  });
  const firstP50 = pct(first, 50);
  const lastP50 = pct(last, 50);
  return { firstP50, lastP50, grows: lastP50 > 2 * firstP50 && lastP50 - firstP50 > 50 };
}
