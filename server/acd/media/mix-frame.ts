import type { MixPlan } from './mix-plan';

/**
 * One 20 ms frame of a mixing bridge (pure, no allocation): every member's decoded frame in,
 * every member's mixed frame out, following the plan. Sums are kept in 32 bits and saturated
 * to 16 bits once, at the end, so two loud talkers clip instead of wrapping around.
 *
 * `frames[i]` is member i's frame this tick, or null when it sent nothing (silence).
 */
export function mixFrame(plan: MixPlan, frames: ReadonlyArray<Int16Array | null>, total: Int32Array, outs: readonly Int16Array[]): void {
  total.fill(0);
  for (const t of plan.talkers) {
    const f = frames[t];
    if (!f) continue;
    for (let k = 0; k < total.length; k++) total[k]! += f[k]!;
  }
  for (let i = 0; i < outs.length; i++) {
    const out = outs[i]!;
    const own = plan.inSum[i] ? frames[i] : null;
    const whispers = plan.whispersTo[i]!;
    for (let k = 0; k < out.length; k++) {
      let v = total[k]!;
      if (own) v -= own[k]!;
      for (let w = 0; w < whispers.length; w++) {
        const f = frames[whispers[w]!];
        if (f) v += f[k]!;
      }
      out[k] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  }
}
