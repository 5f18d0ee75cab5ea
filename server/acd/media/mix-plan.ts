import type { MixMode } from '../../shared/sip-control-ops';

/** One member of a mixing bridge as the plan sees it: what it contributes, and to whom when it whispers. */
export interface MixSeatSpec {
  readonly mode: MixMode;
  /** Index of the member a `whisper` seat is heard by; ignored for other modes. */
  readonly whisperTo: number | null;
}

/**
 * Who hears whom in a mixing bridge, computed once per membership change (pure). Every
 * member hears the sum of the `talk` members, minus itself, plus the `whisper` members
 * whispering to it; `listen` members contribute nothing. So a frame's mix costs one sum
 * over the talkers and, per listener, one subtraction and its few whispers — O(N), not O(N²).
 */
export interface MixPlan {
  /** Indices of the `talk` members (their frames make the common sum). */
  readonly talkers: readonly number[];
  /** Per member: does its own frame sit in the common sum (so it must be taken out of what it hears)? */
  readonly inSum: readonly boolean[];
  /** Per member: indices of the members whispering to it. */
  readonly whispersTo: ReadonlyArray<readonly number[]>;
}

export function planMix(seats: readonly MixSeatSpec[]): MixPlan {
  const talkers: number[] = [];
  const inSum: boolean[] = [];
  const whispersTo: number[][] = seats.map(() => []);
  seats.forEach((s, i) => {
    inSum.push(s.mode === 'talk');
    if (s.mode === 'talk') talkers.push(i);
    else if (s.mode === 'whisper' && s.whisperTo !== null && s.whisperTo !== i && s.whisperTo >= 0 && s.whisperTo < seats.length) whispersTo[s.whisperTo]!.push(i);
  });
  return { talkers, inSum, whispersTo };
}

/** Does `listener` hear `speaker` under this plan? (The matrix the per-frame path computes implicitly.) */
export function hears(plan: MixPlan, listener: number, speaker: number): boolean {
  if (listener === speaker) return false;
  return plan.talkers.includes(speaker) || (plan.whispersTo[listener]?.includes(speaker) ?? false);
}
