import { z } from 'zod';

/**
 * Call quality: what the ACD measures of each party's audio as it reaches it (RTP loss and
 * jitter, server/acd/media/rtp-quality.ts), told to the CTI every few seconds on the leg's
 * control dialog (docs/sip-control-dialect.md, *Call quality*) and shown to supervisors in words.
 */
export const LegQuality = z
  .object({
    lossPct: z.number().min(0).max(100),
    jitterMs: z.number().min(0).max(60_000),
    packets: z.number().int().min(0),
  })
  .strict();
export type LegQuality = z.infer<typeof LegQuality>;

export type QualityRating = 'good' | 'fair' | 'poor';

/**
 * The words for a party's figures. G.711 without concealment is heard as clicks from about 1 %
 * loss and as broken speech from about 5 %; a jitter past 30 ms outgrows a typical browser jitter
 * buffer's comfort, past 60 ms words arrive late or clipped (ITU-T G.113 / G.114 guidance).
 */
export const QUALITY_LIMITS = { fair: { lossPct: 1, jitterMs: 30 }, poor: { lossPct: 5, jitterMs: 60 } } as const;

export function rateLeg(q: LegQuality): QualityRating {
  if (q.lossPct >= QUALITY_LIMITS.poor.lossPct || q.jitterMs >= QUALITY_LIMITS.poor.jitterMs) return 'poor';
  if (q.lossPct >= QUALITY_LIMITS.fair.lossPct || q.jitterMs >= QUALITY_LIMITS.fair.jitterMs) return 'fair';
  return 'good';
}

/** A call's quality on the roster: the worse of the two directions, and each one's latest figures. */
export interface CallQuality {
  rating: QualityRating;
  /** the caller's audio as it reaches us (null: not measured yet) */
  caller: (LegQuality & { at: number }) | null;
  /** the operator's audio as it reaches us */
  operator: (LegQuality & { at: number }) | null;
}

const ORDER: QualityRating[] = ['good', 'fair', 'poor'];
export function callRating(q: Pick<CallQuality, 'caller' | 'operator'>): QualityRating {
  const r = [q.caller, q.operator].filter((x): x is LegQuality & { at: number } => x !== null).map(rateLeg);
  return r.reduce<QualityRating>((worst, x) => (ORDER.indexOf(x) > ORDER.indexOf(worst) ? x : worst), 'good');
}

export const QUALITY_WORDS: Record<QualityRating, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };
