import parseRange from 'range-parser';
import type { ByteRange } from '../recordings/recording-storage';

/**
 * What a `Range` request header asks of a file of `size` bytes (RFC 9110 §14), parsed by
 * `range-parser` (the parser Express's `send` uses): the whole file, one byte range, or an
 * unsatisfiable request (416). Several ranges are answered with the whole file (a server may
 * ignore Range; browsers' media elements ask for one range at a time).
 */
export type RangeAsk = { kind: 'whole' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

export function rangeAsk(header: string | undefined, size: number): RangeAsk {
  if (header === undefined || header.trim() === '') return { kind: 'whole' };
  const r = parseRange(size, header, { combine: true });
  // -1: no range inside the file; -2: not a range at all. Both are refused with 416 so a
  // client's mistake is visible instead of silently answered with the whole file.
  if (r === -1 || r === -2) return { kind: 'unsatisfiable' };
  if (r.type !== 'bytes' || r.length !== 1 || !r[0]) return { kind: 'whole' };
  return { kind: 'range', range: { start: r[0].start, end: r[0].end } };
}
