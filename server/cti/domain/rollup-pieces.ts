/**
 * How a report's range is read from the roll-ups (migration 0023): cut into whole UTC buckets of
 * the roll-ups' grains (1 day, 1 hour, 15 minutes), the largest that fit, and the uneven edges
 * left over (a zone whose offset is not a whole quarter hour, or a range ending now), which are
 * read from the raw rows. Adjacent pieces of one grain are merged into one range.
 */
export const ROLLUP_GRAINS_MIN = [1440, 60, 15] as const;

/** [from, to) in epoch ms; `grain` in minutes, 0 for a piece read from the raw rows. */
export interface RollupPiece {
  grain: number;
  from: number;
  to: number;
}

const MIN = 60_000;

function cut(from: number, to: number, grains: readonly number[], out: RollupPiece[]): void {
  if (from >= to) return;
  const [g, ...smaller] = grains;
  if (g === undefined) {
    out.push({ grain: 0, from, to });
    return;
  }
  const w = g * MIN;
  const a = Math.ceil(from / w) * w;
  const b = Math.floor(to / w) * w;
  if (a >= b) return cut(from, to, smaller, out);
  cut(from, a, smaller, out);
  out.push({ grain: g, from: a, to: b });
  cut(b, to, smaller, out);
}

/** The pieces of [from, to), in order. */
export function rollupPieces(from: number, to: number): RollupPiece[] {
  const out: RollupPiece[] = [];
  cut(from, to, ROLLUP_GRAINS_MIN, out);
  return out;
}

/**
 * The pieces of consecutive ranges (a report's buckets, `starts` then `end`): no roll-up bucket read
 * crosses a report bucket's edge. Neighbours of one grain merge (each row read still lies in one
 * report bucket, found by its own time), raw ones too.
 */
export function rollupPiecesOf(starts: readonly number[], end: number): RollupPiece[] {
  const out: RollupPiece[] = [];
  for (let i = 0; i < starts.length; i++) {
    for (const p of rollupPieces(starts[i]!, starts[i + 1] ?? end)) {
      const last = out[out.length - 1];
      if (last && last.grain === p.grain && last.to === p.from) last.to = p.to;
      else out.push({ ...p });
    }
  }
  return out;
}
