import { describe, expect, it } from 'vitest';
import { rollupPieces, rollupPiecesOf } from './rollup-pieces';

const MIN = 60_000;
const D0 = Date.UTC(2026, 10, 2);
const at = (h: number, m = 0, ms = 0) => D0 + h * 60 * MIN + m * MIN + ms;

describe('rollupPieces', () => {
  it('a UTC day is one day bucket; a Kolkata day is raw-free hours and half hours', () => {
    expect(rollupPieces(at(0), at(24))).toEqual([{ grain: 1440, from: at(0), to: at(24) }]);
    // 2026-11-02 in Asia/Kolkata: 18:30 UTC the day before to 18:30 UTC
    expect(rollupPieces(at(-5, -30), at(18, 30))).toEqual([
      { grain: 15, from: at(-5, -30), to: at(-5) },
      { grain: 60, from: at(-5), to: at(18) },
      { grain: 15, from: at(18), to: at(18, 30) },
    ]);
  });

  it('uneven edges go raw, and the pieces cover the range exactly', () => {
    const p = rollupPieces(at(1, 7, 123), at(49, 3));
    expect(p[0]).toEqual({ grain: 0, from: at(1, 7, 123), to: at(1, 15) });
    expect(p[p.length - 1]).toEqual({ grain: 0, from: at(49), to: at(49, 3) });
    expect(p.some((x) => x.grain === 1440)).toBe(true);
    for (let i = 1; i < p.length; i++) expect(p[i]!.from).toBe(p[i - 1]!.to);
    expect(rollupPieces(at(3, 1), at(3, 2))).toEqual([{ grain: 0, from: at(3, 1), to: at(3, 2) }]);
    expect(rollupPieces(at(3), at(3))).toEqual([]);
  });

  it('per report bucket: no piece crosses a bucket edge; same grains next to each other merge', () => {
    const starts = [at(0), at(0, 30), at(1)];
    expect(rollupPiecesOf(starts, at(1, 30))).toEqual([{ grain: 15, from: at(0), to: at(1, 30) }]);
    // buckets from an uneven start: the 15 minutes around the edge at 01:10 are read raw (raw rows
    // find their report bucket by their own time, so the two raw pieces there merge)
    const odd = [at(0, 10), at(1, 10)];
    expect(rollupPiecesOf(odd, at(2, 10))).toEqual([
      { grain: 0, from: at(0, 10), to: at(0, 15) },
      { grain: 15, from: at(0, 15), to: at(1) },
      { grain: 0, from: at(1), to: at(1, 15) },
      { grain: 15, from: at(1, 15), to: at(2) },
      { grain: 0, from: at(2), to: at(2, 10) },
    ]);
  });
});
